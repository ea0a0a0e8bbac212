"""How a learner's value differs from the reference's, from the lines a check's `show`
printed after each (see app/sandbox/show.py): the first differing name, and whether its
shape, its dtype or its values differ — with the largest absolute difference and where,
as `torch.testing.assert_close` says it.

Runs in: the web process. The learner's lines are hostile text (their code shares the
check's process and may write on its channel): every line is parsed defensively, and
nothing here decides the verdict (same_output does).
"""

import json
import math
import re
from dataclasses import dataclass

from app.services.answering.compare import FLOAT_NOISE

_LINE = re.compile(r"^show (?P<name>\S{1,64}) = (?P<data>\{.*\})\s*$")
LINE_MAX = 200_000
VALUES_MAX = 4096
TEXT_MAX = 200

Number = float | None  # None stands for NaN


@dataclass(frozen=True)
class Shown:
    """One value a check showed: its type, shape and dtype, and its first values."""

    type: str
    shape: tuple[int, ...] | None = None
    dtype: str | None = None
    values: tuple[Number, ...] = ()
    text: str | None = None


def _short(value: object) -> str | None:
    return value[:TEXT_MAX] if isinstance(value, str) else None


def _shown(data: object) -> Shown | None:
    if not isinstance(data, dict):
        return None
    shown_as = data.get("type")
    if shown_as == "text":
        return Shown(type="text", text=_short(data.get("value")) or "")
    if shown_as not in {"tensor", "number", "sequence"}:
        return None
    shape = data.get("shape")
    if shape is not None and not (
        isinstance(shape, list)
        and len(shape) <= 32
        and all(isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in shape)
    ):
        return None
    values = data.get("values")
    if not isinstance(values, list) or len(values) > VALUES_MAX:
        return None
    numbers: list[Number] = []
    for v in values:
        if v is None:
            numbers.append(None)
        elif isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v):
            numbers.append(float(v))
        else:
            return None
    return Shown(
        type=str(shown_as),
        shape=tuple(shape) if shape is not None else None,
        dtype=_short(data.get("dtype")),
        values=tuple(numbers),
    )


def parse_shown(output: str) -> dict[str, Shown]:
    """The values `show` printed in a check's output, by name (the first of each name)."""
    found: dict[str, Shown] = {}
    for line in output.splitlines():
        if len(line) > LINE_MAX or not line.startswith("show "):
            continue
        match = _LINE.match(line)
        if match is None or match["name"] in found:
            continue
        try:
            data = json.loads(match["data"])
        except (ValueError, RecursionError):
            continue
        shown = _shown(data)
        if shown is not None:
            found[match["name"]] = shown
    return found


def _same(a: Number, b: Number) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= FLOAT_NOISE * max(abs(a), abs(b))


def _index(flat: int, shape: tuple[int, ...] | None) -> str:
    if not shape or len(shape) == 1:
        return str(flat)
    where = []
    for size in reversed(shape):
        where.append(flat % size if size else 0)
        flat //= size or 1
    return "(" + ", ".join(str(n) for n in reversed(where)) + ")"


def _shape(shape: tuple[int, ...] | None) -> str:
    return (
        "(" + ", ".join(str(n) for n in shape or ()) + ("," if len(shape or ()) == 1 else "") + ")"
    )


def _number(value: float) -> str:
    return f"{value:.6g}"


def _values_differ(name: str, want: Shown, got: Shown) -> str | None:
    pairs = list(zip(want.values, got.values, strict=False))
    wrong = [i for i, (a, b) in enumerate(pairs) if not _same(a, b)]
    if not wrong and len(want.values) == len(got.values):
        return None
    if not wrong:
        return f"`{name}` differs in its values"
    if any(pairs[i][0] is None or pairs[i][1] is None for i in wrong):
        first = next(i for i in wrong if pairs[i][0] is None or pairs[i][1] is None)
        where = _index(first, want.shape)
        if pairs[first][1] is None:
            return f"`{name}` is NaN at index {where}; expected a number"
        return f"`{name}` is a number at index {where}; expected NaN"
    diffs = [abs((pairs[i][0] or 0.0) - (pairs[i][1] or 0.0)) for i in wrong]
    worst = max(range(len(wrong)), key=lambda k: diffs[k])
    at = wrong[worst]
    reference = abs(pairs[at][0] or 0.0)
    relative = (
        f", largest relative difference {_number(diffs[worst] / reference)}" if reference else ""
    )
    if want.type == "number":
        return f"`{name}` differs by {_number(diffs[worst])}{relative}"
    share = f"{len(wrong)} / {len(pairs)} ({100 * len(wrong) / len(pairs):.1f}%)"
    return (
        f"`{name}`: mismatched elements {share}; largest absolute difference "
        f"{_number(diffs[worst])} at index {_index(at, want.shape)}{relative}"
    )


def first_difference(expected: str, observed: str) -> str | None:
    """In words, how the first value the check showed differs after the learner's code from
    after the reference solution; None when the check shows nothing or nothing differs."""
    want, got = parse_shown(expected), parse_shown(observed)
    for name, reference in want.items():
        mine = got.get(name)
        if mine is None:
            return f"`{name}`: the check could not show it after your code"
        if mine.type != reference.type:
            return f"`{name}` is a {mine.type}; expected a {reference.type}"
        if reference.type == "text":
            if (mine.text or "") != (reference.text or ""):
                return f"`{name}` is {mine.text!r}; expected {reference.text!r}"
            continue
        if mine.shape != reference.shape:
            return f"`{name}` has shape {_shape(mine.shape)}; expected {_shape(reference.shape)}"
        if mine.dtype != reference.dtype:
            return f"`{name}` has dtype {mine.dtype}; expected {reference.dtype}"
        differs = _values_differ(name, reference, mine)
        if differs:
            return differs
    return None
