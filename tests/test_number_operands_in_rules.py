"""A Python number given to a binary op is kept as a number (weak, so float32 * 2.0 stays float32). A rule
run on the nodes for a second derivative may apply an op to that operand alone (xlogy's log(y)): that op
must see numpy's array of the number, as it would see Tensor(number). Derived from the op table: every
binary op, a Python number in each place in turn, the other input a float64 Tensor it differentiates."""

import warnings

import numpy as np
import pytest

from autograd import Tensor, elementwise_grad
from autograd.op_table import ELEMENTWISE
from autograd.tensor_class import operand_of

BINARY = [(d, k) for d in ELEMENTWISE if d.arity == 2 for k in range(2) if d.differentiable(1 - k)]


def _points(domain) -> list[float]:
    """Two points inside the domain (its finite part), away from what it avoids."""
    inside = [x for x in np.linspace(max(domain.lo, -3.0), min(domain.hi, 3.0), 41)[1:-1] if domain(x)]
    return [inside[len(inside) // 3], inside[2 * len(inside) // 3]]


@pytest.mark.parametrize(("d", "k"), BINARY, ids=[f"{d.name}-number{k}" for d, k in BINARY])
def test_second_derivatives_with_a_number_operand_are_those_with_its_array(d, k):
    number = float(_points(d.safe[k])[0])  # a Python float: np.float64 becomes an array at once
    x = np.array(_points(d.safe[1 - k]))

    def second(constant):
        def f(t):
            args = [constant, constant]
            args[1 - k] = t
            return d.apply(*args)

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return elementwise_grad(elementwise_grad(f))(Tensor(x)).data

    np.testing.assert_array_equal(second(number), second(Tensor(np.float64(number))))


@pytest.mark.parametrize("number", [0.5, 2, True])
def test_ops_on_number_operands_alone_compute_as_on_their_arrays(number):
    """The class's root: an op whose operands are all kept numbers (log's floats() read a dtype the number
    lacks; gammainc's result type was float16, numbers being weak)."""
    warnings.simplefilter("ignore", RuntimeWarning)  # logit(2): numpy's own words, alike on both
    for d in ELEMENTWISE:
        operands = [operand_of(number, "test")] * d.arity
        arrays = [Tensor(np.asarray(number))] * d.arity
        try:
            expected = d.apply(*arrays)
        except TypeError:  # a bool where the op takes none: refused alike
            with pytest.raises(TypeError):
                d.apply(*operands)
            continue
        got = d.apply(*operands)
        assert got.dtype == expected.dtype, d.name
        np.testing.assert_array_equal(got.data, expected.data, err_msg=d.name)
