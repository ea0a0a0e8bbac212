"""Placeholders of a variant question: which braces are filled, which stay, and what a
variant re-renders."""

from pathlib import Path

from app.content import CodeQuestion, MultiQuestion, load_topic_file
from app.content.variants import Values, fill, instantiate, placeholders
from tests.helpers import FIXTURE_QUIZZES


def test_only_params_names_are_filled() -> None:
    values: Values = {"n": 3, "lr": 0.1, "name": "Adam", "sizes": [2, 3], "flag": True}
    text = 'f"{n}" {n} {lr} {name} {sizes} {flag} {other} {"k": {n}} {{n}} {{other}} {}'
    assert fill(text, values) == ('f"3" 3 0.1 Adam [2, 3] True {other} {"k": 3} {n} {{other}} {}')
    assert placeholders("{a} {{b}} {c}") == {"a", "c"}


def test_a_variant_renders_every_text_and_code_again() -> None:
    topic, errors = load_topic_file(FIXTURE_QUIZZES / "kinds.yaml")
    assert topic is not None, errors
    scale = topic.question("variant-scale")
    assert isinstance(scale, CodeQuestion) and scale.params is not None
    variant = instantiate(scale, {"factor": 2.5})
    assert isinstance(variant, CodeQuestion)
    assert variant.prompt == "Make `w`, the tensor `x` multiplied by 2.5."
    assert "2.5" in variant.prompt_html
    assert variant.solution.code.endswith("w = x * 2.5")
    assert "2.5" in variant.solution.code_html and variant.solution.line == scale.solution.line
    assert variant.wrong[0].code.endswith("w = x + 2.5")
    assert (
        variant.wrong[0].misconception == "Multiply by 2.5; adding it shifts every value instead."
    )
    assert variant.steps[0].text == "`w = x * 2.5`" and "2.5" in variant.steps[0].text_html
    assert variant.check == scale.check and variant.id == scale.id
    assert instantiate(scale, {}) is scale


def test_a_question_without_params_is_its_own_variant() -> None:
    topic, _ = load_topic_file(FIXTURE_QUIZZES / "kinds.yaml")
    assert topic is not None
    even = topic.question("even-shapes")
    assert isinstance(even, MultiQuestion)
    assert instantiate(even, {"n": 1}) is even


def test_output_cannot_be_stated_for_a_variant(tmp_path: Path) -> None:
    source = (FIXTURE_QUIZZES / "kinds.yaml").read_text()
    broken = source.replace(
        '      print(x.sum(dim=0).shape, {"rows": {rows}}["rows"] > 1)\n',
        '      print(x.sum(dim=0).shape, {"rows": {rows}}["rows"] > 1)\n    output: x\n',
    )
    assert broken != source
    (tmp_path / "kinds.yaml").write_text(broken)
    topic, errors = load_topic_file(tmp_path / "kinds.yaml")
    assert topic is None
    assert any(
        "`output` cannot be stated for a question with `params`" in e.message for e in errors
    )
