"""chainrule's elementwise tensor ops and matmul against PyTorch: forward, gradient and second
derivative, in float64 and float32, over drawn shapes (with broadcasting) and values.
Tolerances and the comparison: tests/torch_reference.py."""

import functools

import numpy as np
import pytest
from cases_parameters import PARAMETER_CASES
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from torch_bessel import STAND_INS as BESSEL_STAND_INS
from torch_gamma import STAND_INS as GAMMA_STAND_INS
from torch_reference import DTYPES, EXAMPLES, F, check, compared, reference, torch  # without torch: skipped

import autograd
from autograd.op_table import BY_NAME, ELEMENTWISE, Domain
from autograd.testing import arrays, broadcastable_shapes, floats, shapes, within

NONZERO = st.one_of(floats(-3.0, -0.1), floats(0.1, 3.0))
# PyTorch's hardsigmoid has no double backward, and in float64 its gradient carries float32's 1/6
# (test_torch_hardsigmoid_has_a_float32_one_sixth): in float64 (Values, float64 Tensors) PyTorch's
# definition of it, relu6(x + 3) / 6, stands in (the same choice at -3 and 3: derivative 0);
# float32 Tensors are compared with torch's own, first derivatives only. Second derivatives are
# also checked against finite differences (tests/test_ops.py, tests/test_tensor_ops.py).
STAND_INS = {"hardsigmoid": lambda x: F.relu6(x + 3) / 6}
# torch's logit(x, eps) has NaN second derivatives where it clamps x (0/0 of the branch not taken; its value
# there is a constant, so 0): its definition, logit of x clamped (the same bounds, inside), stands in for
# the cases with parameters; its own first derivatives are compared at and around the bounds in
# tests/test_torch_reference_edges_elementwise.py
WITH_PARAMETERS = {
    "logit": lambda x, eps: torch.logit(torch.clamp(x, eps, 1 - eps)),
    "polygamma": GAMMA_STAND_INS["polygamma"],
}


def torch_function(name, torch_fn, dtype):
    """The torch function to compare op `name` with in `dtype`, and whether second derivatives are compared."""
    if name in GAMMA_STAND_INS:  # torch's trigamma is 2.6e-10 off: tests/torch_gamma.py
        return GAMMA_STAND_INS[name], True
    if name in BESSEL_STAND_INS:  # torch has no derivatives of J, Y and K: tests/torch_bessel.py
        return BESSEL_STAND_INS[name], True
    if name not in STAND_INS:
        return torch_fn, True
    return (STAND_INS[name], True) if np.dtype(dtype) == np.float64 else (torch_fn, False)


def nonzero_arrays(shape):
    return hnp.arrays(np.float64, shape, elements=NONZERO)


# name: (chainrule, torch, elements of the input); numbers and arrays are constants. First every
# unary op of the op table, inside its domain, then the tensor-only ones and constant operands.
UNARY = {d.name: (getattr(autograd, d.name), reference(d), d.safe[0]) for d in ELEMENTWISE if d.arity == 1}
UNARY |= {
    case: (
        lambda x, name=name, params=params: getattr(autograd, name)(x, **params),
        lambda x, name=name, params=params: WITH_PARAMETERS.get(name, reference(BY_NAME[name]))(x, **params),
        domain,
    )
    for case, (name, params, domain) in PARAMETER_CASES.items()
}
UNARY |= {
    "clip(-1, 1)": (lambda x: x.clip(-1.0, 1.0), lambda x: torch.clamp(x, -1.0, 1.0), (-3.0, 3.0)),
    "clip(lo=-0.5)": (lambda x: x.clip(lo=-0.5), lambda x: torch.clamp(x, min=-0.5), (-3.0, 3.0)),
    "clip(hi=0.5)": (lambda x: x.clip(hi=0.5), lambda x: torch.clamp(x, max=0.5), (-3.0, 3.0)),
    "x ** 2": (lambda x: x**2, lambda x: x**2, (-3.0, 3.0)),
    "x ** 3": (lambda x: x**3, lambda x: x**3, (-3.0, 3.0)),
    "x ** 0": (lambda x: x**0, lambda x: x**0, (-3.0, 3.0)),
    "x ** -1": (lambda x: x**-1, lambda x: x**-1, NONZERO),
    "x ** -2": (lambda x: x**-2, lambda x: x**-2, NONZERO),
    "x ** 0.5": (lambda x: x**0.5, lambda x: x**0.5, (0.05, 5.0)),
    "x ** -1.5": (lambda x: x**-1.5, lambda x: x**-1.5, (0.1, 3.0)),
    "2 ** x": (lambda x: 2.0**x, lambda x: 2.0**x, (-3.0, 3.0)),
    "0.5 ** x": (lambda x: 0.5**x, lambda x: 0.5**x, (-3.0, 3.0)),
    "x + 1.5": (lambda x: x + 1.5, lambda x: x + 1.5, (-3.0, 3.0)),
    "2 - x": (lambda x: 2.0 - x, lambda x: 2.0 - x, (-3.0, 3.0)),
    "x * -2.5": (lambda x: x * -2.5, lambda x: x * -2.5, (-3.0, 3.0)),
    "x / 4": (lambda x: x / 4.0, lambda x: x / 4.0, (-3.0, 3.0)),
    "3 / x": (lambda x: 3.0 / x, lambda x: 3.0 / x, NONZERO),
    "astype(the other float)": (
        lambda x: x.astype(np.float64 if x.dtype == np.float32 else np.float32),
        lambda x: x.to(torch.float64 if x.dtype == torch.float32 else torch.float32),
        (-3.0, 3.0),
    ),
    "x * array": (
        lambda x: x * np.full(x.shape, 1.5, x.dtype),
        lambda x: x * torch.full(x.shape, 1.5, dtype=x.dtype),
        (-3.0, 3.0),
    ),
}


@functools.cache
def _arrays(name):
    """Op `name`'s input arrays, the strategy built once: hypothesis validates a strategy on its first draw, and
    one built anew for each example was validated anew (0.5 ms an example)."""
    domain = UNARY[name][2]
    if isinstance(domain, Domain):
        elements = within(domain)
    else:
        elements = domain if isinstance(domain, st.SearchStrategy) else floats(*domain)
    return hnp.arrays(np.float64, shapes(0, 3, 4), elements=elements)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", UNARY)
@EXAMPLES
@given(data=st.data())
def test_unary(name, dtype, data):
    chain_fn, torch_fn, _ = UNARY[name]
    x = data.draw(_arrays(name), label="x")
    torch_fn, second = torch_function(name, torch_fn, dtype)
    check(chain_fn, torch_fn, [x], dtype, second=second)


BINARY = {d.symbol or d.name: d for d in ELEMENTWISE if d.arity == 2}  # every binary op of the table


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", BINARY)
@EXAMPLES
@given(data=st.data(), pair=broadcastable_shapes(2, max_dims=3, max_side=3))
def test_binary_with_broadcasting(name, dtype, data, pair):
    d = BINARY[name]
    a, b = (data.draw(within(domain, shape), label=label) for domain, shape, label in zip(d.safe, pair, "ab"))
    # off ties and jumps, where a float32 rounding could pick the other side (their edge points:
    # tests/test_torch_reference_edges.py)
    assume(d.valid(a.astype(dtype), b.astype(dtype)))
    # torch is no reference for d2(a**b)/da db where b == 0: its base gradient is masked to 0 there
    # (torch.where(b == 0, 0, ...)), so its mixed second derivative is 0 instead of a**(b-1) = 1/a
    # (see test_torch_masks_the_mixed_second_derivative_of_pow_at_exponent_0). Forward and gradient
    # are still compared at b == 0.
    second = not (name == "**" and np.any(b.astype(dtype) == 0))
    check(*compared(d), [a, b], dtype, second=second)


def test_torch_masks_the_mixed_second_derivative_of_pow_at_exponent_0():
    """Why the property test compares no second derivative of a**b where b == 0: torch's is wrong
    there (this documents it, and fails should a torch release fix it)."""
    a = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)
    (da,) = torch.autograd.grad(a**b, a, create_graph=True)
    (dadb,) = torch.autograd.grad(da, b, allow_unused=True, materialize_grads=True)
    assert dadb.item() == 0.0  # mathematically a**(b-1) * (1 + b log a) = 0.5


def test_torch_hardsigmoid_has_a_float32_one_sixth():
    """Why float64 comparisons of hardsigmoid use relu6(x + 3) / 6: torch's float64 gradient is
    float32's 1/6, 3e-8 off (this documents it, and fails should a torch release fix it)."""
    x = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad(F.hardsigmoid(x), x)
    assert g.item() == float(np.float32(1 / 6)) != 1 / 6


@st.composite
def matmul_shapes(draw):
    """Shapes of a @ b: vectors on either side, matrices, and batches whose batch axes broadcast."""
    m, n, p = (draw(st.integers(1, 4)) for _ in range(3))
    batch_a, batch_b = draw(broadcastable_shapes(2, max_dims=2, max_side=3))
    kind_a, kind_b = (
        draw(st.sampled_from(["vector", "matrix", "batch"])),
        draw(st.sampled_from(["vector", "matrix", "batch"])),
    )
    shape_a = {"vector": (n,), "matrix": (m, n), "batch": batch_a + (m, n)}[kind_a]
    shape_b = {"vector": (n,), "matrix": (n, p), "batch": batch_b + (n, p)}[kind_b]
    return shape_a, shape_b


@pytest.mark.parametrize("dtype", DTYPES)
@EXAMPLES
@given(data=st.data(), shapes_ab=matmul_shapes())
def test_matmul(dtype, data, shapes_ab):
    a, b = data.draw(arrays(shapes_ab[0]), label="a"), data.draw(arrays(shapes_ab[1]), label="b")
    check(lambda a, b: a @ b, torch.matmul, [a, b], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    "shape_a, shape_b",
    [
        ((3,), (3,)),
        ((3,), (3, 2)),
        ((2, 3), (3,)),
        ((2, 3), (3, 4)),
        ((5, 2, 3), (5, 3, 4)),
        ((2, 1, 2, 3), (5, 3, 4)),
        ((3,), (4, 3, 2)),
        ((4, 2, 3), (3,)),
        ((1, 3), (3, 1)),
    ],
    ids=str,
)
def test_matmul_every_kind_of_operand(dtype, shape_a, shape_b):
    rng = np.random.default_rng(7)
    a, b = rng.uniform(-2, 2, shape_a), rng.uniform(-2, 2, shape_b)
    check(lambda a, b: a @ b, torch.matmul, [a, b], dtype)
