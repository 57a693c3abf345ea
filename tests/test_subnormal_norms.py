"""The 2-norm family at subnormal scale against mpmath: normalize (eps 0), cosine_similarity (eps 0) and the
gradients of norm and std. A subnormal norm is right to rounding but has few digits (‖[5e-324, 5e-324]‖ is
5e-324), so x/‖x‖ divided by it was [1, 1], not 1/√2: these are now within 2 ulps, as at any other scale."""

import math
import warnings

import numpy as np
import pytest

from autograd import Tensor
from nn.distances import cosine_similarity
from nn.functional import normalize

mp = pytest.importorskip("mpmath", reason="mpmath (torch's sympy installs it) is the reference of these tests")
ROWS = [[5e-324, 5e-324], [1e-320, 3e-320], [5e-324, 1e-323, 1.5e-323], [1e-310, 2e-310], [2.2e-308, 1e-320]]


def _unit(row):
    with mp.workdps(50):
        norm = mp.sqrt(mp.fsum(mp.mpf(v) ** 2 for v in row))
        return [float(mp.mpf(v) / norm) for v in row]


def _within(ours, exact, ulps=2):
    for a, b in zip(np.ravel(ours), exact):
        assert abs(a - b) <= ulps * math.ulp(b), (list(np.ravel(ours)), exact)


@pytest.mark.parametrize("row", ROWS)
def test_normalize_and_the_norms_gradient_are_mpmath_s_on_subnormal_rows(row):
    """A row of ones beside it keeps its own path; nothing warns (the results are all in range)."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pair = np.array([row, [1.0] * len(row)])
        _within(normalize(Tensor(pair), eps=0.0).data[0], _unit(row))
        x = Tensor(np.array(row), requires_grad=True)
        x.norm().backward()
        _within(x.grad, _unit(row))


@pytest.mark.parametrize("row", ROWS)
def test_cosine_similarity_of_subnormal_rows_is_mpmath_s(row):
    turned = row[::-1]
    with mp.workdps(50):
        exact = float(mp.fsum(mp.mpf(a) * mp.mpf(b) for a, b in zip(_unit(row), _unit(turned))))
    ours = cosine_similarity(Tensor(np.array([row])), Tensor(np.array([turned])), eps=0.0).data
    assert abs(ours[0] - exact) <= 4 * math.ulp(exact), (ours, exact)


def test_std_gradient_of_a_subnormal_spread_is_mpmath_s():
    """It was 1.5e-4 off (-0.44550, not -0.44544): the subnormal std times the scale kept its rounding."""
    row = [1e-320, 3e-320, 4e-320]
    with mp.workdps(50):
        values = [mp.mpf(v) for v in row]
        mean = mp.fsum(values) / 3
        std = mp.sqrt(mp.fsum((v - mean) ** 2 for v in values) / 3)  # numpy's ddof 0, Tensor.std's default
        exact = [float((v - mean) / (3 * std)) for v in values]
    x = Tensor(np.array(row), requires_grad=True)
    x.std().backward()
    _within(x.grad, exact, ulps=4)


def test_float32_subnormal_rows_too():
    row = np.array([[1e-45, 1e-45]], dtype=np.float32)
    assert normalize(Tensor(row), eps=0.0).data.tolist() == [[np.float32(0.70710677)] * 2]


# the normalisations with eps 0 at subnormal scale: their mean, deviations and 2-norm had the subnormals' few digits
NORMALISED = [[1e-320, 3e-320, 4e-320], [5e-324, 1e-323, 2e-323], [1e-310, 2e-310, 4e-310], [-3e-322, 2e-322, 5e-322]]
UPSTREAM = [1e-300, -2e-300, 0.5e-300]  # a gradient from above small enough that x's (about 1/std) fits


def _standardized(row, centred, eps=0.0, upstream=UPSTREAM):
    """(x − mean)/√(var + eps) (rms_norm's x/√(mean(x²) + eps) where not `centred`) and the gradient of Σ cᵢyᵢ,
    c = upstream, at 50 digits."""
    with mp.workdps(50):
        v, c, n = [mp.mpf(a) for a in row], [mp.mpf(a) for a in upstream], len(row)
        mean, mean_c = (mp.fsum(v) / n, mp.fsum(c) / n) if centred else (0, 0)
        d = [a - mean for a in v]
        root = mp.sqrt(mp.fsum(a**2 for a in d) / n + mp.mpf(eps))
        mean_cd = mp.fsum(a * b for a, b in zip(c, d)) / n
        return [float(a / root) for a in d], [
            float((ci - mean_c) / root - di * mean_cd / root**3) for ci, di in zip(c, d)
        ]


def _each_normalisation(eps=0.0):
    from nn.functional import batch_norm, group_norm, instance_norm, layer_norm, rms_norm

    yield "layer_norm", True, lambda x: layer_norm(x, 3, eps=eps)
    yield "rms_norm", False, lambda x: rms_norm(x, 3, eps=eps)
    yield "group_norm", True, lambda x: group_norm(x.reshape(2, 3, 1), 1, eps=eps).reshape(2, 3)
    yield "instance_norm", True, lambda x: instance_norm(x.reshape(2, 1, 3), eps=eps).reshape(2, 3)
    yield "batch_norm", True, lambda x: batch_norm(x.T, None, None, training=True, eps=eps).T


@pytest.mark.parametrize("row", NORMALISED)
@pytest.mark.parametrize(
    "name, centred, normalise", list(_each_normalisation()), ids=lambda v: v if isinstance(v, str) else ""
)
def test_normalisations_of_subnormal_rows_and_their_gradients_are_mpmath_s(row, name, centred, normalise):
    """layer_norm([1e-320, 3e-320, 4e-320], eps=0) was 6.4e-4 off, rms_norm's 8.3e-5, group_norm's, instance_norm's
    and batch_norm's as layer_norm's; [5e-324, 1e-323, 2e-323]'s middle entry 0 (not -0.27), and the gradients
    as far off (2.3e-4, 0.37). A row of ones beside it keeps its own path; nothing warns."""
    _row_is_mpmath_s(row, normalise, *_standardized(row, centred), UPSTREAM)


@pytest.mark.parametrize("eps", [1e-307, 1e-300, 1e-290, 1e-5])
def test_with_a_small_eps_the_normalisations_of_subnormal_rows_are_mpmath_s(eps):
    """sqrt(var + eps) is right there (eps outweighs what the squares lost), but the deviations beside it had the
    subnormals' few digits: layer_norm([5e-324, 5e-324, 1e-323], eps=1e-300) was 100% off, [1e-320, 3e-320,
    4e-320]'s 5e-4, and with eps 1e-5 100 ulps of its (subnormal) outputs. rms_norm divides x itself: right.
    The gradient from above is of the size that keeps x's (about 1/√eps times it) in range."""
    upstream = UPSTREAM if eps < 1e-200 else [c * 1e300 for c in UPSTREAM]
    for row in NORMALISED + [[5e-324, 5e-324, 1e-323]]:
        for _name, centred, normalise in _each_normalisation(eps):
            _row_is_mpmath_s(row, normalise, *_standardized(row, centred, eps, upstream), upstream)


def test_batch_norm_s_running_statistics_of_a_subnormal_batch_are_mpmath_s():
    """The scaled path gives them back in the input's units (its mean, not 2^54 times it)."""
    from nn.functional import batch_norm

    row = NORMALISED[0]
    mean, var = np.zeros(1), np.zeros(1)
    batch_norm(Tensor(np.array([row]).T), mean, var, training=True, momentum=1.0, eps=0.0)
    with mp.workdps(50):
        v = [mp.mpf(a) for a in row]
        m = mp.fsum(v) / 3
        exact_var = mp.fsum((a - m) ** 2 for a in v) / 2  # the unbiased variance: 0 in floats (its square)
    assert mean[0] == float(m) and var[0] == float(exact_var) == 0.0


def test_a_compiled_step_recorded_on_ordinary_rows_runs_subnormal_ones_eagerly_and_right():
    """(A step recorded on hypot-path rows runs eagerly from the start: its checks read data made in the step.)"""
    import autograd
    from nn.functional import layer_norm, rms_norm

    subnormal_rows = np.array([NORMALISED[0]])
    for normalise, centred in ((lambda x: layer_norm(x, 3, eps=0.0), True), (lambda x: rms_norm(x, 3, eps=0.0), False)):
        step = autograd.compile(normalise)
        for _ in range(3):
            step(Tensor(np.array([[1.0, 3.0, 4.0]])))
        _within(step(Tensor(subnormal_rows)).data[0], _standardized(NORMALISED[0], centred)[0], ulps=4)
    step = autograd.compile(lambda x: layer_norm(x, 3, eps=1e-300))  # sqrt(var + eps) right, the deviations not
    for _ in range(3):
        step(Tensor(np.array([[1.0, 3.0, 4.0]])))
    _within(step(Tensor(subnormal_rows)).data[0], _standardized(NORMALISED[0], True, 1e-300)[0], ulps=4)


def _row_is_mpmath_s(row, normalise, exact, slopes, upstream):
    """`row` normalised beside a row of ones (which keeps its own path), with no warning: its outputs within 4 ulps
    of `exact` and its gradient under `upstream` within 8 of `slopes`."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        x = Tensor(np.array([row, [1.0, 2.0, 4.0]]), requires_grad=True)
        y = normalise(x)
        (y * Tensor(np.array([upstream, [0.0] * 3]))).sum().backward()
    _within(y.data[0], exact, ulps=4)
    _within(x.grad[0], slopes, ulps=8)


def test_a_compiled_step_whose_subnormal_rows_move_gives_eager_numbers():
    """A replay checked only that some norm was subnormal, as on the recorded call: with that row moved ([5e-324,
    5e-324] from row 0 to row 1), the replay scaled the recorded row, giving 3.4 for the sum of normalize(x, eps=0),
    not 2.8142 (1/√2 · 2 + 1.4), and other gradients. The rows are compared now: such a replay runs eagerly."""
    import autograd

    first, moved = np.array([[5e-324, 5e-324], [3.0, 4.0]]), np.array([[3.0, 4.0], [5e-324, 5e-324]])
    x = Tensor(first.copy(), requires_grad=True)

    def step():
        total = normalize(x, eps=0.0).sum()
        total.backward()
        return total.item()

    run = autograd.compile(step)
    for rows in (first, first, first, moved, moved):
        x.data[...] = rows
        x.grad = None
        compiled, compiled_grad = run(), np.array(x.grad)
        x.grad = None
        assert compiled == step()
        np.testing.assert_array_equal(compiled_grad, x.grad)
