"""chainrule against PyTorch at the points where engines differ: kinks, ties, boundaries, zeros of
pow, large logits in float32, probabilities of exactly 0 and 1, overflow, 0-d reductions.
Forward and gradient (and the second derivative where the function is smooth at the point), in
float64 and float32 for Tensors, float64 for Values. Comparison: tests/torch_reference.py."""

import numpy as np
import pytest
from torch_reference import DTYPES, F, check, check_scalar, torch  # without torch: skipped

import autograd
import nn.functional as nnf
from autograd import Value

dtypes = pytest.mark.parametrize("dtype", DTYPES)


# ---- kinks and boundaries ----


@dtypes
@pytest.mark.parametrize("name", ["relu", "abs"])
def test_kink_at_zero(name, dtype):
    """relu and abs at exactly 0 (and -0.0) have derivative 0, as torch's."""
    chain_fn, torch_fn = {"relu": (lambda t: t.relu(), torch.relu), "abs": (abs, torch.abs)}[name]
    check(chain_fn, torch_fn, [[0.0, -0.0, 1.5, -1.5]], dtype, second=False)


@pytest.mark.parametrize("name", ["relu", "abs"])
@pytest.mark.parametrize("x", [0.0, -0.0])
def test_kink_at_zero_on_values(name, x):
    chain_fn, torch_fn = {"relu": (Value.relu, torch.relu), "abs": (abs, torch.abs)}[name]
    check_scalar(chain_fn, torch_fn, [x], second=False)


NONFINITE = [np.nan, np.inf, -np.inf, 1.5, -0.0, 3e38]
REPLACEMENTS = [{}, {"nan": 1.5, "posinf": 2.0, "neginf": -3.0}, {"posinf": np.inf}]


@pytest.mark.parametrize("dtype", [*DTYPES, np.float16])
@pytest.mark.parametrize("params", REPLACEMENTS, ids=str)
def test_nan_to_num_at_nan_and_the_infinities(params, dtype):
    """The replaced points get gradient 0, as torch's g * isfinite(x); infinities become the dtype's largest
    finite numbers (float16's 65504, where computing in float32 would round float32's back to inf)."""
    fn = lambda t: t.nan_to_num(**params)  # noqa: E731 (the same call on both)
    if dtype == np.float16:  # no second derivatives of float16 in torch's tests: the forward and gradient
        with np.errstate(over="ignore"):  # 3e38 is inf in float16, in both
            t = autograd.Tensor(np.array(NONFINITE, np.float16), requires_grad=True, dtype=np.float16)
        theirs = torch.tensor(NONFINITE, dtype=torch.float16, requires_grad=True)
        out, their_out = fn(t), fn(theirs)
        np.testing.assert_array_equal(out.data, their_out.detach().numpy())
        g = np.array([-2.0, np.inf, np.nan, 4.0, -3.0, 0.5], np.float16)
        out.backward(g)
        their_out.backward(torch.tensor(g))
        np.testing.assert_array_equal(t.grad, theirs.grad.numpy())  # -0, NaN where g is not finite, as torch's
        return
    check(fn, fn, [NONFINITE], dtype)


@pytest.mark.parametrize("x", [np.nan, np.inf, -np.inf, -2.5])
@pytest.mark.parametrize("params", REPLACEMENTS, ids=str)
def test_nan_to_num_on_values(x, params):
    check_scalar(lambda v: v.nan_to_num(**params), lambda t: t.nan_to_num(**params), [x])


def test_numpys_nan_to_num_is_the_op_on_tensors_and_values():
    """It was a TypeError on a Tensor, and on a Value (numpy's own returned NaN unchanged before that)."""
    t = autograd.Tensor(np.array(NONFINITE), requires_grad=True)
    out = np.nan_to_num(t, nan=1.5, neginf=-2.0)
    assert out.op.name == "nan_to_num" and out.op_params == {"nan": 1.5, "posinf": None, "neginf": -2.0}
    out.sum().backward()
    np.testing.assert_array_equal(t.grad, np.isfinite(NONFINITE))
    for x, expected, slope in ((np.inf, 3.0, 0.0), (np.nan, 0.0, 0.0), (-1.5, -1.5, 1.0)):
        v = Value(x)
        out = np.nan_to_num(v, posinf=3.0)
        assert out.data == expected and autograd.gradients(out, [v]) == [slope]
    for x in (t, Value(1.0)):
        with pytest.raises(TypeError, match="copy"):
            np.nan_to_num(x, copy=False)


@dtypes
@pytest.mark.parametrize("lo, hi", [(-1.0, 2.0), (-1.0, None), (None, 2.0), (0.5, 0.5)], ids=str)
def test_clip_at_its_bounds(lo, hi, dtype):
    """At exactly lo or hi the gradient passes, as torch.clamp's."""
    x = [-1.0, 2.0, 0.5, -3.0, 5.0]
    check(lambda t: t.clip(lo, hi), lambda t: torch.clamp(t, lo, hi), [x], dtype, second=False)


REDUCERS = {"max": torch.amax, "min": torch.amin}


@dtypes
@pytest.mark.parametrize("name", REDUCERS)
@pytest.mark.parametrize("axis", [None, 0, 1, -1, (0, 1), (-1, 0)], ids=str)
@pytest.mark.parametrize("keepdims", [False, True])
def test_max_min_with_ties(name, axis, keepdims, dtype):
    """Tied extremes share the gradient evenly, as torch.amax/amin."""
    x = [[1.0, 3.0, 3.0], [2.0, 2.0, 2.0], [-1.0, 0.0, -1.0], [3.0, -1.0, 3.0]]
    dim = (0, 1) if axis is None else axis
    check(
        lambda t: getattr(t, name)(axis=axis, keepdims=keepdims),
        lambda t: REDUCERS[name](t, dim=dim, keepdim=keepdims),
        [x],
        dtype,
    )


# ---- zeros and powers ----


@dtypes
def test_sqrt_at_zero(dtype):
    check(lambda t: t.sqrt(), torch.sqrt, [[0.0, 1.0]], dtype, second=False)


def test_sqrt_at_zero_on_values():
    check_scalar(Value.sqrt, torch.sqrt, [0.0], second=False)  # torch: an infinite derivative


@dtypes
@pytest.mark.parametrize("form", ["x ** 0", "x ** y"])
def test_x_to_the_0_at_0_has_gradient_0(form, dtype):
    """x**0 is the constant 1, also at x == 0: torch's derivative there is 0."""
    if form == "x ** 0":
        check(lambda t: t**0, lambda t: t**0, [[0.0, 2.0, -1.0]], dtype, second=False)
    else:
        check(lambda a, b: a**b, lambda a, b: a**b, [[0.0, 2.0, -1.0], [0.0, 0.0, 0.0]], dtype, second=False)


@pytest.mark.parametrize("form", ["x ** 0", "x ** y"])
def test_x_to_the_0_at_0_has_gradient_0_on_values(form):
    if form == "x ** 0":
        check_scalar(lambda x: x**0, lambda x: x**0, [0.0], second=False)
    else:
        check_scalar(lambda x, y: x**y, lambda x, y: x**y, [0.0, 0.0], second=False)


@pytest.mark.parametrize("y", [0.5, 1.0, 2.0])
def test_0_to_the_y_differentiated_in_y_on_values(y):
    """d(0**y)/dy = 0 for y > 0 (the limit of 0**y log 0), as torch."""
    check_scalar(lambda y: 0.0**y, lambda y: 0.0**y, [y], second=False)


@dtypes
@pytest.mark.parametrize("form", ["0 ** y", "x ** y"])
@pytest.mark.parametrize("y", [-1.0, 0.0, 0.5, 2.0])
def test_0_to_the_y_on_tensors(form, y, dtype):
    """0**y for a constant base 0, or a differentiable base at 0 (torch: d/dx at x == 0 is
    y * 0**(y-1), 0 for y == 0; d/dy is 0 for y >= 0, (0**y) * log 0 = -inf for y < 0)."""
    if form == "0 ** y":
        check(lambda t: 0.0**t, lambda t: 0.0**t, [[y]], dtype, second=False)
    else:
        check(lambda a, b: a**b, lambda a, b: a**b, [[0.0], [y]], dtype, second=False)


NEGATIVE_BASE = [-2.0, -0.5, -3.0]


@dtypes
@pytest.mark.parametrize("form", ["x ** n", "x ** y", "-2 ** y"])
@pytest.mark.parametrize("exponent", [2.0, 3.0, -1.0, -2.0])
def test_negative_base_with_integer_exponent(form, exponent, dtype):
    """Defined (d/dbase = b a**(b-1)); d/dexponent is NaN, log of a negative base, in torch too."""
    if form == "x ** n":
        check(lambda t: t**exponent, lambda t: t**exponent, [NEGATIVE_BASE], dtype)
    elif form == "x ** y":
        check(lambda a, b: a**b, lambda a, b: a**b, [NEGATIVE_BASE, [exponent] * 3], dtype)
    else:
        check(lambda b: (-2.0) ** b, lambda b: (-2.0) ** b, [[exponent]], dtype)


@pytest.mark.parametrize("form", ["x ** n", "x ** y", "-2 ** y"])
@pytest.mark.parametrize("exponent", [2.0, 3.0, -1.0, -2.0])
def test_negative_base_with_integer_exponent_on_values(form, exponent):
    if form == "x ** n":
        check_scalar(lambda a: a**exponent, lambda a: a**exponent, [-2.0])
    elif form == "x ** y":
        check_scalar(lambda a, b: a**b, lambda a, b: a**b, [-2.0, exponent])
    else:
        check_scalar(lambda b: (-2.0) ** b, lambda b: (-2.0) ** b, [exponent])


# ---- large logits, probabilities at 0 and 1, saturation, overflow ----

LARGE = np.array([[0.0, 0.5, -1.25, 2.0], [3.0, -0.75, 1.0, 0.0]])  # plus 1e4: exact in float32


@dtypes
@pytest.mark.parametrize("shift", [1e4, -1e4])
@pytest.mark.parametrize("name", ["log_softmax", "softmax", "logsumexp"])
@pytest.mark.parametrize("axis", [-1, 0])
def test_softmax_family_with_logits_near_1e4(name, shift, axis, dtype):
    """Logits of 1e4 +- a few: torch keeps log_softmax within ~1e-7 in float32 (it subtracts
    the max before anything else), where the ulp of 1e4 itself is ~1e-3."""
    torch_fn = {"log_softmax": torch.log_softmax, "softmax": torch.softmax, "logsumexp": torch.logsumexp}[name]
    check(lambda t: getattr(t, name)(axis=axis), lambda t: torch_fn(t, dim=axis), [LARGE + shift], dtype)


@dtypes
@pytest.mark.parametrize("shift", [1e4, -1e4])
def test_cross_entropy_with_logits_near_1e4(shift, dtype):
    labels = np.array([2, 0])
    check(
        lambda t: autograd.cross_entropy(t, labels),
        lambda t: F.cross_entropy(t, torch.from_numpy(labels)),
        [LARGE + shift],
        dtype,
    )


@dtypes
@pytest.mark.parametrize("p", [1.0, 1 - 1e-9, 0.0], ids=["p=1", "p=1-1e-9", "p=0"])
@pytest.mark.parametrize("target", [0.0, 1.0], ids=["t=0", "t=1"])
def test_binary_cross_entropy_at_0_and_1(p, target, dtype):
    """torch holds each log at -100 or above, so the loss stays finite: 100 for a certain wrong
    answer, 0 for a certain right one, with a finite gradient (1 - 1e-9 is 1.0 in float32).
    Targets are constants here (torch's target gradient at p = 0 or 1 is infinite)."""
    t = np.array([target, 0.5], dtype=dtype)
    check(
        lambda q: nnf.binary_cross_entropy(q, t),
        lambda q: F.binary_cross_entropy(q, torch.from_numpy(t)),
        [[p, 0.5]],
        dtype,
        second=False,
    )


@dtypes
def test_sigmoid_saturates(dtype):
    check(lambda t: t.sigmoid(), torch.sigmoid, [[-100.0, 100.0, -1000.0, 1000.0, -30.0]], dtype)


@pytest.mark.parametrize("x", [-100.0, 100.0, -1000.0, 1000.0])
def test_sigmoid_saturates_on_values(x):
    check_scalar(Value.sigmoid, torch.sigmoid, [x])


@dtypes
def test_exp_overflows_to_infinity(dtype):
    """exp past the dtype's largest number is inf, and so is its gradient (float32 from 89, float64 from 710)."""
    check(lambda t: t.exp(), torch.exp, [[89.0, 100.0, 710.0, -800.0, 1.0]], dtype, second=False)


@pytest.mark.parametrize("x", [710.0, 1000.0])
def test_exp_overflow_on_values(x):
    check_scalar(Value.exp, torch.exp, [x], second=False)  # chainrule raises OverflowError, torch gives inf


# ---- 0-d tensors ----

ZERO_D = {
    "sum": ("sum", torch.sum),
    "mean": ("mean", torch.mean),
    "max": ("max", torch.amax),
    "min": ("min", torch.amin),
    "logsumexp": ("logsumexp", torch.logsumexp),
}


@dtypes
@pytest.mark.parametrize("name", ZERO_D)
@pytest.mark.parametrize("axis", [0, -1, (0,), (-1,)], ids=str)
@pytest.mark.parametrize("keepdims", [False, True])
def test_reductions_of_a_0d_tensor_along_axis_0_or_minus_1(name, axis, keepdims, dtype):
    """torch takes dim 0 or -1 of a 0-d tensor as the tensor itself."""
    method, torch_fn = ZERO_D[name]
    check(
        lambda t: getattr(t, method)(axis=axis, keepdims=keepdims),
        lambda t: torch_fn(t, dim=axis, keepdim=keepdims),
        [1.5],
        dtype,
    )


@dtypes
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
@pytest.mark.parametrize("axis", [0, -1])
def test_softmax_of_a_0d_tensor(name, axis, dtype):
    torch_fn = {"softmax": torch.softmax, "log_softmax": torch.log_softmax}[name]
    check(lambda t: getattr(t, name)(axis=axis), lambda t: torch_fn(t, dim=axis), [1.5], dtype)
