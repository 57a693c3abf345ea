"""lp_pool's second derivatives (create_graph=True), and the p-norm rows' (pdist), against mpmath: right, or refused
with a FloatingPointError where a step of the chain leaves the floats (nn/lp_pool_second_order.py). The root's
second slope S^(1/p-2) left them silently: float32 [1e-30, 1e-30] at p = 7 had the Hessian row [-inf, -inf] for
[1.656e30, -1.656e30], float32 [1e4, 1e4] at p = 7 [3.3e-4, 0] for [1.656e-4, -1.656e-4]."""

import mpmath
import numpy as np
import pytest

import nn.functional as F
from autograd import Tensor

mpmath.mp.prec = 200


def _hessian(fn, row, dtype):
    x = Tensor(np.array(row, dtype), requires_grad=True)
    with np.errstate(all="ignore"):
        fn(x).sum().backward(create_graph=True)
        g, x.grad = x.grad, None
        rows = []
        for i in range(len(row)):
            g[i].backward(retain_graph=True)
            rows.append(np.array(x.grad))
            x.grad = None
    return np.array(rows)


def _exact(row, p):
    """H[i][j] of (Σ x^p)^(1/p) for x > 0: (p-1)/y·((x_i/y)^(p-2)·δij - r_i·r_j), r = (x/y)^(p-1); and the size of
    its two terms, the scale of the rounding it may carry (the terms cancel for x_i near y)."""
    q, xs = mpmath.mpf(p), [mpmath.mpf(float(v)) for v in row]
    y = mpmath.fsum(t**q for t in xs) ** (1 / q)
    r = [(t / y) ** (q - 1) for t in xs]
    diagonal = [(q - 1) / y * (t / y) ** (q - 2) for t in xs]
    cross = [[(q - 1) / y * a * b for b in r] for a in r]
    n = len(xs)
    exact = [[diagonal[i] * (i == j) - cross[i][j] for j in range(n)] for i in range(n)]
    scale = [[abs(diagonal[i]) * (i == j) + abs(cross[i][j]) for j in range(n)] for i in range(n)]
    return exact, scale


def _pool(p):
    return lambda x: F.lp_pool1d(x[None, None], p, 2)


def _distance(p):
    return lambda x: F.pairwise_distance(x[None], Tensor(np.zeros((1, 2), x.dtype)), p=p, eps=0.0)


def _right_or_refused(fn, row, p, dtype):
    """The Hessian within 64 ulps of the size of its terms (an ulp of each term's rounding, summed) or within the
    smallest normal float (a subnormal Hessian may be 0), or inf where the exact value is past the largest float;
    else a FloatingPointError naming create_graph."""
    try:
        got = _hessian(fn, row, dtype)
    except FloatingPointError as err:
        assert "create_graph" in str(err)
        return "refused"
    exact, scale = _exact(row, p)
    info = np.finfo(dtype)
    for i, j in np.ndindex(got.shape):
        want = float(exact[i][j])
        if abs(want) > float(info.max):
            assert got[i, j] == np.copysign(np.inf, want), (row, p, got, want)
            continue
        bound = 64 * float(info.eps) * float(scale[i][j]) + float(info.tiny)
        assert abs(float(got[i, j]) - want) <= bound, (dtype, p, row, got, [[float(v) for v in e] for e in exact])
    return "right"


@pytest.mark.parametrize(
    ("p", "row", "dtype"),
    [
        (7.0, [1e-30, 1e-30], np.float32),  # [-inf, -inf] for [1.656e30, -1.656e30]
        (7.0, [1e30, 1e30], np.float32),  # [3.31e-30, 0] for [1.656e-30, -1.656e-30]
        (20.0, [1e-9, 5e-10], np.float32),  # -inf for 18119.8
        (7.0, [1e4, 1e4], np.float32),  # [3.3e-4, 0] for [1.656e-4, -1.656e-4]
        (7.0, [1e-25, 1e-25], np.float64),  # -inf for 1.656e25
        (7.0, [1e30, 1e30], np.float64),  # [3.3e-30, 0] for [1.656e-30, -1.656e-30]
        (2.0, [1e120, 1e120], np.float64),  # [7.07e-121, 0] for [3.54e-121, -3.54e-121]
        (-1.5, [1e-120, 1e-123], np.float64),  # NaN
    ],
)
def test_second_derivatives_past_the_floats_are_refused(p, row, dtype):
    assert _right_or_refused(_pool(p), row, p, dtype) == "refused"


@pytest.mark.parametrize("p", [1.5, 2.0, 3.0, 7.0, 20.0, -1.5, -3.0])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_ordinary_windows_keep_their_second_derivatives(p, dtype):
    for row in ([1.0, 0.5], [3.0, 2.0], [0.25, 0.125]):
        assert _right_or_refused(_pool(p), row, p, dtype) == "right"
        if p > 1:
            assert _right_or_refused(_distance(p), row, p, dtype) == "right"


def _sweep(dtype):
    exponents = range(-300, 301, 10) if dtype == np.float64 else range(-38, 39, 2)
    for e in exponents:
        for ratio in (1.0, 0.5, 1e-3):
            row = list(np.array([10.0**e, 10.0**e * ratio], dtype))
            if row[1] != 0:
                yield row


@pytest.mark.slow
@pytest.mark.parametrize("p", [1.5, 2.0, 3.0, 7.0, 20.0, -1.5, -3.0])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_every_second_derivative_is_right_or_refused(p, dtype):
    """Windows from 1e-300 to 1e300 (float32: 1e-38 to 1e38), two equal entries or one 2 or 1000 times smaller."""
    for row in _sweep(dtype):
        _right_or_refused(_pool(p), row, p, dtype)
        if p > 1:
            _right_or_refused(_distance(p), row, p, dtype)


def test_a_window_of_loss_weight_0_whose_steps_pass_the_floats_is_refused():
    """Its Hessian is 0, but through the root's second slope (inf at 1e-30, p = 7) 0·inf gave [NaN, NaN]."""
    x = Tensor(np.array([1e-30, 1e-30, 1.0, 2.0]), requires_grad=True)
    out = F.lp_pool1d(x[None, None], 7.0, 2)
    with np.errstate(all="ignore"), pytest.raises(FloatingPointError, match=r"window at \(0, 0, 0\).*create_graph"):
        (out * Tensor(np.array([[[0.0, 1.0]]]))).sum().backward(create_graph=True)
        x.grad.sum().backward()


def test_ordinary_input_is_told_from_its_extremes(monkeypatch):
    """create_graph on a float32 (8, 16, 64, 64) batch of 0.01 to 1 at p = 3 went window by window: 48 ms for a
    backward of 11 ms without the check. From the extremes of |g|, y and |x| (each step is linear in their logs)
    such input is passed without a window's look."""
    import nn.lp_pool_second_order as second_order

    def no_windows(*args):
        raise AssertionError("ordinary input checked window by window")

    monkeypatch.setattr(second_order, "window_places", no_windows)
    x = Tensor(np.random.default_rng(0).uniform(0.01, 1, (2, 3, 8, 8)).astype(np.float32), requires_grad=True)
    F.lp_pool2d(x, 3.0, 2).sum().backward(create_graph=True)
    assert np.isfinite(x.grad.data).all()
