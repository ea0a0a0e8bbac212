"""A corpus of broken files, one mistake each: every one is reported at the expected line.

Each file's first line is `# expect: LINE: words`: the report must name that line and
contain those words. Files under broken/runtime are valid YAML whose code is wrong; they
are checked by running them (tests/services/test_verify.py).
"""

from pathlib import Path

import pytest

from app.content import load_topic_file
from tests.helpers import BROKEN, expectation


@pytest.mark.parametrize(
    "path", sorted((BROKEN / "structure").glob("*.yaml")), ids=lambda p: p.stem
)
def test_structural_mistake_is_reported_at_its_line(path: Path) -> None:
    line, words = expectation(path)
    topic, errors = load_topic_file(path)
    assert topic is None
    assert any(e.line == line and words in e.message for e in errors), [str(e) for e in errors]


def test_runtime_corpus_is_structurally_valid() -> None:
    for path in sorted((BROKEN / "runtime").glob("*.yaml")):
        topic, errors = load_topic_file(path)
        assert errors == [], [str(e) for e in errors]
        assert topic is not None
