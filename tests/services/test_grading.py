"""grade() and explain() for each kind of question, without HTTP or a database.

Choice and multi grade without running anything; predict and code grade against the
real sandbox, started once for this module."""

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest

from app.config import Settings
from app.content import (
    Catalog,
    ChoiceQuestion,
    CodeQuestion,
    MultiQuestion,
    PredictQuestion,
    Question,
    load_catalog,
)
from app.sandbox import Sandbox
from app.services.answering.grades import Answer, Grade
from app.services.answering.grading import check_shape, explain, form_answer, grade
from app.services.refusals import InvalidAnswer
from app.services.running.live_code import LiveCode
from app.services.running.rate_limit import RateLimiter
from tests.helpers import FIXTURE_QUIZZES

CATALOG: Catalog = load_catalog(FIXTURE_QUIZZES)


def question(topic_id: str, question_id: str) -> Any:
    found = CATALOG.topic(topic_id)
    assert found is not None
    q = found.question(question_id)
    assert q is not None
    return q


class Live:
    """A LiveCode with a real sandbox and the event loop it lives on."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        settings = Settings()
        sandbox = Sandbox(settings.run_limits(), settings.sandbox_layers())
        self.loop.run_until_complete(sandbox.start())
        self.code = LiveCode(sandbox, rate=RateLimiter(0))

    def grade(self, q: Question, answer: Answer) -> Grade:
        return self.loop.run_until_complete(grade(q, answer, live=self.code, learner_id="t"))

    def close(self) -> None:
        self.loop.run_until_complete(self.code.close())
        self.loop.close()


@pytest.fixture(scope="module")
def live() -> Iterator[Live]:
    running = Live()
    yield running
    running.close()


def grade_offline(q: Question, answer: Answer) -> Grade:
    # A LiveCode that runs nothing: options must grade without it.
    offline = LiveCode(None, rate=RateLimiter(0))
    return asyncio.run(grade(q, answer, live=offline, learner_id="t"))


def test_the_fixture_has_every_kind() -> None:
    kinds = {type(q) for t in CATALOG.topics for q in t.questions}
    assert kinds == {ChoiceQuestion, MultiQuestion, PredictQuestion, CodeQuestion}


def test_choice_right_wrong_and_its_misconception() -> None:
    shape = question("basics", "shape")
    assert grade_offline(shape, Answer(choice="b")).correct
    wrong = grade_offline(shape, Answer(choice="a"))
    assert not wrong.correct
    explained = explain(shape, Answer(choice="a"), wrong)
    assert [o.id for o in explained.chosen] == ["a"]
    assert [m.option_id for m in explained.misconceptions] == ["a"]
    assert "rows first" in explained.misconceptions[0].text
    assert explained.final_answer == "`torch.Size([2, 3])`"


def test_choice_refuses_unknown_and_missing_options() -> None:
    shape = question("basics", "shape")
    with pytest.raises(InvalidAnswer, match="unknown option 'z'; choose from: a, b, c"):
        check_shape(shape, Answer(choice="z"))
    with pytest.raises(InvalidAnswer, match="this is a choice question"):
        check_shape(shape, Answer(value="2"))
    with pytest.raises(InvalidAnswer, match="pick one of the options"):
        form_answer(shape, choice=None, choices=None, value=None, code=None)


def test_multi_needs_exactly_the_correct_set() -> None:
    even = question("kinds", "even-shapes")
    assert grade_offline(even, Answer(choices=("six", "two-three"))).correct
    partial = Answer(choices=("six",))
    verdict = grade_offline(even, partial)
    assert not verdict.correct
    explained = explain(even, partial, verdict)
    assert [o.id for o in explained.missed] == ["two-three"]
    assert explained.misconceptions == ()  # the one pick was right; nothing to explain
    extra = Answer(choices=("six", "two-three", "three"))
    assert [
        m.option_id for m in explain(even, extra, grade_offline(even, extra)).misconceptions
    ] == ["three"]
    with pytest.raises(InvalidAnswer, match="each option may be chosen once"):
        check_shape(even, Answer(choices=("six", "six")))
    # A form with no box ticked is the empty answer, graded wrong rather than refused.
    empty = form_answer(even, choice=None, choices=None, value=None, code=None)
    assert empty == Answer(choices=())
    assert not grade_offline(even, empty).correct


def test_predict_against_the_real_run(live: Live) -> None:
    sum_shape = question("kinds", "sum-shape")
    assert live.grade(sum_shape, Answer(value="tensor([2., 2., 2.])")).correct
    wrong = live.grade(sum_shape, Answer(value="tensor([3., 3.])"))
    assert not wrong.correct and wrong.expected == "tensor([2., 2., 2.])"
    assert wrong.reason == "the code prints 3 number(s); your answer has 2"
    explained = explain(sum_shape, Answer(value="tensor([3., 3.])"), wrong)
    assert explained.value == "tensor([3., 3.])"
    assert explained.final_answer == "tensor([2., 2., 2.])"


def test_predict_within_its_tolerance(live: Live) -> None:
    mean = question("kinds", "mean-value")
    assert live.grade(mean, Answer(value="2.335")).correct
    assert not live.grade(mean, Answer(value="2.4")).correct
    assert live.grade(mean, Answer(value="")).reason == "you left the answer empty"


def test_code_right_known_wrong_and_crashing(live: Live) -> None:
    make_sgd = question("kinds", "make-sgd")
    right = (
        "import torch\nmodel = torch.nn.Linear(2, 1)\n"
        "optimizer = torch.optim.SGD(model.parameters(), 0.1)\n"
    )
    assert live.grade(make_sgd, Answer(code=right)).correct

    adam = right.replace("SGD", "Adam")
    verdict = live.grade(make_sgd, Answer(code=adam))
    assert not verdict.correct and verdict.wrong_match == 1
    assert verdict.run is not None and verdict.run.status == "ok"
    explained = explain(make_sgd, Answer(code=adam), verdict)
    assert [m.text for m in explained.misconceptions] == [
        "Adam is a different optimizer; the question asks for plain SGD."
    ]
    assert explained.solution == make_sgd.solution and explained.code == adam

    crash = live.grade(make_sgd, Answer(code="raise ValueError('no')"))
    assert not crash.correct and crash.observed is None
    assert crash.reason == "your code raised an error before the check could run"


def test_a_grade_survives_being_stored(live: Live) -> None:
    make_sgd = question("kinds", "make-sgd")
    verdict = live.grade(make_sgd, Answer(code="import torch\noptimizer = None\n"))
    assert Grade.from_stored(verdict.correct, verdict.as_json()) == verdict
    # Rows written before details existed, or damaged ones, still give a grade.
    assert Grade.from_stored(False, None) == Grade(correct=False)
    assert Grade.from_stored(True, '{"run": {"status": "???"}}') == Grade(correct=True)
