"""Running scans and picks against PyTorch 2.13 over random draws, forward, gradient and second derivative, float64
and float32 (tests/torch_reference.py compares): logcumsumexp over large entries and -inf, cummax and cummin with
ties (entries drawn from a few integers: the later entry is picked, as torch's) and NaN. A few draws by default,
more under -m slow."""

import numpy as np
import pytest
from test_torch_diff_picks import shape_and_dim
from torch_reference import DTYPES, check_draw, torch  # without torch: skipped

DEFAULT, SLOW = range(3), range(3, 60)


def _scans(rng, dtype):
    shape, dim = shape_and_dim(rng)
    # 400: exp overflows, its logs do not. Not in float32: out rounds there by 400 · 2^-24 = 2.4e-5, which
    # every exp(x − out) carries relatively, and the second derivatives (softmax weights of 0 and 1 times small
    # ones) come out as noise of 1e8 times their size in torch and here alike
    x = rng.normal(size=shape) * float(rng.choice([1.0, 30.0, 400.0] if dtype == np.float64 else [1.0, 30.0]))
    x[rng.uniform(size=shape) < 0.15] = -np.inf  # an empty sum so far: -inf, its gradient NaN (torch's too)
    ties = rng.integers(-2, 3, shape).astype(float)
    if rng.integers(2):
        ties[rng.uniform(size=shape) < 0.1] = np.nan
    cases = [("logcumsumexp", lambda a: a.logcumsumexp(dim), lambda a: torch.logcumsumexp(a, dim), [x])]
    cases += [
        (
            f"{name} dim={dim}",
            lambda a, name=name: getattr(a, name)(dim).values * a,  # times a: a second derivative not 0
            lambda a, name=name: getattr(torch, name)(a, dim).values * a,
            [ties],
        )
        for name in ("cummax", "cummin")
    ]
    return cases


def _indices(rng):
    """The indices themselves, compared exactly (ties and NaN included)."""
    shape, dim = shape_and_dim(rng)
    ties = rng.integers(-2, 3, shape).astype(float)
    ties[rng.uniform(size=shape) < 0.1] = np.nan
    return [
        (
            f"{name} indices",
            lambda a, n=name: getattr(a, n)(dim).indices,
            lambda a, n=name: getattr(torch, n)(a, dim).indices,
            [ties],
        )
        for name in ("cummax", "cummin")
    ]


MAKERS = {"scans": _scans}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", DEFAULT)
@pytest.mark.parametrize("kind", MAKERS)
def test_ops_match_torch(kind, seed, dtype):
    check_draw(MAKERS[kind](np.random.default_rng(seed), dtype), seed, dtype)


@pytest.mark.slow
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", SLOW)
@pytest.mark.parametrize("kind", MAKERS)
def test_more_ops_match_torch(kind, seed, dtype):
    check_draw(MAKERS[kind](np.random.default_rng(seed), dtype), seed, dtype)


@pytest.mark.parametrize("seed", range(20))
def test_indices_match_torch_at_ties_and_nan(seed):
    from autograd import Tensor

    for name, mine, theirs, (x,) in _indices(np.random.default_rng(seed)):
        np.testing.assert_array_equal(mine(Tensor(x)).data, theirs(torch.tensor(x)).numpy(), err_msg=name)
