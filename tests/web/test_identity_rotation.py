"""An identity is never carried over by a cookie saved earlier: sign-up gives the account a
new learner id, an account's id is never accepted as an anonymous visitor's, and CSRF
tokens change with the identity (security review 3, finding 4)."""

import json
from base64 import b64encode

from fastapi import FastAPI
from fastapi.testclient import TestClient
from itsdangerous import TimestampSigner
from sqlalchemy import create_engine, text

from app.config import Settings
from app.web.state import app_state
from tests.helpers import Learner

EXPORT = "/api/progress/export"


def _sign_up(learner: Learner, username: str = "victim") -> str:
    response = learner.client.post(
        "/api/account",
        json={"username": username, "password": "correct horse"},
        headers={"X-CSRF-Token": learner.csrf},
    )
    assert response.status_code == 201, response.text
    token: str = response.json()["csrf_token"]
    learner._token = token
    return token


def test_a_cookie_saved_before_sign_up_does_not_reach_the_account(app: FastAPI) -> None:
    with TestClient(app) as client:
        victim = Learner(client)
        victim.answer("basics", "shape", "b")
        saved = client.cookies.get("torchquiz_session")
        anonymous_token = victim.csrf
        account_token = _sign_up(victim)
        assert account_token != anonymous_token  # the token rotates with the identity
        exported = client.get(EXPORT).json()
        assert exported["learner"]["username"] == "victim" and len(exported["attempts"]) == 1
        account_id = exported["learner"]["id"]
    with TestClient(app) as attacker:
        assert saved is not None
        attacker.cookies.set("torchquiz_session", saved)
        replayed = attacker.get(EXPORT).json()
        assert replayed["learner"]["id"] != account_id
        assert replayed["learner"]["username"] is None and replayed["attempts"] == []
        # The old anonymous id now names an empty learner: its token posts nothing as the account.
        assert attacker.get("/api/session").json()["csrf_token"] != account_token


def test_sign_up_gives_the_account_a_new_id_and_adopts_the_anonymous_work(
    learner: Learner, settings: Settings
) -> None:
    learner.answer("basics", "shape", "b")
    engine = create_engine(settings.resolved_database_url)
    with engine.connect() as connection:
        (anonymous_id,) = connection.execute(text("select id from learner")).one()
    _sign_up(learner)
    with engine.connect() as connection:
        stored = [tuple(r) for r in connection.execute(text("select id, username from learner"))]
        owners = {r[0] for r in connection.execute(text("select learner_id from attempt"))}
    engine.dispose()
    assert len(stored) == 1 and stored[0][1] == "victim"
    assert stored[0][0] != anonymous_id  # a fresh id: the old cookie names nobody now
    assert owners == {stored[0][0]}


def test_an_account_id_in_the_anonymous_key_is_refused(app: FastAPI, settings: Settings) -> None:
    """A cookie from before this fix (sign-up kept the anonymous id) names an account in
    the anonymous key: it is a new visitor, not the account."""
    with TestClient(app) as client:
        owner = Learner(client)
        _sign_up(owner, "legacy")
        account_id = client.get(EXPORT).json()["learner"]["id"]
    forged = _signed_session(app, {"learner": account_id})
    with TestClient(app) as replay:
        replay.cookies.set("torchquiz_session", forged)
        assert replay.get(EXPORT).json()["learner"]["id"] != account_id


def test_each_login_session_has_its_own_csrf_token(app: FastAPI) -> None:
    with TestClient(app) as first, TestClient(app) as second:
        a = Learner(first)
        _sign_up(a, "twice")
        b = Learner(second)
        response = second.post(
            "/api/login",
            json={"username": "twice", "password": "correct horse"},
            headers={"X-CSRF-Token": b.csrf},
        )
        assert response.status_code == 200
        assert response.json()["csrf_token"] != a.csrf
        # One session's token does not post for the other.
        refused = second.post("/api/logout", headers={"X-CSRF-Token": a.csrf})
        assert refused.status_code == 403


def _signed_session(app: FastAPI, data: dict[str, str]) -> str:
    """A session cookie value signed with the app's key, as SessionMiddleware writes it."""
    signer = TimestampSigner(app_state(app).secret)
    return signer.sign(b64encode(json.dumps(data).encode())).decode()
