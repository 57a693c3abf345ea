"""Picking and placing ops against PyTorch 2.13 over random draws, forward, gradient and second derivative, float64
and float32 (tests/torch_reference.py compares): take_along_dim (broadcast, negative indices, dim=None), scatter of
a src (places written once: where one repeats, torch's gradient goes to every write, test_picks) and of a value;
kthvalue, median and quantile (every interpolation); Tensor.unfold's windows. A few draws by default, more
under -m slow."""

import numpy as np
import pytest
from torch_reference import DTYPES, check_draw, torch  # without torch: skipped

DEFAULT, SLOW = range(3), range(3, 60)


def shape_and_dim(rng):
    """A shape of 1 to 3 dims of 1 to 4 entries each, and one of its dims (negative ones too)."""
    nd = int(rng.integers(1, 4))
    shape = tuple(int(s) for s in rng.integers(1, 5, nd))
    return shape, int(rng.integers(-nd, nd))


def _take_along(rng):
    shape, dim = shape_and_dim(rng)
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
    shape, dim = shape_and_dim(rng)
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


def _order_statistics(rng):
    """Distinct entries for the gradients along a dim (torch's index among equal entries is unspecified: the values
    at ties and NaN are compared below); median() of ties too, whose gradient they share."""
    shape, dim = shape_and_dim(rng)
    x = rng.permutation(int(np.prod(shape))).reshape(shape) * 0.5 + rng.normal(size=shape) * 0.01
    k, keep = int(rng.integers(1, shape[dim] + 1)), bool(rng.integers(2))
    levels = [float(v) for v in rng.choice([0.0, 0.25, 0.5, 1.0, *rng.uniform(size=3)], int(rng.integers(1, 4)))]
    how = str(rng.choice(["linear", "lower", "higher", "midpoint", "nearest"]))
    tied = rng.integers(-2, 3, shape).astype(float)
    cases = [
        (
            f"kthvalue k={k} dim={dim}",
            lambda a: a.kthvalue(k, dim, keep).values * a.sum(),
            lambda a: torch.kthvalue(a, k, dim, keep).values * a.sum(),
            [x],
        ),
        (
            f"median dim={dim}",
            lambda a: a.median(dim, keep).values * a.sum(),
            lambda a: torch.median(a, dim, keep).values * a.sum(),
            [x],
        ),
        ("median()", lambda a: a.median() * a, lambda a: torch.median(a) * a, [x]),
        (
            f"quantile {levels} {how} dim={dim}",
            lambda a: a.quantile(levels, dim, keep, interpolation=how) * a.sum(),
            lambda a: torch.quantile(a, torch.tensor(levels, dtype=a.dtype), dim, keep, interpolation=how) * a.sum(),
            [x],
        ),
        (
            f"quantile {levels[0]} of every entry",
            lambda a: a.quantile(levels[0]) * a,
            lambda a: torch.quantile(a, float(levels[0])) * a,
            [x],
        ),
        # ties share the gradient, as torch's (at a NaN median every entry's is NaN, as max's: torch's goes to the NaNs)
        ("median() of ties", lambda a: a.median() * a, lambda a: torch.median(a) * a, [tied]),
    ]
    return cases


def _windows(rng):
    shape, dim = shape_and_dim(rng)
    size, step = int(rng.integers(0, shape[dim] + 1)), int(rng.integers(1, 4))
    return [
        (
            f"unfold {shape} dim={dim} size={size} step={step}",
            lambda a: a.unfold(dim, size, step).sin(),
            lambda a: a.unfold(dim, size, step).sin(),
            [rng.normal(size=shape)],
        ),
    ]


MAKERS = {"take_along_dim": _take_along, "scatter": _scatter, "order statistics": _order_statistics, "unfold": _windows}


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


def test_an_index_past_the_dim_is_an_index_error_where_torch_takes_it_modulo_the_dims_length():
    """What the docs say of torch 2.13's take_along_dim (unchecked: no error), and chainrule's numpy-like refusal."""
    from autograd import Tensor

    x, index = np.arange(6.0).reshape(2, 3), np.array([[3], [100]])
    assert torch.take_along_dim(torch.tensor(x), torch.tensor(index), 1).tolist() == [[0.0], [4.0]]  # 3 % 3, 100 % 3
    with pytest.raises(IndexError, match="index 3 is out of range for a dim of length 3"):
        Tensor(x).take_along_dim(index, 1)


@pytest.mark.parametrize("seed", range(30))
def test_order_statistics_values_match_torch_at_ties_and_nan(seed):
    """Along a dim, at ties and NaN: the values are torch's, and each index points at an entry of that value."""
    from autograd import Tensor

    rng = np.random.default_rng(seed)
    shape, dim = shape_and_dim(rng)
    x = np.where(rng.uniform(size=shape) < 0.1, np.nan, rng.integers(-2, 3, shape).astype(float))
    k = int(rng.integers(1, shape[dim] + 1))
    for mine, theirs in (
        (Tensor(x).kthvalue(k, dim), torch.kthvalue(torch.tensor(x), k, dim)),
        (Tensor(x).median(dim), torch.median(torch.tensor(x), dim)),
    ):
        np.testing.assert_array_equal(mine.values.data, theirs.values.numpy())
        picked = np.take_along_axis(x, np.expand_dims(mine.indices.data, dim), dim).squeeze(dim)
        np.testing.assert_array_equal(picked, mine.values.data)
    assert np.array_equal(Tensor(x).median().data, torch.median(torch.tensor(x)).numpy(), equal_nan=True)
