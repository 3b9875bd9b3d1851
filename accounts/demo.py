"""Demo people and a believable 60-day diary for trying the site."""

import datetime
import random

from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.models import User
from diary import services as diary_services
from diary.models import Entry

DEMO_PASSWORD = "moodsite-demo-2026"  # noqa: S105 - printed for people trying the site locally
DEMO_PEOPLE = {
    "member": ("member@demo.moodsite.local", User.Role.MEMBER, "김순자 (demo)", "ko", 1946),
    "caseworker": ("caseworker@demo.moodsite.local", User.Role.CASEWORKER, "박지현 (demo)", "ko", None),
    "curator": ("curator@demo.moodsite.local", User.Role.CURATOR, "이수민 (demo)", "en", None),
}

# (self-reported mood, text): a mixture of Korean and English days, good and hard ones.
DEMO_DAYS = [
    ("happy", "손녀가 전화를 했다. 목소리를 들으니 하루 종일 기분이 좋았다."),
    ("neutral", "Quiet day. Watered the plants and watched the news."),
    ("sad", "비가 와서 산책을 못 했다. 혼자 있는 시간이 길게 느껴졌다."),
    ("happy", "Went to the senior centre and sang with friends. My voice is still good!"),
    ("fear", "병원 검사 결과를 기다리고 있다. 걱정이 된다."),
    ("neutral", "시장에 가서 두부와 나물을 샀다."),
    ("surprise", "My old neighbour visited without warning, with rice cakes."),
    ("sad", "남편 기일이다. 사진을 오래 보았다."),
    ("angry", "The bus didn't stop for me again. I waited in the cold for 30 minutes."),
    ("happy", "복지관 선생님이 안부 전화를 주셨다. 고마웠다."),
    ("neutral", "Slept badly but the afternoon was calm."),
    ("happy", "날씨가 맑아서 공원을 한 바퀴 돌았다. 다리가 덜 아팠다."),
]


def _person(key: str) -> User:
    email, role, name, language, birth_year = DEMO_PEOPLE[key]
    user, created = User.objects.get_or_create(
        email=email,
        defaults={"role": role, "display_name": name, "language": language, "birth_year": birth_year,
                  "time_zone": "Asia/Seoul"},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def demo_people() -> dict[str, User]:
    from music.services import curator_enable

    people = {key: _person(key) for key in DEMO_PEOPLE}
    curator_enable(user=people["curator"])
    return people


def demo_diary(*, member: User, days: int = 60, seed: int = 7) -> int:
    """Sixty days of entries, skipping a few days as people do; returns how many were written."""
    if Entry.objects.filter(owner=member).exists():
        return 0
    rng = random.Random(seed)
    today = timezone.localtime(timezone.now(), member.zone).date()
    written = 0
    for back in range(days, 0, -1):
        if rng.random() < 0.12:
            continue  # a day without an entry
        mood, text = DEMO_DAYS[rng.randrange(len(DEMO_DAYS))]
        # Most days say how they felt; some leave it to the automatic reading.
        diary_services.entry_create(owner=member, day=today - datetime.timedelta(days=back), text=text,
                                    self_mood=mood if rng.random() < 0.8 else "")
        written += 1
    return written
