"""The dashboard in pages: sorted and filtered over all clients on the server, 50 a page, the
filters kept in the page links, and one access-log row per page view that each client listed on
it still sees on their "who looked at my data" page."""

import re

import pytest
from django.urls import reverse

from tests.factories import UserFactory
from tests.welfare.conftest import link, write_days
from welfare.models import AccessLog, Consent
from welfare.selectors import access_rows_of


@pytest.fixture
def many_clients(organisation, caseworker) -> list[Consent]:
    """120 clients: every third one has had a run of sad days (a high or medium risk)."""
    consents = []
    for n in range(120):
        member = UserFactory(display_name=f"Client {n:03d}")
        consents.append(link(member, organisation, caseworker))
        write_days(member, dict.fromkeys(range(7), "sad") if n % 3 == 0 else dict.fromkeys(range(7), "happy"))
    return consents


def names_on(body: str) -> list[str]:
    return re.findall(r'<th scope="row"[^>]*><a href="[^"]+">([^<]+)</a>', body)


def test_it_shows_120_clients_in_three_pages_of_50(caseworker_client, many_clients):
    url = reverse("welfare:dashboard")
    pages = [caseworker_client.get(url, {"sort": "name", "page": n}).content.decode() for n in (1, 2, 3)]

    shown = [names_on(body) for body in pages]
    assert [len(names) for names in shown] == [50, 50, 20]
    assert sum(shown, []) == [f"Client {n:03d}" for n in range(120)]  # sorted over all, not per page
    assert "Page 1 of 3" in pages[0] and "Clients 1–50 of 120" in pages[0]


def test_the_sort_is_kept_in_the_page_links(caseworker_client, many_clients):
    body = caseworker_client.get(reverse("welfare:dashboard"), {"sort": "name"}).content.decode()
    assert 'href="?sort=name&amp;page=2"' in body


def test_a_filtered_second_page_keeps_the_filter(caseworker_client, organisation, caseworker):
    # Given 60 clients at high risk and 10 at low risk
    for n in range(70):
        member = UserFactory(display_name=f"Client {n:03d}")
        link(member, organisation, caseworker)
        write_days(member, dict.fromkeys(range(10), "sad" if n < 60 else "happy"))
    url = reverse("welfare:dashboard")
    first = caseworker_client.get(url, {"risk": "high", "sort": "name"}).content.decode()
    assert 'href="?risk=high&amp;sort=name&amp;page=2"' in first

    # When the caseworker follows the link to page 2
    second = caseworker_client.get(url, {"risk": "high", "sort": "name", "page": 2}).content.decode()

    # Then it still shows only the high-risk clients, the last ten of them
    assert names_on(second) == [f"Client {n:03d}" for n in range(50, 60)]
    assert 'href="?risk=high&amp;sort=name&amp;page=1"' in second


def test_each_page_view_writes_one_access_row_naming_its_clients(caseworker_client, many_clients):
    url = reverse("welfare:dashboard")
    caseworker_client.get(url, {"sort": "name"})
    caseworker_client.get(url, {"sort": "name", "page": 3})

    first, third = AccessLog.objects.order_by("pk")
    by_name = {c.client.name: c.client_id for c in many_clients}
    assert first.action == third.action == AccessLog.Action.DASHBOARD
    assert first.client_ids == "," + ",".join(str(by_name[f"Client {n:03d}"]) for n in range(50)) + ","
    assert third.client_ids == "," + ",".join(str(by_name[f"Client {n:03d}"]) for n in range(100, 120)) + ","


def test_the_member_sees_the_dashboard_view_in_their_log(caseworker_client, caseworker, many_clients, client):
    # Given a member shown on page 1 and one shown only on page 3
    by_name = {c.client.name: c.client for c in many_clients}
    on_first, on_third = by_name["Client 000"], by_name["Client 110"]
    url = reverse("welfare:dashboard")
    caseworker_client.get(url, {"sort": "name"})
    caseworker_client.get(url, {"sort": "name"})
    caseworker_client.logout()

    # When each looks at who looked at their data
    client.force_login(on_first)
    seen = client.get(reverse("welfare:access_log")).content.decode()
    client.force_login(on_third)
    unseen = client.get(reverse("welfare:access_log")).content.decode()

    # Then the first sees both views, the other none (page 3 was never opened)
    assert str(caseworker) in seen and "saw your mood summary on the dashboard" in seen and "2 times" in seen
    assert "No one has looked at your data." in unseen
    assert access_rows_of(member=on_third).count() == 0


def test_a_client_id_is_not_matched_inside_another(caseworker_client, caseworker, organisation):
    # Ids are delimited: the client with id 1 is not "in" a page that listed id 11 or 21.
    member = UserFactory()
    link(member, organisation, caseworker)
    AccessLog.objects.create(
        viewer=caseworker, viewer_name="x", client_ids=f",{member.pk}1,9{member.pk},", action="dashboard"
    )
    assert access_rows_of(member=member).count() == 0


def test_strangers_and_anonymous_visitors_get_no_page(client, many_clients, stranger):
    url = reverse("welfare:dashboard")
    anonymous = client.get(url, {"page": 2})
    assert anonymous.status_code == 302
    client.force_login(stranger)
    assert client.get(url, {"page": 2}).status_code == 403
    assert not AccessLog.objects.exists()


def test_a_page_number_out_of_range_or_nonsense_shows_a_real_page(caseworker_client, many_clients):
    url = reverse("welfare:dashboard")
    assert len(names_on(caseworker_client.get(url, {"page": 99}).content.decode())) == 20
    assert len(names_on(caseworker_client.get(url, {"page": "x", "sort": "bogus"}).content.decode())) == 50


def test_the_order_follows_a_change_at_once(caseworker_client, organisation, caseworker):
    # Given three clients with happy weeks, sorted by risk (names break the tie)
    consents = []
    for name in ("Ahn", "Baek", "Choi"):
        member = UserFactory(display_name=name)
        consents.append(link(member, organisation, caseworker))
        write_days(member, dict.fromkeys(range(7), "happy"))
    url = reverse("welfare:dashboard")
    assert names_on(caseworker_client.get(url).content.decode()) == ["Ahn", "Baek", "Choi"]
    # When Choi writes a run of sad days, the very next look puts Choi first
    write_days(consents[2].client, dict.fromkeys(range(7), "sad"))
    assert names_on(caseworker_client.get(url).content.decode()) == ["Choi", "Ahn", "Baek"]
    # and when Ahn's name changes, the name sort follows it
    consents[0].client.display_name = "Yoon"
    consents[0].client.save(update_fields=["display_name"])
    assert names_on(caseworker_client.get(url, {"sort": "name"}).content.decode()) == ["Baek", "Choi", "Yoon"]


def test_a_page_past_the_last_shows_the_last(caseworker_client, many_clients):
    body = caseworker_client.get(reverse("welfare:dashboard"), {"sort": "name", "page": 9}).content.decode()
    assert names_on(body)[0] == "Client 100" and "Page 3 of 3" in body


def test_the_api_client_list_pages_sorts_and_follows_a_change_at_once_like_the_page(
    caseworker_client, organisation, caseworker
):
    # Given three clients with happy weeks
    consents = []
    for name in ("Ahn", "Baek", "Choi"):
        member = UserFactory(display_name=name)
        consents.append(link(member, organisation, caseworker))
        write_days(member, dict.fromkeys(range(7), "happy"))
    url = "/api/v1/welfare/clients/"

    def names(**query) -> list[str]:
        return [row["name"] for row in caseworker_client.get(url, query).json()["results"]]

    assert names() == ["Ahn", "Baek", "Choi"]
    # When Choi writes a run of sad days, the very next call lists Choi first, and the risk filter
    # and the name sort see it too
    write_days(consents[2].client, dict.fromkeys(range(7), "sad"))
    assert names() == ["Choi", "Ahn", "Baek"]
    assert names(risk="low", sort="name") == ["Ahn", "Baek"]
    # and an unknown sort is read as the risk sort, as on the page
    assert names(sort="bogus") == ["Choi", "Ahn", "Baek"]
    # and each call logged a row for each client it listed (3 + 3 + 2 + 3), no more
    assert AccessLog.objects.filter(action=AccessLog.Action.API_LIST).count() == 11


def test_the_api_client_list_pages_over_all_clients(caseworker_client, many_clients):
    # Following `next` from the first page of the name sort lists every client once, in order
    page = caseworker_client.get("/api/v1/welfare/clients/", {"sort": "name"}).json()
    assert page["count"] == 120
    names = [row["name"] for row in page["results"]]
    while page["next"]:
        page = caseworker_client.get(page["next"]).json()
        names += [row["name"] for row in page["results"]]
    assert names == [f"Client {n:03d}" for n in range(120)]
