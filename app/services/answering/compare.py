"""Compare printed outputs the way a person would: numbers within a tolerance, text by words."""

import math
import re

_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|[-+]?(?:nan|inf)\b")
# Words that only say how a value was printed, not what it is: `tensor([1., 2.])` and
# `[1, 2]` state the same numbers.
_WRAPPERS = {"tensor", "torch", "Size", "array"}
FLOAT_NOISE = 1e-6


def normalize_text(text: str) -> str:
    """Whitespace collapsed to single spaces, ends trimmed."""
    return " ".join(text.split())


def numbers(text: str) -> list[float]:
    """Every number printed in `text`, in order."""
    return [float(match) for match in _NUMBER.findall(text)]


def _words(text: str) -> list[str]:
    without_numbers = _NUMBER.sub(" ", text)
    return [w for w in re.findall(r"[A-Za-z_][A-Za-z_0-9]*", without_numbers) if w not in _WRAPPERS]


def _close(a: float, b: float, tolerance: float) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return abs(a - b) <= tolerance + FLOAT_NOISE * max(abs(a), abs(b))


def same_value(expected: str, given: str, *, tolerance: float = 0.0) -> bool:
    """Whether `given` states what `expected` printed.

    Numbers are compared element by element within `tolerance` (plus float noise) when both
    texts hold the same count of numbers and the same words (`tensor`, `torch.Size` and
    punctuation aside); anything else is compared as text with whitespace normalized.
    """
    if normalize_text(expected) == normalize_text(given):
        return True
    want, got = numbers(expected), numbers(given)
    if not want or len(want) != len(got) or _words(expected) != _words(given):
        return False
    return all(_close(a, b, tolerance) for a, b in zip(want, got, strict=True))


def same_output(expected: str, given: str) -> bool:
    """Whether two runs printed the same thing, up to float noise: same lines, same text
    between numbers, numbers equal to about six significant digits."""
    want_lines, got_lines = expected.rstrip().splitlines(), given.rstrip().splitlines()
    if len(want_lines) != len(got_lines):
        return False
    for want, got in zip(want_lines, got_lines, strict=True):
        if want.rstrip() == got.rstrip():
            continue
        if _NUMBER.sub("#", want).rstrip() != _NUMBER.sub("#", got).rstrip():
            return False
        if not all(_close(a, b, 0.0) for a, b in zip(numbers(want), numbers(got), strict=True)):
            return False
    return True
