"""Answering every kind of question through the JSON API and the HTML forms, with a real
sandbox grading predict and code answers — including code that tries to grade itself."""

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from tests.helpers import FIXTURE_QUIZZES, Learner, csrf_from, migrated_app, template_name

Q = "/api/topics/kinds/questions"
STARTER = "import torch\nmodel = torch.nn.Linear(2, 1)\n"


@pytest.fixture(scope="module")
def live_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    data = tmp_path_factory.mktemp("kinds") / "data"
    settings = Settings(
        data_dir=data,
        quiz_dir=FIXTURE_QUIZZES,
        secret_key="test",
        run_rate_per_min=0,
        run_wall_s=3,
    )
    with TestClient(migrated_app(settings)) as client:
        yield client


@pytest.fixture
def learner(live_client: TestClient) -> Learner:
    live_client.cookies.clear()  # a new learner per test
    return Learner(live_client)


def post(learner: Learner, question: str, body: dict[str, object]) -> dict[str, Any]:
    response = learner.client.post(
        f"{Q}/{question}/answer", json=body, headers={"X-CSRF-Token": learner.csrf}
    )
    assert response.status_code == 200, response.text
    feedback: dict[str, Any] = response.json()
    return feedback


def refused(learner: Learner, question: str, body: dict[str, object]) -> str:
    response = learner.client.post(
        f"{Q}/{question}/answer", json=body, headers={"X-CSRF-Token": learner.csrf}
    )
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    return detail if isinstance(detail, str) else str(detail)


# --- multi ---------------------------------------------------------------------------------


def test_multi_is_right_only_for_exactly_the_correct_set(learner: Learner) -> None:
    right = post(learner, "even-shapes", {"choices": ["six", "two-three"]})
    assert right["correct"] is True and right["missed"] == []
    partial = post(learner, "even-shapes", {"choices": ["six"]})
    assert partial["correct"] is False
    assert [o["id"] for o in partial["missed"]] == ["two-three"]
    extra = post(learner, "even-shapes", {"choices": ["six", "two-three", "two-two"]})
    assert extra["correct"] is False
    assert [m["option_id"] for m in extra["misconceptions"]] == ["two-two"]
    assert post(learner, "even-shapes", {"choices": []})["correct"] is False


def test_multi_refuses_unknown_repeated_or_misshapen_answers(learner: Learner) -> None:
    assert "unknown option 'nope'" in refused(learner, "even-shapes", {"choices": ["nope"]})
    assert "once" in refused(learner, "even-shapes", {"choices": ["six", "six"]})
    assert '"choices"' in refused(learner, "even-shapes", {"choice": "six"})


# --- predict -------------------------------------------------------------------------------


def test_predict_output_is_hidden_until_answered(learner: Learner) -> None:
    page = learner.client.get(f"{Q}/sum-shape").json()
    assert page["question"]["code"]["output"] is None
    html = learner.client.get("/topics/kinds/questions/sum-shape").text
    assert "tensor([2., 2., 2.])" not in html
    assert "Edit and run" not in html
    feedback = post(learner, "sum-shape", {"value": "tensor([2., 2., 2.])"})
    assert feedback["question"]["code"]["output"]["stdout"] == "tensor([2., 2., 2.])\n"


@pytest.mark.parametrize(
    ("value", "correct"),
    [
        ("tensor([2., 2., 2.])", True),
        ("[2, 2, 2]", True),
        ("tensor([3., 3.])", False),
        ("tensor([1., 1., 1.])", False),
    ],
)
def test_predict_is_graded_against_the_real_output(
    learner: Learner, value: str, correct: bool
) -> None:
    feedback = post(learner, "sum-shape", {"value": value})
    assert feedback["correct"] is correct
    assert feedback["expected"] == "tensor([2., 2., 2.])"
    assert feedback["value"] == value


def test_predict_uses_the_tolerance(learner: Learner) -> None:
    assert post(learner, "mean-value", {"value": "2.33"})["correct"] is True
    assert post(learner, "mean-value", {"value": "2.335"})["correct"] is True
    assert post(learner, "mean-value", {"value": "2.4"})["correct"] is False


def test_predict_with_no_number_is_incorrect_with_a_reason(learner: Learner) -> None:
    feedback = post(learner, "mean-value", {"value": "about two"})
    assert feedback["correct"] is False
    assert "prints a number" in str(feedback["reason"])


# --- code ----------------------------------------------------------------------------------


def test_code_right_answer(learner: Learner) -> None:
    code = STARTER + "optimizer = torch.optim.SGD(model.parameters(), lr=0.1)\n"
    feedback = post(learner, "make-sgd", {"code": code})
    assert feedback["correct"] is True, feedback
    assert feedback["run"]["status"] == "ok"
    assert feedback["solution"]["code"].startswith("import torch")


def test_code_known_mistake_shows_its_misconception(learner: Learner) -> None:
    code = STARTER + "optimizer = torch.optim.SGD(model.parameters(), lr=0.01)\n"
    feedback = post(learner, "make-sgd", {"code": code})
    assert feedback["correct"] is False
    assert "ten times smaller" in feedback["misconceptions"][0]["text"]
    assert feedback["observed"] != feedback["expected"]


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("print('PASS')\nprint('SGD')\nprint('0.1')\nprint('3')\nimport os\nos._exit(0)", "ended"),
        ("import sys\nprint('SGD\\n0.1\\n3')\nsys.exit(0)", "ended"),
        ("raise RuntimeError('no')", "raised an error"),
        ("while True:\n    pass", "did not finish in time"),
    ],
    ids=["fake-pass-then-exit", "sys-exit", "raises", "never-ends"],
)
def test_code_cannot_grade_itself(learner: Learner, code: str, words: str) -> None:
    feedback = post(learner, "make-sgd", {"code": code})
    assert feedback["correct"] is False, feedback
    assert words in str(feedback["reason"])


def test_code_that_patches_stdout_and_print_still_fails(learner: Learner) -> None:
    code = (
        "import builtins, sys, io\n"
        "builtins.print = lambda *a, **k: sys.__stdout__.write('SGD\\n0.1\\n3\\n')\n"
        "sys.stdout = io.StringIO()\n"
    )
    feedback = post(learner, "make-sgd", {"code": code})
    assert feedback["correct"] is False
    assert feedback["observed"] is not None and "SGD" not in str(feedback["observed"])


def test_code_without_what_the_check_needs_explains_it(learner: Learner) -> None:
    feedback = post(learner, "make-sgd", {"code": "x = 1"})
    assert feedback["correct"] is False
    assert "NameError" in str(feedback["reason"])
    assert "<check>" not in str(feedback["run"])  # the hidden check's source never leaks


def test_code_answer_is_stored_and_shown_again(learner: Learner) -> None:
    code = STARTER + "optimizer = torch.optim.SGD(model.parameters(), lr=0.1)\n"
    post(learner, "make-sgd", {"code": code})
    again = learner.client.get(f"{Q}/make-sgd/feedback").json()
    assert again["correct"] is True and again["code"] == code
    assert again["run"]["status"] == "ok"


def test_wrong_code_gets_the_first_differing_value_by_name(learner: Learner) -> None:
    base = "import torch\nx = torch.arange(6.0).reshape(2, 3)\n"
    right = post(learner, "scale-rows", {"code": base + "w = x * torch.tensor([[1.0], [2.0]])\n"})
    assert right["correct"] is True and right["difference"] is None
    cases = {
        "w = x.T\n": "`w` has shape (3, 2); expected (2, 3)",
        "w = x.double() * torch.tensor([[1.0], [2.0]])\n": (
            "`w` has dtype torch.float64; expected torch.float32"
        ),
        "w = x * torch.tensor([[1.0], [2.5]])\n": (
            "`w`: mismatched elements 3 / 6 (50.0%); "
            "largest absolute difference 2.5 at index (1, 2)"
        ),
        "del x\n": "`w`: the check could not show it after your code",
    }
    for code, words in cases.items():
        feedback = post(learner, "scale-rows", {"code": base + code})
        assert feedback["correct"] is False
        assert str(feedback["difference"]).startswith(words), feedback["difference"]
        assert 'show("w", w)' not in str(feedback)  # never the check's source


def test_the_diff_is_on_the_feedback_page_and_stored(learner: Learner) -> None:
    code = "import torch\nx = torch.arange(6.0).reshape(2, 3)\nw = x.T\n"
    post(learner, "scale-rows", {"code": code})
    again = learner.client.get(f"{Q}/scale-rows/feedback").json()
    assert again["difference"] == "`w` has shape (3, 2); expected (2, 3)"
    page = learner.client.get("/topics/kinds/questions/scale-rows/feedback").text
    assert "What differs:" in page and "has shape (3, 2); expected (2, 3)" in page


# --- the HTML forms ------------------------------------------------------------------------


def test_html_forms_for_each_kind(live_client: TestClient) -> None:
    live_client.cookies.clear()
    multi = live_client.get("/topics/kinds/questions/even-shapes").text
    assert multi.count('type="checkbox" name="choices"') == 4
    predict = live_client.get("/topics/kinds/questions/sum-shape").text
    assert 'name="value"' in predict
    code = live_client.get("/topics/kinds/questions/make-sgd").text
    assert "<textarea" in code and "optimizer = None  # replace this line" in code
    assert 'formaction="/run"' in code


@pytest.mark.parametrize(
    ("question", "fields", "verdict", "shown"),
    [
        ("even-shapes", {"choices": ["six", "two-two"]}, "Incorrect", "You missed"),
        ("sum-shape", {"value": "[2, 2, 2]"}, "Correct", "tensor([2., 2., 2.])"),
        (
            "make-sgd",
            {"code": STARTER + "optimizer = torch.optim.Adam(model.parameters(), lr=0.1)\n"},
            "Incorrect",
            "the question asks for plain SGD",
        ),
    ],
    ids=["multi", "predict", "code"],
)
def test_answer_each_kind_by_form(
    live_client: TestClient,
    question: str,
    fields: dict[str, object],
    verdict: str,
    shown: str,
) -> None:
    live_client.cookies.clear()
    url = f"/topics/kinds/questions/{question}"
    token = csrf_from(live_client.get(url).text)
    response = live_client.post(url, data={"csrf_token": token, **fields}, follow_redirects=False)
    assert response.status_code == 303, response.text
    page = live_client.get(response.headers["location"])
    assert template_name(page) == "feedback.html"
    assert f">\n    {verdict}\n  </h1>" in page.text
    assert shown in page.text
