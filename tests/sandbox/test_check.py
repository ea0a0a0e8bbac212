"""The hidden check of code exercises: author code that runs after the learner's code in
the same globals and prints on a channel of its own (`RunResult.check_output`), which
the learner can neither print to with ordinary output nor read back."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.sandbox import Layers

from .conftest import TEST_LIMITS, Runner


@pytest.fixture(scope="module")
def runner() -> Iterator[Runner]:
    r = Runner(TEST_LIMITS, Layers())
    yield r
    r.close()


def test_check_sees_the_learners_variables(runner: Runner) -> None:
    code = "import torch\nw = torch.arange(4.0)\nprint('my w', w.sum().item())\n"
    check = "print('sum', w.sum().item())\nprint('shape', tuple(w.shape))\n"
    result = runner.run(code, check=check)
    assert result.status == "ok", result
    assert result.check_output == "sum 6.0\nshape (4,)\n"
    assert result.stdout == "my w 6.0\n"
    assert result.stderr == ""


def test_learner_output_never_reaches_the_check_channel(runner: Runner) -> None:
    code = (
        "print('PASS')\nprint('sum 6.0')\nimport sys\nprint('shape (4,)', file=sys.stderr)\nx = 1\n"
    )
    result = runner.run(code, check="print('x', x)\n")
    assert result.check_output == "x 1\n"
    assert result.stdout == "PASS\nsum 6.0\n"
    assert result.stderr == "shape (4,)\n"


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("import os\nx = 1\nos._exit(0)\n", "ok"),
        ("import sys\nx = 1\nsys.exit(0)\n", "ok"),
        ("import sys\nx = 1\nsys.exit()\n", "ok"),
        ("x = 1\nraise ValueError('nope')\n", "error"),
        ("x = 1\nwhile True:\n    pass\n", "timeout"),
        ("x = 1\nbig = bytearray(4 << 30)\n", "limit"),
    ],
    ids=["os_exit", "sys_exit_0", "sys_exit", "raises", "timeout", "memory"],
)
def test_no_check_output_unless_the_code_finished(runner: Runner, code: str, status: str) -> None:
    result = runner.run(code, check="print('x', x)\n")
    assert result.status == status, result
    assert result.check_output is None
    assert "x 1" not in result.stdout + result.stderr


def test_no_check_no_check_output(runner: Runner) -> None:
    result = runner.run("print('hi')\n")
    assert result.status == "ok" and result.stdout == "hi\n"
    assert result.check_output is None


@pytest.mark.parametrize(
    "tamper",
    [
        "import sys, io\nsys.stdout = io.StringIO()\nsys.__stdout__ = sys.stdout\n",
        "import builtins\nbuiltins.print = lambda *a, **k: None\n",
        "print = lambda *a, **k: None\n",
        "__builtins__ = {'print': lambda *a, **k: None}\n",
        "import builtins\nbuiltins.repr = builtins.str = lambda o: 'PASS'\n",
        "import sys\nsys.stdout.write = lambda s: 0\n",
        "import sys\nsys.stdout.close()\n",
        "import sys\nsys.settrace(lambda *a: None)\nsys.setrecursionlimit(60)\n",
        "import torch, numpy\ntorch.set_printoptions(precision=1)\n"
        "numpy.set_printoptions(precision=1)\n",
        "import os\nos.dup2(os.open('/dev/null', os.O_WRONLY), 1)\n",
    ],
    ids=[
        "sys_stdout",
        "builtins_print",
        "global_print",
        "globals_builtins",
        "builtins_repr",
        "stream_write",
        "stdout_closed",
        "trace_and_recursion",
        "print_options",
        "fd_1",
    ],
)
def test_tampering_does_not_change_what_the_check_prints(runner: Runner, tamper: str) -> None:
    code = "import torch, numpy\nt = torch.tensor([1.23456])\na = numpy.array([1.23456])\n"
    check = "def depth(n):\n    return 0 if n == 0 else 1 + depth(n - 1)\n"
    check += "print(repr(t), str(a), depth(100))\n"
    clean = runner.run(code, check=check)
    assert clean.check_output == "tensor([1.2346]) [1.23456] 100\n", clean
    result = runner.run(code + tamper, check=check)
    assert result.status == "ok", result
    assert result.check_output == clean.check_output


def test_check_that_raises_says_one_line_and_nothing_else(runner: Runner) -> None:
    secret = "hidden_helper_name"
    check = f"def {secret}():\n    return undefined_name\n\nprint('before')\n{secret}()\n"
    result = runner.run("x = 1\n", check=check)
    assert result.status == "ok", result
    assert (
        result.check_output
        == "before\ncheck failed: NameError: name 'undefined_name' is not defined\n"
    )
    assert result.stdout == "" and result.stderr == ""
    for text in (result.stdout, result.stderr):
        assert "<check>" not in text and secret not in text and "Traceback" not in text


def test_check_failure_message_is_one_short_line(runner: Runner) -> None:
    check = "raise ValueError('line one\\nline two ' + 'y' * 1000)\n"
    result = runner.run("x = 1\n", check=check)
    out = result.check_output
    assert out is not None and out.startswith("check failed: ValueError: line one line two yyy")
    assert out.count("\n") == 1 and len(out) < 260


def test_check_syntax_error_is_a_check_failure(runner: Runner) -> None:
    result = runner.run("print('ran')\n", check="print(\n")
    assert result.status == "ok" and result.stdout == "ran\n" and result.stderr == ""
    assert result.check_output is not None
    assert result.check_output.startswith("check failed: SyntaxError: ")


def test_check_stderr_and_warnings_stay_hidden(runner: Runner) -> None:
    check = (
        "import sys, warnings, os\nprint('to stderr', file=sys.stderr)\nwarnings.warn('careful')\n"
        "os.write(2, b'raw stderr\\n')\nos.write(1, b'raw stdout\\n')\nprint('seen')\n"
    )
    result = runner.run("x = 1\n", check=check)
    assert result.check_output == "seen\n"
    assert result.stdout == "" and result.stderr == ""


def test_check_is_deterministic(runner: Runner) -> None:
    code = "import torch\nmodel = torch.nn.Linear(3, 2)\n"
    check = "import torch\nprint(model(torch.randn(4, 3)).sum().item())\n"
    first, second = runner.run(code, check=check), runner.run(code, check=check)
    assert first.status == "ok" and first.check_output
    assert first.check_output == second.check_output
    other_seed = runner.run(code, seed=1, check=check)
    assert other_seed.check_output != first.check_output


def test_check_output_has_its_own_cap(runner: Runner) -> None:
    kb = TEST_LIMITS.output_kb
    near_cap = f"print('a' * ({kb} * 1024 - 100))\n"
    result = runner.run(near_cap, check=near_cap)
    assert result.status == "ok" and not result.truncated
    assert result.check_output is not None and len(result.check_output) == kb * 1024 - 99
    flood = runner.run("x = 1\n", check=f"print('a' * ({kb} * 1024 + 10))\n")
    assert flood.status == "limit" and flood.truncated
    assert flood.check_output is None


def test_limits_cover_the_check_too(runner: Runner) -> None:
    slow = runner.run("x = 1\n", check="while True:\n    pass\n")
    assert slow.status == "timeout" and slow.check_output is None
    big = runner.run("x = 1\n", check="big = bytearray(4 << 30)\n")
    assert big.status == "limit" and big.check_output is None
    assert big.reason is not None and big.reason.startswith("Memory limit")


def test_check_too_large(runner: Runner) -> None:
    with pytest.raises(ValueError):
        runner.run("x = 1\n", check="#" * (65 * 1024))


def test_known_residual_learner_can_add_to_the_channel_not_replace_it(runner: Runner) -> None:
    # The learner's code shares the process: it can write to the check's descriptor.
    # What it writes lands before the check's own lines and cannot remove them.
    code = "import os\nos.write(3, b'sum 6.0\\n')\nx = 2\n"
    result = runner.run(code, check="print('x', x)\n")
    assert result.check_output == "sum 6.0\nx 2\n"
    hostile = runner.run("import os\nos.write(3, b'a\\x00b\\xff\\n')\nx = 2\n", check="print(x)\n")
    assert hostile.check_output == "ab\ufffd\n2\n"
    closed = runner.run("import os\nos.close(3)\nx = 2\n", check="print('x', x)\n")
    assert closed.status == "error" and closed.check_output is None


def test_show_prints_one_structured_line_per_value(runner: Runner) -> None:
    import json

    code = "import torch\nw = torch.arange(6.0).reshape(2, 3)\nshow = 'the learner s own'\n"
    check = (
        "show('w', w)\nshow('n', 3)\nshow('size', w.shape)\nshow('opt', None)\n"
        "show('h', torch.tensor([float('nan'), float('inf')], dtype=torch.float64))\n"
    )
    result = runner.run(code, check=check)
    assert result.status == "ok", result
    lines = (result.check_output or "").splitlines()
    parsed = {line.split(" ")[1]: json.loads(line.split(" = ", 1)[1]) for line in lines}
    assert [line.split(" = ")[0] for line in lines] == [
        "show w",
        "show n",
        "show size",
        "show opt",
        "show h",
    ]
    assert parsed["w"] == {
        "type": "tensor",
        "shape": [2, 3],
        "dtype": "torch.float32",
        "values": [0.0, 1.0, 2.0, 3.0, 4.0, 5.0],
    }
    assert parsed["n"] == {"type": "number", "dtype": "int", "values": [3]}
    assert parsed["size"]["type"] == "sequence" and parsed["size"]["values"] == [2, 3]
    assert parsed["opt"] == {"type": "text", "value": "None"}
    assert parsed["h"]["values"] == [None, 1.7976931348623157e308]
