"""Turn a validated spec into the rendered, immutable objects the Catalog holds."""

from pathlib import Path

from markupsafe import Markup

from app.content.catalog import Option, Question, Snippet, Step, Topic
from app.content.render import highlight_code, render_inline, render_markdown, split_markdown
from app.content.schema import ChoiceQuestionSpec, TopicSpec, option_ids


def build_topic(spec: TopicSpec, source: Path, locations: dict[str, tuple[int, int]]) -> Topic:
    """Render a topic's Markdown and code once, at load time."""
    return Topic(
        id=spec.id,
        title=spec.title,
        summary=spec.summary,
        level=spec.level,
        tags=tuple(spec.tags),
        requires=tuple(spec.requires),
        lesson=spec.lesson,
        lesson_parts=tuple(
            part if isinstance(part, Markup) else snippet(part)
            for part in split_markdown(spec.lesson)
        ),
        questions=tuple(_build_question(q) for q in spec.questions),
        source=source,
        locations=locations,
    )


def snippet(code: str) -> Snippet:
    """A live snippet of authored code."""
    return Snippet(code=code, code_html=highlight_code(code))


def _build_question(spec: ChoiceQuestionSpec) -> Question:
    return Question(
        id=spec.id,
        kind=spec.kind,
        prompt=spec.prompt,
        prompt_html=render_markdown(spec.prompt),
        code=snippet(spec.code) if spec.code else None,
        options=tuple(
            Option(
                id=option_id,
                text=option.text,
                text_html=render_inline(option.text),
                correct=option.correct,
                misconception=option.misconception,
                misconception_html=(
                    render_inline(option.misconception) if option.misconception else None
                ),
            )
            for option_id, option in zip(option_ids(spec.options), spec.options, strict=True)
        ),
        steps=tuple(
            Step(title=step.title, text=step.text, text_html=render_markdown(step.text))
            for step in spec.steps
        ),
        quick_check=spec.quick_check,
        quick_check_html=render_inline(spec.quick_check),
        mistakes=tuple(spec.mistakes),
        mistakes_html=tuple(render_inline(m) for m in spec.mistakes),
    )
