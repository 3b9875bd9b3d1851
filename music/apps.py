from django.apps import AppConfig


class MusicConfig(AppConfig):
    name = "music"
    verbose_name = "Music"
