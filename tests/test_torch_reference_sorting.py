"""sort, argsort, topk, index_select and narrow against PyTorch's: values, indices, gradients and
second derivatives, float64 and float32, with ties, infinities and NaN among the entries (ties
compared against torch's stable sort, and topk on tie-free rows, where PyTorch's choice is free)."""

import numpy as np
import pytest
from torch_reference import DTYPES, check, torch  # without torch: skipped

import autograd
from autograd import Tensor

SHAPES_DIMS = [((5,), 0), ((5,), -1), ((3, 4), 0), ((3, 4), 1), ((2, 3, 4), 1), ((2, 3, 4), -1)]


def _with_ties(shape, seed):
    """Entries from a few values only, so that rows repeat some, with an inf, a -inf and a NaN."""
    rng = np.random.default_rng(seed)
    x = rng.choice([-2.0, -0.5, 0.0, 1.5, 3.0], size=shape)
    flat = x.reshape(-1)
    flat[rng.choice(flat.size, 3, replace=False)] = [np.inf, -np.inf, np.nan]
    return x


def _distinct(shape, seed):
    return np.random.default_rng(seed).permutation(np.prod(shape)).reshape(shape) * 0.25 - 1.0


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("shape, dim", SHAPES_DIMS)
def test_sort_is_torchs_stable_sort(shape, dim, descending):
    x = _with_ties(shape, seed=len(shape) + dim)
    values, indices = Tensor(x).sort(dim=dim, descending=descending)
    expected = torch.sort(torch.tensor(x), dim=dim, descending=descending, stable=True)
    np.testing.assert_array_equal(values.data, expected.values.numpy())
    np.testing.assert_array_equal(indices.data, expected.indices.numpy())
    assert indices.dtype == np.int64
    argsorted = Tensor(x).argsort(dim, descending=descending)
    np.testing.assert_array_equal(argsorted.data, expected.indices.numpy())


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("shape, dim", SHAPES_DIMS)
def test_sort_differentiates_as_torch(shape, dim, descending, dtype):
    check(
        lambda x: x.sort(dim=dim, descending=descending).values ** 2,
        lambda x: torch.sort(x, dim=dim, descending=descending, stable=True).values ** 2,
        [_distinct(shape, seed=3)],
        dtype,
    )


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("largest", [True, False])
@pytest.mark.parametrize("shape, dim", SHAPES_DIMS)
def test_topk_is_torchs(shape, dim, largest, dtype):
    x = _distinct(shape, seed=5)
    n = shape[dim]
    for k in range(n + 1):
        values, indices = Tensor(x.astype(dtype)).topk(k, dim=dim, largest=largest)
        expected = torch.topk(torch.tensor(x.astype(dtype)), k, dim=dim, largest=largest)
        np.testing.assert_array_equal(values.data, expected.values.numpy())
        np.testing.assert_array_equal(indices.data, expected.indices.numpy())
    check(
        lambda x: x.topk(2, dim=dim, largest=largest).values.exp(),
        lambda x: torch.topk(x, 2, dim=dim, largest=largest).values.exp(),
        [x],
        dtype,
    )


def test_topk_takes_nan_as_the_largest_as_torch():
    x = np.array([3.0, np.nan, 1.0, -np.inf, 2.0])
    for largest in (True, False):
        values, indices = Tensor(x).topk(2, largest=largest)
        expected = torch.topk(torch.tensor(x), 2, largest=largest)
        np.testing.assert_array_equal(values.data, expected.values.numpy())
        np.testing.assert_array_equal(indices.data, expected.indices.numpy())


def test_a_0d_tensor_sorts_to_itself_as_torch():
    x = Tensor(np.array(2.5), requires_grad=True)
    for values, indices in (x.sort(), x.topk(1), x.sort(descending=True)):
        assert values.shape == indices.shape == ()
        assert (values.item(), indices.item()) == (2.5, 0)
    x.sort().values.backward()
    assert x.grad == 1.0


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("dim, index", [(0, [2, 0, 2]), (1, [3]), (1, 1), (-1, [0, 3, 3, 1]), (0, [])])
def test_index_select_is_torchs(dim, index, dtype):
    x = _distinct((3, 4), seed=7)
    check(
        lambda x: autograd.index_select(x, dim, np.array(index, dtype=np.int64)) ** 3,
        lambda x: torch.index_select(x, dim, torch.tensor(index, dtype=torch.int64)) ** 3,
        [x],
        dtype,
    )


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("dim, start, length", [(0, 1, 2), (1, -3, 2), (1, 4, 0), (-1, 0, 4), (0, -3, 3)])
def test_narrow_is_torchs(dim, start, length, dtype):
    check(
        lambda x: x.narrow(dim, start, length).tanh(),
        lambda x: torch.narrow(x, dim, start, length).tanh(),
        [_distinct((3, 4), seed=9)],
        dtype,
    )


@pytest.mark.parametrize(
    "dim, start, length, error",
    [
        (1, -5, 1, IndexError),
        (1, 5, 0, IndexError),
        (1, 2, 3, IndexError),
        (1, 0, -1, ValueError),
        (0, 3, 1, IndexError),
    ],
)
def test_narrow_refuses_what_torch_refuses(dim, start, length, error):
    with pytest.raises((RuntimeError, IndexError)):
        torch.narrow(torch.zeros(3, 4), dim, start, length)
    with pytest.raises(error, match="narrow"):
        Tensor(np.zeros((3, 4))).narrow(dim, start, length)


def test_at_ties_torch_s_unstable_picks_differ_where_docs_say():
    """docs/edge-points.md's note, checked so that it goes when PyTorch changes: among ties chainrule's sort and topk
    pick in input order, as torch.sort(stable=True); torch's default sort reorders the ties of 17 entries, and its
    topk of four equal entries picks index 2 (the gradient then goes to other entries, both right)."""
    x = np.array([1.0, 0.0] * 8 + [1.0])
    ours = Tensor(x).sort().indices.data
    np.testing.assert_array_equal(ours, torch.sort(torch.tensor(x), stable=True).indices.numpy())
    assert not np.array_equal(ours, torch.sort(torch.tensor(x)).indices.numpy())
    sixteen = Tensor(x[:16]).sort().indices.data  # one fewer: the same order
    np.testing.assert_array_equal(sixteen, torch.sort(torch.tensor(x[:16])).indices.numpy())
    assert Tensor(np.full(4, 5.0)).topk(1).indices.item() == 0
    assert torch.topk(torch.full((4,), 5.0), 1).indices.item() == 2
