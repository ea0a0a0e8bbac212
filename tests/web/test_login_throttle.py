"""Password guessing through HTTP (security review 3, findings 8-10): backoff per
(username, address), a per-username ceiling that does not lock the owner out of a known
address, an address from X-Forwarded-For only behind a listed proxy, counting that
concurrency cannot outrun, deletion's wrong passwords counted, sign-ups per address."""

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.config import Settings
from app.services.people import login_throttle
from app.services.people.accounts import SIGN_UPS_PER_ADDRESS
from tests.helpers import Learner, migrated_app

OWNER = "carol"
PASSWORD = "correct horse"


@contextmanager
def browser(app: FastAPI, address: str) -> Iterator[Learner]:
    """A browser on its own client address."""
    with TestClient(app, client=(address, 40000)) as client:
        yield Learner(client)


def sign_up(learner: Learner, username: str = OWNER) -> httpx.Response:
    response = learner.client.post(
        "/api/account",
        json={"username": username, "password": PASSWORD},
        headers={"X-CSRF-Token": learner.csrf},
    )
    if response.status_code == 201:
        learner._token = response.json()["csrf_token"]
    return response


def log_in(
    learner: Learner, password: str, username: str = OWNER, **headers: str
) -> httpx.Response:
    return learner.client.post(
        "/api/login",
        json={"username": username, "password": password},
        headers={"X-CSRF-Token": learner.csrf, **headers},
    )


def _owner(app: FastAPI, address: str = "10.0.0.1") -> None:
    with browser(app, address) as owner:
        assert sign_up(owner).status_code == 201


def test_the_first_failures_are_free_then_each_doubles_the_wait(app: FastAPI) -> None:
    _owner(app)
    with browser(app, "10.0.1.1") as guesser, browser(app, "10.0.1.2") as elsewhere:
        for _ in range(login_throttle.FREE_FAILURES):
            assert log_in(guesser, "wrong horse").status_code == 401
        held = log_in(guesser, PASSWORD)  # even the right password waits its turn
        retry_after = int(held.headers["Retry-After"])
        assert held.status_code == 429 and 1 <= retry_after <= login_throttle.FIRST_DELAY.seconds
        assert log_in(elsewhere, "wrong horse").status_code == 401  # another pair: free


def test_guesses_from_many_addresses_do_not_lock_the_owner_out(app: FastAPI) -> None:
    _owner(app, "10.0.0.1")
    refused = 0
    for i in range(12):  # 36 guesses, beyond the per-username ceiling
        with browser(app, f"10.0.2.{i}") as guesser:
            for _ in range(login_throttle.FREE_FAILURES):
                refused += log_in(guesser, "wrong horse").status_code == 429
    assert refused > 0  # the ceiling held the guessers
    with browser(app, "10.0.0.1") as owner:  # the address the owner signed up from
        assert log_in(owner, PASSWORD).status_code == 200
    with browser(app, "10.0.3.1") as stranger:  # an address the account never used
        assert log_in(stranger, PASSWORD).status_code == 429


def test_a_browser_that_signed_in_before_passes_the_ceiling_from_a_new_address(
    app: FastAPI,
) -> None:
    with browser(app, "10.0.8.1") as owner:
        assert sign_up(owner).status_code == 201
        owner.client.post("/api/logout", headers={"X-CSRF-Token": owner.csrf})
        cookies = dict(owner.client.cookies)
    for i in range(12):  # beyond the per-username ceiling
        with browser(app, f"10.0.9.{i}") as guesser:
            for _ in range(login_throttle.FREE_FAILURES):
                log_in(guesser, "wrong horse")
    # The owner's laptop on another network: a new address, but the same browser.
    with TestClient(app, client=("10.0.10.1", 40000), cookies=cookies) as client:
        assert log_in(Learner(client), PASSWORD).status_code == 200
    with browser(app, "10.0.11.1") as stranger:  # a new address and another browser
        assert log_in(stranger, PASSWORD).status_code == 429


def test_failures_from_one_address_do_not_lock_out_its_other_users(app: FastAPI) -> None:
    _owner(app, "10.0.0.9")
    with browser(app, "10.0.0.9") as shared:
        for i in range(11):  # 33 failures from the address, for other names
            for _ in range(login_throttle.FREE_FAILURES):
                assert log_in(shared, "wrong horse", username=f"user{i}").status_code == 401
        assert log_in(shared, PASSWORD).status_code == 200


def test_forty_concurrent_guesses_cannot_outrun_the_count(app: FastAPI) -> None:
    _owner(app)
    with browser(app, "10.0.4.1") as guesser:
        token = guesser.csrf

        def guess(_: int) -> int:
            return log_in(guesser, "wrong horse", **{"X-CSRF-Token": token}).status_code

        with ThreadPoolExecutor(max_workers=40) as pool:
            codes = list(pool.map(guess, range(40)))
    assert codes.count(401) <= login_throttle.FREE_FAILURES, codes
    assert codes.count(401) + codes.count(429) == 40


def test_x_forwarded_for_counts_only_from_a_listed_proxy(settings: Settings) -> None:
    listed = migrated_app(settings.model_copy(update={"trusted_proxies": "10.9.9.9"}))
    _owner(listed)
    with ExitStack() as stack:
        spoofer = stack.enter_context(browser(listed, "10.0.5.1"))
        for i in range(login_throttle.FREE_FAILURES):
            forged = {"X-Forwarded-For": f"192.0.2.{i}"}
            assert log_in(spoofer, "wrong horse", **forged).status_code == 401
        # A header from an unlisted peer names nobody: it is still the same pair.
        forged = {"X-Forwarded-For": "192.0.2.99"}
        assert log_in(spoofer, "wrong horse", **forged).status_code == 429
        proxy = stack.enter_context(browser(listed, "10.9.9.9"))
        for i in range(2 * login_throttle.FREE_FAILURES):
            # Behind the proxy each client is its own pair: the right-most unlisted hop.
            forwarded = {"X-Forwarded-For": f"203.0.113.7, 198.51.100.{i}"}
            assert log_in(proxy, "wrong horse", **forwarded).status_code == 401


def test_wrong_passwords_on_account_deletion_count_as_failed_logins(app: FastAPI) -> None:
    with browser(app, "10.0.6.1") as owner:
        assert sign_up(owner).status_code == 201

        def delete(password: str) -> int:
            response = owner.client.request(
                "DELETE",
                "/api/account",
                json={"password": password},
                headers={"X-CSRF-Token": owner.csrf},
            )
            return response.status_code

        codes = [delete("nope nope") for _ in range(login_throttle.FREE_FAILURES + 2)]
        assert codes[: login_throttle.FREE_FAILURES] == [401] * login_throttle.FREE_FAILURES
        assert set(codes[login_throttle.FREE_FAILURES :]) == {429}
    with browser(app, "10.0.6.1") as again:  # the same pair, now by login
        assert log_in(again, "wrong horse").status_code == 429


def test_sign_ups_are_limited_per_address(app: FastAPI) -> None:
    codes = []
    for i in range(SIGN_UPS_PER_ADDRESS + 2):
        with browser(app, "10.0.7.1") as one:
            codes.append(sign_up(one, f"user{i}").status_code)
    assert codes[:SIGN_UPS_PER_ADDRESS] == [201] * SIGN_UPS_PER_ADDRESS
    assert set(codes[SIGN_UPS_PER_ADDRESS:]) == {429}
    with browser(app, "10.0.7.2") as other:
        assert sign_up(other, "elsewhere").status_code == 201
