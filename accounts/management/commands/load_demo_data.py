import inspect
from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from accounts.demo import DEMO_PASSWORD, DEMO_PEOPLE, demo_diary, demo_people
from accounts.models import User


class Command(BaseCommand):
    help = "Create a demo member with 60 days of entries, a caseworker and a curator, and print their logins."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--once", action="store_true",
                            help="Do nothing (but print the logins) if the demo member already exists.")

    def handle(self, *args, once: bool = False, **options) -> None:
        member_email = DEMO_PEOPLE["member"][0]
        if once and User.objects.filter(email=member_email).exists():
            self.stdout.write("Demo data is already loaded.")
        else:
            with transaction.atomic():
                people = demo_people()
                written = demo_diary(member=people["member"])
            self.stdout.write(f"Wrote {written} demo diary entries.")
            self._app_demos(people)
        self.stdout.write(self.style.SUCCESS(f"Demo logins (password for all: {DEMO_PASSWORD}):"))
        for key, (email, *_rest) in DEMO_PEOPLE.items():
            self.stdout.write(f"  {key:<11} {email}")

    def _app_demos(self, people: dict[str, User]) -> None:
        """Each app may add its own demo data in a `demo` module with a load_demo(...) function."""
        for config in apps.get_app_configs():
            if config.name == "accounts":
                continue
            try:
                module = import_module(f"{config.name}.demo")
            except ModuleNotFoundError as error:
                if error.name != f"{config.name}.demo":
                    raise
                continue
            loader = getattr(module, "load_demo", None)
            if loader is None:
                continue
            accepted = inspect.signature(loader).parameters
            kwargs = {name: value for name, value in {**people, "stdout": self.stdout}.items() if name in accepted}
            loader(**kwargs)
