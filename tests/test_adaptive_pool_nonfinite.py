"""adaptive_avg_pool2d with inf and NaN, against PyTorch in float64 and float32: each output reads its
own window only, so a non-finite input reaches just the outputs whose windows hold it, and a
non-finite gradient just the inputs in its output's window, at output sizes that divide the input's
and sizes that do not (a matrix of window weights made 0 times inf NaN everywhere). Also finite
differences of the first and second derivatives where the sizes do not divide, nn.AdaptiveAvgPool2d,
and a compiled step."""

import warnings

import numpy as np
import pytest
from torch_reference import DTYPES, F, torch  # without torch: skipped

import autograd
import nn
from autograd import Tensor, grad, gradcheck
from autograd.conv import adaptive_avg_pool2d
from nn.conv import AdaptiveAvgPool2d, Conv2d

TOLERANCE = {np.float64: 1e-12, np.float32: 1e-5}  # a mean of a few terms: rounding only
SPECIALS = np.array([np.inf, -np.inf, np.nan])


def _ours(x, size, g):
    t = Tensor(x, requires_grad=True)
    out = adaptive_avg_pool2d(t, size)
    out.backward(g)
    return out.data, t.grad


def _theirs(x, size, g):
    t = torch.tensor(x, requires_grad=True)
    out = F.adaptive_avg_pool2d(t, size)
    out.backward(torch.tensor(g))
    return out.detach().numpy(), t.grad.numpy()


def _assert_as_torch(x, size, g):
    """Output and gradient (for the upstream gradient g) as PyTorch's: infs of the same sign and NaNs
    at the same places, the finite entries close."""
    tol = TOLERANCE[x.dtype.type]
    with np.errstate(invalid="ignore"):  # inf - inf in a window, as in PyTorch's
        for ours, theirs in zip(_ours(x, size, g), _theirs(x, size, g)):
            assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
            np.testing.assert_allclose(ours, theirs, rtol=tol, atol=tol)


def _sprinkled(rng, a):
    """a with one to three entries replaced by inf, -inf or NaN."""
    a = a.copy()
    where = rng.choice(a.size, rng.integers(1, min(3, a.size) + 1), replace=False)
    a.flat[where] = rng.choice(SPECIALS, where.size)
    return a


def _case(rng, dtype):
    """A random input, an output size (dividing its size or not, smaller or larger) and a gradient."""
    x = rng.uniform(-1, 1, (rng.integers(1, 3), rng.integers(1, 3), rng.integers(1, 9), rng.integers(1, 9)))
    size = (int(rng.integers(1, 10)), int(rng.integers(1, 10)))
    g = rng.uniform(-1, 1, (*x.shape[:2], *size))
    return x.astype(dtype), size, g.astype(dtype)


@pytest.mark.parametrize(
    "x, size, expected",
    [
        (np.where(np.arange(16.0) == 15, np.inf, np.arange(16.0)).reshape(4, 4), 3,
         [[2.5, 3.5, 4.5], [6.5, 7.5, 8.5], [10.5, 11.5, np.inf]]),
        (np.where(np.arange(10.0) == 0, np.nan, np.arange(10.0)).reshape(2, 5), (1, 3), [[np.nan, 4.5, 6.0]]),
        (np.full((5, 5), -np.inf), 3, np.full((3, 3), -np.inf)),
    ],
)  # fmt: skip
def test_a_non_finite_entry_reaches_only_the_outputs_whose_windows_hold_it(x, size, expected):
    out = adaptive_avg_pool2d(Tensor(x.reshape(1, 1, *x.shape)), size)
    np.testing.assert_array_equal(out.data[0, 0], expected)


@pytest.mark.parametrize("dtype", DTYPES)
def test_non_finite_inputs_as_pytorch(dtype):
    rng = np.random.default_rng(0)
    for _ in range(60):
        x, size, g = _case(rng, dtype)
        _assert_as_torch(_sprinkled(rng, x), size, g)


@pytest.mark.parametrize("dtype", DTYPES)
def test_non_finite_gradients_reach_only_their_windows_as_pytorch(dtype):
    rng = np.random.default_rng(1)
    for _ in range(60):
        x, size, g = _case(rng, dtype)
        _assert_as_torch(x, size, _sprinkled(rng, g))


def test_an_infinite_gradient_leaves_the_inputs_outside_its_window_finite():
    x = Tensor(np.zeros((1, 1, 4, 4)), requires_grad=True)
    g = np.ones((1, 1, 3, 3))
    g[0, 0, 0, 0] = np.inf  # the window of rows 0-1, columns 0-1
    adaptive_avg_pool2d(x, 3).backward(g)
    assert np.isinf(x.grad[0, 0, :2, :2]).all()
    assert np.isfinite(x.grad[0, 0, 2:]).all() and np.isfinite(x.grad[0, 0, :, 2:]).all()


@pytest.mark.parametrize(
    "shape, size",
    [((2, 2, 4, 6), (3, 5)), ((1, 2, 5, 7), (2, 3)), ((1, 2, 4, 5), (2, 3)), ((1, 1, 3, 4), (5, 6))],
    ids=["neither divides", "windows of unequal length", "the height divides", "more outputs than inputs"],
)
def test_first_and_second_derivatives_by_finite_differences(shape, size):
    x = np.random.default_rng(2).uniform(-1, 1, shape)
    w = np.random.default_rng(3).uniform(0.5, 1.5, (*shape[:2], *size))
    loss = lambda t: (adaptive_avg_pool2d(t, size) ** 2 * w).sum()  # noqa: E731 (squared: a second derivative)
    assert gradcheck(loss, [x])
    v = np.random.default_rng(4).uniform(-1, 1, shape)
    assert gradcheck(lambda t: (grad(loss)(t) * v).sum(), [x])


def test_the_module_pools_non_finite_inputs_as_pytorch():
    x = np.arange(2 * 3 * 5 * 7.0).reshape(2, 3, 5, 7)
    x[1, 2, 4, 0], x[0, 1, 2, 3] = np.inf, np.nan
    ours = AdaptiveAvgPool2d((3, 4))(Tensor(x)).data
    np.testing.assert_allclose(ours, torch.nn.AdaptiveAvgPool2d((3, 4))(torch.tensor(x)).numpy(), rtol=1e-12)


def test_a_compiled_step_replays_eager_numbers_with_an_inf_in_the_input():
    def run(compiled):
        conv = Conv2d(1, 2, 1, seed=0)
        opt = nn.SGD(conv.parameters(), lr=0.1)

        def step(x):
            opt.zero_grad()
            pooled = adaptive_avg_pool2d(conv(x), (3, 5))
            pooled.sum().backward()
            return pooled

        step = autograd.compile(step, strict=True) if compiled else step
        xs = np.random.default_rng(5).uniform(-1, 1, (4, 3, 1, 4, 7))
        xs[3, 2, 0, 3, 6] = np.inf  # on a replay: in the last windows (rows 2-3, columns 5-6) of image 2
        results = []
        for x in xs:
            results.append(step(Tensor(x)).data)
            if len(results) < len(xs):  # the last gradient holds NaN, which an optimizer refuses (nn.optim_finite)
                opt.step()
        return results

    with warnings.catch_warnings():
        warnings.simplefilter("error", autograd.CompileWarning)
        eager, compiled = run(False), run(True)
    for a, b in zip(eager, compiled):
        np.testing.assert_array_equal(a, b)
    finite = np.ones((3, 2, 3, 5), bool)
    finite[2, :, 2, 4] = False
    assert np.array_equal(np.isfinite(compiled[3]), finite)


@pytest.mark.parametrize("shape, size", [((1, 1, 0, 4), (1, 3)), ((2, 1, 3, 0), 2), ((1, 1, 0, 0), 1)])
def test_an_input_of_no_height_or_width_is_refused(shape, size):
    """Every window would be empty, a mean of nothing (PyTorch refuses these too, but makes the output of
    size 1 NaN)."""
    with pytest.raises(autograd.ShapeError, match=r"height and width at least 1, got shape \(\d, 1, \d, \d\)"):
        adaptive_avg_pool2d(np.zeros(shape), size)
