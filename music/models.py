import hashlib
import unicodedata
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from diary.storage import private_storage
from music import reasons

COORDINATE = [MinValueValidator(-1.0), MaxValueValidator(1.0)]


def normalise_text(value: str) -> str:
    """For duplicate detection: Unicode-normalised, case-folded, single spaces."""
    return " ".join(unicodedata.normalize("NFKC", value or "").casefold().split())


def track_match_key(artist: str, title: str) -> str:
    """Tracks are the same when artist and title match after normalisation."""
    joined = f"{normalise_text(artist)}\x1f{normalise_text(title)}"
    return hashlib.sha1(joined.encode("utf-8"), usedforsecurity=False).hexdigest()


AUDIO_MAX_BYTES = 50 * 1024 * 1024


def validate_audio_size(file) -> None:
    if file.size > AUDIO_MAX_BYTES:
        raise ValidationError(_("The audio file is larger than 50 MB."))


def audio_path(track: "Track", filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"music/audio/{uuid.uuid4().hex}.{suffix[:5]}"


class MoodTag(models.Model):
    """A word for a mood, in English and Korean, placed on the circumplex."""

    slug = models.SlugField(_("slug"), max_length=40, unique=True)
    name_en = models.CharField(_("English name"), max_length=60, unique=True)
    name_ko = models.CharField(_("Korean name"), max_length=60)
    valence = models.FloatField(_("valence"), validators=COORDINATE)
    arousal = models.FloatField(_("arousal"), validators=COORDINATE)
    aliases = models.JSONField(
        _("other spellings"), default=list, blank=True,
        help_text=_("Other names an import may use for this tag, e.g. a misspelling."),
    )

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("mood tag")
        verbose_name_plural = _("mood tags")

    def __str__(self) -> str:
        return f"{self.name_en} / {self.name_ko}"

    @property
    def name(self) -> str:
        return self.name_ko if (get_language() or "").startswith("ko") else self.name_en

    @classmethod
    def names_by_slug(cls, slugs) -> dict[str, tuple[str, str]]:
        """{slug: (English name, Korean name)} for the given slugs."""
        rows = cls.objects.filter(slug__in=list(slugs)).values_list("slug", "name_en", "name_ko")
        return {slug: (name_en, name_ko) for slug, name_en, name_ko in rows}


class Track(models.Model):
    """A piece in the catalogue, with the mood data the matcher uses."""

    class Mode(models.TextChoices):
        MAJOR = "major", _("major")
        MINOR = "minor", _("minor")

    class CoordinatesSource(models.TextChoices):
        NONE = "", _("none")
        TAGS = "tags", _("from the mood tags")
        CURATOR = "curator", _("set by a curator")
        AUDIO = "audio", _("accepted from the audio analysis")

    class AnalysisStatus(models.TextChoices):
        NONE = "", _("not analysed")
        PENDING = "pending", _("analysis pending")
        DONE = "done", _("analysed")
        FAILED = "failed", _("analysis failed")

    title = models.CharField(_("title"), max_length=300)
    artist = models.CharField(_("artist or composer"), max_length=200)
    album = models.CharField(_("album or collection"), max_length=300, blank=True)
    year = models.PositiveSmallIntegerField(
        _("year"), null=True, blank=True, validators=[MinValueValidator(800), MaxValueValidator(2100)]
    )
    duration_seconds = models.PositiveIntegerField(_("duration (seconds)"), null=True, blank=True)
    youtube_url = models.URLField(_("YouTube link"), max_length=500, blank=True)
    lastfm_url = models.URLField(_("Last.fm link"), max_length=500, blank=True)
    link_url = models.URLField(
        _("other link"), max_length=500, blank=True,
        help_text=_("Wikipedia, IMSLP, Musopen or another page about the piece."),
    )
    audio = models.FileField(
        _("audio file"), storage=private_storage, upload_to=audio_path, blank=True,
        validators=[FileExtensionValidator(["wav", "flac", "ogg", "mp3"]), validate_audio_size],
        help_text=_("WAV, FLAC, Ogg or MP3, up to 50 MB. Its tempo, key and energy are analysed after saving."),
    )
    licence = models.CharField(_("licence"), max_length=200, blank=True)
    attribution = models.CharField(_("attribution"), max_length=300, blank=True)
    language = models.CharField(
        _("language"), max_length=8, blank=True,
        help_text=_("Language of the lyrics as an ISO 639 code (ko, en, …); zxx for instrumental."),
    )
    genre = models.CharField(_("genre"), max_length=60, blank=True)
    mood_tags = models.ManyToManyField(MoodTag, verbose_name=_("mood tags"), related_name="tracks", blank=True)

    valence = models.FloatField(_("valence"), null=True, blank=True, validators=COORDINATE)
    arousal = models.FloatField(_("arousal"), null=True, blank=True, validators=COORDINATE)
    emotion_affinity = models.JSONField(
        _("emotion affinity"), null=True, blank=True,
        help_text=_("Affinity for each of the seven emotions (0–1); derived from the coordinates when empty."),
    )
    coordinates_source = models.CharField(
        _("coordinates from"), max_length=8, choices=CoordinatesSource.choices, blank=True
    )
    tempo_bpm = models.FloatField(
        _("tempo (BPM)"), null=True, blank=True, validators=[MinValueValidator(20), MaxValueValidator(320)]
    )
    key = models.CharField(_("key"), max_length=40, blank=True, help_text=_("e.g. E-flat major"))
    mode = models.CharField(_("mode"), max_length=8, choices=Mode.choices, blank=True)
    energy = models.FloatField(
        _("energy"), null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(1)]
    )

    # What the audio analysis (librosa, in a Celery task) suggests; a curator accepts it or not.
    analysis_status = models.CharField(
        _("audio analysis"), max_length=8, choices=AnalysisStatus.choices, blank=True
    )
    analysis = models.JSONField(_("analysis result"), null=True, blank=True, editable=False)
    suggested_valence = models.FloatField(_("suggested valence"), null=True, blank=True)
    suggested_arousal = models.FloatField(_("suggested arousal"), null=True, blank=True)

    # Death, mourning, funerals, war or despair: never offered for a sad, anxious or angry mood
    # unless the person asked for music that matches their sadness exactly (music.care).
    sensitive_theme = models.BooleanField(
        _("sensitive theme"), default=False,
        help_text=_("The work is about death, mourning, a funeral, war or despair (Lacrimosa, a funeral march, "
                    "a lament). It is held back from people who feel low, unless they ask for it."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    match_key = models.CharField(max_length=40, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["artist", "title"]
        verbose_name = _("track")
        verbose_name_plural = _("tracks")
        indexes = [models.Index(fields=["is_active", "language"], name="track_active_language")]

    def __str__(self) -> str:
        return f"{self.artist} — {self.title}"

    def clean(self) -> None:
        super().clean()
        key = track_match_key(self.artist, self.title)
        if Track.objects.filter(match_key=key).exclude(pk=self.pk).exists():
            raise ValidationError(_("The catalogue already has a track with this artist and title."))

    def save(self, *args, **kwargs):
        self.match_key = track_match_key(self.artist, self.title)
        if self.key and not self.mode:
            lowered = self.key.lower()
            self.mode = "minor" if "minor" in lowered else "major" if "major" in lowered else ""
        super().save(*args, **kwargs)

    @property
    def listen_url(self) -> str:
        return self.youtube_url or self.link_url or self.lastfm_url


class ListeningPreference(models.Model):
    """What the person likes to hear: languages and genres (empty: no preference)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="music_preference"
    )
    languages = models.JSONField(_("languages"), default=list, blank=True)
    genres = models.JSONField(_("genres"), default=list, blank=True)
    match_sadness = models.BooleanField(
        _("music that matches my sadness exactly"), default=False,
        help_text=_("When I feel low, also offer requiems, laments and other music about loss. "
                    "Otherwise we offer gentle, consoling music first."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("listening preference")

    def __str__(self) -> str:
        return f"{self.user} · music preferences"


class RecommendationSet(models.Model):
    """Tracks offered to a person for an entry, in order, with the mood they were chosen for."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="music_recommendations"
    )
    entry = models.ForeignKey(
        "diary.Entry", on_delete=models.CASCADE, related_name="music_recommendations", null=True, blank=True
    )
    strategy = models.CharField(max_length=8)
    target = models.CharField(max_length=12, blank=True)
    mood_source = models.CharField(max_length=8, blank=True)
    mood_emotion = models.CharField(max_length=16, blank=True)
    mood_valence = models.FloatField(null=True)
    mood_arousal = models.FloatField(null=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["owner", "created_at"], name="recset_owner_created")]
        constraints = [
            models.UniqueConstraint(fields=["entry", "strategy", "target"], name="recset_one_per_entry_strategy")
        ]

    def __str__(self) -> str:
        return f"{self.owner} · {self.strategy} {self.target} · {self.created_at:%Y-%m-%d}"


class Recommendation(models.Model):
    recommendation_set = models.ForeignKey(RecommendationSet, on_delete=models.CASCADE, related_name="items")
    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField()
    score = models.FloatField()
    # Why it is offered, as a code and parameters put into words when shown (music.reasons).
    reason_code = models.CharField(max_length=24)
    reason_params = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["recommendation_set", "position"]
        constraints = [
            models.UniqueConstraint(fields=["recommendation_set", "position"], name="rec_unique_position")
        ]

    @property
    def reason(self) -> str:
        """The reason in the active language."""
        return reasons.render(self.reason_code, self.reason_params, tag=self._reason_tag())

    @property
    def reasons(self) -> dict[str, str]:
        """The reason in every language the site speaks (language code → one line)."""
        return reasons.render_each_language(self.reason_code, self.reason_params, tag=self._reason_tag())

    def _reason_tag(self) -> tuple[str, str] | None:
        slug = (self.reason_params or {}).get("tag")
        if not slug:
            return None
        known = getattr(self, "_tag_names", None)
        if known is None:
            known = MoodTag.names_by_slug([slug])
        return known.get(slug)

    @staticmethod
    def load_tag_names(items: list["Recommendation"]) -> list["Recommendation"]:
        """Read the names of the mood tags the items' reasons speak of in one query."""
        names = MoodTag.names_by_slug({(item.reason_params or {}).get("tag") for item in items} - {None})
        for item in items:
            item._tag_names = names
        return items


class Feedback(models.Model):
    """What the person did with an offered track: played, liked, skipped or disliked it."""

    class Action(models.TextChoices):
        PLAY = "play", _("played")
        LIKE = "like", _("liked")
        SKIP = "skip", _("skipped")
        DISLIKE = "dislike", _("disliked")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="music_feedback")
    track = models.ForeignKey(Track, on_delete=models.CASCADE, related_name="feedback")
    action = models.CharField(_("action"), max_length=8, choices=Action.choices)
    entry = models.ForeignKey(
        "diary.Entry", on_delete=models.SET_NULL, null=True, blank=True, related_name="music_feedback"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "created_at"], name="feedback_user_created")]
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")

    def __str__(self) -> str:
        return f"{self.user} {self.action} {self.track}"
