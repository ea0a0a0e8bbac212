"""The params runner: a question's `params` run in the real sandbox with a seed, its values
read back from the check channel and parsed as untrusted text; learners' seeds."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.content import load_topic_file
from app.sandbox import Layers
from app.services.answering.variants import (
    EXTRACT,
    SEED_SPACE,
    VariantFailed,
    learner_seed,
    parse_values,
    values_of,
)
from tests.helpers import FIXTURE_QUIZZES
from tests.sandbox.conftest import TEST_LIMITS, Runner


@pytest.fixture(scope="module")
def runner() -> Iterator[Runner]:
    r = Runner(TEST_LIMITS, Layers())
    yield r
    r.close()


PARAMS = """\
import random
import torch
n = random.randint(1, 1000)
lr = round(torch.rand(()).item(), 3)
name = random.choice(["SGD", "Adam"])
sizes = (2, n)
_hidden = 5
t = torch.ones(2)
helper = len
"""


def test_params_values_depend_on_the_seed_and_only_on_it(runner: Runner) -> None:
    first = values_of(runner.run(PARAMS, seed=7, check=EXTRACT))
    assert set(first) == {"n", "lr", "name", "sizes"}  # no _names, tensors or functions
    assert first["sizes"] == [2, first["n"]]
    assert values_of(runner.run(PARAMS, seed=7, check=EXTRACT)) == first
    others = [values_of(runner.run(PARAMS, seed=s, check=EXTRACT)) for s in (8, 9, 10)]
    assert any(o != first for o in others)


def test_a_failing_params_says_why(runner: Runner) -> None:
    with pytest.raises(VariantFailed, match="`params` raises ZeroDivisionError"):
        values_of(runner.run("n = 1 // 0\n", seed=1, check=EXTRACT))
    with pytest.raises(VariantFailed, match="sets no value a placeholder can use"):
        values_of(runner.run("import torch\nt = torch.ones(2)\n", seed=1, check=EXTRACT))


@pytest.mark.parametrize(
    "text",
    ["", "[1, 2]", "{" * 100_000, '{"n": NaN}', '{"_n": 1}', '{"n": {"a": 1}}', '{"n": [[1]]}'],
)
def test_values_are_parsed_as_untrusted_text(text: str) -> None:
    with pytest.raises(VariantFailed):
        parse_values(text)


def test_long_or_odd_values_are_left_out() -> None:
    values = parse_values('{"n": 3, "s": "' + "x" * 500 + '", "l": ' + str(list(range(80))) + "}")
    assert values == {"n": 3}


def test_learner_seeds_are_stable_and_spread(tmp_path: Path) -> None:
    topic, _ = load_topic_file(FIXTURE_QUIZZES / "kinds.yaml")
    assert topic is not None
    question = topic.question("variant-sum")
    assert question is not None
    seed = learner_seed("key", "ada", topic, question, 0)
    assert seed == learner_seed("key", "ada", topic, question, 0)
    assert 0 <= seed < SEED_SPACE
    seeds = {learner_seed("key", f"learner-{i}", topic, question, 0) for i in range(50)}
    assert len(seeds) > 40  # different learners, different variants
    draws = {learner_seed("key", "ada", topic, question, d) for d in range(20)}
    assert len(draws) > 15  # a review after a right answer draws anew
