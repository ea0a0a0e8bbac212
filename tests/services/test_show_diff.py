"""The precise diff of a wrong code answer: the check's `show` lines parsed as hostile text,
and the first differing value named with how it differs."""

import json

import pytest

from app.services.answering.show_diff import first_difference, parse_shown


def line(name: str, **data: object) -> str:
    return f"show {name} = {json.dumps(data)}"


def tensor(
    name: str, shape: list[int], values: list[float | None], dtype: str = "torch.float32"
) -> str:
    return line(name, type="tensor", shape=shape, dtype=dtype, values=values)


def test_same_values_have_no_difference() -> None:
    text = tensor("w", [2], [1.0, 2.0]) + "\nloss 0.5\n"
    assert first_difference(text, text) is None


def test_shape_is_told_before_anything_else() -> None:
    want = tensor("w", [2, 3], [0.0] * 6)
    got = tensor("w", [3, 2], [0.0] * 6, dtype="torch.float64")
    assert first_difference(want, got) == "`w` has shape (3, 2); expected (2, 3)"


def test_dtype_after_shape() -> None:
    want = tensor("w", [2], [1.0, 2.0])
    got = tensor("w", [2], [1.0, 2.0], dtype="torch.float64")
    assert first_difference(want, got) == "`w` has dtype torch.float64; expected torch.float32"


def test_values_give_the_largest_absolute_difference_and_its_index() -> None:
    want = tensor("w", [2, 3], [0, 1, 2, 3, 4, 5])
    got = tensor("w", [2, 3], [0, 1.5, 2, 3, 4, 9])
    assert first_difference(want, got) == (
        "`w`: mismatched elements 2 / 6 (33.3%); largest absolute difference 4 at index (1, 2)"
        ", largest relative difference 0.8"
    )


def test_float_noise_is_not_a_difference() -> None:
    want = tensor("w", [1], [0.1 + 0.2])
    assert first_difference(want, tensor("w", [1], [0.3])) is None


def test_the_first_differing_name_in_the_references_order() -> None:
    want = "\n".join([tensor("a", [1], [1.0]), tensor("b", [1], [2.0]), tensor("c", [1], [3.0])])
    got = "\n".join([tensor("c", [1], [0.0]), tensor("b", [1], [5.0]), tensor("a", [1], [1.0])])
    assert first_difference(want, got) is not None
    assert str(first_difference(want, got)).startswith("`b`")


def test_numbers_nan_text_and_missing_values() -> None:
    number = line("lr", type="number", dtype="float", values=[0.1])
    assert first_difference(number, line("lr", type="number", dtype="float", values=[0.01])) == (
        "`lr` differs by 0.09, largest relative difference 0.9"
    )
    assert first_difference(tensor("w", [1], [1.0]), tensor("w", [1], [None])) == (
        "`w` is NaN at index 0; expected a number"
    )
    name = line("opt", type="text", value="SGD")
    assert first_difference(name, line("opt", type="text", value="Adam")) == (
        "`opt` is 'Adam'; expected 'SGD'"
    )
    assert first_difference(name, "check failed: NameError: ...") == (
        "`opt`: the check could not show it after your code"
    )
    assert first_difference(name, tensor("opt", [1], [1.0])) == "`opt` is a tensor; expected a text"


@pytest.mark.parametrize(
    "hostile",
    [
        "show w = {" + "[" * 50_000 + "}",
        'show w = {"type": "tensor", "shape": "x", "values": []}',
        'show w = {"type": "tensor", "shape": [-1], "values": []}',
        'show w = {"type": "tensor", "shape": [1], "values": ["1"]}',
        'show w = {"type": "tensor", "shape": [1], "values": [true]}',
        'show w = {"type": "tensor", "shape": [1], "values": [1e999]}',
        'show w = {"type": "tensor", "shape": [1], "values": ' + str([0] * 5000) + "}",
        'show w = {"type": "exploit"}',
        "show w = [1, 2]",
        "show  = {}",
        "show w\x00 = {}",
    ],
)
def test_hostile_lines_are_ignored(hostile: str) -> None:
    assert parse_shown(hostile) == {}
    want = tensor("w", [1], [1.0])
    assert first_difference(want, hostile) == "`w`: the check could not show it after your code"


def test_the_first_line_of_a_name_counts() -> None:
    # A learner writing a fake line on the channel before the check cannot replace the
    # check's own line, and the verdict never depends on this parse anyway.
    fake = tensor("w", [1], [1.0])
    real = tensor("w", [1], [2.0])
    assert parse_shown(fake + "\n" + real)["w"].values == (1.0,)
