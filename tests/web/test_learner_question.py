"""Every view that shows a question shows the learner's question: the same variant, the same
prompt and the same hints revealed, whichever page asks (review 3, B1)."""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.config import Settings
from app.store.shared import AuthoredOutput
from app.web.schemas import QuestionPage
from app.web.state import app_state
from tests.helpers import FIXTURE_QUIZZES, Learner, csrf_from, migrated_app, template_context

PAGE = "/topics/kinds/questions/variant-sum"
API = f"/api{PAGE}"


@pytest.fixture(scope="module")
def live_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    data = tmp_path_factory.mktemp("learner-question") / "data"
    settings = Settings(
        data_dir=data, quiz_dir=FIXTURE_QUIZZES, secret_key="test", run_rate_per_min=0
    )
    with TestClient(migrated_app(settings)) as client:
        yield client


@dataclass(frozen=True)
class Shown:
    """What a view shows of the question: its prompt, its variant and the hints revealed."""

    prompt: str
    variant: int | None
    hints: tuple[str, ...]


def _of_page(page: QuestionPage) -> Shown:
    hints = tuple(hint.text for hint in page.hints.revealed)
    return Shown(page.question.prompt, page.variant, hints)


def _of_json(page: dict[str, Any]) -> Shown:
    question, hints = page["question"], page["hints"]
    assert isinstance(question, dict) and isinstance(hints, dict)
    revealed = tuple(hint["text"] for hint in hints["revealed"])
    return Shown(question["prompt"], page["variant"], revealed)


def question_api(learner: Learner) -> Shown:
    return _of_json(learner.client.get(API).json())


def question_html(learner: Learner) -> Shown:
    response = learner.client.get(PAGE)
    assert response.status_code == 200
    return _of_page(template_context(response)["page"])


def review_api(learner: Learner) -> Shown:
    current = learner.client.get("/api/review").json()["current"]
    assert current is not None, "the question is due"
    return _of_json(current)


def review_html(learner: Learner) -> Shown:
    response = learner.client.get("/review")
    page = template_context(response)["page"]
    assert page.current is not None, "the question is due"
    shown = _of_page(page.current)
    assert "{rows}" not in response.text
    if shown.variant is not None:
        assert f'name="variant" value="{shown.variant}"' in response.text
    return shown


def refused_form(learner: Learner) -> Shown:
    token = csrf_from(learner.client.get(PAGE).text)
    response = learner.client.post(PAGE, data={"csrf_token": token, "value": ""})
    assert response.status_code == 422, response.text
    return _of_page(template_context(response)["page"])


def hint_form(learner: Learner) -> Shown:
    # Every hint is revealed already: asking again changes nothing, and shows the form.
    token = csrf_from(learner.client.get(PAGE).text)
    response = learner.client.post(f"{PAGE}/hint", data={"csrf_token": token, "value": "x"})
    assert response.status_code == 200, response.text
    return _of_page(template_context(response)["page"])


def feedback_api(learner: Learner) -> Shown:
    # The feedback shows the question answered: its prompt and the hints seen with it.
    question = question_api(learner)
    page = learner.client.get(f"{API}/feedback").json()
    assert page["hints_seen"] == len(question.hints)
    return Shown(page["question"]["prompt"], question.variant, question.hints)


VIEWS: dict[str, Callable[[Learner], Shown]] = {
    "question page (JSON)": question_api,
    "question page (HTML)": question_html,
    "review's current question (JSON)": review_api,
    "review's current question (HTML)": review_html,
    "the form after a refusal": refused_form,
    "the form after a hint": hint_form,
    "the feedback": feedback_api,
}


@pytest.fixture(scope="module")
def due_learner(live_client: TestClient) -> Learner:
    """A learner who revealed the variant question's hint and answered it wrong: it is
    due for review at once, with the same variant and the hint still revealed."""
    live_client.cookies.clear()
    learner = Learner(live_client)
    shown = question_api(learner)
    assert shown.variant is not None and "{rows}" not in shown.prompt
    hint = learner.client.post(f"{API}/hint", headers={"X-CSRF-Token": learner.csrf})
    assert hint.status_code == 200, hint.text
    answer = learner.client.post(
        f"{API}/answer",
        json={"value": "not the output", "variant": shown.variant},
        headers={"X-CSRF-Token": learner.csrf},
    )
    assert answer.status_code == 200 and answer.json()["correct"] is False, answer.text
    return learner


@pytest.mark.parametrize("view", list(VIEWS), ids=list(VIEWS))
def test_every_view_shows_the_learners_question(due_learner: Learner, view: str) -> None:
    expected = question_api(due_learner)
    assert expected.variant is not None
    assert re.search(r"for a \d+×\d+ tensor", expected.prompt), expected
    assert len(expected.hints) == 1 and "{rows}" not in expected.hints[0]
    assert VIEWS[view](due_learner) == expected


def test_the_review_never_runs_or_stores_a_variant_questions_template(
    tmp_path: Path,
) -> None:
    settings = Settings(
        data_dir=tmp_path / "data",
        quiz_dir=FIXTURE_QUIZZES,
        secret_key="test",
        run_rate_per_min=0,
    )
    app = migrated_app(settings)
    with TestClient(app) as client:  # leaving it stops the app: page reads' outputs are stored
        learner = Learner(client)
        shown = question_api(learner)
        learner.client.post(
            f"{API}/answer",
            json={"value": "not the output", "variant": shown.variant},
            headers={"X-CSRF-Token": learner.csrf},
        )
        assert review_api(learner).prompt == shown.prompt
    with Session(app_state(app).engine) as session:
        stored = [row.result for row in session.exec(select(AuthoredOutput)).all()]
    assert stored, "the lesson's outputs are stored"
    assert not [result for result in stored if "NameError" in result or "{rows}" in result]
