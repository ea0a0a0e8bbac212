"""FSRS review of every graded answer, the schedule it gives, and rebuilding cards from logs.

The expected intervals are worked out by hand from FSRS-6's default parameters
(w0 = 0.212 Again, w2 = 2.3065 Good: the initial stabilities in days) and the scheduler
in app.services.learning.review (no learning steps of minutes, no fuzzing)."""

import math
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import select

from app.config import Settings
from app.content import Catalog, load_catalog
from app.services.learning.review import rebuild_cards, review_answer
from app.services.learning.review_queue import due_count, schedule_of
from app.store.database import make_engine, session_scope
from app.store.migrations import prepare_database
from app.store.models import Learner
from app.store.review import ReviewCard, ReviewLog
from tests.helpers import FIXTURE_QUIZZES

CATALOG: Catalog = load_catalog(FIXTURE_QUIZZES)
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
ME = "learner-1"


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    prepare_database(settings)
    engine = make_engine(settings.resolved_database_url)
    with session_scope(engine) as session:
        session.add(Learner(id=ME))
    yield engine
    engine.dispose()


def answer(
    engine: Engine,
    question: str,
    correct: bool,
    at: datetime,
    topic: str = "basics",
    used_hint: bool = False,
) -> None:
    with session_scope(engine) as session:
        review_answer(
            session=session,
            learner_id=ME,
            topic_id=topic,
            question_id=question,
            correct=correct,
            used_hint=used_hint,
            at=at,
        )


def card(engine: Engine, question: str, topic: str = "basics") -> ReviewCard:
    with session_scope(engine) as session:
        found = session.get(ReviewCard, (ME, topic, question))
    assert found is not None
    return found


def test_a_wrong_answer_makes_the_question_due_at_once(engine: Engine) -> None:
    answer(engine, "shape", correct=False, at=T0)
    assert card(engine, "shape").due == T0
    schedule = schedule_of(engine=engine, learner_id=ME, catalog=CATALOG)
    assert [(q.topic.id, q.question.id) for q in schedule.due(T0)] == [("basics", "shape")]
    assert due_count(engine=engine, learner_id=ME, catalog=CATALOG, now=T0) == 1


def test_a_right_answer_schedules_the_question_days_ahead(engine: Engine) -> None:
    answer(engine, "shape", correct=True, at=T0)
    # Good on a new card: stability w2 = 2.3065 days; at 90% retention the interval is the
    # stability, rounded to whole days.
    assert card(engine, "shape").due == T0 + timedelta(days=2)
    schedule = schedule_of(engine=engine, learner_id=ME, catalog=CATALOG)
    assert schedule.due(T0 + timedelta(days=1)) == []
    assert schedule.next_due(T0) == T0 + timedelta(days=2)
    assert due_count(engine=engine, learner_id=ME, catalog=CATALOG, now=T0) == 0


def test_a_right_answer_after_a_wrong_one_shows_on_the_forecast(engine: Engine) -> None:
    answer(engine, "shape", correct=False, at=T0)
    answer(engine, "shape", correct=True, at=T0 + timedelta(minutes=5))
    # Again gave stability w0 = 0.212; Good the same day barely raises it, and an interval
    # is at least one day: due tomorrow.
    assert card(engine, "shape").due == T0 + timedelta(days=1, minutes=5)
    schedule = schedule_of(engine=engine, learner_id=ME, catalog=CATALOG)
    forecast = schedule.forecast(T0.date(), days=30)
    assert len(forecast) == 30
    assert forecast[1] == 1 and sum(forecast) == 1


def test_a_right_answer_after_a_hint_rates_hard(engine: Engine) -> None:
    answer(engine, "shape", correct=True, used_hint=True, at=T0)
    with session_scope(engine) as session:
        ratings = session.exec(select(ReviewLog.rating)).all()
    assert ratings == [2]  # Hard
    assert card(engine, "shape").state == 1  # still learning: it comes back, unlike Good


def test_forecast_counts_overdue_reviews_today(engine: Engine) -> None:
    answer(engine, "shape", correct=False, at=T0)
    answer(engine, "dtype", correct=True, at=T0)
    schedule = schedule_of(engine=engine, learner_id=ME, catalog=CATALOG)
    later = (T0 + timedelta(days=5)).date()
    assert schedule.forecast(later, days=3) == [2, 0, 0]


def test_mastery_is_review_state_with_retrievability_at_least_90_percent(engine: Engine) -> None:
    answer(engine, "shape", correct=True, at=T0)  # Review state, stability 2.3065
    answer(engine, "dtype", correct=False, at=T0)  # learning: never mastered
    basics = CATALOG.topic("basics")
    assert basics is not None
    schedule = schedule_of(engine=engine, learner_id=ME, catalog=CATALOG)
    # R(t) = (1 + F t / S) ** -0.1542 with F = 0.9 ** (1 / -0.1542) - 1, t in whole days.
    factor = 0.9 ** (1 / -0.1542) - 1

    def retrievability(days: int) -> float:
        return float((1 + factor * days / 2.3065) ** -0.1542)

    assert math.isclose(retrievability(2), 0.9095, abs_tol=1e-4)
    assert math.isclose(retrievability(3), 0.8809, abs_tol=1e-4)
    assert schedule.mastered(basics, T0) == 1
    assert schedule.mastered(basics, T0 + timedelta(days=2)) == 1
    assert schedule.mastered(basics, T0 + timedelta(days=3)) == 0


def test_rebuilding_from_the_logs_reproduces_the_cards(engine: Engine) -> None:
    answer(engine, "shape", correct=False, at=T0)
    answer(engine, "shape", correct=True, at=T0 + timedelta(minutes=3))
    answer(engine, "shape", correct=True, at=T0 + timedelta(days=1, hours=2))
    answer(engine, "dtype", correct=True, at=T0 + timedelta(hours=1))
    answer(engine, "dtype", correct=False, at=T0 + timedelta(days=4))
    answer(engine, "even-shapes", topic="kinds", correct=True, used_hint=True, at=T0)
    answer(engine, "gone", topic="removed-topic", correct=True, at=T0)  # not in the catalog

    def snapshot() -> list[tuple[object, ...]]:
        with session_scope(engine) as session:
            rows = session.exec(select(ReviewCard).order_by(ReviewCard.question_id)).all()
        return [
            (r.topic_id, r.question_id, r.state, r.step, r.stability, r.difficulty, r.due)
            for r in rows
        ]

    before = snapshot()
    assert len(before) == 4
    with session_scope(engine) as session:
        session.exec(select(ReviewCard)).all()  # cards loaded in the session must not clash
        assert rebuild_cards(session=session, learner_id=ME) == 4
    assert snapshot() == before


def test_questions_gone_from_the_catalog_are_left_out(engine: Engine) -> None:
    answer(engine, "gone", topic="basics", correct=False, at=T0)
    answer(engine, "any", topic="removed-topic", correct=False, at=T0)
    schedule = schedule_of(engine=engine, learner_id=ME, catalog=CATALOG)
    assert schedule.questions == []
    assert schedule.forecast(date(2026, 3, 2)) == [0] * 30
    assert due_count(engine=engine, learner_id=ME, catalog=CATALOG, now=T0) == 0


def test_a_review_time_without_a_time_zone_is_refused(engine: Engine) -> None:
    with pytest.raises(ValueError, match="needs a time zone"):
        answer(engine, "shape", correct=True, at=datetime(2026, 3, 2, 9, 0))
