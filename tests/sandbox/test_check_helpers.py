"""The helpers a hidden check calls besides `show` (app/sandbox/check_helpers.py), run
in the real sandbox after real learner code, as a check runs them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from app.sandbox import Layers

from .conftest import TEST_LIMITS, Runner


@pytest.fixture(scope="module")
def runner() -> Iterator[Runner]:
    r = Runner(TEST_LIMITS, Layers())
    yield r
    r.close()


def _shown(output: str | None) -> dict[str, Any]:
    lines = [line for line in (output or "").splitlines() if line.startswith("show ")]
    return {line.split(" ")[1]: json.loads(line.split(" = ", 1)[1]) for line in lines}


def test_show_close_shows_zeros_where_the_reference_agrees(runner: Runner) -> None:
    code = "import torch\ny = torch.tensor([[1.0, 2.0], [3.0, 4.0]])\n"
    check = (
        "import torch\n"
        "want = torch.tensor([[1.0, 2.0], [3.0, 4.5]])\n"
        "print(show_close('right', y[0] + 1e-7, want[0]))\n"
        "print(show_close('wrong', y, want))\n"
        "print(show_close('shape', y.T.reshape(4), want))\n"
        "print(show_close('none', None, want))\n"
    )
    result = runner.run(code, check=check)
    assert result.status == "ok", result
    shown = _shown(result.check_output)
    assert shown["right"] == {
        "type": "tensor",
        "shape": [2],
        "dtype": "torch.float64",
        "values": [0.0, 0.0],
    }
    assert shown["wrong"] == {
        "type": "tensor",
        "shape": [2, 2],
        "dtype": "torch.float64",
        "values": [0.0, 0.0, 0.0, -0.5],
    }
    assert shown["shape"]["shape"] == [4]
    assert shown["none"] == {"type": "text", "value": "a NoneType, not a tensor"}
    verdicts = [line for line in (result.check_output or "").splitlines() if "show" not in line]
    assert verdicts == ["True", "False", "False", "False"]


def test_show_float_tells_a_python_float_from_a_tensor(runner: Runner) -> None:
    code = "import torch, numpy\nloss = torch.tensor(0.123456)\n"
    check = (
        "show_float('item', loss.item())\nshow_float('tensor', loss)\n"
        "show_float('numpy', numpy.float64(0.5))\n"
    )
    shown = _shown(runner.run(code, check=check).check_output)
    assert shown["item"] == {"type": "number", "dtype": "float", "values": [0.1235]}
    assert shown["tensor"] == {"type": "text", "value": "a Tensor, not a Python float"}
    assert shown["numpy"] == {"type": "text", "value": "a float64, not a Python float"}


def test_try_call_prints_one_line_and_returns_none(runner: Runner) -> None:
    code = (
        "def f(n):\n    if n < 0:\n        raise ValueError('negative\\nvalue')\n    return n * 2\n"
    )
    check = (
        "print(try_call('f(2)', f, 2))\nprint(try_call('f(-1)', f, -1))\n"
        "print(try_call('g', globals().get('g')))\n"
    )
    result = runner.run(code, check=check)
    assert result.check_output == (
        "4\nf(-1): error: ValueError: negative value\nNone\n"
        "g: error: NoneType is not callable\nNone\n"
    )


def test_count_torch_calls_tells_a_python_loop(runner: Runner) -> None:
    code = (
        "import torch\n"
        "def fast(s, t):\n    return s.gather(1, t.unsqueeze(1)).squeeze(1)\n"
        "def slow(s, t):\n    return torch.stack([s[i, j] for i, j in enumerate(t)])\n"
    )
    check = (
        "import torch\ns = torch.randn(200, 3)\nt = torch.randint(0, 3, (200,))\n"
        "a, fast_calls = count_torch_calls(fast, s, t)\n"
        "b, slow_calls = count_torch_calls(slow, s, t)\n"
        "print(torch.equal(a, b), fast_calls < 10, slow_calls > 200)\n"
    )
    assert runner.run(code, check=check).check_output == "True True True\n"


def test_record_ops_sees_the_backward_of_a_custom_function(runner: Runner) -> None:
    code = (
        "import torch\n"
        "class Scale(torch.autograd.Function):\n"
        "    @staticmethod\n    def forward(ctx, x, w):\n        ctx.save_for_backward(x, w)\n"
        "        return x @ w\n"
        "    @staticmethod\n    def backward(ctx, g):\n        x, w = ctx.saved_tensors\n"
        "        return g @ w.T, x.T @ g\n"
    )
    check = (
        "import torch\nx = torch.randn(5, 3)\nw = torch.randn(3, 2, requires_grad=True)\n"
        "out = Scale.apply(x, w).sum()\n_, ops = record_ops(out.backward)\n"
        "print([shape for name, shape in ops if name == 'aten.mm.default'])\n"
    )
    assert runner.run(code, check=check).check_output == "[(5, 3), (3, 2)]\n"


def test_watch_forward_records_rows_and_grad_mode(runner: Runner) -> None:
    code = (
        "import torch\nmodel = torch.nn.Linear(3, 1)\n"
        "def predict(data):\n    with torch.no_grad():\n"
        "        return torch.cat([model(b) for b in data.split(4)])\n"
    )
    check = (
        "import torch\n"
        "with watch_forward(model) as calls:\n"
        "    predict(torch.randn(10, 3))\n    model(torch.randn(2, 3))\n"
        "print(calls)\nmodel(torch.randn(1, 3))\nprint(len(calls))\n"
    )
    result = runner.run(code, check=check)
    assert result.check_output == "[(4, False), (4, False), (2, False), (2, True)]\n4\n"


def test_snapshot_and_unchanged_find_parameters_in_plain_lists(runner: Runner) -> None:
    code = (
        "import torch\nfrom torch import nn\n"
        "class Net(nn.Module):\n    def __init__(self):\n        super().__init__()\n"
        "        self.hidden = [nn.Linear(2, 2)]\n        self.head = nn.LazyLinear(1)\n"
        "    def forward(self, x):\n        return self.head(self.hidden[0](x))\n"
        "model = Net()\n"
    )
    check = (
        "import torch\nbefore = param_snapshot(model)\nprint(sorted(before))\n"
        "opt = torch.optim.SGD(model.parameters(), lr=0.1)\n"
        "model(torch.randn(4, 2)).sum().backward()\nopt.step()\n"
        "print(sorted(unchanged_params(model, before)))\n"
        "print(sorted(param_snapshot(model)))\n"
    )
    result = runner.run(code, check=check)
    assert result.check_output == (
        "['hidden.0.bias', 'hidden.0.weight']\n"
        "['hidden.0.bias', 'hidden.0.weight']\n"
        "['head.bias', 'head.weight', 'hidden.0.bias', 'hidden.0.weight']\n"
    )


def test_deep_copy_of_model_and_optimizer_steps_the_copy(runner: Runner) -> None:
    code = (
        "import torch\ntorch.manual_seed(0)\nmodel = torch.nn.Linear(2, 1)\n"
        "opt = torch.optim.SGD(model.parameters(), lr=0.1)\n"
    )
    check = (
        "import torch\nw = model.weight.detach().clone()\n"
        "m2, o2 = deep_copy((model, opt))\n"
        "m2(torch.ones(1, 2)).sum().backward()\no2.step()\n"
        "print(torch.equal(model.weight, w), torch.equal(m2.weight, w))\n"
    )
    assert runner.run(code, check=check).check_output == "True False\n"


def test_a_learners_names_never_stand_in_for_the_helpers(runner: Runner) -> None:
    code = "show_close = lambda *a, **k: print('PASS')\ntry_call = None\nx = 1\n"
    check = "import torch\nprint(show_close('x', torch.tensor([2.0]), torch.tensor([1.0])))\n"
    result = runner.run(code, check=check)
    assert result.status == "ok", result
    assert (result.check_output or "").splitlines()[-1] == "False"
    assert "PASS" not in (result.check_output or "")
