"""Hostile JSON bodies get a 400 that says what is wrong, never a 500 (issue 14, finding 7)."""

import json

import pytest
from rest_framework.test import APIClient

DEEP = "[" * 100_000


@pytest.mark.parametrize("url", ["/api/v1/auth/token/", "/api/v1/welfare/token/"])
def test_deeply_nested_json_sent_anonymously_is_refused_with_a_message(db, url):
    # Given an attacker without an account, when they send `[` 100,000 times as JSON
    response = APIClient().post(url, DEEP, content_type="application/json")
    # then the answer is a 400 or a refusal to anonymous people, never a server error
    assert response.status_code in (400, 401, 403)
    if response.status_code == 400:
        assert "nested more than 32 levels" in response.json()["detail"]


def test_deeply_nested_json_at_the_sign_in_is_a_400(db):
    response = APIClient().post("/api/v1/auth/token/", DEEP, content_type="application/json")
    assert response.status_code == 400 and "nested more than 32 levels" in response.json()["detail"]


def test_nesting_below_the_recursion_limit_is_refused_too(member):
    api = APIClient()
    api.force_authenticate(member)
    body = '{"text": ' + "[" * 100 + "]" * 100 + "}"
    response = api.post("/api/v1/entries/", body, content_type="application/json")
    assert response.status_code == 400 and "nested more than" in response.json()["detail"]


def test_a_body_over_the_size_limit_is_refused(member, settings):
    api = APIClient()
    api.force_authenticate(member)
    body = json.dumps({"text": "x" * (settings.API_JSON_MAX_BYTES + 10)})
    response = api.post("/api/v1/entries/", body, content_type="application/json")
    assert response.status_code == 400 and "larger than 1024 KB" in response.json()["detail"]


def test_broken_json_is_explained(member):
    api = APIClient()
    api.force_authenticate(member)
    response = api.post("/api/v1/entries/", '{"text": "unfinished', content_type="application/json")
    assert response.status_code == 400 and "not valid JSON" in response.json()["detail"]


def test_ordinary_json_still_works(member):
    api = APIClient()
    api.force_authenticate(member)
    response = api.post("/api/v1/entries/", json.dumps({"text": "A calm day"}), content_type="application/json")
    assert response.status_code == 201
