"""The entry point: strategies and targets, the picks in order, and why each is offered."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from django.utils import translation

from music import care, reasons
from music.matching.catalogue import Catalogue
from music.matching.geometry import affinities_from_va, emotion_vector, mood_point
from music.matching.lift import _lift
from music.matching.listener import Listener, listener_bonus
from music.matching.search import SLOW_TEMPO, _select
from music.reasons import Reason

STRATEGIES: tuple[str, ...] = ("match", "lift", "calm")
DEFAULT_STRATEGY = "match"
# Where a lift session can lead, in (valence, arousal).
TARGETS: dict[str, tuple[float, float]] = {
    "calm": (0.45, -0.55),
    "joyful": (0.80, 0.45),
    "energised": (0.55, 0.75),
}
DEFAULT_TARGET = "calm"
DEFAULT_COUNT = 10
DEFAULT_SESSION_LENGTH = 6
MAX_COUNT = 50


def reason_for(catalogue: Catalogue, row: int, code: str, *, target: str = "calm", note: str = "") -> Reason:
    """What the track is like and why it is offered, as a code and parameters (music.reasons)."""
    params: dict[str, object] = {}
    tag_index = int(catalogue.mood_tag[row]) if len(catalogue.mood_tag) else -1
    if 0 <= tag_index < len(catalogue.tags) and catalogue.tags[tag_index].slug:
        params["tag"] = catalogue.tags[tag_index].slug
    mode = int(catalogue.mode[row])
    if mode:
        params["mode"] = "major" if mode > 0 else "minor"
    tempo = float(catalogue.tempo[row])
    if math.isfinite(tempo) and tempo > 0:
        params["tempo"] = round(tempo)
    if code in ("lift_step", "lift_end"):
        params["target"] = target
    if note:
        params["note"] = note
    return Reason(code, params)


def tag_names(catalogue: Catalogue, row: int) -> tuple[str, str] | None:
    """The (English, Korean) names of the tag a track's reason speaks with."""
    tag_index = int(catalogue.mood_tag[row]) if len(catalogue.mood_tag) else -1
    if 0 <= tag_index < len(catalogue.tags):
        return catalogue.tags[tag_index].name_en, catalogue.tags[tag_index].name_ko
    return None


def reason_text(catalogue: Catalogue, row: int, code: str, *, lang: str = "en", target: str = "calm",
                note: str = "") -> str:
    """One line in one language, e.g. "calm, major key, 68 BPM — close to how you feel"."""
    with translation.override(lang):
        reason = reason_for(catalogue, row, code, target=target, note=note)
        return reasons.render(reason.code, reason.params, tag=tag_names(catalogue, row))


@dataclass(frozen=True)
class Pick:
    track_id: int
    row: int
    score: float
    valence: float
    arousal: float
    reason: Reason
    tag: tuple[str, str] | None = None  # the names of the mood tag in reason.params["tag"]

    @property
    def reasons(self) -> dict[str, str]:
        """The reason in every language the site speaks (language code → one line)."""
        return reasons.render_each_language(self.reason.code, self.reason.params, tag=self.tag)


def recommend(
    catalogue: Catalogue,
    probabilities: Mapping[str, float] | Sequence[float],
    *,
    strategy: str = DEFAULT_STRATEGY,
    target: str | None = None,
    n: int | None = None,
    listener: Listener | None = None,
) -> list[Pick]:
    """The tracks to offer, in order, each with its reason (a code and parameters: music.reasons)."""
    if strategy not in STRATEGIES:
        raise ValueError(f"Unknown strategy {strategy!r}; expected one of {', '.join(STRATEGIES)}.")
    target = target or DEFAULT_TARGET
    if target not in TARGETS:
        raise ValueError(f"Unknown target {target!r}; expected one of {', '.join(TARGETS)}.")
    if n is None:
        n = DEFAULT_SESSION_LENGTH if strategy == "lift" else DEFAULT_COUNT
    n = max(1, min(int(n), MAX_COUNT))
    if not len(catalogue):
        return []
    valence, arousal, vec = mood_point(probabilities)
    bonus = listener_bonus(catalogue, listener)
    # Hard moments (music.care): flagged works held back, the first picks moved towards consoling.
    the_plan = care.plan(probabilities, strategy=strategy, matches_sadness=bool(listener and listener.match_sadness))
    bonus[care.held_back(catalogue.sensitive, the_plan)] = -np.inf
    consoling_vec = emotion_vector(affinities_from_va(np.array([care.CONSOLING]))[0])
    console_point, console_vec = care.start((valence, arousal), vec, consoling_vec, the_plan)

    if strategy == "lift":
        rows, scores_list = _lift(catalogue, console_point, console_vec, TARGETS[target], n, bonus)
    elif strategy == "calm":
        point = TARGETS["calm"]
        q = emotion_vector(affinities_from_va(np.array([point]))[0])
        rows, scores_list = _select(catalogue, point, q, bonus, n, extra=np.float32(SLOW_TEMPO) * catalogue.slow)
    elif the_plan.consoling:
        # The first few console; the rest meet the mood (never with a flagged work).
        first = min(n, care.CONSOLING_FIRST)
        rows, scores_list = _select(catalogue, console_point, console_vec, bonus, first)
        if n > first:
            rest = bonus.copy()
            rest[rows] = -np.inf
            more, more_scores = _select(catalogue, (valence, arousal), vec, rest, n - first)
            rows, scores_list = rows + more, scores_list + more_scores
    else:
        rows, scores_list = _select(catalogue, (valence, arousal), vec, bonus, n)

    liked_rows = set(catalogue.rows_of(listener.liked_tracks).tolist()) if listener else set()
    liked_artist_codes = set(catalogue.artist_codes_of(listener.liked_artists)) if listener else set()
    picks: list[Pick] = []
    for position, row in enumerate(rows):
        v, a = (float(x) for x in catalogue.va[row])
        if strategy == "lift":
            relation = "lift_start" if position == 0 else "lift_end" if position == len(rows) - 1 else "lift_step"
        elif strategy == "calm":
            relation = "calm"
        else:
            relation = "match" if math.hypot(v - valence, a - arousal) <= 0.45 else "match_far"
        score = scores_list[position]
        note = ""
        if row in liked_rows:
            note = "liked"
        elif int(catalogue.artist_codes[row]) in liked_artist_codes:
            note = "liked_artist"
        code = care.reason(the_plan, position=position) or relation
        reason = reason_for(catalogue, row, code, target=target, note=note)
        picks.append(Pick(int(catalogue.ids[row]), int(row), round(score, 4), round(v, 3), round(a, 3), reason,
                          tag_names(catalogue, row)))
    return picks
