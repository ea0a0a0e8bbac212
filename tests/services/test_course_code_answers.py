"""Every code question of the course, graded the way a learner's answer is: its solution
is right, and its unchanged starter and every one of its `wrong` answers are wrong.

`torchquiz check` proves the same with its own runs; this goes through `grade()`, the
service the answer route calls, with the real sandbox (one for the module), so a check
that only fails on the learner's path (a cached reference, a variant, the comparison)
is caught too. A question with `params` is graded as the variant of seed 1. Correct
answers other than the solution (tests/services/course_alternatives.py) must be right too."""

import asyncio
from collections.abc import Iterator

import pytest

from app.config import Settings
from app.content import Catalog, CodeQuestion, load_catalog
from app.sandbox import Sandbox
from app.services.answering.grades import Answer, Grade
from app.services.answering.grading import grade
from app.services.answering.variants import CHECK_SEEDS, variant_of
from app.services.running.live_code import LiveCode
from app.services.running.rate_limit import RateLimiter
from tests.helpers import COURSE_QUIZZES
from tests.services.course_alternatives import RIGHT

COURSE: Catalog = load_catalog(COURSE_QUIZZES)
CODE_QUESTIONS = [
    (topic.id, question.id)
    for topic in COURSE.topics
    for question in topic.questions
    if isinstance(question, CodeQuestion)
]


class Learners:
    """Answers graded by grade() on a LiveCode with a real sandbox, on one event loop."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        settings = Settings()
        sandbox = Sandbox(settings.run_limits(), settings.sandbox_layers())
        self.loop.run_until_complete(sandbox.start())
        self.live = LiveCode(sandbox, rate=RateLimiter(0))

    def question(self, topic_id: str, question_id: str) -> CodeQuestion:
        topic = COURSE.topic(topic_id)
        assert topic is not None
        found = topic.question(question_id)
        assert isinstance(found, CodeQuestion)
        seed = CHECK_SEEDS[0] if found.params is not None else None
        variant = self.loop.run_until_complete(variant_of(self.live, found, seed)).question
        assert isinstance(variant, CodeQuestion)
        return variant

    def grade(self, question: CodeQuestion, code: str) -> Grade:
        answer = Answer(code=code)
        return self.loop.run_until_complete(
            grade(question, answer, live=self.live, learner_id="course-test")
        )

    def close(self) -> None:
        self.loop.run_until_complete(self.live.close())
        self.loop.close()


# Named `live` like the other fixtures that start a sandbox, which the suite's tiers mark slow.
@pytest.fixture(scope="module")
def live() -> Iterator[Learners]:
    running = Learners()
    yield running
    running.close()


def test_the_course_has_code_questions() -> None:
    assert not COURSE.errors
    assert len(CODE_QUESTIONS) >= 30


@pytest.mark.parametrize(("topic_id", "question_id"), CODE_QUESTIONS)
def test_solution_right_starter_and_wrong_answers_wrong(
    live: Learners, topic_id: str, question_id: str
) -> None:
    question = live.question(topic_id, question_id)
    solution = live.grade(question, question.solution.code)
    assert solution.correct, solution.observed
    starter = live.grade(question, question.starter)
    assert not starter.correct, "the unchanged starter is graded right"
    passing = [
        index
        for index, wrong in enumerate(question.wrong)
        if live.grade(question, wrong.code).correct
    ]
    assert passing == [], f"wrong answers graded right: {passing}"


@pytest.mark.parametrize(
    ("topic_id", "question_id", "code"),
    [
        pytest.param(t, q, code, id=f"{t}-{q}-{name}")
        for (t, q), answers in RIGHT.items()
        for name, code in answers
    ],
)
def test_correct_alternatives_are_right(
    live: Learners, topic_id: str, question_id: str, code: str
) -> None:
    question = live.question(topic_id, question_id)
    verdict = live.grade(question, code)
    assert verdict.correct, verdict.difference or verdict.reason
