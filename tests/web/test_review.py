"""The review queue through HTTP: /api/review and /review, the count in the navigation and
on the home page, "Next review" on the feedback page, and the numbers of /api/progress."""

from datetime import UTC, date, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from app.config import Settings
from tests.helpers import Learner, csrf_from, template_name


def review(client: TestClient) -> dict[str, Any]:
    response = client.get("/api/review")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def test_nothing_is_due_before_any_answer(client: TestClient) -> None:
    assert review(client) == {"due_count": 0, "due": [], "next_due": None, "current": None}
    html = client.get("/review").text
    assert "Nothing to review now." in html
    assert "No question is scheduled yet" in html


def test_a_wrong_answer_is_due_at_once_and_listed(learner: Learner) -> None:
    before = datetime.now(UTC)
    learner.answer("basics", "shape", "a")  # wrong
    page = review(learner.client)
    assert page["due_count"] == 1
    [due] = page["due"]
    assert {k: due[k] for k in ("topic_id", "question_id", "url")} == {
        "topic_id": "basics",
        "question_id": "shape",
        "url": "/topics/basics/questions/shape",
    }
    assert before <= datetime.fromisoformat(due["due"]) <= datetime.now(UTC)
    assert page["next_due"] is None
    assert page["current"]["question"]["id"] == "shape"


def test_a_right_answer_pushes_the_question_days_out(learner: Learner) -> None:
    before = datetime.now(UTC)
    learner.answer("basics", "shape", "b")  # right
    page = review(learner.client)
    assert page["due_count"] == 0 and page["due"] == []
    next_due = datetime.fromisoformat(str(page["next_due"]))
    assert before + timedelta(days=2) <= next_due <= datetime.now(UTC) + timedelta(days=2)
    html = learner.client.get("/review").text
    assert "Nothing to review now." in html and "The next review is due" in html


def test_due_questions_come_oldest_first(learner: Learner) -> None:
    learner.answer("basics", "dtype", "b")
    learner.answer("basics", "shape", "a")
    assert [d["question_id"] for d in review(learner.client)["due"]] == ["dtype", "shape"]


def test_the_review_page_walks_the_due_questions(client: TestClient) -> None:
    learner = Learner(client)
    learner.answer("basics", "shape", "a")
    learner.answer("basics", "dtype", "b")
    response = client.get("/review")
    assert template_name(response) == "review.html"
    html = response.text
    assert "<strong>2</strong> questions due" in html
    assert 'action="/topics/basics/questions/shape"' in html  # the first one, ready to answer
    assert 'href="/topics/basics/questions/dtype"' in html  # the next one, listed
    assert 'name="review" value="1"' in html
    form = {"choice": "b", "csrf_token": csrf_from(html), "review": "1"}
    posted = client.post("/topics/basics/questions/shape", data=form, follow_redirects=False)
    assert posted.headers["location"] == "/topics/basics/questions/shape/feedback?review=1"
    feedback = client.get(posted.headers["location"]).text
    assert "Correct" in feedback
    assert 'class="button review-next" href="/review">Next review (1 due)</a>' in feedback
    html = client.get("/review").text
    assert 'action="/topics/basics/questions/dtype"' in html
    assert "<strong>1</strong> question due" in html
    form = {"choice": "b", "csrf_token": csrf_from(html), "review": "1"}
    feedback = client.post("/topics/basics/questions/dtype", data=form).text
    assert "Incorrect" in feedback
    # Only the question just answered wrong is due: the walk is over for now.
    assert 'href="/review">Back to the review</a>' in feedback


def test_feedback_while_learning_keeps_to_the_topic(client: TestClient) -> None:
    learner = Learner(client)
    learner.answer("basics", "dtype", "b")  # wrong: due
    feedback = learner.answer("basics", "shape", "a")  # wrong too
    assert feedback["reviews_due"] == 1  # the other one, not this one
    html = client.get("/topics/basics/questions/shape/feedback").text
    assert '<a class="button" href="/topics/basics/questions/dtype">Next question</a>' in html
    assert 'class="button secondary review-next" href="/review">Review (1 due)</a>' in html


def test_navigation_and_home_show_the_count(learner: Learner) -> None:
    learner.answer("basics", "shape", "a")
    home = learner.client.get("/").text
    assert 'href="/review">Review <span class="badge" aria-label="1 due">1</span>' in home
    assert "Review (1 due)" in home
    assert learner.client.get("/api/topics").json()["reviews_due"] == 1
    assert "Continue with Tensor basics" in home  # learning new material stays one click away


def test_progress_carries_the_numbers_of_the_charts(learner: Learner) -> None:
    learner.answer("basics", "shape", "a")
    learner.answer("basics", "shape", "b")  # right after wrong: due tomorrow
    learner.answer("basics", "dtype", "a")  # right at once: in review, due in two days
    progress = learner.client.get("/api/progress").json()
    today = datetime.now(UTC).date()
    assert [(m["topic_id"], m["mastered"], m["total"]) for m in progress["mastery"]] == [
        ("basics", 2, 2),
        ("kinds", 0, 7),
    ]
    assert progress["mastery"][0]["share"] == 1.0
    activity = progress["activity"]
    assert len(activity) == 84
    assert date.fromisoformat(activity[-1]["day"]) == today
    assert date.fromisoformat(activity[0]["day"]) == today - timedelta(days=83)
    assert [d["count"] for d in activity][-1] == 3 and sum(d["count"] for d in activity) == 3
    forecast = [d["count"] for d in progress["forecast"]]
    assert date.fromisoformat(progress["forecast"][0]["day"]) == today
    assert forecast == [0, 1, 1] + [0] * 27


def test_progress_page_draws_three_accessible_charts(learner: Learner) -> None:
    learner.answer("basics", "shape", "a")
    html = learner.client.get("/progress").text
    for chart in ("mastery", "activity", "forecast"):
        assert f'id="chart-{chart}" role="img"' in html
        assert f'aria-labelledby="chart-{chart}-title chart-{chart}-desc"' in html
        assert f'<title id="chart-{chart}-title">' in html
    assert "mastery-table" in html and "activity-table" in html and "forecast-table" in html
    assert "0 of 9 questions mastered across 2 topics." in html
    assert "1 answer on 1 of 84 days" in html


def test_pages_that_show_reviews_write_nothing(settings: Settings, learner: Learner) -> None:
    learner.answer("basics", "shape", "a")
    engine = create_engine(settings.resolved_database_url)

    def rows() -> tuple[int, int]:
        with engine.connect() as database:
            cards = database.execute(text("select count(*) from review_card")).scalar()
            logs = database.execute(text("select count(*) from review_log")).scalar()
        return int(cards or 0), int(logs or 0)

    assert rows() == (1, 1)
    for path in ("/review", "/api/review", "/progress", "/api/progress", "/"):
        assert learner.client.get(path).status_code == 200
    assert rows() == (1, 1)
    engine.dispose()
