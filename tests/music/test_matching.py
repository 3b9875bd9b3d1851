"""The pure matcher on hand-built catalogues (no database)."""

import numpy as np
import pytest

from moodsite.emotions import EMOTIONS, one_hot
from music import care, matching
from music.matching import Catalogue, Listener, TagWords, TrackRecord

TAGS = [
    TagWords("Calm", "잔잔한", 0.4, -0.6),
    TagWords("Happy", "행복한", 0.85, 0.45),
    TagWords("Sad", "슬픈", -0.7, -0.35),
    TagWords("Angry", "화난", -0.65, 0.7),
]


def grid_catalogue(**overrides) -> Catalogue:
    """A 9 x 9 grid over the circumplex, one artist per column, with tempo and mode."""
    records = []
    n = 0
    for i, v in enumerate(np.linspace(-0.9, 0.9, 9)):
        for a in np.linspace(-0.9, 0.9, 9):
            n += 1
            records.append(TrackRecord(
                id=n, artist=f"artist {i}-{n % 3}", valence=float(v), arousal=float(a),
                tempo=60 + 60 * (a + 1), mode="major" if v > 0 else "minor",
                language="ko" if n % 2 else "en", genre="folk" if n % 4 == 0 else "classical",
                **overrides,
            ))
    return Catalogue.build(records, TAGS)


@pytest.fixture(scope="module")
def grid():
    return grid_catalogue()


def test_mood_point_of_a_self_report_is_the_emotion_point():
    v, a, vec = matching.mood_point(one_hot("sad"))
    assert (round(v, 2), round(a, 2)) == (-0.63, -0.27)
    assert vec[EMOTIONS.index("sad")] == pytest.approx(1.0)


def test_match_offers_tracks_close_to_the_mood(grid):
    # (For sad, anxious and angry moods: when the person chose music that matches their sadness.)
    for emotion in ("happy", "sad", "angry", "fear", "surprise", "disgust"):
        picks = matching.recommend(grid, one_hot(emotion), strategy="match", n=5,
                                   listener=Listener(match_sadness=True))
        assert len(picks) == 5
        assert all(matching.quadrant_matches(emotion, p.valence, p.arousal) for p in picks), emotion


def test_match_for_neutral_stays_near_the_centre(grid):
    picks = matching.recommend(grid, one_hot("neutral"), strategy="match", n=4)
    assert all(abs(p.valence) <= 0.5 and abs(p.arousal) <= 0.5 for p in picks)


def test_calm_strategy_offers_pleasant_low_arousal_tracks_whatever_the_mood(grid):
    for emotion in ("angry", "happy"):
        picks = matching.recommend(grid, one_hot(emotion), strategy="calm", n=5)
        assert all(p.valence > 0 and p.arousal < 0 for p in picks)


@pytest.mark.parametrize("target", list(matching.TARGETS))
@pytest.mark.parametrize("emotion", ["sad", "angry", "happy", "neutral", "fear"])
def test_lift_starts_near_the_mood_and_moves_valence_monotonically_to_the_target(grid, emotion, target):
    picks = matching.recommend(grid, one_hot(emotion), strategy="lift", target=target, n=6)
    assert len(picks) == 6
    start_v, start_a, vec = matching.mood_point(one_hot(emotion))
    # Sad, anxious and angry moods start halfway to consoling (music.care), the others at the mood
    plan = care.plan(one_hot(emotion), strategy="lift", matches_sadness=False)
    (start_v, start_a), _vec = care.start((start_v, start_a), vec, vec, plan)
    goal_v, goal_a = matching.TARGETS[target]
    first, last = picks[0], picks[-1]
    assert np.hypot(first.valence - start_v, first.arousal - start_a) < 0.45
    assert np.hypot(last.valence - goal_v, last.arousal - goal_a) < 0.45
    direction = 1 if goal_v >= start_v else -1
    valences = [p.valence for p in picks]
    assert all(direction * (b - a) >= -1e-9 for a, b in zip(valences, valences[1:], strict=False))
    assert len({p.track_id for p in picks}) == 6


def test_no_two_tracks_by_one_artist_in_a_row():
    # Two artists own every track near the target: picks must alternate between them.
    records = [TrackRecord(id=i, artist="Solo" if i % 2 else "Duo", valence=0.8 - 0.01 * i, arousal=0.5)
               for i in range(1, 21)]
    records += [TrackRecord(id=100, artist="Far", valence=-0.9, arousal=-0.9)]
    catalogue = Catalogue.build(records, TAGS)
    for strategy in ("match", "lift"):
        picks = matching.recommend(catalogue, one_hot("happy"), strategy=strategy, target="joyful", n=8)
        artists = [catalogue.artists[catalogue.artist_codes[p.row]] for p in picks]
        assert all(a != b for a, b in zip(artists, artists[1:], strict=False)), (strategy, artists)


def test_mmr_spreads_the_list_over_artists():
    # One prolific artist sits exactly on the mood; others a little further away.
    records = [TrackRecord(id=i, artist="Prolific", valence=0.8, arousal=0.5) for i in range(1, 11)]
    records += [TrackRecord(id=100 + i, artist=f"Other {i}", valence=0.7, arousal=0.4) for i in range(10)]
    catalogue = Catalogue.build(records, TAGS)
    picks = matching.recommend(catalogue, one_hot("happy"), strategy="match", n=6)
    prolific = sum(1 for p in picks if p.track_id < 100)
    assert 1 <= prolific <= 3


def test_liked_tracks_and_artists_go_up_disliked_and_skipped_go_down(grid):
    mood = one_hot("happy")
    base = matching.recommend(grid, mood, strategy="match", n=10)
    base_ids = [p.track_id for p in base]
    top, second = base_ids[0], base_ids[1]

    disliked = matching.recommend(grid, mood, strategy="match", n=10, listener=Listener(disliked_tracks={top}))
    assert top not in [p.track_id for p in disliked][:5]

    skipped = matching.recommend(grid, mood, strategy="match", n=10, listener=Listener(skipped_tracks={top: 3}))
    assert [p.track_id for p in skipped].index(top) > 0 if top in [p.track_id for p in skipped] else True

    # A liked track moves up the list; its reason says so.
    plain = [p.track_id for p in matching.recommend(grid, mood, strategy="match", n=20)]
    outside = plain[12]
    liked = matching.recommend(grid, mood, strategy="match", n=20, listener=Listener(liked_tracks={outside}))
    liked_ids = [p.track_id for p in liked]
    assert liked_ids.index(outside) < 12
    pick = liked[liked_ids.index(outside)]
    assert "you liked it before" in pick.reasons["en"] and "전에 좋아하신 곡" in pick.reasons["ko"]

    row = grid.row_of(second)
    artist = grid.artists[grid.artist_codes[row]]
    by_artist = matching.recommend(grid, mood, strategy="match", n=10,
                                   listener=Listener(disliked_artists={artist}))
    bonus = matching.listener_bonus(grid, Listener(disliked_artists={artist}, liked_artists={"artist 0-0"}))
    assert bonus[row] < 0
    assert second not in [p.track_id for p in by_artist][:1]


def test_recently_offered_tracks_are_excluded(grid):
    mood = one_hot("sad")
    first = matching.recommend(grid, mood, strategy="match", n=5)
    offered = frozenset(p.track_id for p in first)
    for strategy in ("match", "lift", "calm"):
        again = matching.recommend(grid, mood, strategy=strategy, n=5, listener=Listener(exclude=offered))
        assert not offered & {p.track_id for p in again}


def test_language_and_genre_preferences():
    # Pairs of near-identical tracks: one sung in English (slightly closer), one in Korean.
    records = []
    for k in range(10):
        v = 0.8 - 0.03 * k
        records.append(TrackRecord(id=2 * k + 1, artist=f"en {k}", valence=v, arousal=0.5, language="en",
                                   genre="pop"))
        records.append(TrackRecord(id=2 * k + 2, artist=f"ko {k}", valence=v - 0.01, arousal=0.5, language="ko",
                                   genre="folk"))
    catalogue = Catalogue.build(records, TAGS)
    mood = one_hot("happy")

    def languages(picks):
        return [catalogue.languages[catalogue.language_codes[p.row]] for p in picks]

    assert languages(matching.recommend(catalogue, mood, n=6)).count("ko") <= 3
    assert languages(matching.recommend(catalogue, mood, n=6, listener=Listener(languages={"ko"}))) == ["ko"] * 6

    def genres(picks):
        return [catalogue.genres[catalogue.genre_codes[p.row]] for p in picks]

    plain = genres(matching.recommend(catalogue, mood, n=6))
    folk = genres(matching.recommend(catalogue, mood, n=6, listener=Listener(genres={"Folk"})))
    assert plain[0] == "pop" and folk[0] == "folk"
    assert folk.count("folk") > plain.count("folk")


def test_instrumental_tracks_are_never_held_back_by_a_language_preference():
    records = [TrackRecord(id=1, artist="A", valence=0.8, arousal=0.5, language="zxx"),
               TrackRecord(id=2, artist="B", valence=0.8, arousal=0.5, language="en")]
    catalogue = Catalogue.build(records, TAGS)
    bonus = matching.listener_bonus(catalogue, Listener(languages={"ko"}))
    assert bonus[catalogue.row_of(1)] == 0 and bonus[catalogue.row_of(2)] < 0


def test_reason_text_in_english_and_korean():
    records = [TrackRecord(id=7, artist="Satie", valence=0.42, arousal=-0.58, tempo=68, mode="major", mood_tag=0)]
    catalogue = Catalogue.build(records, TAGS)
    pick = matching.recommend(catalogue, {"neutral": 0.2, "happy": 0.1, "sad": 0.0}, strategy="calm", n=1)[0]
    assert pick.reasons["en"] == "calm, major key, 68 BPM — to help you settle"
    assert pick.reasons["ko"] == "잔잔한, 장조, 68 BPM — 마음을 가라앉히는 데 도움이 됩니다"
    assert matching.reason_text(catalogue, 0, "match") == "calm, major key, 68 BPM — close to how you feel"
    assert matching.reason_text(catalogue, 0, "match", lang="ko") == "잔잔한, 장조, 68 BPM — 지금 기분과 가깝습니다"
    assert matching.reason_text(catalogue, 0, "lift_step", target="joyful") == (
        "calm, major key, 68 BPM — a step towards joy")
    assert matching.reason_text(catalogue, 0, "lift_end", lang="ko", target="calm") == (
        "잔잔한, 장조, 68 BPM — 차분함에 다다릅니다")


def test_reason_without_tempo_or_mode_uses_the_nearest_tag():
    catalogue = Catalogue.build([TrackRecord(id=1, artist="X", valence=-0.7, arousal=-0.3)], TAGS)
    assert matching.reason_text(catalogue, 0, "match") == "sad — close to how you feel"


def test_lift_session_reasons_describe_the_journey(grid):
    picks = matching.recommend(grid, one_hot("sad"), strategy="lift", target="calm", n=4)
    assert picks[0].reasons["en"].endswith("starts gently, to comfort you")
    assert picks[1].reasons["en"].endswith("a step towards calm")
    assert picks[-1].reasons["en"].endswith("arrives at calm")
    assert picks[-1].reasons["ko"].endswith("차분함에 다다릅니다")


def test_unknown_strategy_or_target_is_refused(grid):
    with pytest.raises(ValueError):
        matching.recommend(grid, one_hot("sad"), strategy="shuffle")
    with pytest.raises(ValueError):
        matching.recommend(grid, one_hot("sad"), strategy="lift", target="sleepy")


def test_empty_catalogue_and_everything_excluded():
    empty = Catalogue.build([], TAGS)
    assert matching.recommend(empty, one_hot("sad")) == []
    one = Catalogue.build([TrackRecord(id=1, artist="A", valence=0, arousal=0)], TAGS)
    assert matching.recommend(one, one_hot("sad"), listener=Listener(exclude={1})) == []
    assert matching.recommend(one, one_hot("sad"), strategy="lift", listener=Listener(exclude={1})) == []


def test_coordinates_from_tags_is_the_order_independent_mean():
    assert matching.coordinates_from_tags([]) is None
    a = matching.coordinates_from_tags([(0.1, 0.2), (0.3, -0.4), (-0.25, 0.05)])
    b = matching.coordinates_from_tags([(-0.25, 0.05), (0.3, -0.4), (0.1, 0.2)])
    assert a == b == (0.05, -0.05)


def test_affinity_peaks_at_the_nearest_emotion():
    affinity = matching.affinity_from_va(-0.63, -0.27)
    assert max(affinity, key=affinity.get) == "sad"
    assert sum(affinity.values()) == pytest.approx(1.0, abs=1e-3)


def test_searching_near_the_target_on_large_catalogues_gives_exactly_the_full_result(monkeypatch):
    rng = np.random.default_rng(7)
    n = 30_000
    va = np.clip(rng.normal(0, 0.5, (n, 2)), -1, 1).astype(np.float32)
    catalogue = Catalogue(
        ids=np.arange(1, n + 1), va=va, affinity=matching.affinities_from_va(va),
        artist_codes=rng.integers(0, 3000, n), artists=[f"a{i}" for i in range(3000)],
        language_codes=rng.integers(0, 2, n), languages=["ko", "en"], genre_codes=np.zeros(n, int), genres=[""],
        tempo=rng.uniform(50, 180, n), mode=np.zeros(n, int), mood_tag=np.zeros(n, int), tags=TAGS,
    )
    assert len(catalogue) >= matching.PRUNE_MIN_TRACKS
    listener = Listener(liked_tracks=frozenset(range(1, 300)), exclude=frozenset(range(300, 600)),
                        liked_artists=frozenset({"a1", "a2"}), languages=frozenset({"ko"}))
    cases = [(one_hot(e), s, t) for e in ("sad", "happy", "angry", "neutral")
             for s, t in (("match", None), ("calm", None), ("lift", "calm"), ("lift", "energised"))]
    pruned = [[p.track_id for p in matching.recommend(catalogue, mood, strategy=s, target=t, listener=listener)]
              for mood, s, t in cases]
    monkeypatch.setattr(matching.search, "PRUNE_MIN_TRACKS", 10**9)  # where the search reads it
    full = [[p.track_id for p in matching.recommend(catalogue, mood, strategy=s, target=t, listener=listener)]
            for mood, s, t in cases]
    assert pruned == full
