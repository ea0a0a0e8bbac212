"""Accounts through HTTP: sign up, log in, log out, merging anonymous work, throttling,
the learner's own data; on SQLite and PostgreSQL."""

import time
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from app.config import Settings
from tests.helpers import Learner, csrf_from, template_name

ANSWER = "/api/topics/basics/questions/shape/answer"


def post(
    learner: Learner, path: str, body: dict[str, object], method: str = "POST"
) -> httpx.Response:
    return learner.client.request(method, path, json=body, headers={"X-CSRF-Token": learner.csrf})


def sign_up(
    learner: Learner, username: str = "Ada", password: str = "correct horse"
) -> dict[str, Any]:
    response = learner.client.post(
        "/api/account",
        json={"username": username, "password": password},
        headers={"X-CSRF-Token": learner.csrf},
    )
    assert response.status_code == 201, response.text
    learner._token = response.json()["csrf_token"]  # the learner changed: so did the token
    body: dict[str, Any] = response.json()
    return body


def log_in(learner: Learner, username: str, password: str) -> httpx.Response:
    response = learner.client.post(
        "/api/login",
        json={"username": username, "password": password},
        headers={"X-CSRF-Token": learner.csrf},
    )
    if response.status_code == 200:
        learner._token = response.json()["csrf_token"]
    return response


def log_out(learner: Learner) -> None:
    response = learner.client.post("/api/logout", headers={"X-CSRF-Token": learner.csrf})
    assert response.status_code == 200, response.text
    learner._token = response.json()["csrf_token"]


def answered(learner: Learner) -> list[tuple[str, bool]]:
    attempts = learner.client.get("/api/progress").json()["attempts"]
    return [(a["question_id"], a["correct"]) for a in attempts]


def rows(settings: Settings, sql: str) -> list[tuple[Any, ...]]:
    engine = create_engine(settings.resolved_database_url)
    with engine.connect() as connection:
        found = [tuple(r) for r in connection.execute(text(sql))]
    engine.dispose()
    return found


def test_sign_up_keeps_what_was_answered_anonymously(learner: Learner, settings: Settings) -> None:
    learner.answer("basics", "shape", "b")
    info = sign_up(learner, "Ada.L", "correct horse")
    assert info["username"] == "ada.l"  # case-insensitive: stored lowercase
    assert answered(learner) == [("shape", True)]
    stored = rows(settings, "select username, password_hash from learner")
    assert len(stored) == 1 and stored[0][0] == "ada.l"
    assert stored[0][1].startswith("$argon2id$")  # the password itself is never stored


def test_log_out_then_log_in_from_a_fresh_browser(app: FastAPI, learner: Learner) -> None:
    learner.answer("basics", "shape", "a")
    sign_up(learner)
    log_out(learner)
    assert answered(learner) == []  # a new anonymous visitor
    with TestClient(app) as other:
        fresh = Learner(other)
        assert log_in(fresh, "ADA", "correct horse").status_code == 200
        assert answered(fresh) == [("shape", False)]
        assert "ada" in other.get("/").text  # the navigation says who is signed in


def test_logging_in_merges_anonymous_attempts_into_the_account(
    app: FastAPI, learner: Learner, settings: Settings
) -> None:
    learner.answer("basics", "shape", "a")
    sign_up(learner)
    log_out(learner)
    with TestClient(app) as other:
        elsewhere = Learner(other)
        elsewhere.answer("basics", "dtype", "a")  # anonymous work on another device
        elsewhere.answer("basics", "shape", "b")  # ...and the account's wrong one, now right
        assert log_in(elsewhere, "ada", "correct horse").status_code == 200
        assert sorted(answered(elsewhere)) == [("dtype", True), ("shape", False), ("shape", True)]
        # The cards are replayed from both histories: shape was wrong, then right.
        export = elsewhere.client.get("/api/progress/export").json()
        assert [(r["question_id"], r["rating"]) for r in export["review_log"]] == [
            ("shape", 1),
            ("dtype", 3),
            ("shape", 3),
        ]
        cards = {c["question_id"]: c for c in export["review_cards"]}
        assert sorted(cards) == ["dtype", "shape"]
        assert cards["shape"]["last_review"] > cards["dtype"]["last_review"]
        assert elsewhere.client.get("/api/review").json()["due_count"] == 0
    assert len(rows(settings, "select id from learner")) == 1  # the anonymous one is gone


def test_hints_revealed_anonymously_stay_revealed_after_logging_in(
    app: FastAPI, learner: Learner
) -> None:
    hints = "/api/topics/kinds/questions/even-shapes/hint"
    sign_up(learner)
    assert post(learner, hints, {}).status_code == 200
    log_out(learner)
    with TestClient(app) as other:
        elsewhere = Learner(other)
        for _ in range(2):  # both hints, anonymously on another device
            assert post(elsewhere, hints, {}).status_code == 200
        assert log_in(elsewhere, "ada", "correct horse").status_code == 200
        page = other.get("/api/topics/kinds/questions/even-shapes").json()
        assert len(page["hints"]["revealed"]) == 2


def test_usernames_and_passwords_are_checked(learner: Learner) -> None:
    for username, password, words in [
        ("ab", "long enough", "3 to 32 characters"),
        ("no spaces", "long enough", "3 to 32 characters"),
        ("x" * 33, "long enough", "3 to 32 characters"),
        ("ada", "short", "at least 8 characters"),
    ]:
        response = post(learner, "/api/account", {"username": username, "password": password})
        assert response.status_code == 422, (username, response.text)
        assert words in response.json()["detail"]


def test_a_taken_username_is_409_whatever_its_case(app: FastAPI, learner: Learner) -> None:
    sign_up(learner, "ada")
    with TestClient(app) as other:
        response = post(Learner(other), "/api/account", {"username": "ADA", "password": "12345678"})
        assert response.status_code == 409
        assert "taken" in response.json()["detail"]


def test_wrong_username_and_wrong_password_look_alike(app: FastAPI, learner: Learner) -> None:
    sign_up(learner)
    log_out(learner)
    timings = {}
    for case, (username, password) in {
        "unknown user": ("bob", "correct horse"),
        "wrong password": ("ada", "wrong horse"),
    }.items():
        started = time.perf_counter()
        response = log_in(learner, username, password)
        timings[case] = time.perf_counter() - started
        assert response.status_code == 401
        assert response.json() == {"detail": "wrong username or password"}
    # Both verify one Argon2 hash; no timing assertion (see the benchmarks), but both ran.
    assert all(t > 0 for t in timings.values())


def test_logout_revokes_the_session_everywhere(
    app: FastAPI, learner: Learner, settings: Settings
) -> None:
    sign_up(learner)
    stolen = dict(learner.client.cookies)
    log_out(learner)
    assert rows(settings, "select count(*) from login_session") == [(0,)]
    with TestClient(app, cookies=stolen) as replay:
        assert Learner(replay).client.get("/api/session").status_code == 200
        assert answered(Learner(replay)) == []  # the old cookie signs in no one


def test_delete_account_needs_the_password_and_removes_everything(
    learner: Learner, settings: Settings
) -> None:
    learner.answer("basics", "shape", "b")
    sign_up(learner)
    wrong = post(learner, "/api/account", {"password": "nope nope"}, method="DELETE")
    assert wrong.status_code == 401
    done = post(learner, "/api/account", {"password": "correct horse"}, method="DELETE")
    assert done.status_code == 200
    for table in ("learner", "attempt", "login_session"):
        assert rows(settings, f"select count(*) from {table}") == [(0,)], table


def test_an_anonymous_learner_can_export_and_wipe_its_data(
    learner: Learner, settings: Settings
) -> None:
    learner.answer("basics", "shape", "a")
    export = learner.client.get("/api/progress/export")
    assert export.status_code == 200
    assert "attachment" in export.headers["content-disposition"]
    data = export.json()
    assert data["learner"]["username"] is None
    [attempt] = data["attempts"]
    assert attempt["answer"] == {"choice": "a"} and attempt["correct"] is False
    assert "password" not in export.text
    wiped = learner.client.delete("/api/progress", headers={"X-CSRF-Token": learner.csrf})
    assert wiped.status_code == 200
    assert rows(settings, "select count(*) from attempt") == [(0,)]


def test_an_account_is_not_wiped_without_its_password(learner: Learner) -> None:
    sign_up(learner)
    refused = learner.client.delete("/api/progress", headers={"X-CSRF-Token": learner.csrf})
    assert refused.status_code == 422
    assert "DELETE /api/account" in refused.json()["detail"]


def test_account_endpoints_need_the_csrf_token(learner: Learner) -> None:
    learner.client.get("/")  # a session, but no token sent
    for method, path in [
        ("POST", "/api/account"),
        ("POST", "/api/login"),
        ("POST", "/api/logout"),
        ("DELETE", "/api/account"),
        ("DELETE", "/api/progress"),
    ]:
        body = {"username": "ada", "password": "correct horse"} if "account" in path else None
        if method == "DELETE" and path == "/api/account":
            body = {"password": "correct horse"}
        response = learner.client.request(method, path, json=body)
        assert response.status_code == 403, (method, path)


def test_sign_up_log_out_and_log_in_with_forms(client: TestClient) -> None:
    page = client.get("/signup")
    assert template_name(page) == "signup.html"
    token = csrf_from(page.text)
    bad = client.post("/signup", data={"csrf_token": token, "username": "a", "password": "x"})
    assert bad.status_code == 422 and "3 to 32 characters" in bad.text
    made = client.post(
        "/signup",
        data={"csrf_token": token, "username": "grace", "password": "correct horse"},
        follow_redirects=False,
    )
    assert made.status_code == 303
    home = client.get("/")
    assert "grace" in home.text and 'action="/logout"' in home.text
    out = client.post("/logout", data={"csrf_token": csrf_from(home.text)}, follow_redirects=False)
    assert out.status_code == 303
    login = client.get("/login")
    token = csrf_from(login.text)
    wrong = client.post(
        "/login", data={"csrf_token": token, "username": "grace", "password": "nope nope"}
    )
    assert wrong.status_code == 401 and "wrong username or password" in wrong.text
    right = client.post(
        "/login",
        data={"csrf_token": token, "username": "grace", "password": "correct horse"},
        follow_redirects=False,
    )
    assert right.status_code == 303
    assert "grace" in client.get("/account").text
