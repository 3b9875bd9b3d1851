"""Where welfare shows up: caseworkers get their dashboard, members the care centre."""

from django.urls import reverse


def test_members_see_the_care_centre_and_their_access_log(client, member):
    client.force_login(member)
    body = client.get(reverse("accounts:profile")).content.decode()
    assert 'href="/welfare/"' in body and 'href="/welfare/access-log/"' in body
    assert 'href="/welfare/dashboard/"' not in body


def test_caseworkers_see_their_dashboard(client, caseworker):
    client.force_login(caseworker)
    body = client.get(reverse("accounts:profile")).content.decode()
    assert 'href="/welfare/dashboard/"' in body and ">Dashboard<" in body
