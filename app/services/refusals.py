"""Why a request is refused: domain errors whose message tells the learner what to do.

The web layer turns each into an HTTP status (one mapping, `app/web/refusals.py`); the
services never speak HTTP.
"""


class Refused(Exception):
    """A request that cannot be carried out now; `str(error)` says what to do."""

    retry_after: float | None = None


class InvalidAnswer(Refused):
    """An answer that does not fit its question (unknown option, wrong shape)."""


class CodeTooLarge(Refused):
    """Code over the size limit; the message gives the limit."""


class RunsDisabled(Refused):
    """This server runs no code (turned off, or it could not be contained)."""

    retry_after = 3600.0


class RateLimited(Refused):
    """The learner ran code too often; `retry_after` says when one more run is allowed."""

    def __init__(self, *, per_minute: int, retry_after: float, message: str | None = None) -> None:
        super().__init__(
            message
            or f"you have run code {per_minute} times in the last minute; "
            f"wait {retry_after:.0f} s and try again"
        )
        self.retry_after = retry_after


class RunnersBusy(Refused):
    """Every sandbox worker is busy and the queue is full."""

    def __init__(self, *, retry_after: float) -> None:
        retry = max(1, round(retry_after))
        super().__init__(f"every worker is busy running code; try again in {retry} s")
        self.retry_after = float(retry)


class NoHints(Refused):
    """A hint was asked of a question that has none."""


class KeyReused(Refused):
    """An idempotency key sent again with another question or another answer."""

    def __init__(self) -> None:
        super().__init__(
            "this Idempotency-Key was used for another answer; send a new key with each "
            "new answer (the same key only to retry the same one)"
        )
