"""How printed outputs are compared: numbers within a tolerance, words exactly."""

import pytest

from app.services.answering.compare import same_output, same_value


@pytest.mark.parametrize(
    ("expected", "given", "tolerance"),
    [
        ("torch.Size([2, 3])", "torch.Size([2, 3])", 0),
        ("torch.Size([2, 3])", "torch.Size([2,3])", 0),
        ("torch.Size([2, 3])", "[2, 3]", 0),
        ("tensor([2., 2., 2.])", "tensor([2, 2, 2])", 0),
        ("tensor([2., 2., 2.])", "[2.0, 2.0, 2.0]", 0),
        ("2.33", "2.333", 0.01),
        ("0.1", "0.1000000001", 0),
        ("True", "  True ", 0),
        ("torch.float32", "torch.float32", 0),
        ("1e-05", "0.00001", 0),
    ],
)
def test_same_value(expected: str, given: str, tolerance: float) -> None:
    assert same_value(expected, given, tolerance=tolerance)


@pytest.mark.parametrize(
    ("expected", "given", "tolerance"),
    [
        ("torch.Size([2, 3])", "torch.Size([3, 2])", 0),
        ("torch.float32", "torch.float64", 0),
        ("torch.float32", "torch.int32", 0),
        ("2.33", "2.5", 0.01),
        ("tensor([2., 2., 2.])", "tensor([2., 2.])", 0),
        ("True", "False", 0),
        ("True", "true", 0),
        ("6", "six", 0),
        ("6", "", 0),
    ],
)
def test_different_value(expected: str, given: str, tolerance: float) -> None:
    assert not same_value(expected, given, tolerance=tolerance)


def test_same_output_tolerates_float_noise_only() -> None:
    assert same_output("loss 0.1234567\nSGD\n", "loss 0.12345671\nSGD")
    assert not same_output("loss 0.1234567\nSGD\n", "loss 0.1244567\nSGD")
    assert not same_output("SGD\n0.1", "Adam\n0.1")
    assert not same_output("a\nb", "a")
    assert same_output("groups 2 [0.0, 0.01]", "groups 2 [0.0, 0.01]   ")
