"""Variants of a question: `{name}` placeholders filled with the values its `params`
snippet set for one seed, then rendered again.

The rule for braces: `{name}` is replaced only when `name` is one of the params' names;
every other brace stays as written (dicts, sets and f-strings in code need no escaping);
`{{name}}` writes a literal `{name}` for a params name.
"""

import re
from collections.abc import Mapping
from dataclasses import replace

from app.content.parts import Option, Snippet, Step, WrongAnswer
from app.content.questions import CodeQuestion, OptionsQuestion, Question
from app.content.render import highlight_code, render_inline, render_markdown

ParamValue = bool | int | float | str | list[bool | int | float | str]
Values = Mapping[str, ParamValue]

_PLACEHOLDER = re.compile(r"\{\{([A-Za-z_]\w*)\}\}|\{([A-Za-z_]\w*)\}")


def as_text(value: ParamValue) -> str:
    """How a value reads in a prompt or in code: numbers and lists as Python writes them."""
    return value if isinstance(value, str) else repr(value)


def fill(text: str, values: Values) -> str:
    """`text` with each `{name}` of `values` replaced; `{{name}}` gives `{name}`."""

    def one(match: re.Match[str]) -> str:
        escaped, name = match.group(1), match.group(2)
        if escaped is not None:
            return "{" + escaped + "}" if escaped in values else match.group(0)
        return as_text(values[name]) if name in values else match.group(0)

    return _PLACEHOLDER.sub(one, text)


def placeholders(text: str) -> set[str]:
    """The names written as `{name}` in `text` (escaped ones excluded)."""
    return {m.group(2) for m in _PLACEHOLDER.finditer(text) if m.group(2)}


def _snippet(snippet: Snippet, values: Values) -> Snippet:
    code = fill(snippet.code, values)
    return Snippet(code=code, code_html=highlight_code(code), line=snippet.line)


def _option(option: Option, values: Values) -> Option:
    text = fill(option.text, values)
    wrong = fill(option.misconception, values) if option.misconception else None
    return replace(
        option,
        text=text,
        text_html=render_inline(text),
        misconception=wrong,
        misconception_html=render_inline(wrong) if wrong else None,
    )


def instantiate(question: Question, values: Values) -> Question:
    """The variant of `question` for these params values (a question without `params`, or
    no values, comes back as it is)."""
    if question.params is None or not values:
        return question
    prompt = fill(question.prompt, values)
    quick = fill(question.quick_check, values)
    mistakes = tuple(fill(m, values) for m in question.mistakes)
    hints = tuple(fill(h, values) for h in question.hints)
    steps = tuple(
        Step(
            title=fill(s.title, values) if s.title else None,
            text=fill(s.text, values),
            text_html=render_markdown(fill(s.text, values)),
        )
        for s in question.steps
    )
    common: dict[str, object] = {
        "prompt": prompt,
        "prompt_html": render_markdown(prompt),
        "code": _snippet(question.code, values) if question.code else None,
        "steps": steps,
        "quick_check": quick,
        "quick_check_html": render_inline(quick),
        "mistakes": mistakes,
        "mistakes_html": tuple(render_inline(m) for m in mistakes),
        "hints": hints,
        "hints_html": tuple(render_markdown(h) for h in hints),
    }
    if isinstance(question, OptionsQuestion):
        common["options"] = tuple(_option(o, values) for o in question.options)
    if isinstance(question, CodeQuestion):
        common |= {
            "starter": fill(question.starter, values),
            "check": fill(question.check, values),
            "solution": _snippet(question.solution, values),
            "wrong": tuple(
                WrongAnswer(
                    code=fill(w.code, values),
                    misconception=fill(w.misconception, values) if w.misconception else None,
                    misconception_html=render_inline(fill(w.misconception, values))
                    if w.misconception
                    else None,
                    line=w.line,
                )
                for w in question.wrong
            ),
        }
    return replace(question, **common)  # type: ignore[arg-type]
