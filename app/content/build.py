"""Turn a validated spec into the rendered, immutable objects the Catalog holds."""

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, assert_never

from markupsafe import Markup

from app.content.catalog import Topic
from app.content.parts import Option, Snippet, Step, WrongAnswer
from app.content.questions import (
    ChoiceQuestion,
    CodeQuestion,
    MultiQuestion,
    PredictQuestion,
    Question,
)
from app.content.render import highlight_code, render_inline, render_markdown, split_markdown
from app.content.schema import (
    ChoiceQuestionSpec,
    CodeQuestionSpec,
    MultiQuestionSpec,
    OptionSpec,
    PredictQuestionSpec,
    TopicSpec,
    option_ids,
)
from app.content.schema import QuestionBase as QuestionBaseSpec

QuestionSpecType = ChoiceQuestionSpec | MultiQuestionSpec | PredictQuestionSpec | CodeQuestionSpec

# Where the value at a path of the YAML document stands: (line, column), 1-based.
Locate = Callable[[Sequence[int | str]], tuple[int, int]]


def build_topic(
    spec: TopicSpec, source: Path, locate: Locate, *, key_at: Locate | None = None
) -> Topic:
    """Render a topic's Markdown and code once, at load time (`key_at` locates a key
    itself rather than its value, for errors found later)."""
    # A `|` block's text starts on the line after its indicator.
    lesson_first_line = locate(["lesson"])[0] + 1
    lesson_parts: list[Markup | Snippet] = []
    for part in split_markdown(spec.lesson):
        if isinstance(part, Markup):
            lesson_parts.append(part)
        else:
            code, offset = part
            lesson_parts.append(snippet(code, line=lesson_first_line + offset))
    locations = {"id": locate(["id"]), "lesson": locate(["lesson"])} | {
        f"requires[{i}]": locate(["requires", i]) for i in range(len(spec.requires))
    }
    if spec.requires:
        locations["requires"] = (key_at or locate)(["requires"])
    return Topic(
        id=spec.id,
        title=spec.title,
        summary=spec.summary,
        level=spec.level,
        tags=tuple(spec.tags),
        requires=tuple(spec.requires),
        lesson=spec.lesson,
        lesson_parts=tuple(lesson_parts),
        questions=tuple(
            _build_question(q, _within(locate, ["questions", i]))
            for i, q in enumerate(spec.questions)
        ),
        source=source,
        locations=locations,
    )


def _within(locate: Locate, prefix: list[int | str]) -> Locate:
    return lambda path: locate([*prefix, *path])


def snippet(code: str, *, line: int = 0, template: bool = False) -> Snippet:
    """A live snippet of authored code (a `template` holds a variant's placeholders)."""
    return Snippet(code=code, code_html=highlight_code(code), line=line, template=template)


def _block_line(locate: Locate, key: str) -> int:
    # Code given as a `|` block starts on the next line; a one-line value on its own line.
    return locate([key])[0] + 1


def _options(specs: list[OptionSpec]) -> tuple[Option, ...]:
    return tuple(
        Option(
            id=option_id,
            text=option.text,
            text_html=render_inline(option.text),
            correct=option.correct,
            misconception=option.misconception,
            misconception_html=render_inline(option.misconception)
            if option.misconception
            else None,
        )
        for option_id, option in zip(option_ids(specs), specs, strict=True)
    )


def _wrong_answers(spec: CodeQuestionSpec, locate: Locate) -> tuple[WrongAnswer, ...]:
    return tuple(
        WrongAnswer(
            code=wrong.code,
            misconception=wrong.misconception,
            misconception_html=render_inline(wrong.misconception) if wrong.misconception else None,
            line=locate(["wrong", i])[0],
        )
        for i, wrong in enumerate(spec.wrong)
    )


def _common(spec: QuestionBaseSpec, locate: Locate) -> dict[str, Any]:
    """The fields every kind of question has, rendered."""
    templated = spec.params is not None
    keys = [
        "id",
        "kind",
        "code",
        "output",
        "options",
        "starter",
        "check",
        "solution",
        "wrong",
        "params",
    ]
    return {
        "id": spec.id,
        "prompt": spec.prompt,
        "prompt_html": render_markdown(spec.prompt),
        "code": snippet(spec.code, line=_block_line(locate, "code"), template=templated)
        if spec.code
        else None,
        "output": spec.output,
        "steps": tuple(
            Step(title=step.title, text=step.text, text_html=render_markdown(step.text))
            for step in spec.steps
        ),
        "quick_check": spec.quick_check,
        "quick_check_html": render_inline(spec.quick_check),
        "mistakes": tuple(spec.mistakes),
        "mistakes_html": tuple(render_inline(m) for m in spec.mistakes),
        "hints": tuple(spec.hints),
        "hints_html": tuple(render_markdown(h) for h in spec.hints),
        "params": snippet(spec.params, line=_block_line(locate, "params")) if spec.params else None,
        "locations": {key: locate([key]) for key in keys if getattr(spec, key, None) is not None},
    }


def _build_question(spec: QuestionSpecType, locate: Locate) -> Question:
    common = _common(spec, locate)
    templated = spec.params is not None
    match spec:
        case ChoiceQuestionSpec():
            return ChoiceQuestion(**common, options=_options(spec.options))
        case MultiQuestionSpec():
            return MultiQuestion(**common, options=_options(spec.options))
        case PredictQuestionSpec():
            return PredictQuestion(
                **common
                | {
                    "code": snippet(spec.code, line=_block_line(locate, "code"), template=templated)
                },
                tolerance=spec.tolerance,
            )
        case CodeQuestionSpec():
            return CodeQuestion(
                **common,
                starter=spec.starter,
                check=spec.check,
                solution=snippet(
                    spec.solution,
                    line=_block_line(locate, "solution"),
                    template=templated,
                ),
                wrong=_wrong_answers(spec, locate),
            )
        case _:
            assert_never(spec)
