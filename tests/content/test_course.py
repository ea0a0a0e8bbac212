"""The course under quizzes/ meets its quality bar (what can be measured of it)."""

from collections import Counter

import pytest

from app.content import Catalog, CodeQuestion, OptionsQuestion, load_catalog
from tests.helpers import COURSE_QUIZZES


def written_lines(question: CodeQuestion) -> list[str]:
    """The solution's code lines that the starter does not already hold."""
    assert question.solution is not None
    given = {line.strip() for line in question.starter.splitlines()}
    return [
        line
        for line in question.solution.code.splitlines()
        if line.strip() and not line.strip().startswith("#") and line.strip() not in given
    ]


@pytest.fixture(scope="module")
def course() -> Catalog:
    catalog = load_catalog(COURSE_QUIZZES)
    assert catalog.errors == (), [str(e) for e in catalog.errors]
    return catalog


def test_size_and_mix_of_kinds(course: Catalog) -> None:
    kinds = Counter(q.kind for t in course.topics for q in t.questions)
    assert len(course.topics) >= 34
    assert course.question_count >= 390
    assert kinds["choice"] >= 60 and kinds["multi"] >= 10
    assert kinds["predict"] >= 20 and kinds["code"] >= 55
    assert min(len(topic.questions) for topic in course.topics) >= 9


def test_variants_and_checks_that_show_their_values(course: Catalog) -> None:
    questions = [q for t in course.topics for q in t.questions]
    assert sum(q.params is not None for q in questions) >= 10
    checks = [q.check for q in questions if isinstance(q, CodeQuestion)]
    # Most code checks show their values (with show or a helper built on it, such as
    # show_close), so a wrong answer is told what differs.
    shows = ("show(", "show_close(", "show_float(")
    assert sum(any(s in check for s in shows) for check in checks) * 2 > len(checks)


def test_every_lesson_runs_code_and_every_question_explains(course: Catalog) -> None:
    for topic in course.topics:
        assert topic.lesson_snippets, f"{topic.id}: a lesson needs a live python block"
        for question in topic.questions:
            where = f"{topic.id}/{question.id}"
            assert question.steps and question.quick_check, where
            if question.kind in {"choice", "multi"}:
                assert isinstance(question, OptionsQuestion)
                assert all(o.correct or o.misconception for o in question.options), where
            if question.kind == "code":
                assert isinstance(question, CodeQuestion)
                assert question.wrong, f"{where}: a code exercise needs a known-wrong answer"
                assert 1 <= len(written_lines(question)) <= 15, where


def test_the_path_runs_from_the_first_topic_to_the_last(course: Catalog) -> None:
    seen: set[str] = set()
    for topic in course.topics:
        assert set(topic.requires) <= seen, f"{topic.id} comes before what it requires"
        seen.add(topic.id)
    assert course.topics[0].requires == ()
    levels = [t.level for t in course.topics]
    assert levels == sorted(levels, key=["beginner", "intermediate", "advanced"].index)


def test_choice_answers_are_not_given_away(course: Catalog) -> None:
    positions: Counter[int] = Counter()
    standing_out = []
    choice = [q for t in course.topics for q in t.questions if q.kind == "choice"]
    for question in choice:
        assert isinstance(question, OptionsQuestion)
        right = [o.correct for o in question.options].index(True)
        positions[right] += 1
        lengths = [len(o.text) for o in question.options]
        longest_wrong = max(n for i, n in enumerate(lengths) if i != right)
        if lengths[right] > 1.25 * longest_wrong:
            standing_out.append(question.id)
    # The correct option is spread over the first four positions...
    assert all(positions[p] >= len(choice) // 8 for p in range(4)), positions
    # ...and is never clearly the longest: guessing by length must not pay.
    assert standing_out == []


def test_every_question_has_a_hint(course: Catalog) -> None:
    # No question has statistics yet to show it is easy, so every one offers a nudge.
    missing = [f"{t.id}/{q.id}" for t in course.topics for q in t.questions if not q.hints]
    assert missing == []


def test_every_code_check_is_proven_against_known_wrong_answers(course: Catalog) -> None:
    # `torchquiz check` warns below two; the course holds itself to three.
    few = [
        f"{t.id}/{q.id}: {len(q.wrong)}"
        for t in course.topics
        for q in t.questions
        if isinstance(q, CodeQuestion) and len(q.wrong) < 3
    ]
    assert few == []
