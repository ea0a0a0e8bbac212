"""Correct answers other than the solution are graded right, through grade() as a learner's
answer is (the real sandbox, the course's own questions): a check tightened against wrong
answers must not start rejecting right ones. The answers live in
tests/fixtures/correct_alternatives.yaml; `torchquiz check` proves the other direction
(every `wrong:` answer fails)."""

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from app.config import Settings
from app.content import CodeQuestion, load_catalog
from app.sandbox import Sandbox
from app.services.answering.grades import Answer
from app.services.answering.grading import grade
from app.services.running.live_code import LiveCode
from app.services.running.rate_limit import RateLimiter
from tests.helpers import COURSE_QUIZZES, TESTS_DIR

CATALOG = load_catalog(COURSE_QUIZZES)
ALTERNATIVES: list[dict[str, Any]] = yaml.safe_load(
    (TESTS_DIR / "fixtures" / "correct_alternatives.yaml").read_text()
)


@pytest.fixture(scope="module")
def live() -> Iterator[tuple[asyncio.AbstractEventLoop, LiveCode]]:
    loop = asyncio.new_event_loop()
    settings = Settings()
    sandbox = Sandbox(settings.run_limits(), settings.sandbox_layers())
    loop.run_until_complete(sandbox.start())
    code = LiveCode(sandbox, rate=RateLimiter(0))
    yield loop, code
    loop.run_until_complete(code.close())
    loop.close()


@pytest.mark.parametrize(
    "alternative",
    ALTERNATIVES,
    ids=[f"{a['topic']}/{a['question']}: {a['why']}" for a in ALTERNATIVES],
)
def test_a_correct_alternative_is_graded_right(
    live: tuple[asyncio.AbstractEventLoop, LiveCode], alternative: dict[str, Any]
) -> None:
    topic = CATALOG.topic(alternative["topic"])
    assert topic is not None
    question = topic.question(alternative["question"])
    assert isinstance(question, CodeQuestion)
    loop, code = live
    result = loop.run_until_complete(
        grade(question, Answer(code=alternative["code"]), live=code, learner_id="t")
    )
    assert result.correct, (result.difference, result.observed, result.expected)
