"""The one mapping from a service's refusal to HTTP: status, message and Retry-After.

JSON clients get it from the exception handler (app/web/errors.py); HTML forms show the
same message in the form they posted.
"""

from dataclasses import dataclass

from app.services.answering.variants import VariantFailed
from app.services.people.accounts import (
    InvalidAccount,
    NotSignedIn,
    SignUpsLimited,
    UsernameTaken,
    WrongCredentials,
)
from app.services.people.login_throttle import LoginThrottled
from app.services.refusals import (
    CodeTooLarge,
    InvalidAnswer,
    KeyReused,
    NoHints,
    RateLimited,
    Refused,
    RunnersBusy,
    RunsDisabled,
)

STATUS: dict[type[Refused], int] = {
    InvalidAnswer: 422,
    NoHints: 409,
    KeyReused: 409,
    VariantFailed: 503,
    CodeTooLarge: 422,
    RateLimited: 429,
    RunnersBusy: 503,
    RunsDisabled: 503,
    InvalidAccount: 422,
    UsernameTaken: 409,
    WrongCredentials: 401,
    NotSignedIn: 401,
    LoginThrottled: 429,
    SignUpsLimited: 429,
}


@dataclass(frozen=True)
class Refusal:
    """A refusal as HTTP sends it."""

    status: int
    message: str
    headers: dict[str, str]


def as_http(error: Refused) -> Refusal:
    """The status, message and headers that tell a client about `error`."""
    status = next((code for kind, code in STATUS.items() if isinstance(error, kind)), 422)
    headers = {}
    if error.retry_after is not None:
        headers["Retry-After"] = str(max(1, round(error.retry_after)))
    return Refusal(status=status, message=str(error), headers=headers)
