"""The public shapes of every page: the HTML templates and the JSON twins render the same models.

Nothing here carries correctness, steps or misconceptions except `Feedback`, which
only exists once the learner has answered.
"""

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.content import QuestionKind
from app.services.answering.grades import RunStatus


class Public(BaseModel):
    model_config = ConfigDict(frozen=True)


class ProgressPublic(Public):
    answered: int
    correct: int
    total: int
    percent: int
    done: bool


class TopicRef(Public):
    id: str
    title: str
    url: str


class TopicSummary(TopicRef):
    step: int = Field(description="Position on the study path (1 = first).")
    summary: str
    level: str
    tags: list[str]
    requires: list[TopicRef]
    question_count: int
    progress: ProgressPublic


class LevelGroup(Public):
    level: str
    topics: list[TopicSummary]


class OptionPublic(Public):
    id: str
    text: str
    text_html: str


class RunPublic(Public):
    status: RunStatus
    stdout: str
    stderr: str
    truncated: bool
    duration_ms: float
    reason: str | None = Field(description="Why the run was stopped, in words.")


class SnippetPublic(Public):
    id: str
    code: str
    code_html: str
    output: RunPublic | None = Field(description="The real output; None when runs are off.")


class LessonPart(Public):
    html: str | None = None
    snippet: SnippetPublic | None = None


class QuestionPublic(Public):
    id: str
    kind: QuestionKind
    prompt: str
    prompt_html: str
    code: SnippetPublic | None
    options: list[OptionPublic] = Field(description="For choice and multi questions.")
    starter: str | None = Field(description="For code questions: the code the editor starts with.")
    url: str
    answer_url: str = Field(description="POST the answer here as JSON with an X-CSRF-Token header.")


class QuestionLink(Public):
    id: str
    number: int
    url: str
    status: Literal["unanswered", "correct", "incorrect"] = Field(
        description="The learner's latest answer."
    )


class HomePage(Public):
    topics: list[TopicSummary] = Field(description="Every topic, in study order.")
    levels: list[LevelGroup] = Field(description="The same topics grouped by level.")
    next_topic: TopicRef | None = Field(
        description="Where to continue: the first unfinished topic whose requirements are done."
    )
    content_errors: list[str] = Field(
        default_factory=list, description="Broken quiz files, listed in development mode only."
    )
    reviews_due: int = Field(default=0, description="Questions due for review now.")


class TopicPage(Public):
    topic: TopicSummary
    lesson: list[LessonPart]
    questions: list[QuestionLink]
    next_question_url: str | None = Field(description="The first question not yet answered.")
    previous_topic: TopicRef | None = Field(description="The topic before this one on the path.")
    next_topic: TopicRef | None = Field(description="The topic after this one on the path.")
    reviews_due: int = Field(
        default=0, description="Questions due for review now (as the navigation shows)."
    )


class HintPublic(Public):
    text: str
    html: str


class HintsPublic(Public):
    revealed: list[HintPublic] = Field(description="The hints revealed so far, in order.")
    total: int = Field(description="How many hints the question has.")
    hint_url: str | None = Field(
        description="POST here (X-CSRF-Token header) to reveal the next hint; None when "
        "the question has none."
    )


class QuestionPage(Public):
    topic: TopicRef
    question: QuestionPublic
    number: int
    count: int
    hints: HintsPublic
    variant: int | None = Field(
        default=None,
        description="For a question with variants: the seed of the learner's variant; send "
        "it back as the answer's `variant`, so that the answer is graded against it.",
    )
    shown_at: int = Field(
        description="When the page was built (ms since the epoch): send it back as the "
        "answer's `shown_at`, and the time taken is recorded."
    )
    idempotency_key: str = Field(
        description="A fresh key for the answer's Idempotency-Key header: a repeated submit "
        "with it is recorded once."
    )
    reviews_due: int = Field(
        default=0, description="Questions due for review now (as the navigation shows)."
    )


class StepPublic(Public):
    title: str | None
    text: str
    text_html: str


class ScorePublic(Public):
    correct: int
    total: int


class MisconceptionPublic(Public):
    option_id: str | None = Field(description="The option it explains; None for a code answer.")
    text: str
    html: str


class Feedback(Public):
    correct: bool
    kind: QuestionKind
    topic: TopicRef
    question: QuestionPublic
    number: int
    count: int
    chosen: list[OptionPublic] = Field(description="choice, multi: the options picked.")
    missed: list[OptionPublic] = Field(description="multi: correct options not picked.")
    correct_options: list[OptionPublic]
    misconceptions: list[MisconceptionPublic] = Field(
        description="What each wrong pick, or the known mistake a code answer matches, reveals."
    )
    reason: str | None = Field(description="Why the answer is wrong, when words say it best.")
    value: str | None = Field(description="predict: what the learner typed.")
    expected: str | None = Field(
        description="predict: the real output; code: what the check printed after the solution."
    )
    code: str | None = Field(description="code: the learner's code.")
    run: RunPublic | None = Field(description="code: the run of the learner's code.")
    observed: str | None = Field(
        description="code: what the check printed after the learner's code."
    )
    difference: str | None = Field(
        default=None,
        description="code, when wrong: how the first value the check shows differs from the "
        "reference's (shape, dtype, or the largest difference and where).",
    )
    solution: SnippetPublic | None = Field(description="code: the reference solution.")
    hints_seen: int | None = Field(
        default=None,
        description="How many hints were revealed before this answer (None: answered "
        "before hints existed).",
    )
    steps: list[StepPublic]
    answer: str = Field(description="The final answer, as text.")
    quick_check: str
    quick_check_html: str
    mistakes: list[str]
    mistakes_html: list[str]
    next_url: str | None
    next_topic: TopicRef | None = Field(description="After the last question: the next topic.")
    score: ScorePublic | None = Field(description="The topic's score, after its last question.")
    reviews_due: int = Field(
        default=0, description="Other questions due for review now: what 'Next review' leads to."
    )


class AttemptPublic(Public):
    topic_id: str
    question_id: str
    answer: str
    correct: bool
    created_at: datetime


class TopicMastery(Public):
    topic_id: str
    title: str
    mastered: int = Field(
        description="Questions whose card is in review with a retrievability of at least 0.9."
    )
    total: int
    share: float = Field(description="mastered / total, 0 to 1.")


class DayCount(Public):
    day: date = Field(description="A UTC day.")
    count: int


class ProgressPage(Public):
    topics: list[TopicSummary]
    attempts: list[AttemptPublic]
    mastery: list[TopicMastery] = Field(description="Per topic, in study order.")
    activity: list[DayCount] = Field(
        description="Answers per day over the last 12 weeks (84 days, oldest first, ending today)."
    )
    forecast: list[DayCount] = Field(
        description="Reviews due per day over the next 30 days; overdue ones count today."
    )


class DueQuestion(Public):
    topic_id: str
    question_id: str
    url: str
    due: datetime
    topic_title: str
    number: int = Field(description="The question's number in its topic.")


class ReviewPage(Public):
    due_count: int
    due: list[DueQuestion] = Field(description="Questions due now (due <= now), oldest first.")
    next_due: datetime | None = Field(
        description="When the next question not yet due becomes due; None if none is scheduled."
    )
    current: QuestionPage | None = Field(
        description="The first due question, as its page shows it (without the answer)."
    )
