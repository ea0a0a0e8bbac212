"""How much a learner answered, day by day (UTC days)."""

from collections import Counter
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Engine
from sqlmodel import col, select

from app.store.database import session_scope
from app.store.models import Attempt


def answers_per_day(*, engine: Engine, learner_id: str, first: date, days: int) -> list[int]:
    """The learner's answers on each of `days` UTC days from `first` on."""
    start = datetime.combine(first, time(), tzinfo=UTC)
    end = start + timedelta(days=days)
    with session_scope(engine) as session:
        moments = session.exec(
            select(Attempt.created_at).where(
                Attempt.learner_id == learner_id,
                col(Attempt.created_at) >= start,
                col(Attempt.created_at) < end,
            )
        ).all()
    counts = Counter((moment.astimezone(UTC).date() - first).days for moment in moments)
    return [counts[offset] for offset in range(days)]
