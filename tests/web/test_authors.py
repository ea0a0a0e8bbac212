"""The Authors area: statistics from a known set of first attempts, checked against
values computed by hand; only authors see them."""

import json

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from app.cli import cli
from app.config import Settings
from tests.helpers import Learner, template_name

# Six learners' answers to the two questions of the `basics` fixture topic
# (shape: b is right; dtype: a is right). The last learner retries shape (not counted).
ANSWERS = [
    [("shape", "b"), ("dtype", "a")],
    [("shape", "b"), ("dtype", "a")],
    [("shape", "a"), ("dtype", "b")],
    [("shape", "c"), ("dtype", "a")],
    [("shape", "b"), ("dtype", "b")],
    [("shape", "a"), ("dtype", "b"), ("shape", "b")],
]


def answer_as_six_learners(app: FastAPI) -> None:
    for answers in ANSWERS:
        with TestClient(app) as client:
            someone = Learner(client)
            for question, choice in answers:
                response = client.post(
                    f"/api/topics/basics/questions/{question}/answer",
                    json={"choice": choice},
                    headers={"X-CSRF-Token": someone.csrf},
                )
                assert response.status_code == 200


def become_author(learner: Learner, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    response = learner.client.post(
        "/api/account",
        json={"username": "editor", "password": "correct horse"},
        headers={"X-CSRF-Token": learner.csrf},
    )
    assert response.status_code == 201
    set_env(settings, monkeypatch)
    done = CliRunner().invoke(cli, ["author", "add", "Editor"])
    assert done.exit_code == 0, done.output


def set_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TORCHQUIZ_DATABASE_URL", settings.resolved_database_url)
    monkeypatch.setenv("TORCHQUIZ_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("TORCHQUIZ_QUIZ_DIR", str(settings.quiz_dir))


def test_facility_discrimination_and_distractors_match_hand_computed_values(
    app: FastAPI, learner: Learner, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    answer_as_six_learners(app)
    become_author(learner, settings, monkeypatch)
    [topic] = learner.client.get("/api/authors/stats?topic=basics").json()
    shape, dtype = topic["questions"]
    assert (shape["attempts"], shape["learners"]) == (7, 6)
    assert shape["facility"] == 0.5  # first attempts right: 3 of 6
    # x = shape right [1,1,0,0,1,0]; y = the rest of the topic (dtype) [1,1,0,1,0,0]:
    # r = (6*2 - 3*3) / sqrt((6*3 - 9) * (6*3 - 9)) = 3/9
    assert shape["discrimination"] == pytest.approx(1 / 3, abs=1e-4)
    assert dtype["discrimination"] == pytest.approx(1 / 3, abs=1e-4)
    shares = {o["id"]: o["share"] for o in shape["options"]}
    assert shares == pytest.approx({"a": 2 / 6, "b": 3 / 6, "c": 1 / 6}, abs=1e-4)
    assert dtype["facility"] == 0.5 and dtype["attempts"] == 6


def test_flags_for_too_easy_and_a_popular_distractor(
    app: FastAPI, learner: Learner, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Five learners all pick shape's wrong `a`; nobody gets it right.
    for _ in range(5):
        with TestClient(app) as client:
            Learner(client).answer("basics", "shape", "a")
    become_author(learner, settings, monkeypatch)
    [topic] = learner.client.get("/api/authors/stats?topic=basics").json()
    shape = topic["questions"][0]
    assert shape["facility"] == 0.0 and shape["discrimination"] is None
    assert "too hard: 0% right at the first attempt" in shape["flags"]
    assert any("option a: a wrong option picked more often" in f for f in shape["flags"])


def test_only_authors_see_the_statistics(client: TestClient, learner: Learner) -> None:
    assert client.get("/api/authors/stats").status_code == 403
    assert client.get("/authors").status_code == 403
    learner.client.post(
        "/api/account",
        json={"username": "reader", "password": "correct horse"},
        headers={"X-CSRF-Token": learner.csrf},
    )
    refused = client.get("/api/authors/stats")
    assert refused.status_code == 403 and "torchquiz author add" in refused.json()["detail"]


def test_the_authors_page_and_the_cli_show_the_same_numbers(
    app: FastAPI, learner: Learner, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    answer_as_six_learners(app)
    become_author(learner, settings, monkeypatch)
    page = learner.client.get("/authors")
    assert page.status_code == 200 and template_name(page) == "authors.html"
    assert "50%" in page.text and "0.33" in page.text
    shown = CliRunner().invoke(cli, ["stats", "--topic", "basics"])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.output)[0]["questions"][0]["facility"] == 0.5
    as_csv = CliRunner().invoke(cli, ["stats", "--topic", "basics", "--csv"])
    rows = as_csv.output.strip().splitlines()
    assert rows[0].startswith("topic,question,kind,attempts")
    assert rows[1].startswith("basics,shape,choice,7,6,0.5,0.3333")
    unknown = CliRunner().invoke(cli, ["author", "add", "nobody"])
    assert unknown.exit_code == 1 and "no account is called 'nobody'" in unknown.output


def test_hint_use_counts_first_attempts_made_after_a_hint(
    app: FastAPI, learner: Learner, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = "/api/topics/kinds/questions/even-shapes"
    for hinted in (True, False, False, False):
        with TestClient(app) as client:
            someone = Learner(client)
            headers = {"X-CSRF-Token": someone.csrf}
            if hinted:
                assert client.post(f"{url}/hint", headers=headers).status_code == 200
            answer = client.post(f"{url}/answer", json={"choices": ["six"]}, headers=headers)
            assert answer.status_code == 200
    become_author(learner, settings, monkeypatch)
    [topic] = learner.client.get("/api/authors/stats?topic=kinds").json()
    even = next(q for q in topic["questions"] if q["id"] == "even-shapes")
    assert even["learners"] == 4 and even["hint_use"] == 0.25
