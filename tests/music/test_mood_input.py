"""Which mood music is matched to for an entry (issue 15, point 1): the person's own choice first,
otherwise a confident automatic reading, otherwise no music chosen for a mood at all."""

from music import services
from tests.factories import EntryFactory


def test_music_follows_the_persons_own_choice_over_the_reading(member, small_catalogue):
    entry = EntryFactory(owner=member, self_mood="happy", ai_emotion="sad", ai_valence=-0.6, ai_arousal=-0.3,
                         ai_probabilities={"sad": 0.9, "neutral": 0.1})
    chosen = services.recommendations_compute(entry=entry, n=3)
    assert (chosen.mood_source, chosen.mood_emotion) == ("self", "happy")


def test_music_follows_a_confident_reading_when_the_person_chose_nothing(member, small_catalogue):
    entry = EntryFactory(owner=member, self_mood="", ai_emotion="sad", ai_valence=-0.6, ai_arousal=-0.3,
                         ai_probabilities={"sad": 0.9, "neutral": 0.1})
    chosen = services.recommendations_compute(entry=entry, n=3)
    assert (chosen.mood_source, chosen.mood_emotion) == ("ai", "sad")


def test_an_abstained_reading_gives_music_no_mood_to_match(member, small_catalogue):
    # (an abstained reading is stored without an emotion)
    entry = EntryFactory(owner=member, self_mood="", ai_emotion="", ai_valence=-0.6,
                         ai_probabilities={"sad": 0.4, "neutral": 0.35, "happy": 0.25})
    assert services.recommendations_compute(entry=entry, n=3) is None
