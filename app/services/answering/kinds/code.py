"""Code questions: the learner writes code; the hidden check runs after it in the sandbox
and must print what it prints after the reference solution. The verdict never comes from
the learner's own output."""

from app.content import CodeQuestion
from app.services.answering.compare import same_output
from app.services.answering.grades import Answer, Explanation, Grade, Misconception, RunSummary
from app.services.answering.show_diff import first_difference
from app.services.refusals import InvalidAnswer
from app.services.running.live_code import LiveCode

_STOPPED = {
    "error": "your code raised an error before the check could run",
    "timeout": "your code did not finish in time, so the check could not run",
    "limit": "your code was stopped at a limit, so the check could not run",
}


def check(question: CodeQuestion, answer: Answer) -> None:
    """Refuse an answer without code."""
    if answer.code is None:
        raise InvalidAnswer('this is a code question: send {"code": "<your code>"}')


async def grade(
    question: CodeQuestion, answer: Answer, *, live: LiveCode, learner_id: str
) -> Grade:
    """Run the learner's code and the check; compare with the check after the solution."""
    persist = question.params is None  # a variant's runs stay in memory
    reference = await live.reference(question.solution.code, check=question.check, persist=persist)
    expected = reference.check_output
    if expected is None:  # the author's own solution failed: `torchquiz check` reports it
        raise RuntimeError(f"the solution of {question.id!r} does not pass its own check")
    run = await live.run(answer.code or "", learner_id=learner_id, check=question.check)
    summary = RunSummary.of(run)
    if run.check_output is None:
        stop = _STOPPED.get(run.status, "your code ended before the check could run")
        return Grade(correct=False, expected=expected, run=summary, reason=stop)
    if same_output(expected, run.check_output):
        return Grade(correct=True, expected=expected, observed=run.check_output, run=summary)
    match = None
    for index, wrong in enumerate(question.wrong):
        known = await live.reference(wrong.code, check=question.check, persist=persist)
        if known.check_output is not None and same_output(known.check_output, run.check_output):
            match = index
            break
    reason = None
    if run.check_output.startswith("check failed:"):
        reason = "the check could not inspect your result: " + run.check_output[14:].strip()
    return Grade(
        correct=False,
        expected=expected,
        observed=run.check_output,
        run=summary,
        wrong_match=match,
        reason=reason,
        difference=first_difference(expected, run.check_output),
    )


def explain(question: CodeQuestion, answer: Answer, grade: Grade) -> Explanation:
    """The learner's code, the known mistake it behaves like, and the reference solution."""
    misconceptions: tuple[Misconception, ...] = ()
    if not grade.correct and grade.wrong_match is not None:
        known = question.wrong[grade.wrong_match : grade.wrong_match + 1]
        misconceptions = tuple(
            Misconception(option_id=None, text=w.misconception, html=w.misconception_html)
            for w in known
            if w.misconception and w.misconception_html
        )
    return Explanation(
        final_answer=question.solution.code,
        misconceptions=misconceptions,
        code=answer.code,
        solution=question.solution,
    )


def outcome(question: CodeQuestion, answer: Answer, grade: Grade) -> str:
    """What the statistics count this answer as: "right", or how it failed (the exception
    type, a limit, the known mistake it behaves like, or which value the check showed
    differently)."""
    if grade.correct:
        return "right"
    if grade.run is not None and grade.run.status in {"timeout", "limit"}:
        return grade.run.status
    if grade.run is not None and grade.run.status == "error":
        last = grade.run.stderr.strip().splitlines()[-1:] or ["error"]
        return "error: " + last[0].split(":", 1)[0].strip()[:100]
    if grade.wrong_match is not None:
        return f"known mistake {grade.wrong_match + 1}"
    if grade.difference and grade.difference.startswith("`"):
        name = grade.difference[1:].split("`", 1)[0]
        return f"`{name}` differs"[:120]
    return "check output differs"
