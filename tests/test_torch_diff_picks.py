"""Picking and placing ops against PyTorch 2.13 over random draws, forward, gradient and second derivative, float64
and float32 (tests/torch_reference.py compares): take_along_dim (broadcast, negative indices, dim=None), scatter of
a src (places written once: where one repeats, torch's gradient goes to every write, test_picks) and of a value. A
few draws by default, more under -m slow."""

import numpy as np
import pytest
from torch_reference import DTYPES, check_draw, torch  # without torch: skipped

DEFAULT, SLOW = range(3), range(3, 60)


def _shape_and_dim(rng):
    nd = int(rng.integers(1, 4))
    shape = tuple(int(s) for s in rng.integers(1, 5, nd))
    return shape, int(rng.integers(-nd, nd))


def _take_along(rng):
    shape, dim = _shape_and_dim(rng)
    d, n = dim % len(shape), shape[dim]
    index_shape = tuple(int(rng.integers(0, 5)) if k == d else int(rng.choice([1, s])) for k, s in enumerate(shape))
    index = rng.integers(-n, n, index_shape)
    flat = rng.integers(
        0, int(np.prod(shape)), int(rng.integers(0, 6))
    )  # torch refuses negatives here (not with a dim)
    x, T = rng.normal(size=shape), torch.tensor  # noqa: N806
    return [
        (
            f"take_along_dim {index_shape} dim={dim}",
            lambda a: a.take_along_dim(index, dim) ** 2,
            lambda a: torch.take_along_dim(a, T(index), dim) ** 2,
            [x],
        ),
        (
            "take_along_dim dim=None",
            lambda a: a.take_along_dim(flat) ** 2,
            lambda a: torch.take_along_dim(a, T(flat)) ** 2,
            [x],
        ),
    ]


def _scatter(rng):
    shape, dim = _shape_and_dim(rng)
    d = dim % len(shape)
    index_shape = tuple(int(rng.integers(1, s + 1)) for s in shape)
    # each line along d written at distinct places: a permutation's first entries
    lines = np.moveaxis(np.zeros(index_shape, np.int64), d, -1)
    for position in np.ndindex(lines.shape[:-1]):
        lines[position] = rng.permutation(shape[d])[: lines.shape[-1]]
    index = np.moveaxis(lines, -1, d)
    # src of index's shape: torch 2.13's backward refuses a larger one (its gradient of index's shape), test_picks
    x, src, value, T = rng.normal(size=shape), rng.normal(size=index_shape), float(rng.normal()), torch.tensor  # noqa: N806
    return [
        (
            f"scatter {index_shape} dim={dim}",
            lambda a, s: a.scatter(dim, index, s) ** 2,
            lambda a, s: torch.scatter(a, dim, T(index), s) ** 2,
            [x, src],
        ),
        (
            "scatter value",
            lambda a: a.scatter(dim, index, value) ** 2,
            lambda a: torch.scatter(a, dim, T(index), value) ** 2,
            [x],
        ),
    ]


MAKERS = {"take_along_dim": _take_along, "scatter": _scatter}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", DEFAULT)
@pytest.mark.parametrize("kind", MAKERS)
def test_ops_match_torch(kind, seed, dtype):
    check_draw(MAKERS[kind](np.random.default_rng(seed)), seed, dtype)


@pytest.mark.slow
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", SLOW)
@pytest.mark.parametrize("kind", MAKERS)
def test_more_ops_match_torch(kind, seed, dtype):
    check_draw(MAKERS[kind](np.random.default_rng(seed)), seed, dtype)


def test_where_a_place_repeats_torch_sends_every_write_the_gradient_chainrule_only_the_one_that_stays():
    """The difference on purpose: a write that was written over has no effect on the output, so its gradient is 0."""
    from autograd import Tensor

    index, w = [2, 0, 2, 2], [10.0, 20.0, 30.0]
    theirs = torch.tensor([1.0, 2.0, 3.0, 4.0], dtype=torch.float64, requires_grad=True)
    out = torch.zeros(3, dtype=torch.float64).scatter(0, torch.tensor(index), theirs)
    (out * torch.tensor(w, dtype=torch.float64)).sum().backward()
    mine = Tensor(np.array([1.0, 2.0, 3.0, 4.0]), requires_grad=True)
    mine_out = Tensor(np.zeros(3)).scatter(0, np.array(index), mine)
    (mine_out * Tensor(np.array(w))).sum().backward()
    np.testing.assert_array_equal(mine_out.data, out.detach().numpy())  # torch's CPU loop: the last write stays
    assert theirs.grad.tolist() == [30.0, 10.0, 30.0, 30.0] and mine.grad.tolist() == [0.0, 10.0, 0.0, 30.0]
