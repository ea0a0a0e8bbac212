"""`show(name, value)`: the helper a hidden check calls to print one named value as a
structured line, so that the web process can say how a learner's value differs from the
reference's (shape, dtype, or the largest difference and where) without the check's source.

A line reads `show NAME = {JSON}`: the JSON holds `type` ("tensor", "number", "sequence"
or "text"), and for tensors and sequences `shape`, `dtype` and the first VALUES_MAX values
flattened. The web process parses these lines as hostile text (app/services/answering/show_diff.py).

Runs in: the job, inside the hidden check (check.py puts `show` in its namespace).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from typing import Any, TextIO

PREFIX = "show "
VALUES_MAX = 2048  # values kept per shown tensor; the rest are summarized by their count
TEXT_MAX = 200
NAME_MAX = 64


def _number(value: Any) -> float | int | None:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return value
    return None


def _clean(values: list[Any]) -> list[float | int | None]:
    # JSON has no NaN or infinity: they travel as None, "inf" and "-inf" would need a
    # second convention, so infinities become the largest float (still "very different").
    out: list[float | int | None] = []
    for v in values:
        n = _number(v)
        if n is None or (isinstance(n, float) and math.isnan(n)):
            out.append(None)
        elif isinstance(n, float) and math.isinf(n):
            out.append(math.copysign(1.7976931348623157e308, n))
        else:
            out.append(n)
    return out


def describe(value: object) -> dict[str, Any]:
    """What `show` prints about `value`, as a JSON-ready mapping."""
    import numpy as np
    import torch

    if isinstance(value, torch.Tensor | np.ndarray):
        array = value.detach().cpu() if isinstance(value, torch.Tensor) else value
        shape = [int(n) for n in array.shape]
        flat = array.reshape(-1)[:VALUES_MAX]
        if isinstance(value, torch.Tensor) and (value.is_complex() or value.is_quantized):
            return {"type": "tensor", "shape": shape, "dtype": str(value.dtype), "values": []}
        values = flat.tolist()
        return {
            "type": "tensor",
            "shape": shape,
            "dtype": str(value.dtype),
            "values": _clean(values),
        }
    number = _number(value)
    if number is not None:
        return {"type": "number", "dtype": type(value).__name__, "values": _clean([number])}
    if isinstance(value, list | tuple | torch.Size) and all(_number(v) is not None for v in value):
        return {
            "type": "sequence",
            "shape": [len(value)],
            "dtype": type(value).__name__,
            "values": _clean(list(value)[:VALUES_MAX]),
        }
    text = value if isinstance(value, str) else repr(value)
    return {"type": "text", "value": text[:TEXT_MAX]}


def make_show(channel: TextIO) -> Callable[[str, object], None]:
    """The `show` a check calls: one structured line on the check's channel per value."""

    def show(name: str, value: object) -> None:
        """Print `value` under `name` so that a wrong answer's feedback can say how it differs."""
        label = "_".join(str(name).split())[:NAME_MAX] or "value"
        line = json.dumps(describe(value), separators=(",", ":"), allow_nan=False)
        channel.write(f"{PREFIX}{label} = {line}\n")

    return show
