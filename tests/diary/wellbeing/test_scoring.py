"""The questionnaires score by their published rules."""

import pytest

from diary.wellbeing import instruments
from diary.wellbeing.instruments import GDS15_INSTRUMENT, PHQ9_INSTRUMENT, UCLA3_INSTRUMENT


def all_items(instrument, value):
    return {item.code: value for item in instrument.items}


def test_the_phq9_runs_from_0_to_27_with_the_published_severity_bands():
    assert instruments.score(PHQ9_INSTRUMENT, all_items(PHQ9_INSTRUMENT, 0)) == 0
    assert instruments.score(PHQ9_INSTRUMENT, all_items(PHQ9_INSTRUMENT, 3)) == 27
    bands = {score: str(PHQ9_INSTRUMENT.band_for(score).label) for score in (0, 4, 5, 9, 10, 14, 15, 19, 20, 27)}
    assert bands == {0: "minimal", 4: "minimal", 5: "mild", 9: "mild", 10: "moderate", 14: "moderate",
                     15: "moderately severe", 19: "moderately severe", 20: "severe", 27: "severe"}


@pytest.mark.parametrize(("first", "second", "positive"), [(0, 0, False), (1, 1, False), (2, 1, True), (3, 3, True)])
def test_the_phq2_goes_on_to_the_full_phq9_at_3_or_more(first, second, positive):
    answers = {"phq1": first, "phq2": second}
    assert instruments.phq2_score(answers) == first + second
    assert instruments.phq2_positive(answers) is positive


def test_the_gds15_counts_no_for_the_five_positively_worded_items():
    # Given someone who answers "yes" to every question
    yes = all_items(GDS15_INSTRUMENT, 1)
    # Then the ten negatively worded items score and items 1, 5, 7, 11 and 13 do not
    assert instruments.score(GDS15_INSTRUMENT, yes) == 10
    # And "no" to everything scores exactly the five reverse-scored items
    assert instruments.score(GDS15_INSTRUMENT, all_items(GDS15_INSTRUMENT, 0)) == 5
    reverse = [item.code for item in GDS15_INSTRUMENT.items if item.point_for == 0]
    assert reverse == ["gds1", "gds5", "gds7", "gds11", "gds13"]


def test_the_gds15_cut_off_is_5():
    assert str(GDS15_INSTRUMENT.band_for(4).label) == "within the usual range"
    assert str(GDS15_INSTRUMENT.band_for(5).label) == "suggests depression"
    assert GDS15_INSTRUMENT.attention_at == 5


def test_the_ucla3_runs_from_3_to_9():
    assert instruments.score(UCLA3_INSTRUMENT, all_items(UCLA3_INSTRUMENT, 1)) == 3
    assert instruments.score(UCLA3_INSTRUMENT, all_items(UCLA3_INSTRUMENT, 3)) == 9
    assert str(UCLA3_INSTRUMENT.band_for(6).label) == "lonely"


def test_answers_out_of_the_scale_or_missing_are_refused():
    with pytest.raises(instruments.IncompleteAnswers):
        instruments.clean_answers(UCLA3_INSTRUMENT, {"ucla1": 1, "ucla2": 4, "ucla3": 1}, ("ucla1", "ucla2", "ucla3"))
    with pytest.raises(instruments.IncompleteAnswers):
        instruments.clean_answers(PHQ9_INSTRUMENT, {"phq1": "0"}, instruments.PHQ2_ITEMS)


def test_the_gds15_is_for_people_of_65_and_over():
    assert instruments.is_old_enough_for_gds(1960, 2026)
    assert not instruments.is_old_enough_for_gds(1962, 2026)
    assert not instruments.is_old_enough_for_gds(None, 2026)


def test_every_item_has_a_korean_wording():
    from django.utils import translation

    with translation.override("ko"):
        for instrument in instruments.INSTRUMENTS.values():
            for item in instrument.items:
                text = str(item.text)
                assert any("\uac00" <= ch <= "\ud7a3" for ch in text), item.code
                for option in item.options:
                    assert any("\uac00" <= ch <= "\ud7a3" for ch in str(option.label)), (item.code, option.value)
