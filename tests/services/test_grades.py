"""A graded answer survives being stored as JSON and read back."""

import json

from app.services.answering.grades import Answer, Grade, RunSummary


def test_an_answer_keeps_only_the_fields_given() -> None:
    assert json.loads(Answer(choice="b").as_json()) == {"choice": "b"}
    multi = Answer(choices=("a", "c"))
    assert json.loads(multi.as_json()) == {"choices": ["a", "c"]}
    assert Answer.from_json(multi.as_json()) == multi


def test_a_grade_with_a_run_reads_back_alike() -> None:
    run = RunSummary("error", "partial\n", "Traceback ...", False, 12.5, "Time limit")
    grade = Grade(correct=False, expected="4", observed="5", run=run, wrong_match=1)
    stored = json.loads(grade.as_json())
    assert "correct" not in stored and stored["run"]["stdout"] == "partial\n"
    assert Grade.from_stored(False, grade.as_json()) == grade
    assert Grade.from_stored(True, Grade(correct=True).as_json()) == Grade(correct=True)
