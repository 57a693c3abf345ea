"""chainrule's scalar engine (Value) against PyTorch on 0-d float64 tensors: every op's value,
gradient (autograd.grad) and Hessian (autograd.grad of autograd.grad), over drawn values.
A Value holds a Python float, so float64 is its only dtype. Comparison: tests/torch_reference.py."""

import pytest
from cases_parameters import PARAMETER_CASES
from hypothesis import assume, given
from hypothesis import strategies as st
from test_torch_reference_elementwise import WITH_PARAMETERS, torch_function
from torch_reference import EXAMPLES, check_scalar, compared, reference, torch  # without torch: skipped

import autograd
from autograd import Value
from autograd.op_table import BY_NAME, ELEMENTWISE
from autograd.testing import floats, within

NONZERO = st.one_of(floats(-3.0, -0.1), floats(0.1, 3.0))

# name: (chainrule on Values, torch on 0-d tensors, the input's values); numbers are constants.
# First every unary op of the op table, then the forms with constant operands.
UNARY = {
    d.name: (getattr(autograd, d.name), torch_function(d.name, reference(d), float)[0], within(d.safe[0]))
    for d in ELEMENTWISE
    if d.arity == 1
}
UNARY |= {
    case: (
        lambda x, name=name, params=params: getattr(autograd, name)(x, **params),
        lambda x, name=name, params=params: WITH_PARAMETERS.get(name, reference(BY_NAME[name]))(x, **params),
        within(domain),
    )
    for case, (name, params, domain) in PARAMETER_CASES.items()
}
UNARY |= {
    "x ** 2": (lambda x: x**2, lambda x: x**2, floats()),
    "x ** 3": (lambda x: x**3, lambda x: x**3, floats()),
    "x ** 0": (lambda x: x**0, lambda x: x**0, NONZERO),  # at 0: tests/test_torch_reference_edges.py
    "x ** -1": (lambda x: x**-1, lambda x: x**-1, NONZERO),
    "x ** -2": (lambda x: x**-2, lambda x: x**-2, NONZERO),
    "x ** 0.5": (lambda x: x**0.5, lambda x: x**0.5, floats(0.05, 5.0)),
    "x ** -1.5": (lambda x: x**-1.5, lambda x: x**-1.5, floats(0.1, 3.0)),
    "2 ** x": (lambda x: 2.0**x, lambda x: 2.0**x, floats()),
    "0.5 ** x": (lambda x: 0.5**x, lambda x: 0.5**x, floats()),
    "x + 1.5": (lambda x: x + 1.5, lambda x: x + 1.5, floats()),
    "1.5 + x": (lambda x: 1.5 + x, lambda x: 1.5 + x, floats()),
    "x - 2": (lambda x: x - 2.0, lambda x: x - 2.0, floats()),
    "2 - x": (lambda x: 2.0 - x, lambda x: 2.0 - x, floats()),
    "x * -2.5": (lambda x: x * -2.5, lambda x: x * -2.5, floats()),
    "-2.5 * x": (lambda x: -2.5 * x, lambda x: -2.5 * x, floats()),
    "x / 4": (lambda x: x / 4.0, lambda x: x / 4.0, floats()),
    "3 / x": (lambda x: 3.0 / x, lambda x: 3.0 / x, NONZERO),
}


@pytest.mark.parametrize("name", UNARY)
@EXAMPLES
@given(data=st.data())
def test_unary(name, data):
    chain_fn, torch_fn, elements = UNARY[name]
    check_scalar(chain_fn, torch_fn, [data.draw(elements, label="x")])


BINARY = {d.symbol or d.name: (d, *map(within, d.safe)) for d in ELEMENTWISE if d.arity == 2}


@pytest.mark.parametrize("name", BINARY)
@EXAMPLES
@given(data=st.data())
def test_binary(name, data):
    d, left, right = BINARY[name]
    a, b = data.draw(left, label="a"), data.draw(right, label="b")
    assume(d.valid(a, b))  # off ties and jumps (their edge points: tests/test_torch_reference_edges.py)
    # torch's d2(a**b)/da db is 0 where b == 0 (a masked gradient), not a**(b-1): see
    # test_torch_reference_elementwise.py::test_torch_masks_the_mixed_second_derivative_of_pow_at_exponent_0;
    # no Hessian compared there
    check_scalar(*compared(d), [a, b], second=not (name == "**" and b == 0))


@EXAMPLES
@given(x=floats(-2.0, 2.0), y=floats(0.1, 2.0), z=floats(-2.0, 2.0))
def test_composite_expression(x, y, z):
    """Ops meeting in one graph, with a node used twice: second derivatives mix every pair."""

    def f(x, y, z, exp, log, tanh, sigmoid, relu):
        u = x * y + z
        return tanh(u) * log(y) + exp(-(u**2)) / (1 + sigmoid(x) * relu(z)) + (u * u + 0.5) ** 1.5 - abs(z) * x

    check_scalar(
        lambda x, y, z: f(x, y, z, Value.exp, Value.log, Value.tanh, Value.sigmoid, Value.relu),
        lambda x, y, z: f(x, y, z, torch.exp, torch.log, torch.tanh, torch.sigmoid, torch.relu),
        [x, y, z],
    )
