"""Seeded variants: a question's `params` snippet runs in the sandbox with a seed, the
names it sets fill the question's placeholders (app/content/variants.py).

Each learner's seed for a question comes from an HMAC of their id, the question and a
draw number (how many times they have answered it right), so reading a page never writes:
the seed is stable until a right answer, and a review after it draws a new one. The seed
answered is stored with the attempt.
"""

import hashlib
import hmac
import json
import math
import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, bindparam, func
from sqlmodel import col, select

from app.content import Question, Topic
from app.content.variants import ParamValue, instantiate
from app.sandbox import RunResult
from app.services.learning.review import utc
from app.services.refusals import Refused
from app.services.running.live_code import LiveCode
from app.store.models import Attempt
from app.store.review import ReviewCard

SEED_SPACE = 1000  # variants per question a learner can draw
CHECK_SEEDS = (1, 2, 3, 4, 5)  # the seeds `torchquiz check` proves
NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,39}$")
TEXT_MAX = 200
LIST_MAX = 50

# Runs after `params`, in its namespace, on the check's channel: the values it set.
EXTRACT = """\
def __values():
    import json as _json
    simple = (bool, int, float, str)
    found = {}
    for name, value in list(globals().items()):
        if name.startswith("_") or name == "show":
            continue
        if isinstance(value, simple) or (
            isinstance(value, (list, tuple)) and all(isinstance(v, simple) for v in value)
        ):
            found[name] = list(value) if isinstance(value, tuple) else value
    print(_json.dumps(found))
__values()
"""


class VariantFailed(Refused):
    """The params snippet did not give values for this seed; the message says why."""

    retry_after = 3600.0


@dataclass(frozen=True)
class Variant:
    """A question as one learner sees it: its seed (None without `params`) and its text."""

    seed: int | None
    question: Question


def _scalar(value: object) -> bool:
    if isinstance(value, str):
        return len(value) <= TEXT_MAX
    if isinstance(value, float):
        return math.isfinite(value)
    return isinstance(value, bool | int)


def parse_values(text: str) -> dict[str, ParamValue]:
    """The values a params run reported; raises VariantFailed when there are none usable."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        raise VariantFailed("`params` printed something that is not its values") from None
    if not isinstance(data, dict):
        raise VariantFailed("`params` printed something that is not its values")
    values: dict[str, ParamValue] = {}
    for name, value in data.items():
        if not NAME.match(name):
            continue
        if _scalar(value) or (
            isinstance(value, list) and len(value) <= LIST_MAX and all(_scalar(v) for v in value)
        ):
            values[name] = value
    if not values:
        raise VariantFailed(
            "`params` sets no value a placeholder can use (numbers, strings, booleans or short "
            "lists of them, under names that do not start with `_`)"
        )
    return values


async def params_values(live: LiveCode, question: Question, seed: int) -> dict[str, ParamValue]:
    """Run the question's params with `seed` (once per process) and read its values."""
    if question.params is None:
        return {}
    run = await live.reference(question.params.code, check=EXTRACT, seed=seed, persist=False)
    return values_of(run)


def values_of(run: RunResult) -> dict[str, ParamValue]:
    """The values a run of params (with EXTRACT as its check) set; raises VariantFailed."""
    if run.status != "ok" or run.check_output is None:
        last = [line for line in run.stderr.strip().splitlines() if line.strip()]
        why = last[-1].strip() if last else (run.reason or run.status)
        raise VariantFailed(
            f"`params` raises {why}" if run.status == "error" else f"`params` was stopped: {why}"
        )
    if run.check_output.startswith("check failed:"):
        raise VariantFailed(
            "the values of `params` cannot be read: " + run.check_output[14:].strip()
        )
    return parse_values(run.check_output)


async def variant_of(live: LiveCode, question: Question, seed: int | None) -> Variant:
    """The question as the variant with this seed shows it (as it is, without params)."""
    if question.params is None or seed is None:
        return Variant(None, question)
    return Variant(seed, instantiate(question, await params_values(live, question, seed)))


def learner_seed(secret: str, learner_id: str, topic: Topic, question: Question, draw: int) -> int:
    """The seed of a learner's `draw`-th variant of a question (stable, unguessable)."""
    message = f"variant:{learner_id}:{topic.id}:{question.id}:{draw}".encode()
    digest = hmac.new(secret.encode(), message, hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") % SEED_SPACE


_DRAWS = (
    select(func.count())
    .select_from(Attempt)
    .where(
        col(Attempt.learner_id) == bindparam("learner_id"),
        col(Attempt.topic_id) == bindparam("topic_id"),
        col(Attempt.question_id) == bindparam("question_id"),
        col(Attempt.correct).is_(True),
    )
)
_LATEST_SEED = (
    select(Attempt.variant_seed)
    .where(
        col(Attempt.learner_id) == bindparam("learner_id"),
        col(Attempt.topic_id) == bindparam("topic_id"),
        col(Attempt.question_id) == bindparam("question_id"),
    )
    .order_by(col(Attempt.id).desc())
    .limit(1)
)


def draws(connection: Connection, *, learner_id: str, topic: Topic, question: Question) -> int:
    """How many variants this learner has finished: their right answers to the question."""
    key = {"learner_id": learner_id, "topic_id": topic.id, "question_id": question.id}
    return int(connection.execute(_DRAWS, key).scalar_one())


def latest_seed(
    connection: Connection, *, learner_id: str, topic: Topic, question: Question
) -> int | None:
    """The variant seed of the learner's latest answer to the question, if any."""
    key = {"learner_id": learner_id, "topic_id": topic.id, "question_id": question.id}
    seed = connection.execute(_LATEST_SEED, key).scalar()
    return None if seed is None else int(seed)


@dataclass(frozen=True)
class Draws:
    """Where a learner stands with a question's variants."""

    done: int  # variants finished: right answers to the question
    due: bool  # the question's review card is due: the next answer is a review
    latest_seed: int | None  # the seed of the latest answer, if any


_CARD_DUE = select(ReviewCard.due).where(
    col(ReviewCard.learner_id) == bindparam("learner_id"),
    col(ReviewCard.topic_id) == bindparam("topic_id"),
    col(ReviewCard.question_id) == bindparam("question_id"),
)


def draw_state(
    connection: Connection, *, learner_id: str, topic: Topic, question: Question, now: datetime
) -> Draws:
    """How many variants the learner finished, whether a review is due, the latest seed."""
    key = {"learner_id": learner_id, "topic_id": topic.id, "question_id": question.id}
    done = draws(connection, learner_id=learner_id, topic=topic, question=question)
    latest = latest_seed(connection, learner_id=learner_id, topic=topic, question=question)
    card_due = connection.execute(_CARD_DUE, key).scalar()
    due = card_due is not None and utc(card_due) <= now
    return Draws(done=done, due=due, latest_seed=latest)


def seed_to_answer(
    secret: str,
    learner_id: str,
    topic: Topic,
    question: Question,
    *,
    state: Draws,
    sent: int | None,
) -> int:
    """The seed an answer is graded with: the learner's current one, or the one the page
    sent when that page was opened before the learner's last right answer (the previous
    draw, nothing answered since) and the answer is no review. A review always draws the
    current seed: the previous variant's revealed answer must not pass it (security
    review 3, finding 16)."""
    current = learner_seed(secret, learner_id, topic, question, state.done)
    if sent is None or sent == current or state.due or state.done == 0:
        return current
    previous = learner_seed(secret, learner_id, topic, question, state.done - 1)
    return sent if sent == previous and state.latest_seed == previous else current
