"""`t < "x"`, `t.gt(b"ab")`, `t >= np.datetime64(...)` reached numpy, whose words were the error ("ufunc 'less' did
not contain a loop with signature matching types ..."), `t < [1.0, None]` Python's of a float and None, and
`t & "x"` numpy's "ufunc 'bitwise_and' not supported". A comparison or mask
operator beside what holds no real numbers now gives way (NotImplemented) as `==` already did, so Python's
TypeError answers in PyTorch's words ("'<' not supported between instances of 'Tensor' and 'str'"), and the
methods (`t.lt(x)`) raise their TypeError naming themselves."""

from __future__ import annotations

import operator

import numpy as np
import pytest

from autograd import Tensor, Value

# (complex numbers numpy orders by their real parts, then imaginary: compared as numpy does, test_compile_masks)
NOT_NUMBERS = ["x", b"ab", None, [1.0, None], np.datetime64("2020-01-01"), np.timedelta64(3, "s"), ["a"], {"a": 1}]


@pytest.mark.parametrize("other", NOT_NUMBERS, ids=repr)
@pytest.mark.parametrize("op", [operator.lt, operator.le, operator.gt, operator.ge], ids=lambda f: f.__name__)
def test_an_order_comparison_with_no_number_is_pythons_type_error(op, other) -> None:
    t = Tensor([1.0, 2.0])
    # numpy's dates ask numpy's comparison (np.less(date, t)), which names itself
    with pytest.raises(TypeError, match=r"not supported between instances of 'Tensor' and|^np\.\w+ compares numbers"):
        op(t, other)


@pytest.mark.parametrize("other", NOT_NUMBERS, ids=repr)
@pytest.mark.parametrize("name", ["lt", "le", "gt", "ge"])
def test_the_comparison_methods_name_themselves(name, other) -> None:
    with pytest.raises(TypeError, match=rf"^{name}\(\): compares with a number"):
        getattr(Tensor([1.0, 2.0]), name)(other)


@pytest.mark.parametrize("other", ["x", b"ab", None, np.datetime64("2020-01-01")], ids=repr)
@pytest.mark.parametrize("op", [operator.and_, operator.or_, operator.xor], ids=lambda f: f.__name__)
def test_a_mask_operator_with_no_number_is_pythons_type_error(op, other) -> None:
    m = Tensor(np.array([True, False]))
    with pytest.raises(TypeError, match=r"unsupported operand type|^np\.bitwise_\w+ compares numbers"):
        op(m, other)


def test_numbers_arrays_values_and_tensors_still_compare() -> None:
    t = Tensor([1.0, 2.0])
    for other in (1.5, 1, True, np.float32(1.5), np.array([2.0, 1.0]), [2.0, 1.0], Value(1.5), Tensor([2.0, 1.0])):
        assert (t < other).data.dtype == bool
    assert (Tensor(np.array([True, False])) & np.array([True, True])).data.tolist() == [True, False]
