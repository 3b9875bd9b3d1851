"""Offline evaluation of the matcher on the Last.fm mood CSVs (../shared/datasets/music).

* match: for each of the seven emotions as input (a one-hot distribution), the share of the top 10
  whose tags sit in the emotion's region of the circumplex — its quadrant, or for neutral (at the
  origin) the central square |valence|, |arousal| ≤ 0.3. A track's place is the mean of its mood
  tags' coordinates. Target ≥ 0.8.
* lift: for many starting moods (the seven emotions and random mixtures) × the three targets ×
  several session lengths, whether valence moves monotonically from the first track to the last
  in the direction of the target. Target ≥ 90% of sessions.

Used by bench/music_eval.py (which also times the import) and by the dataset test.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from moodsite.emotions import EMOTIONS, one_hot
from music import matching

LASTFM_SUBDIR = Path("image2music/backend/data_crawling/mood_data_csv")


def lastfm_files(music_dir: Path) -> list[tuple[str, bytes]]:
    folder = Path(music_dir) / LASTFM_SUBDIR
    return [(path.name, path.read_bytes()) for path in sorted(folder.glob("*.csv"))]


def tag_places() -> dict[int, tuple[float, float]]:
    """Each active track's place by its tags alone (mean of the tags' coordinates)."""
    return {track_id: matching.coordinates_from_tags(p) for track_id, p in tag_points().items()}


def tag_points() -> dict[int, list[tuple[float, float]]]:
    """Each active track's tags, as coordinates."""
    from music.models import Track

    points: dict[int, list[tuple[float, float]]] = {}
    rows = Track.mood_tags.through.objects.filter(track__is_active=True).values_list(
        "track_id", "moodtag__valence", "moodtag__arousal"
    )
    for track_id, valence, arousal in rows.iterator(chunk_size=20_000):
        points.setdefault(track_id, []).append((valence, arousal))
    return points


def quadrant_precision(catalogue: matching.Catalogue, places: dict[int, tuple[float, float]], *, k: int = 10,
                       listener: matching.Listener | None = None,
                       every_tag: dict[int, list[tuple[float, float]]] | None = None) -> dict[str, float]:
    """Per emotion, the share of the top k (strategy match) in the emotion's region: by the mean
    of each track's tags (`places`), or — stricter — with every one of its tags there (`every_tag`)."""
    shares = {}
    for emotion in EMOTIONS:
        picks = matching.recommend(catalogue, one_hot(emotion), strategy="match", n=k, listener=listener)
        if every_tag is not None:
            hits = sum(1 for p in picks if p.track_id in every_tag
                       and all(matching.quadrant_matches(emotion, v, a) for v, a in every_tag[p.track_id]))
        else:
            hits = sum(1 for p in picks
                       if p.track_id in places and matching.quadrant_matches(emotion, *places[p.track_id]))
        shares[emotion] = hits / k
    return shares


def lift_monotonicity(catalogue: matching.Catalogue, *, random_moods: int = 200, lengths=(4, 6, 8),
                      seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    moods = [one_hot(e) for e in EMOTIONS]
    moods += [dict(zip(EMOTIONS, rng.dirichlet(np.full(len(EMOTIONS), 0.5)).tolist(), strict=True))
              for _ in range(random_moods)]
    total = monotone = closer = 0
    failures: list[dict] = []
    for mood in moods:
        start_valence, _arousal, _vec = matching.mood_point(mood)
        for target, (goal_valence, _goal_arousal) in matching.TARGETS.items():
            direction = 1.0 if goal_valence >= start_valence else -1.0
            for n in lengths:
                picks = matching.recommend(catalogue, mood, strategy="lift", target=target, n=n)
                valences = [p.valence for p in picks]
                total += 1
                steps = np.diff(valences) * direction
                if len(picks) == n and (steps >= -1e-9).all():
                    monotone += 1
                elif len(failures) < 5:
                    failures.append({"target": target, "n": n, "valences": valences})
                if valences and abs(valences[-1] - goal_valence) <= abs(valences[0] - goal_valence) + 1e-9:
                    closer += 1
    return {
        "sessions": total,
        "monotone_share": round(monotone / total, 4) if total else 0.0,
        "ends_closer_to_target_share": round(closer / total, 4) if total else 0.0,
        "examples_of_failures": failures,
    }


# --- Care in hard moments (music.care) -------------------------------------------------------------

# The congruent matcher: what "music that matches my sadness exactly" gives. The quadrant figures
# above measure it; the default listener's first three picks for sad, anxious and angry moods are
# moved towards consoling on purpose, so they would not count as "in the quadrant".
CONGRUENT = matching.Listener(match_sadness=True)


def flagged_in_top(catalogue: matching.Catalogue, *, k: int = 10, session: int = 6) -> dict:
    """For each of the seven moods (one-hot), how many sensitive-theme works a default listener gets
    in the top k of "match" and "calm", and in a lift session to each target. Should all be 0."""
    result: dict[str, dict[str, int]] = {}
    for emotion in EMOTIONS:
        counts = {}
        for strategy in ("match", "calm"):
            picks = matching.recommend(catalogue, one_hot(emotion), strategy=strategy, n=k)
            counts[strategy] = int(sum(bool(catalogue.sensitive[p.row]) for p in picks))
        counts["lift"] = int(sum(
            bool(catalogue.sensitive[p.row])
            for target in matching.TARGETS
            for p in matching.recommend(catalogue, one_hot(emotion), strategy="lift", target=target, n=session)
        ))
        result[emotion] = counts
    return result


def consoling_first(catalogue: matching.Catalogue) -> dict[str, float]:
    """For sad, anxious and angry moods: the mean valence of the first three "match" picks against
    the mood's own valence (higher: on the consoling side)."""
    from music import care

    out = {}
    for emotion in care.HARD_MOODS:
        picks = matching.recommend(catalogue, one_hot(emotion), strategy="match", n=10)
        first = [p.valence for p in picks[:care.CONSOLING_FIRST]]
        out[emotion] = {
            "mood_valence": round(matching.mood_point(one_hot(emotion))[0], 2),
            "first3_mean_valence": round(float(np.mean(first)), 2) if first else None,
        }
    return out
