"""The single writer: a unit's commit is done when its caller resumes, a failing unit
loses nothing of the others in its batch, and repeated idempotency keys store once."""

import asyncio
import threading
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app.config import Settings
from app.content import load_catalog
from app.services.answering.grades import Answer, Grade
from app.services.learning.progress import Recorded, answer_work
from app.store.database import make_engine
from app.store.migrations import prepare_database
from app.store.writer import Writer
from tests.helpers import FIXTURE_QUIZZES


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    prepare_database(settings)
    made = make_engine(settings.resolved_database_url)
    yield made
    made.dispose()


TOPIC = load_catalog(FIXTURE_QUIZZES).topics[0]


def store(learner: str, key: str | None, correct: bool = True) -> Callable[[Session], Recorded]:
    topic = TOPIC
    return answer_work(
        learner_id=learner,
        topic=topic,
        question=topic.questions[0],
        answer=Answer(choice="b"),
        grade=Grade(correct=correct),
        idempotency_key=key,
    )


def count(engine: Engine, table: str = "attempt") -> int:
    with engine.connect() as connection:
        return int(connection.execute(text(f"select count(*) from {table}")).scalar_one())


def test_many_concurrent_answers_all_stored_when_acknowledged(engine: Engine) -> None:
    writer = Writer(engine)

    async def answer(index: int) -> None:
        recorded = await writer.run(store(f"learner-{index % 7}", f"key-{index}"))
        assert recorded.new

    async def everyone() -> None:
        await asyncio.gather(*(answer(i) for i in range(120)))

    asyncio.run(everyone())
    assert count(engine) == 120 and count(engine, "learner") == 7
    writer.close()


def test_answers_waiting_for_the_writer_share_one_commit(engine: Engine) -> None:
    writer = Writer(engine)
    busy, release = threading.Event(), threading.Event()

    def slow(session: Session) -> None:
        busy.set()
        release.wait()

    async def queued() -> None:
        first = asyncio.ensure_future(writer.run(slow))
        await asyncio.to_thread(busy.wait)  # the writer is inside the first unit now
        rest = [asyncio.ensure_future(writer.run(store("a", f"k{i}"))) for i in range(20)]
        await asyncio.sleep(0)  # let them all queue
        release.set()
        await asyncio.gather(first, *rest)

    asyncio.run(queued())
    assert (writer.batches, writer.units) == (2, 21)
    assert count(engine) == 20
    writer.close()


def test_a_failing_unit_does_not_take_its_batch_down(engine: Engine) -> None:
    writer = Writer(engine)

    def broken(session: Session) -> None:
        session.execute(text("insert into no_such_table values (1)"))

    async def batch() -> tuple[object, ...]:
        return await asyncio.gather(
            writer.run(store("a", "k1")),
            writer.run(broken),
            writer.run(store("b", "k2")),
            return_exceptions=True,
        )

    results = asyncio.run(batch())
    assert not isinstance(results[0], BaseException) and not isinstance(results[2], BaseException)
    assert isinstance(results[1], Exception)
    assert count(engine) == 2
    writer.close()


def test_a_repeated_key_stores_once_and_gives_the_first_verdict(engine: Engine) -> None:
    writer = Writer(engine)

    async def twice() -> tuple[Recorded, Recorded]:
        return await asyncio.gather(
            writer.run(store("a", "same", correct=True)),
            writer.run(store("a", "same", correct=False)),
        )

    first, second = asyncio.run(twice())
    assert first.new and not second.new
    assert second.grade.correct
    assert count(engine) == 1
    writer.close()


def test_a_key_stored_behind_its_back_raises_integrity_error(engine: Engine) -> None:
    writer = Writer(engine)
    asyncio.run(writer.run(store("a", "k")))

    def insert_again(session: Session) -> None:
        session.execute(
            text(
                "insert into attempt (learner_id, topic_id, question_id, answer, correct,"
                " idempotency_key, created_at) values ('a', 't', 'q', '{}', true, 'k',"
                " CURRENT_TIMESTAMP)"
            )
        )

    with pytest.raises(IntegrityError):
        asyncio.run(writer.run(insert_again))
    writer.close()
