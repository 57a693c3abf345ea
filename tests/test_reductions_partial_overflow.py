"""sum, mean, cumsum and var whose partial sums (or squares) overflow where the exact result fits the
float range: right to rounding (against exact fractions), inf only where the exact result is beyond it;
and var's gradient, whose x - mean overflowed where it fits; the finiteness check that keeps a first try."""

import warnings
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd
import nn
from autograd import Tensor, Value

BIG = np.finfo(np.float64).max
EPS = Fraction(float(np.finfo(np.float64).eps))

# entries near the top of the range, with a few ordinary ones among them: their sums overflow on the way
huge = st.floats(1e300, BIG) | st.floats(-BIG, -1e300) | st.floats(-1e3, 1e3)
rows = st.lists(huge, min_size=1, max_size=12)


def _quiet(f, *args):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # numpy's first try overflows: that is the point
        return f(*args)


def _close(got: float, exact: Fraction, slack: Fraction) -> None:
    """got is exact to within `slack` (the rounding a sum may make); inf where exact is beyond the range
    (from the largest float plus half its unit in the last place on, inf is its rounding), either near it."""
    beyond = Fraction(BIG) + Fraction(2) ** 970
    if abs(exact) - slack >= beyond:
        assert np.isinf(got) and (got > 0) == (exact > 0)
    elif abs(exact) + slack < beyond or np.isfinite(got):
        assert np.isfinite(got), (got, exact)
        assert abs(Fraction(float(got)) - exact) <= slack


@given(rows)
def test_sum_and_mean_are_right_where_the_exact_result_fits(xs):
    x = np.array(xs)
    exact_sum = sum(map(Fraction, xs))
    slack = len(xs) * EPS * sum(abs(Fraction(v)) for v in xs)  # pairwise sums round at most n times
    _close(_quiet(lambda: Tensor(x).sum().item()), exact_sum, slack)
    _close(_quiet(lambda: Tensor(x).mean().item()), exact_sum / len(xs), slack / len(xs))


@given(rows)
def test_running_sums_are_right_where_each_exact_one_fits(xs):
    x = np.array(xs)
    got = _quiet(lambda: Tensor(x).cumsum().data)
    total, seen = Fraction(0), Fraction(0)
    for v, g in zip(xs, got, strict=True):
        total, seen = total + Fraction(v), seen + abs(Fraction(v))
        _close(float(g), total, len(xs) * EPS * seen)


def test_the_examples():
    """[1e308, 1e308, 1, 2]'s mean is 5e307 (numpy's and PyTorch's: inf); sums along an axis too."""
    assert _quiet(lambda: Tensor(np.array([1e308, 1e308, 1, 2])).mean().item()) == 5e307
    rows = np.array([[1e308, 1e308, -1e308], [1.0, 2.0, 3.0]])
    np.testing.assert_array_equal(_quiet(lambda: Tensor(rows).sum(axis=1).data), [1e308, 6.0])
    np.testing.assert_array_equal(_quiet(lambda: Tensor(rows[0]).cumsum().data), [1e308, np.inf, 1e308])
    assert np.isnan(_quiet(lambda: Tensor(np.array([np.inf, -np.inf])).sum().item()))  # still NaN


@pytest.mark.parametrize(
    "entries, variance",
    [
        ([1.7e308, 1.7e308], 0.0),  # the mean overflowed: NaN
        ([1e154, -1e154], 1e308),  # the squares overflowed: inf
        ([1e200, -1e200], np.inf),  # 1e400: inf is its rounding
    ],
)
def test_var_where_its_squares_overflow(entries, variance):
    assert _quiet(lambda: Tensor(np.array(entries)).var().item()) == variance


def test_var_gradient_where_x_minus_the_mean_overflows():
    """∂var/∂x = 2(x - mean)/n: x0 - mean = 2.27e308 overflowed, the gradient 1.51e308 fits."""
    xs = [1.7e308, -1.7e308, -1.7e308]
    t = Tensor(np.array(xs), requires_grad=True)
    _quiet(lambda: t.var().backward())
    mean = sum(map(Fraction, xs)) / 3
    expected = [float(2 * (Fraction(v) - mean) / 3) for v in xs]
    np.testing.assert_allclose(t.grad, expected, rtol=4 * float(EPS))
    t2 = Tensor(np.array([1.7e308, 1.7e308]), requires_grad=True)  # a constant: 0, not -inf
    _quiet(lambda: t2.var().backward())
    np.testing.assert_array_equal(t2.grad, [0.0, 0.0])


@given(rows)
def test_value_losses_sum_and_mean_are_right_where_the_exact_result_fits(xs):
    """nn's losses of Value lists add the terms one by one: their running sum overflowed as numpy's did."""
    preds = [Value(v) for v in xs]
    exact = sum(Fraction(abs(v)) for v in xs)  # l1_loss against 0: the terms are |x|
    slack = len(xs) * EPS * exact
    _close(_quiet(lambda: nn.functional.l1_loss(preds, [0.0] * len(xs), reduction="sum").data), exact, slack)
    mean = _quiet(lambda: nn.functional.l1_loss(preds, [0.0] * len(xs)))
    _close(mean.data, exact / len(xs), slack / len(xs))
    _quiet(mean.backward)
    assert [p.grad for p in preds] == pytest.approx([np.sign(v) / len(xs) for v in xs])


def test_a_gradient_summed_back_to_a_broadcast_input():
    """∂/∂w of sum(x·w), w broadcast over x = [1e308, 1e308, -1e308], is sum(x) = 1e308 (it was inf), eagerly and
    in a compiled step (its sum_to kernel)."""
    x = Tensor(np.array([[1e308, 1e308, -1e308], [1.0, 2.0, 3.0]]))

    def step(w):
        loss = (x * w).sum()
        loss.backward()
        return loss

    for run in (lambda f: f, autograd.compile):
        stepped = run(step)
        w = Tensor(np.array([[1.0], [1.0]]), requires_grad=True)
        for _ in range(3):  # compiled: recorded, then replayed
            w.grad = None
            _quiet(stepped, w)
            np.testing.assert_array_equal(w.grad, [[1e308], [6.0]])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("size", [4096, 65536, 65537, 2 * 65536 + 5])
def test_the_finiteness_check_sees_a_nan_or_an_infinity_anywhere(dtype, size):
    """scaled_sums.finite sums a large float32/float64 result by BLAS against ones, in rows of 65,536 and a tail:
    a NaN or an infinity in any row or the tail (or +inf and -inf in different rows) is seen, in any layout."""
    from autograd.scaled_sums import finite

    base = np.random.default_rng(0).standard_normal(size).astype(dtype)
    with np.errstate(all="ignore"):
        assert finite(base) and finite(base.astype(base.dtype.newbyteorder())) and finite(base[::-1])
        for where in {0, 65535 % size, 65536 % size, size // 2, size - 1}:
            for bad in ([np.nan], [np.inf], [-np.inf], [np.inf, -np.inf], [np.nan, np.inf]):
                x = base.copy()
                for k, v in enumerate(bad):
                    x[(where + k * 65536) % size] = v
                swapped = x.astype(x.dtype.newbyteorder())
                assert not (finite(x) or finite(x.reshape(1, -1)) or finite(x[::-1]) or finite(swapped)), (where, bad)
