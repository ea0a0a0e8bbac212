"""AUTHORING.md documents every key an author can write."""

from app.content.schema import (
    ChoiceQuestionSpec,
    CodeQuestionSpec,
    MultiQuestionSpec,
    OptionSpec,
    PredictQuestionSpec,
    TopicSpec,
    WrongAnswerSpec,
)
from app.sandbox.check_helpers import make_helpers
from tests.helpers import TESTS_DIR

AUTHORING = (TESTS_DIR.parent / "AUTHORING.md").read_text()


def test_every_key_is_documented() -> None:
    models = (
        TopicSpec,
        ChoiceQuestionSpec,
        MultiQuestionSpec,
        PredictQuestionSpec,
        CodeQuestionSpec,
        OptionSpec,
        WrongAnswerSpec,
    )
    keys = {name for model in models for name in model.model_fields}
    # Named in the text (`key`) or written in an example (key:).
    undocumented = sorted(k for k in keys if f"`{k}`" not in AUTHORING and f"{k}:" not in AUTHORING)
    assert undocumented == []
    # The keys of issue 13 each have a YAML example and a section.
    for key in ("hints", "params"):
        assert f"    {key}:" in AUTHORING and f"`{key}`" in AUTHORING


def test_every_check_helper_is_documented() -> None:
    helpers = make_helpers(lambda name, value: None)
    undocumented = sorted(name for name in helpers if f"`{name}(" not in AUTHORING)
    assert undocumented == []
