"""A learner's question: the one place that decides what a learner is shown of a question.

Every view that shows a question (its page, the review's current question, the form shown
again after a refusal or a hint, the feedback) takes a `LearnerQuestion` from
`learner_question()`, so none can forget the variant or the hints (review 3, B1: the review
page built its question by hand, showed a variant's raw template and ran it).

Runs in: the web process.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Engine

from app.clock import utcnow
from app.content import Catalog, Question, Snippet, Topic
from app.services.answering.hints import hints_revealed
from app.services.answering.variants import Draws, draw_state, seed_to_answer, variant_of
from app.services.learning.review_queue import count_due, due_keys
from app.services.refusals import RunsDisabled
from app.services.running.live_code import LiveCode, Outputs
from app.services.running.threads import in_thread
from app.store.writer import Writer


@dataclass(frozen=True)
class Course:
    """What services resolve and answer a learner's question with: the catalog served now,
    the database, the writer answers are stored through, live code and the server's key
    (learners' variant seeds are drawn from it)."""

    catalog: Catalog
    engine: Engine
    writer: Writer
    live: LiveCode
    secret: str


@dataclass(frozen=True)
class LearnerQuestion:
    """A question as one learner sees it now."""

    topic: Topic
    question: Question  # the learner's variant of it, for a question with `params`
    seed: int | None  # the variant's seed; None without `params` (or while runs are off)
    hints_revealed: int
    outputs: Outputs  # its code's real output, when known
    reviews_due: int | None = None  # read with it when asked (the navigation's count)

    @property
    def unresolved(self) -> bool:
        """A variant question that could not be made (runs are off): its placeholders show
        as written, and it cannot be graded."""
        return self.question.params is not None and self.seed is None


def snippets_of(question: Question) -> list[Snippet]:
    """The live snippets shown with a question."""
    return [question.code] if question.code else []


_NO_DRAWS = Draws(done=0, due=False, latest_seed=None)


@dataclass(frozen=True)
class _Read:
    draws: Draws  # where the learner stands with the question's variants
    hints: int
    due: int | None


def _read(
    course: Course, learner_id: str, topic: Topic, question: Question, due_at: datetime | None
) -> _Read:
    # One connection, one thread hop: everything a view of the question reads.
    with course.engine.connect() as connection:
        state = _NO_DRAWS
        if question.params is not None:
            state = draw_state(
                connection, learner_id=learner_id, topic=topic, question=question, now=utcnow()
            )
        hints = hints_revealed(connection, learner_id=learner_id, topic=topic, question=question)
        due = None
        if due_at is not None:
            due = count_due(due_keys(connection, learner_id=learner_id, now=due_at), course.catalog)
    return _Read(state, hints, due)


async def learner_question(
    course: Course,
    learner_id: str,
    topic: Topic,
    question: Question,
    *,
    sent: int | None = None,
    latest: bool = False,
    wait: bool = True,
    hints: bool = True,
    due_at: datetime | None = None,
) -> LearnerQuestion:
    """`question` as `learner_id` sees it: their variant (the current one; the one `sent`
    back by a page when it was theirs; or with `latest` the one they last answered), the
    hints they revealed, and its code's output (run now if needed, unless `wait` is False:
    then only what is known). With `due_at`, also the reviews due then. Without `hints`
    (answering, the feedback: they read hints with the answer) a question without params
    needs no read at all, and comes back with `hints_revealed` 0."""
    if hints or due_at is not None or question.params is not None:
        read = await in_thread(_read, course, learner_id, topic, question, due_at)
    else:
        read = _Read(draws=_NO_DRAWS, hints=0, due=None)  # a thread hop saved
    seed: int | None = None
    if question.params is not None:
        if latest:
            seed = read.draws.latest_seed
        else:
            seed = seed_to_answer(
                course.secret, learner_id, topic, question, state=read.draws, sent=sent
            )
        try:
            variant = await variant_of(course.live, question, seed)
        except RunsDisabled:
            seed = None  # shown as written; never run as it is
        else:
            question = variant.question
    outputs: Outputs = {}
    if question.params is None or seed is not None:
        shown = snippets_of(question)
        persist = question.params is None  # a variant's outputs are kept in memory only
        outputs = (
            await course.live.outputs(shown, persist=persist)
            if wait
            else course.live.cached_outputs(shown)
        )
    return LearnerQuestion(topic, question, seed, read.hints, outputs, read.due)
