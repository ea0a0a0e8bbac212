"""What a run returns, and the error raised when the pool is full.

Runs in: the web process.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Status = Literal["ok", "error", "timeout", "limit"]


@dataclass(frozen=True)
class RunResult:
    """The outcome of one run: its output as text, and why it stopped if it was stopped."""

    status: Status
    stdout: str
    stderr: str
    truncated: bool
    duration_ms: float
    reason: str | None
    # What the hidden check printed, when one was given and the run ended "ok" after it.
    check_output: str | None = None


class SandboxBusy(Exception):
    """Every worker is busy and the queue is full; try again after `retry_after` seconds."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"The sandbox is busy; try again in {retry_after:g} s")
        self.retry_after = retry_after


class CodeTooLong(ValueError):
    """The code (or its check) is over `Limits.code_kb`; the message gives the limit."""
