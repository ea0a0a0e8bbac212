"""The helpers every hidden check can call besides `show` (nothing to import), for the
checks most questions need: compare with a reference computed by the check, observe how
the learner's code ran (torch calls, forward calls, grad mode), and see which
parameters training left unchanged. AUTHORING.md documents them for authors.

Like `show`, they are put into the learner's globals just before the check runs, so a
learner's own variable of the same name never stands in for one of them.

Runs in: the job, inside the hidden check (check.py puts them in its namespace).
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import torch
from torch.overrides import TorchFunctionMode
from torch.utils._python_dispatch import TorchDispatchMode

Show = Callable[[str, object], None]
ForwardCall = tuple[int | None, bool]  # (rows of the first tensor argument, grad mode on)
Op = tuple[str, tuple[int, ...]]  # (ATen operation, shape of its result)

MESSAGE_CHARS = 160


class _CountCalls(TorchFunctionMode):
    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def __torch_function__(
        self,
        func: Callable[..., Any],
        types: Any,
        args: tuple[Any, ...] = (),
        kwargs: dict[str, Any] | None = None,
    ) -> Any:
        self.calls += 1
        return func(*args, **(kwargs or {}))


def count_torch_calls(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, int]:
    """Call fn(*args, **kwargs); return its result and how many torch functions and tensor
    methods it called (a Python loop over N rows makes more than N)."""
    mode = _CountCalls()
    with mode:
        result = fn(*args, **kwargs)
    return result, mode.calls


class _RecordOps(TorchDispatchMode):  # type: ignore[no-untyped-call]  # torch's own hook
    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.ops: list[Op] = []

    def __torch_dispatch__(
        self,
        func: Any,
        types: Any,
        args: tuple[Any, ...] = (),
        kwargs: dict[str, Any] | None = None,
    ) -> Any:
        result = func(*args, **(kwargs or {}))
        shape = tuple(result.shape) if isinstance(result, torch.Tensor) else ()
        self.ops.append((str(func), tuple(int(n) for n in shape)))
        return result


def record_ops(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[Any, list[Op]]:
    """Call fn(*args, **kwargs); return its result and the ATen operations it ran, each as
    (name, result shape), such as ("aten.mm.default", (5, 3)). Unlike count_torch_calls,
    this also sees what autograd runs during backward (a custom Function's backward too)."""
    mode = _RecordOps()
    with mode:
        result = fn(*args, **kwargs)
    return result, mode.ops


@contextmanager
def watch_forward(module: torch.nn.Module) -> Iterator[list[ForwardCall]]:
    """While the block runs, record (rows, grad_enabled) for every call of module: the
    first dimension of its first tensor argument, and torch.is_grad_enabled()."""
    calls: list[ForwardCall] = []

    def record(_: torch.nn.Module, inputs: tuple[Any, ...]) -> None:
        first = next((a for a in inputs if isinstance(a, torch.Tensor)), None)
        rows = int(first.shape[0]) if first is not None and first.dim() > 0 else None
        calls.append((rows, torch.is_grad_enabled()))

    handle = module.register_forward_pre_hook(record)
    try:
        yield calls
    finally:
        handle.remove()


def _all_parameters(module: torch.nn.Module, prefix: str = "") -> dict[str, torch.Tensor]:
    found: dict[str, torch.Tensor] = {}
    for name, value in vars(module).items():
        if name == "_parameters":
            found.update({prefix + n: p for n, p in value.items() if p is not None})
        elif name == "_modules":
            for sub_name, sub in value.items():
                if sub is not None:
                    found.update(_all_parameters(sub, f"{prefix}{sub_name}."))
        elif isinstance(value, list | tuple | dict):
            # A plain list of layers is a classic bug: its parameters still count here.
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                if isinstance(item, torch.nn.Module):
                    found.update(_all_parameters(item, f"{prefix}{name}.{key}."))
    return found


def param_snapshot(module: torch.nn.Module) -> dict[str, torch.Tensor]:
    """A copy of every parameter reachable from module (also through plain lists and
    dicts of modules), by name; parameters not yet initialized (lazy layers) are left out."""
    return {
        name: p.detach().clone()
        for name, p in _all_parameters(module).items()
        if not isinstance(p, torch.nn.parameter.UninitializedParameter)
    }


def unchanged_params(module: torch.nn.Module, before: dict[str, torch.Tensor]) -> list[str]:
    """The names of the parameters of module still exactly equal to their snapshot."""
    now = _all_parameters(module)
    return [
        name
        for name, old in before.items()
        if name in now and now[name].shape == old.shape and torch.equal(now[name].detach(), old)
    ]


def deep_copy(obj: Any) -> Any:
    """copy.deepcopy: copy a model and its optimizer together, deep_copy((model, opt)), and
    the copied optimizer steps the copied parameters."""
    return copy.deepcopy(obj)


def _one_line(err: BaseException) -> str:
    try:
        message = " ".join(str(err).split())
    except Exception:
        message = ""
    if len(message) > MESSAGE_CHARS:
        message = message[: MESSAGE_CHARS - 1] + "…"
    return f"{type(err).__name__}: {message}" if message else type(err).__name__


def make_helpers(show: Show) -> dict[str, object]:
    """The helpers for one check, bound to its `show`, by the name the check calls them."""

    def show_close(
        name: str, got: object, want: object, *, atol: float = 1e-5, rtol: float = 1e-4
    ) -> bool:
        """Show how got departs from the reference want: zeros where they agree within
        tolerance, so the solution shows all zeros and a wrong answer is told where and by
        how much it differs. True when they agree everywhere."""
        if not isinstance(got, torch.Tensor):
            show(name, f"a {type(got).__name__}, not a tensor")
            return False
        reference = torch.as_tensor(want).detach().double()
        mine = got.detach().double()
        if mine.shape != reference.shape:
            show(name, mine)  # the diff then names the shape that differs
            return False
        close = torch.isclose(mine, reference, rtol=rtol, atol=atol, equal_nan=True)
        show(name, torch.where(close, torch.zeros_like(mine), mine - reference))
        return bool(close.all())

    def show_float(name: str, value: object, digits: int = 4) -> bool:
        """Show value rounded to digits when it is a Python float (exactly float: not a
        tensor, not a numpy scalar); otherwise show what it is instead. True for a float."""
        if type(value) is float:
            show(name, round(value, digits))
            return True
        show(name, f"a {type(value).__name__}, not a Python float")
        return False

    def try_call(label: str, fn: object, *args: Any, **kwargs: Any) -> Any:
        """fn(*args, **kwargs), or None after printing `label: error: Type: message`
        when it raises (or is not callable)."""
        if not callable(fn):
            print(f"{label}: error: {type(fn).__name__} is not callable")  # noqa: T201
            return None
        try:
            return fn(*args, **kwargs)
        except Exception as err:
            print(f"{label}: error: {_one_line(err)}")  # noqa: T201
            return None

    return {
        "show_close": show_close,
        "show_float": show_float,
        "try_call": try_call,
        "count_torch_calls": count_torch_calls,
        "record_ops": record_ops,
        "watch_forward": watch_forward,
        "param_snapshot": param_snapshot,
        "unchanged_params": unchanged_params,
        "deep_copy": deep_copy,
    }
