"""Settings reach the parts that use them."""

import pytest

from app.config import Settings
from app.sandbox.limits import Limits


def test_run_settings_become_the_sandbox_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TORCHQUIZ_RUN_SPARES", "3")
    monkeypatch.setenv("TORCHQUIZ_RUN_RECYCLE_AFTER", "750")
    limits = Settings().run_limits()
    assert (limits.spares, limits.recycle_after) == (3, 750)


def test_the_default_recycling_is_the_sandboxs_own() -> None:
    assert Settings().run_limits().recycle_after == Limits().recycle_after


def test_a_zygote_must_serve_at_least_one_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TORCHQUIZ_RUN_RECYCLE_AFTER", "0")
    with pytest.raises(ValueError, match="run_recycle_after"):
        Settings()
