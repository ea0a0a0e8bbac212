"""The shapes of what clients send: answers, code to run, credentials; and the limits on
every field a form or a JSON body carries (checked before any work is done)."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from app.services.answering.grades import Answer

# How long each answer field may be; the JSON body and the HTML form share these.
CHOICE_MAX = 80
VALUE_MAX = 10_000
CODE_MAX = 1_000_000  # far above the run limit (TORCHQUIZ_RUN_CODE_KB), which says why
BACK_MAX = 500
KEY_MAX = 80  # an Idempotency-Key

OptionId = Annotated[str, Field(min_length=1, max_length=CHOICE_MAX)]


class AnswerBody(BaseModel):
    """An answer: `choice` for choice, `choices` for multi, `value` for predict, `code` for
    code questions."""

    model_config = ConfigDict(extra="forbid")

    choice: OptionId | None = Field(default=None, examples=["a"])
    choices: list[OptionId] | None = Field(default=None, max_length=26, examples=[["a", "c"]])
    value: str | None = Field(default=None, max_length=VALUE_MAX, examples=["torch.Size([2, 3])"])
    code: str | None = Field(default=None, max_length=CODE_MAX)
    shown_at: int | None = Field(
        default=None, ge=0, description="The question page's `shown_at`, for the time taken."
    )
    variant: int | None = Field(
        default=None,
        ge=0,
        description="The question page's `variant`; without it the learner's current "
        "variant is graded.",
    )

    def answer(self) -> Answer:
        """The answer as the services take it."""
        return Answer(
            choice=self.choice,
            choices=tuple(self.choices) if self.choices is not None else None,
            value=self.value,
            code=self.code,
        )


class RunRequest(BaseModel):
    """Code to run in the sandbox."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(max_length=CODE_MAX, examples=["import torch\nprint(torch.ones(2))"])


class Credentials(BaseModel):
    """A username and password, to sign up or log in."""

    model_config = ConfigDict(extra="forbid")

    username: str = Field(max_length=64, examples=["ada"])
    password: str = Field(max_length=1024, examples=["correct horse battery"])


class PasswordBody(BaseModel):
    """The account's password, to confirm deleting it."""

    model_config = ConfigDict(extra="forbid")

    password: str = Field(max_length=1024)


class PasswordChange(BaseModel):
    """The current password, to confirm, and the new one."""

    model_config = ConfigDict(extra="forbid")

    current_password: str = Field(max_length=1024)
    new_password: str = Field(max_length=1024, examples=["a longer passphrase"])
