"""Hints in the course: every question of a hinted topic has at least one (issue 23).

The set grows topic by topic as hints are written, until it is the whole course."""

import pytest

from app.content import Catalog, load_catalog
from tests.helpers import COURSE_QUIZZES

HINTED_TOPICS = ("transformer-block", "inference", "torch-compile", "debugging-numerics")


@pytest.fixture(scope="module")
def course() -> Catalog:
    return load_catalog(COURSE_QUIZZES)


@pytest.mark.parametrize("topic_id", HINTED_TOPICS)
def test_every_question_of_a_hinted_topic_has_a_hint(course: Catalog, topic_id: str) -> None:
    topic = course.topic(topic_id)
    assert topic is not None
    unhinted = [q.id for q in topic.questions if not q.hints]
    assert unhinted == []
