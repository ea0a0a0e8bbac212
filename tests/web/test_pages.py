"""HTML pages: templates, contexts, the answer form, 404s and CSRF, through the real app."""

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.helpers import Learner, csrf_from, template_context, template_name


def test_home_lists_topics_with_progress(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert template_name(response) == "home.html"
    page = template_context(response)["page"]
    assert [t.id for t in page.topics] == ["basics", "kinds"]  # kinds requires basics
    assert "Tensor basics" in response.text
    assert "not started" in response.text


def test_topic_page_renders_lesson_with_highlighted_code(client: TestClient) -> None:
    response = client.get("/topics/basics")
    assert template_name(response) == "topic.html"
    assert "<strong>tensor</strong>" in response.text
    assert '<pre class="highlight">' in response.text
    assert 'href="/topics/basics/questions/shape"' in response.text


def test_question_page_is_a_form_without_the_answer(client: TestClient) -> None:
    response = client.get("/topics/basics/questions/shape")
    assert template_name(response) == "question.html"
    html = response.text
    assert html.count('type="radio" name="choice"') == 3
    assert csrf_from(html)
    for secret in ("misconception", "rows first", "Read the call", "Reversing", "correct"):
        assert secret not in html


def test_answer_by_form_redirects_to_full_feedback(client: TestClient) -> None:
    token = csrf_from(client.get("/topics/basics/questions/shape").text)
    response = client.post(
        "/topics/basics/questions/shape",
        data={"choice": "a", "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/topics/basics/questions/shape/feedback"
    page = client.get(response.headers["location"])
    assert template_name(page) == "feedback.html"
    html = page.text
    assert "Incorrect" in html
    assert "The arguments are the sizes in order, rows first." in html  # the misconception
    assert "Read the call" in html  # a step
    assert "Final answer" in html and "torch.Size([2, 3])" in html
    assert "zeros(2, 3).shape = (2, 3)" in html  # the quick check
    assert "Reversing the dimensions" in html  # a common mistake
    assert 'href="/topics/basics/questions/dtype"' in html  # next question


def test_last_question_shows_the_topic_score(client: TestClient) -> None:
    learner = Learner(client)
    learner.answer("basics", "shape", "b")
    learner.answer("basics", "dtype", "b")
    html = client.get("/topics/basics/questions/dtype/feedback").text
    assert "Topic complete" in html
    assert "1 of 2" in html


def test_form_without_a_choice_asks_again(client: TestClient) -> None:
    token = csrf_from(client.get("/topics/basics/questions/shape").text)
    response = client.post("/topics/basics/questions/shape", data={"csrf_token": token})
    assert response.status_code == 422
    assert "pick one of the options" in response.text


def test_form_with_a_forged_token_is_refused(client: TestClient) -> None:
    client.get("/")
    response = client.post(
        "/topics/basics/questions/shape", data={"choice": "b", "csrf_token": "forged"}
    )
    assert response.status_code == 403
    assert "CSRF" in response.text
    assert client.get("/api/progress").json()["attempts"] == []


def test_feedback_before_answering_goes_to_the_question(client: TestClient) -> None:
    response = client.get("/topics/basics/questions/shape/feedback", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/topics/basics/questions/shape"


@pytest.mark.parametrize(
    "path",
    [
        "/topics/nope",
        "/topics/basics/questions/nope",
        "/topics/basics/questions/nope/feedback",
        "/no/such/page",
    ],
)
def test_unknown_pages_are_a_404_page(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert template_name(response) == "error.html"
    assert "Page not found" in response.text


def test_progress_page_lists_answers(client: TestClient) -> None:
    Learner(client).answer("basics", "shape", "b")
    response = client.get("/progress")
    assert template_name(response) == "progress.html"
    assert "1/2 correct" in response.text
    assert "✓ correct" in response.text


def test_home_groups_topics_by_level_and_points_at_the_next_one(client: TestClient) -> None:
    page = client.get("/api/topics").json()
    assert [g["level"] for g in page["levels"]] == ["beginner"]
    assert [t["step"] for t in page["topics"]] == [1, 2]
    assert page["next_topic"]["id"] == "basics"
    learner = Learner(client)
    learner.answer("basics", "shape", "b")
    learner.answer("basics", "dtype", "a")
    assert client.get("/api/topics").json()["next_topic"]["id"] == "kinds"
    html = client.get("/").text
    assert "Continue with Every kind of question" in html


def test_topic_page_links_along_the_path(client: TestClient) -> None:
    first = client.get("/api/topics/basics").json()
    assert first["previous_topic"] is None and first["next_topic"]["id"] == "kinds"
    html = client.get("/topics/kinds").text
    assert 'href="/topics/basics">← Tensor basics</a>' in html


def test_shared_renderings_show_each_learner_their_own_progress(app: FastAPI) -> None:
    # Topic cards are built and rendered once per progress and shared between learners:
    # each learner must still see their own numbers, and a new answer must show at once.
    with TestClient(app) as first, TestClient(app) as second:
        Learner(first).answer("basics", "shape", "a")
        mine, theirs = first.get("/").text, second.get("/").text
        assert "1 answered" in mine and "1 answered" not in theirs
        assert theirs.count("not started") == mine.count("not started") + 1
        Learner(second).answer("basics", "shape", "a")
        assert second.get("/").text.count("not started") == mine.count("not started")
        assert first.get("/").text == mine  # the first learner's page, as it was
