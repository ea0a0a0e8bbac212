"""Seeded variants through HTTP, with a real sandbox: learners see different numbers, each
answer is graded against the learner's own variant, and the seed is stored with it."""

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlmodel import Session, col, select

from app.config import Settings
from app.services.answering.variants import learner_seed
from app.store.models import Attempt, utcnow
from app.store.review import ReviewCard
from app.store.shared import AuthoredOutput
from app.web.state import app_state
from tests.helpers import FIXTURE_QUIZZES, Learner, csrf_from, migrated_app

SUM = "/api/topics/kinds/questions/variant-sum"
SCALE = "/api/topics/kinds/questions/variant-scale"


@pytest.fixture(scope="module")
def live_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    data = tmp_path_factory.mktemp("variants") / "data"
    settings = Settings(
        data_dir=data, quiz_dir=FIXTURE_QUIZZES, secret_key="test", run_rate_per_min=0
    )
    with TestClient(migrated_app(settings)) as client:
        yield client


def new_learner(client: TestClient) -> Learner:
    client.cookies.clear()
    return Learner(client)


def sizes(page: dict[str, Any]) -> tuple[int, int]:
    prompt = page["question"]["prompt"]
    match = re.search(r"for a (\d+)×(\d+) tensor", str(prompt))
    assert match, prompt
    return int(match[1]), int(match[2])


def post(learner: Learner, url: str, body: dict[str, object]) -> dict[str, Any]:
    response = learner.client.post(
        f"{url}/answer", json=body, headers={"X-CSRF-Token": learner.csrf}
    )
    assert response.status_code == 200, response.text
    feedback: dict[str, Any] = response.json()
    return feedback


def attempts(client: TestClient) -> list[Attempt]:
    app = client.app
    with Session(app_state(app).engine) as session:
        return list(session.exec(select(Attempt).order_by(col(Attempt.id))).all())


def test_learners_see_different_numbers_each_stable_without_writes(live_client: TestClient) -> None:
    seen: dict[int, tuple[int, int]] = {}
    for _ in range(6):
        learner = new_learner(live_client)
        page = learner.client.get(SUM).json()
        assert "{rows}" not in page["question"]["prompt"]
        assert page["question"]["code"]["output"] is None  # the answer stays hidden
        assert sizes(learner.client.get(SUM).json()) == sizes(page)  # stable on reload
        seen[page["variant"]] = sizes(page)
        if len(set(seen.values())) >= 2:
            break
    assert len(set(seen.values())) >= 2, seen
    # Reading pages wrote nothing: no attempt, and no variant's run in the outputs table.
    assert attempts(live_client) == []
    with Session(app_state(live_client.app).engine) as session:
        stored = [row.result for row in session.exec(select(AuthoredOutput)).all()]
    assert not [r for r in stored if '\\"rows\\"' in r or re.search(r"Size\(\[\d+\]\) True", r)]


def test_predict_is_graded_against_the_learners_variant(live_client: TestClient) -> None:
    ada = new_learner(live_client)
    page = ada.client.get(SUM).json()
    rows, cols = sizes(page)
    wrong = post(ada, SUM, {"value": f"torch.Size([{rows}]) True", "variant": page["variant"]})
    assert wrong["correct"] is False
    assert wrong["expected"] == f"torch.Size([{cols}]) True"  # this variant's real run
    assert wrong["question"]["prompt"] == page["question"]["prompt"]
    right = post(ada, SUM, {"value": f"torch.Size([{cols}]) True", "variant": page["variant"]})
    assert right["correct"] is True
    stored = attempts(live_client)[-2:]
    assert [a.variant_seed for a in stored] == [page["variant"], page["variant"]]
    # The feedback shows the variant answered; the next visit (a review) draws a new seed.
    again = ada.client.get(f"{SUM}/feedback").json()
    assert again["question"]["prompt"] == page["question"]["prompt"]
    secret = app_state(live_client.app).secret
    topic = app_state(live_client.app).catalog().topic("kinds")
    assert topic is not None
    question = topic.question("variant-sum")
    assert question is not None
    learner_id = stored[-1].learner_id
    assert page["variant"] == learner_seed(secret, learner_id, topic, question, 0)
    following = ada.client.get(SUM).json()
    assert following["variant"] == learner_seed(secret, learner_id, topic, question, 1)


def test_a_page_opened_before_a_right_answer_is_graded_as_shown(live_client: TestClient) -> None:
    bea = new_learner(live_client)
    old = bea.client.get(SUM).json()
    _, cols = sizes(old)
    assert post(bea, SUM, {"value": f"torch.Size([{cols}]) True"})["correct"] is True
    # The old tab answers with its own variant: graded against it, not the new one.
    late = post(bea, SUM, {"value": f"torch.Size([{cols}]) True", "variant": old["variant"]})
    assert late["correct"] is True and attempts(live_client)[-1].variant_seed == old["variant"]
    # A variant that was never this learner's is not taken: the current one is graded.
    current = bea.client.get(SUM).json()["variant"]
    forged = (current + 1) % 1000
    post(bea, SUM, {"value": "x", "variant": forged})
    assert attempts(live_client)[-1].variant_seed == current


def test_a_review_draws_the_current_seed_not_the_revealed_one(live_client: TestClient) -> None:
    """Security review 3, finding 16: a wrong answer reveals the variant's value; once the
    variant is done, that value sent with the old seed must not pass the review."""
    cyd = new_learner(live_client)
    old = cyd.client.get(SUM).json()
    wrong = post(cyd, SUM, {"value": "no idea", "variant": old["variant"]})
    revealed = wrong["expected"]
    assert post(cyd, SUM, {"value": revealed, "variant": old["variant"]})["correct"] is True
    learner_id = attempts(live_client)[-1].learner_id
    current = cyd.client.get(SUM).json()["variant"]
    assert current != old["variant"]
    with Session(app_state(live_client.app).engine) as session:
        session.execute(
            update(ReviewCard)
            .where(col(ReviewCard.learner_id) == learner_id)
            .values(due=utcnow() - timedelta(days=1))
        )
        session.commit()
    post(cyd, SUM, {"value": revealed, "variant": old["variant"]})
    assert attempts(live_client)[-1].variant_seed == current  # graded on the new draw


def test_an_old_seed_is_taken_once_and_only_right_after_its_draw(
    live_client: TestClient,
) -> None:
    dan = new_learner(live_client)
    old = dan.client.get(SUM).json()
    _, cols = sizes(old)
    assert post(dan, SUM, {"value": f"torch.Size([{cols}]) True"})["correct"] is True
    current = dan.client.get(SUM).json()["variant"]
    post(dan, SUM, {"value": "x"})  # an answer to the new draw
    post(dan, SUM, {"value": f"torch.Size([{cols}]) True", "variant": old["variant"]})
    assert attempts(live_client)[-1].variant_seed == current


def test_code_is_graded_against_the_variants_solution(live_client: TestClient) -> None:
    cyd = new_learner(live_client)
    page = cyd.client.get(SCALE).json()
    factor = re.search(r"multiplied by ([\d.]+)\.", page["question"]["prompt"])
    assert factor, page["question"]["prompt"]
    base = "import torch\nx = torch.arange(4.0)\n"
    right = post(cyd, SCALE, {"code": base + f"w = x * {factor[1]}\n"})
    assert right["correct"] is True
    dan = new_learner(live_client)
    other = dan.client.get(SCALE).json()
    wrong = post(dan, SCALE, {"code": base + "w = x * 100.0\n"})
    assert wrong["correct"] is False
    assert str(wrong["difference"]).startswith("`w`: mismatched elements 3 / 4")
    assert "100" not in str(other["question"]) and "{factor}" not in str(wrong["solution"])


def test_the_html_form_carries_the_variant(live_client: TestClient) -> None:
    eve = new_learner(live_client)
    page = eve.client.get(SUM).json()
    html = eve.client.get("/topics/kinds/questions/variant-sum").text
    assert f'name="variant" value="{page["variant"]}"' in html
    rows, cols = sizes(page)
    assert f"{rows}×{cols}" in html
    form = {"csrf_token": csrf_from(html), "value": f"torch.Size([{cols}]) True"}
    form["variant"] = str(page["variant"])
    done = eve.client.post("/topics/kinds/questions/variant-sum", data=form)
    assert done.status_code == 200 and 'class="verdict correct"' in done.text
    assert attempts(live_client)[-1].variant_seed == page["variant"]


def test_without_runs_a_variant_shows_its_placeholders_and_cannot_be_answered(
    client: TestClient,
) -> None:
    learner = Learner(client)
    page = client.get(SUM)
    assert page.status_code == 200
    assert page.json()["variant"] is None and "{rows}" in page.json()["question"]["prompt"]
    assert client.get("/topics/kinds/questions/variant-sum").status_code == 200
    response = client.post(
        f"{SUM}/answer", json={"value": "x"}, headers={"X-CSRF-Token": learner.csrf}
    )
    assert response.status_code == 503
    assert response.json()["detail"] == "running code is turned off on this server"
