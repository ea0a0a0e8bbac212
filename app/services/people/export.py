"""Everything stored about a learner, as plain data they can take with them."""

import json
from typing import Any

from sqlalchemy import Engine
from sqlmodel import col, select

from app.store.database import session_scope
from app.store.models import Attempt, Learner
from app.store.review import ReviewCard, ReviewLog


def _loaded(text: str | None) -> Any:
    try:
        return json.loads(text) if text else None
    except ValueError:
        return text


def export_learner(*, engine: Engine, learner_id: str) -> dict[str, Any]:
    """The learner, every attempt (answer, verdict, details, time taken), oldest first,
    the review cards and the review log.
    A visitor who never answered has nothing stored, and gets an empty export."""
    with session_scope(engine) as session:
        learner = session.get(Learner, learner_id)
        attempts = session.exec(
            select(Attempt).where(Attempt.learner_id == learner_id).order_by(col(Attempt.id))
        ).all()
        cards = session.exec(
            select(ReviewCard)
            .where(ReviewCard.learner_id == learner_id)
            .order_by(col(ReviewCard.due))
        ).all()
        logs = session.exec(
            select(ReviewLog)
            .where(ReviewLog.learner_id == learner_id)
            .order_by(col(ReviewLog.reviewed_at), col(ReviewLog.id))
        ).all()
    return {
        "learner": {
            "id": learner_id,
            "username": learner.username if learner else None,
            "created_at": learner.created_at.isoformat() if learner else None,
            "stored": learner is not None,
        },
        "attempts": [
            {
                "topic_id": a.topic_id,
                "question_id": a.question_id,
                "answer": _loaded(a.answer),
                "correct": a.correct,
                "detail": _loaded(a.detail),
                "time_taken_ms": a.time_taken_ms,
                "hints_seen": a.hints_seen,
                "variant_seed": a.variant_seed,
                "created_at": a.created_at.isoformat(),
            }
            for a in attempts
        ],
        "review_cards": [card.model_dump(mode="json", exclude={"learner_id"}) for card in cards],
        "review_log": [log.model_dump(mode="json", exclude={"learner_id", "id"}) for log in logs],
    }
