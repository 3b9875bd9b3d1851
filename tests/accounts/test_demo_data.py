from io import StringIO

from django.core.management import call_command

from accounts.demo import DEMO_PASSWORD
from accounts.models import User
from diary.models import Entry


def test_it_creates_the_demo_people_and_sixty_days_once(db):
    out = StringIO()
    call_command("load_demo_data", "--once", stdout=out)
    member = User.objects.get(role=User.Role.MEMBER)
    assert User.objects.filter(role=User.Role.CASEWORKER).exists()
    assert User.objects.filter(role=User.Role.CURATOR).exists()
    days = list(Entry.objects.filter(owner=member).values_list("day", flat=True))
    assert 40 <= len(days) <= 60 and (max(days) - min(days)).days < 60
    assert member.check_password(DEMO_PASSWORD) and DEMO_PASSWORD in out.getvalue()
    assert member.email in out.getvalue()
    # A second run with --once adds nothing
    call_command("load_demo_data", "--once", stdout=StringIO())
    assert Entry.objects.filter(owner=member).count() == len(days)


def test_it_lets_the_demo_curator_into_the_catalogue_admin(client, db):
    call_command("load_demo_data", stdout=StringIO())
    client.force_login(User.objects.get(role=User.Role.CURATOR))
    assert client.get("/admin/music/track/").status_code == 200
    assert client.get("/admin/accounts/user/").status_code == 403
