"""Sign-in sessions end (security review 3, findings 9 and 14): after 30 days unused, one
year after they began, and when the password changes (every session but the changer's)."""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from app.config import Settings
from app.services.people.login_sessions import ABSOLUTE_LIFETIME, IDLE_LIFETIME
from app.store.models import utcnow
from tests.helpers import Learner, csrf_from

PASSWORD = "correct horse"


@contextmanager
def signed_in(app: FastAPI, username: str = "dana", new: bool = False) -> Iterator[Learner]:
    with TestClient(app) as client:
        learner = Learner(client)
        path = "/api/account" if new else "/api/login"
        response = client.post(
            path,
            json={"username": username, "password": PASSWORD},
            headers={"X-CSRF-Token": learner.csrf},
        )
        assert response.status_code in {200, 201}, response.text
        learner._token = response.json()["csrf_token"]
        yield learner


def who(learner: Learner) -> str | None:
    username: str | None = learner.client.get("/api/progress/export").json()["learner"]["username"]
    return username


def _set_sessions(settings: Settings, column: str, age: timedelta) -> None:
    engine = create_engine(settings.resolved_database_url)
    with engine.begin() as connection:
        connection.execute(text(f"update login_session set {column} = :at"), {"at": utcnow() - age})
    engine.dispose()


def test_a_session_ends_a_year_after_it_began(app: FastAPI, settings: Settings) -> None:
    with signed_in(app, new=True) as browser:
        assert who(browser) == "dana"
        _set_sessions(settings, "created_at", ABSOLUTE_LIFETIME + timedelta(days=1))
        assert who(browser) is None  # used every day, but too old


def test_a_session_ends_after_thirty_days_unused(app: FastAPI, settings: Settings) -> None:
    with signed_in(app, new=True) as browser:
        _set_sessions(settings, "last_seen_at", IDLE_LIFETIME - timedelta(days=1))
        assert who(browser) == "dana"  # and this use counts as a new last use
        _set_sessions(settings, "last_seen_at", IDLE_LIFETIME + timedelta(days=1))
        assert who(browser) is None


def test_a_password_change_ends_every_other_session(app: FastAPI) -> None:
    with signed_in(app, new=True) as changer, signed_in(app) as other:
        response = changer.client.post(
            "/api/account/password",
            json={"current_password": PASSWORD, "new_password": "a new passphrase"},
            headers={"X-CSRF-Token": changer.csrf},
        )
        assert response.status_code == 200, response.text
        assert who(changer) == "dana" and who(other) is None
        wrong = changer.client.post(
            "/api/account/password",
            json={"current_password": PASSWORD, "new_password": "another one"},
            headers={"X-CSRF-Token": changer.csrf},
        )
        assert wrong.status_code == 401
    with TestClient(app) as fresh:
        learner = Learner(fresh)
        body = {"username": "dana", "password": "a new passphrase"}
        ok = fresh.post("/api/login", json=body, headers={"X-CSRF-Token": learner.csrf})
        assert ok.status_code == 200


def test_the_account_page_changes_the_password(app: FastAPI) -> None:
    with signed_in(app, new=True) as changer, signed_in(app) as other:
        page = changer.client.get("/account")
        assert 'action="/account/password"' in page.text
        form = {
            "csrf_token": csrf_from(page.text),
            "current_password": PASSWORD,
            "new_password": "a new passphrase",
        }
        done = changer.client.post("/account/password", data=form, follow_redirects=False)
        assert done.status_code == 303 and done.headers["location"] == "/account?changed=1"
        assert "every other browser is signed out" in changer.client.get("/account?changed=1").text
        assert who(other) is None
        form["current_password"] = "not it at all"
        refused = changer.client.post("/account/password", data=form)
        assert refused.status_code == 401 and "wrong username or password" in refused.text


def test_changing_a_password_needs_an_account(client: TestClient) -> None:
    learner = Learner(client)
    response = client.post(
        "/api/account/password",
        json={"current_password": PASSWORD, "new_password": "a new passphrase"},
        headers={"X-CSRF-Token": learner.csrf},
    )
    assert response.status_code == 401
