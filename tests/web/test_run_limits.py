"""Run limits that a fresh cookie does not reset (security review 3, finding 7): anonymous
runs count against their address, and a variant page's runs count as the visitor's."""

import asyncio
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.services.refusals import RateLimited, RunnersBusy
from app.services.running.rate_limit import RateLimiter
from app.services.running.run_budget import Requester, RunBudget, address_key
from tests.helpers import FIXTURE_QUIZZES, Learner, migrated_app

VARIANT = "/api/topics/kinds/questions/variant-sum"
PER_MIN = 5


def _app(tmp_path: Path) -> TestClient:
    settings = Settings(
        data_dir=tmp_path / "data",
        quiz_dir=FIXTURE_QUIZZES,
        secret_key="test",
        run_rate_per_min=PER_MIN,
    )
    return TestClient(migrated_app(settings))


def _jobs_run(client: TestClient) -> int:
    return int(client.get("/healthz").json()["sandbox"]["jobs_run"])


def _warmed(client: TestClient) -> None:
    for _ in range(600):
        if client.get("/healthz").json()["sandbox"].get("warmed"):
            return
        assert client.portal is not None  # set while the client runs (inside `with`)
        client.portal.call(asyncio.sleep, 0.1)
    raise AssertionError("the warm-up never finished")


def test_a_fresh_cookie_per_run_does_not_reset_the_limit(tmp_path: Path) -> None:
    with _app(tmp_path) as client:
        statuses = []
        for i in range(PER_MIN + 3):
            client.cookies.clear()  # a new anonymous learner for every run
            learner = Learner(client)
            response = client.post(
                "/api/run", json={"code": f"print({i})"}, headers={"X-CSRF-Token": learner.csrf}
            )
            statuses.append(response.status_code)
        assert statuses == [200] * PER_MIN + [429] * 3, statuses
        assert "your address" in response.json()["detail"]
        assert int(response.headers["Retry-After"]) >= 1


def test_cookieless_loads_of_a_variant_question_do_not_run_a_job_each(tmp_path: Path) -> None:
    with _app(tmp_path) as client:
        _warmed(client)
        before = _jobs_run(client)
        statuses = []
        for _ in range(40):
            client.cookies.clear()  # 40 first visits, each drawing its own seed
            statuses.append(client.get(VARIANT).status_code)
        started = _jobs_run(client) - before
        assert started <= PER_MIN, f"{started} jobs for 40 page loads"
        assert 200 in statuses and set(statuses) <= {200, 429}, statuses
        # The same visitor again: its variant is cached, no job, no count.
        client.cookies.clear()
        learner = Learner(client)
        first = client.get(VARIANT)
        if first.status_code == 200:
            again = _jobs_run(client)
            assert client.get(VARIANT).json() == first.json()
            assert _jobs_run(client) == again
        assert learner.csrf


def _anonymous(n: int) -> Requester:
    return Requester(f"learner-{n}", "192.0.2.1", anonymous=True)


def test_anonymous_runs_in_flight_have_a_ceiling() -> None:
    async def scenario() -> None:
        budget = RunBudget(RateLimiter(0), anonymous_at_once=1, anonymous_waiting=1)
        release = asyncio.Event()
        order: list[str] = []

        async def run(name: str, who: Requester) -> None:
            async with budget.slot(who):
                order.append(name)
                await release.wait()

        first = asyncio.create_task(run("first", _anonymous(1)))
        await asyncio.sleep(0)
        waiting = asyncio.create_task(run("waiting", _anonymous(2)))
        await asyncio.sleep(0)
        with pytest.raises(RunnersBusy):
            async with budget.slot(_anonymous(3)):
                pass
        # A signed-in learner is not held back by anonymous runs.
        async with budget.slot(Requester("account", "192.0.2.1", anonymous=False)):
            order.append("signed in")
        assert budget.anonymous_in_flight == 1
        release.set()
        await asyncio.gather(first, waiting)
        assert order == ["first", "signed in", "waiting"]
        assert budget.anonymous_in_flight == 0

    asyncio.run(scenario())


def test_the_address_limit_spares_signed_in_learners() -> None:
    async def scenario() -> None:
        budget = RunBudget(RateLimiter(10), per_address=RateLimiter(2))
        for n in range(2):
            await budget.admit(f"learner-{n}", _anonymous(n))
        with pytest.raises(RateLimited, match="your address"):
            await budget.admit("learner-9", _anonymous(9))
        await budget.admit("account", Requester("account", "192.0.2.1", anonymous=False))

    asyncio.run(scenario())


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("192.0.2.7", "192.0.2.7"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff::9", "2001:db8:1:2::/64"),
        ("::ffff:192.0.2.7", "192.0.2.7"),
        ("testclient", "testclient"),
    ],
)
def test_an_ipv6_subscriber_counts_as_one_address(address: str, key: str) -> None:
    assert address_key(address) == key
