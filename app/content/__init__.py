"""Quiz content: the YAML format, its loader and validator, and the in-memory Catalog."""

from app.content.catalog import Catalog, Topic
from app.content.errors import ContentError
from app.content.loader import load_catalog, load_topic_file
from app.content.parts import Option, Snippet, Step, WrongAnswer
from app.content.questions import (
    ChoiceQuestion,
    CodeQuestion,
    MultiQuestion,
    OptionsQuestion,
    PredictQuestion,
    Question,
    QuestionKind,
)
from app.content.source import ContentSource

__all__ = [
    "Catalog",
    "ChoiceQuestion",
    "CodeQuestion",
    "ContentError",
    "ContentSource",
    "MultiQuestion",
    "Option",
    "OptionsQuestion",
    "PredictQuestion",
    "Question",
    "QuestionKind",
    "Snippet",
    "Step",
    "Topic",
    "WrongAnswer",
    "load_catalog",
    "load_topic_file",
]
