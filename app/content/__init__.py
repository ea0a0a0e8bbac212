"""Quiz content: the YAML format, its loader and validator, and the in-memory Catalog."""

from app.content.catalog import Catalog, Option, Question, Snippet, Step, Topic
from app.content.errors import ContentError
from app.content.loader import load_catalog, load_topic_file
from app.content.source import ContentSource

__all__ = [
    "Catalog",
    "ContentError",
    "ContentSource",
    "Option",
    "Question",
    "Snippet",
    "Step",
    "Topic",
    "load_catalog",
    "load_topic_file",
]
