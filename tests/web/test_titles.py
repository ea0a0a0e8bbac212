"""Tab titles name the page, the topic and the question; every page has the favicon."""

import re

import pytest
from fastapi.testclient import TestClient

from tests.helpers import Learner


def title(html: str) -> str:
    match = re.search(r"<title>(.*?)</title>", html, re.S)
    assert match, "the page has a title"
    return match.group(1)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/", "Topics · torchquiz"),
        ("/topics/basics", "Tensor basics · torchquiz"),
        (
            "/topics/basics/questions/shape",
            "Question 1 of 2: What is the shape of torch.zeros(2, 3)? · Tensor basics · torchquiz",
        ),
        ("/progress", "Your progress · torchquiz"),
        ("/no-such-page", "Not found · torchquiz"),
    ],
)
def test_titles_name_the_page(client: TestClient, path: str, expected: str) -> None:
    html = client.get(path).text
    assert title(html) == expected
    # The URL carries the file's content hash, so browsers may keep it for good.
    assert re.search(
        r'<link rel="icon" href="/static/favicon\.svg\?v=[0-9a-f]+" type="image/svg\+xml">', html
    ), html[:600]


def test_feedback_title_says_the_verdict_and_the_question(
    client: TestClient, learner: Learner
) -> None:
    learner.answer("basics", "shape", "b")
    html = client.get("/topics/basics/questions/shape/feedback").text
    assert title(html) == "Correct: question 1 of 2 · Tensor basics · torchquiz"


def test_the_favicon_is_served(client: TestClient) -> None:
    response = client.get("/static/favicon.svg")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
