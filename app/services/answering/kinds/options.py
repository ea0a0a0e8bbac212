"""Choice and multi questions: the learner picks options; no code runs."""

from app.content import ChoiceQuestion, MultiQuestion, Option, OptionsQuestion
from app.services.answering.grades import Answer, Explanation, Grade, Misconception
from app.services.refusals import InvalidAnswer


def _known(question: OptionsQuestion, ids: tuple[str, ...]) -> None:
    unknown = [i for i in ids if question.option(i) is None]
    if unknown:
        known = ", ".join(o.id for o in question.options)
        raise InvalidAnswer(f"unknown option {unknown[0]!r}; choose from: {known}")


def check_choice(question: ChoiceQuestion, answer: Answer) -> None:
    """Refuse anything but one known option id."""
    if answer.choice is None:
        raise InvalidAnswer('this is a choice question: send {"choice": "<option id>"}')
    _known(question, (answer.choice,))


def check_multi(question: MultiQuestion, answer: Answer) -> None:
    """Refuse anything but a list of distinct, known option ids."""
    if answer.choices is None:
        raise InvalidAnswer('this is a multi question: send {"choices": ["<option id>", ...]}')
    _known(question, answer.choices)
    if len(set(answer.choices)) != len(answer.choices):
        raise InvalidAnswer("each option may be chosen once")


def grade_choice(question: ChoiceQuestion, answer: Answer) -> Grade:
    """Right when the one option picked is the correct one."""
    option = question.option(answer.choice or "")
    return Grade(correct=bool(option and option.correct))


def grade_multi(question: MultiQuestion, answer: Answer) -> Grade:
    """Right only when exactly the correct set is picked."""
    right = {o.id for o in question.correct_options}
    return Grade(correct=set(answer.choices or ()) == right)


def explain(question: OptionsQuestion, answer: Answer, grade: Grade) -> Explanation:
    """The options picked and missed, and the misconception behind each wrong pick."""
    chosen = tuple(o for o in question.options if o.id in answer.chosen_ids)
    missed: tuple[Option, ...] = ()
    if isinstance(question, MultiQuestion):
        missed = tuple(o for o in question.correct_options if o.id not in answer.chosen_ids)
    wrong_picks = () if grade.correct else chosen
    return Explanation(
        final_answer="; ".join(o.text for o in question.correct_options),
        chosen=chosen,
        missed=missed,
        correct_options=question.correct_options,
        misconceptions=tuple(
            Misconception(option_id=o.id, text=o.misconception, html=o.misconception_html)
            for o in wrong_picks
            if not o.correct and o.misconception and o.misconception_html
        ),
    )


def outcome(question: OptionsQuestion, answer: Answer, grade: Grade) -> str:
    """What the statistics count this answer as: the option ids picked, sorted."""
    return ",".join(sorted(answer.chosen_ids))[:120]
