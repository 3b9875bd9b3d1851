"""A service's Django ValidationError answers in one place (moodsite.exception_handlers), with the
bodies the API has always given."""

import pytest
from django.core.exceptions import ValidationError
from rest_framework.test import APIClient, APIRequestFactory
from rest_framework.views import APIView

from moodsite.exception_handlers import Conflict, RefusedUnderDetail
from tests.factories import EntryFactory


def refusing_view(error: ValidationError, **attributes):
    class Refusing(APIView):
        authentication_classes: list = []
        permission_classes: list = []

        def post(self, request):
            raise error

    for name, value in attributes.items():
        setattr(Refusing, name, value)
    return Refusing.as_view()


def answer(view):
    response = view(APIRequestFactory().post("/", {}, format="json"))
    response.render()
    return response.status_code, response.data


def test_it_answers_a_refusal_naming_a_field_with_400_per_field():
    # given a view whose service refuses a field
    view = refusing_view(ValidationError({"day": "Pick another day.", "text": ["Too long.", "Too sad."]}))
    # when it is called, then the messages are listed per field
    assert answer(view) == (400, {"day": ["Pick another day."], "text": ["Too long.", "Too sad."]})


def test_it_answers_a_refusal_naming_no_field_under_non_field_errors():
    view = refusing_view(ValidationError("This entry is empty."))
    assert answer(view) == (400, {"non_field_errors": ["This entry is empty."]})


def test_it_formats_the_refusal_s_parameters_into_its_sentence():
    view = refusing_view(ValidationError("A piece lasts %(low)s to %(high)s seconds.", params={"low": 15, "high": 300}))
    assert answer(view) == (400, {"non_field_errors": ["A piece lasts 15 to 300 seconds."]})


def test_a_view_may_put_refusals_naming_no_field_under_detail():
    # given a view that declares RefusedUnderDetail (the compositions API)
    no_field = refusing_view(ValidationError("Say how you feel first."), refusal_class=RefusedUnderDetail)
    a_field = refusing_view(ValidationError({"target": "Choose calm."}), refusal_class=RefusedUnderDetail)
    # then only the refusal that names no field moves
    assert answer(no_field) == (400, {"detail": ["Say how you feel first."]})
    assert answer(a_field) == (400, {"target": ["Choose calm."]})


def test_a_view_may_answer_its_refusals_as_a_409_conflict():
    view = refusing_view(ValidationError(["This alert is already resolved.", "Reload."]), refusal_class=Conflict)
    assert answer(view) == (409, {"detail": "This alert is already resolved. Reload."})


def test_it_leaves_drf_s_own_errors_alone():
    from rest_framework.exceptions import NotFound

    view = refusing_view(NotFound("No such entry."))
    assert answer(view) == (404, {"detail": "No such entry."})


@pytest.mark.django_db
def test_the_compositions_api_still_answers_a_refusal_under_detail():
    # given an entry without a mood (no choice made, no reading yet)
    entry = EntryFactory()
    api = APIClient()
    api.force_authenticate(entry.owner)
    # when its owner asks for a piece
    response = api.post(f"/api/v1/entries/{entry.pk}/compositions/", {"target": "calm"}, format="json")
    # then the refusal says why, under "detail", as it always has
    assert response.status_code == 400
    body = response.json()
    assert list(body) == ["detail"] and "Say how you feel in this entry first" in body["detail"][0]


@pytest.mark.django_db
def test_the_diary_api_still_answers_an_empty_entry_under_non_field_errors():
    entry = EntryFactory()
    api = APIClient()
    api.force_authenticate(entry.owner)
    response = api.post("/api/v1/entries/", {"text": ""}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert list(body) == ["non_field_errors"] and "This entry is empty" in body["non_field_errors"][0]
