"""Photos leave storage with their entry, however the entry goes (one delete, or the account's)."""

from django.db.models.signals import post_delete
from django.dispatch import receiver

from diary.models import Entry


@receiver(post_delete, sender=Entry)
def entry_files_delete(sender, instance: Entry, **kwargs) -> None:
    for field in (instance.photo, instance.thumbnail):
        if field and field.name:
            field.storage.delete(field.name)
