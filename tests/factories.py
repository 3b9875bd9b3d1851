import datetime

import factory
from django.utils import timezone

from accounts.models import User
from diary.models import Entry

TEST_PASSWORD = "a-long-test-password-42"  # noqa: S105


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    display_name = factory.Sequence(lambda n: f"Person {n}")
    role = User.Role.MEMBER
    language = "en"
    time_zone = "Asia/Seoul"
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def save_password(self, create, extracted, **kwargs):
        if create:
            self.save()


class EntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Entry

    owner = factory.SubFactory(UserFactory)
    day = factory.LazyFunction(lambda: timezone.localdate())
    text = "A quiet day. I walked by the river."
    self_mood = ""

    @classmethod
    def days_ago(cls, n: int, **kwargs) -> Entry:
        return cls(day=timezone.localdate() - datetime.timedelta(days=n), **kwargs)
