"""Per-question statistics for authors, from each learner's first attempt (as Moodle does):
facility, discrimination, distractors, common wrong values and failure classes.

Everything is aggregated in SQL, two statements per topic, whatever the number of
attempts; Python only lays out the few rows they return.
"""

import math
from collections import defaultdict

from pydantic import BaseModel, Field
from sqlalchemy import Engine, text

from app.content import (
    Catalog,
    ChoiceQuestion,
    MultiQuestion,
    OptionsQuestion,
    PredictQuestion,
    Question,
    QuestionKind,
    Topic,
)
from app.store.database import session_scope

MIN_LEARNERS_FOR_DISCRIMINATION = 5
NEVER_PICKED_AFTER = 20  # learners before an option nobody picks is worth a flag
TOO_EASY, TOO_HARD = 0.95, 0.2

# First attempts of each learner at each question of one topic, then per question: how
# many attempts and learners, the share right, the sums behind a point-biserial
# correlation with the learner's score on the rest of the topic, and the median time.
_PER_QUESTION = text(
    """
    WITH numbered AS (
        SELECT learner_id, question_id, time_taken_ms,
               CASE WHEN correct THEN 1 ELSE 0 END AS x,
               CASE WHEN hints_seen > 0 THEN 1 ELSE 0 END AS hinted,
               ROW_NUMBER() OVER (PARTITION BY learner_id, question_id ORDER BY id) AS n
        FROM attempt WHERE topic_id = :topic
    ),
    firsts AS MATERIALIZED (SELECT * FROM numbered WHERE n = 1),
    scores AS (SELECT learner_id, SUM(x) AS score FROM firsts GROUP BY learner_id),
    pairs AS (
        SELECT f.question_id, f.x, s.score - f.x AS y, f.hinted
        FROM firsts f JOIN scores s ON s.learner_id = f.learner_id
    ),
    sums AS (
        SELECT question_id, COUNT(*) AS n, SUM(x) AS sx, SUM(y) AS sy, SUM(x * y) AS sxy,
               SUM(x * x) AS sxx, SUM(y * y) AS syy, SUM(hinted) AS hinted
        FROM pairs GROUP BY question_id
    ),
    timed AS (
        SELECT question_id, time_taken_ms AS t,
               ROW_NUMBER() OVER (PARTITION BY question_id ORDER BY time_taken_ms) AS r,
               COUNT(*) OVER (PARTITION BY question_id) AS c
        FROM firsts WHERE time_taken_ms IS NOT NULL
    ),
    medians AS (
        SELECT question_id, AVG(t) AS median_ms FROM timed
        WHERE r IN ((c + 1) / 2, (c + 2) / 2) GROUP BY question_id
    ),
    counts AS (
        SELECT question_id, COUNT(*) AS attempts FROM attempt WHERE topic_id = :topic
        GROUP BY question_id
    )
    SELECT sums.question_id, counts.attempts, sums.n, sums.sx, sums.sy, sums.sxy, sums.sxx,
           sums.syy, sums.hinted, medians.median_ms
    FROM sums JOIN counts ON counts.question_id = sums.question_id
    LEFT JOIN medians ON medians.question_id = sums.question_id
    """
)

# How first attempts were answered: the option(s) picked, the wrong value, how code failed.
_OUTCOMES = text(
    """
    WITH numbered AS (
        SELECT question_id, outcome,
               ROW_NUMBER() OVER (PARTITION BY learner_id, question_id ORDER BY id) AS n
        FROM attempt WHERE topic_id = :topic
    )
    SELECT question_id, COALESCE(outcome, 'unknown') AS outcome, COUNT(*) AS count
    FROM numbered WHERE n = 1 GROUP BY question_id, COALESCE(outcome, 'unknown')
    """
)


class OptionShare(BaseModel):
    id: str
    correct: bool
    share: float = Field(description="Share of first attempts that picked it.")
    flag: str | None = None


class Count(BaseModel):
    value: str
    count: int


class QuestionStats(BaseModel):
    id: str
    kind: QuestionKind
    attempts: int = Field(description="Every attempt, retries included.")
    learners: int = Field(description="Learners who answered it (one first attempt each).")
    facility: float | None = Field(description="Share of learners right at the first attempt.")
    discrimination: float | None = Field(
        description="Point-biserial correlation of first-attempt correctness with the score "
        f"on the rest of the topic; null below {MIN_LEARNERS_FOR_DISCRIMINATION} learners."
    )
    median_time_ms: float | None
    hint_use: float | None = Field(description="Share of first attempts made after a hint.")
    options: list[OptionShare] = Field(default_factory=list, description="choice, multi")
    wrong_values: list[Count] = Field(default_factory=list, description="predict")
    failures: list[Count] = Field(default_factory=list, description="code")
    flags: list[str] = Field(default_factory=list, description="What an author can act on.")


class TopicStats(BaseModel):
    topic_id: str
    title: str
    questions: list[QuestionStats]


def _correlation(n: int, sx: int, sy: int, sxy: int, sxx: int, syy: int) -> float | None:
    if n < MIN_LEARNERS_FOR_DISCRIMINATION:
        return None
    spread = (n * sxx - sx * sx) * (n * syy - sy * sy)
    if spread <= 0:
        return None  # everyone right (or wrong), or no spread in the rest: undefined
    return round((n * sxy - sx * sy) / math.sqrt(spread), 4)


def _options(question: OptionsQuestion, picks: dict[str, int], learners: int) -> list[OptionShare]:
    per_option: dict[str, int] = defaultdict(int)
    for picked, count in picks.items():
        for option_id in picked.split(","):
            per_option[option_id] += count
    right = max((per_option[o.id] for o in question.options if o.correct), default=0)
    shares = []
    for option in question.options:
        chosen = per_option[option.id]
        flag = None
        if not option.correct and chosen > right:
            flag = "a wrong option picked more often than the right one"
        elif chosen == 0 and learners >= NEVER_PICKED_AFTER:
            flag = f"never picked by {learners} learners"
        share = round(chosen / learners, 4) if learners else 0.0
        shares.append(OptionShare(id=option.id, correct=option.correct, share=share, flag=flag))
    return shares


def _wrong(outcomes: dict[str, int], top: int) -> list[Count]:
    ranked = sorted(((v, c) for v, c in outcomes.items() if v != "right"), key=lambda p: -p[1])
    return [Count(value=value, count=count) for value, count in ranked[:top]]


def _question_stats(
    question: Question, row: tuple[int, ...] | None, outcomes: dict[str, int]
) -> QuestionStats:
    attempts, n, sx, sy, sxy, sxx, syy, hinted, median = row or (0,) * 8 + (None,)
    facility = round(sx / n, 4) if n else None
    stats = QuestionStats(
        id=question.id,
        kind=question.kind,
        attempts=attempts,
        learners=n,
        facility=facility,
        discrimination=_correlation(n, sx, sy, sxy, sxx, syy),
        median_time_ms=float(median) if median is not None else None,
        hint_use=round(hinted / n, 4) if n else None,
    )
    if isinstance(question, ChoiceQuestion | MultiQuestion):
        stats.options = _options(question, outcomes, n)
    elif isinstance(question, PredictQuestion):
        stats.wrong_values = _wrong(outcomes, 5)
    else:
        stats.failures = _wrong(outcomes, 10)
    if facility is not None and facility > TOO_EASY:
        stats.flags.append(f"too easy: {facility:.0%} right at the first attempt")
    if facility is not None and facility < TOO_HARD:
        stats.flags.append(f"too hard: {facility:.0%} right at the first attempt")
    if stats.discrimination is not None and stats.discrimination < 0:
        stats.flags.append("negative discrimination: strong learners miss it more often")
    stats.flags.extend(f"option {o.id}: {o.flag}" for o in stats.options if o.flag)
    return stats


def topic_stats(*, engine: Engine, topic: Topic) -> TopicStats:
    """The statistics of every question of `topic` (questions nobody answered included)."""
    with session_scope(engine) as session:
        rows = session.execute(_PER_QUESTION, {"topic": topic.id}).all()
        outcome_rows = session.execute(_OUTCOMES, {"topic": topic.id}).all()
    # attempts, n, the five sums and the hinted are counts; the median may be missing
    by_question = {r[0]: (*(int(v) for v in r[1:9]), r[9]) for r in rows}
    outcomes: dict[str, dict[str, int]] = defaultdict(dict)
    for question_id, outcome, count in outcome_rows:
        outcomes[question_id][outcome] = int(count)
    return TopicStats(
        topic_id=topic.id,
        title=topic.title,
        questions=[
            _question_stats(q, by_question.get(q.id), outcomes[q.id]) for q in topic.questions
        ],
    )


def catalog_stats(
    *, engine: Engine, catalog: Catalog, topic_id: str | None = None
) -> list[TopicStats]:
    """Statistics of one topic, or of every topic in study order."""
    topics = [t for t in catalog.topics if topic_id is None or t.id == topic_id]
    return [topic_stats(engine=engine, topic=t) for t in topics]
