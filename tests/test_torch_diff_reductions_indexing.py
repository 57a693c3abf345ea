"""Reductions, scans, indexing, pads, folds and recurrent layers against PyTorch 2.13 over random draws of their
options, forward, gradient and second derivative, float64 and float32 (tests/torch_reference.py): sum, mean,
logsumexp, var and std with a correction, amax/amin over dim tuples, negative dims and keepdim; prod and
cumprod with zeros (one and several in a row); max/min with a dim and ties (values drawn from a few integers);
norm with ord 1, 2, inf; advanced indexing with repeated indices (their gradients add up), boolean masks,
gather, scatter_add, index_select, masked_fill, where; pad in every mode (negative pads too); unfold and fold;
RNN/LSTM/GRU with layers, directions and batch_first (second derivatives in the input: module_reference.py
compares the first only). A few draws by default, more under -m slow."""

import numpy as np
import pytest
from module_reference import TORCH_DTYPE
from torch_reference import DTYPES, check_draw, torch  # without torch: skipped

import autograd
import nn
import nn.functional as ours
from nn.export import from_torch_state_dict

theirs = torch.nn.functional
DEFAULT, SLOW = range(2), range(2, 80)


def _array(rng, shape):
    """Normal numbers, or (half the time) a few integers, so that ties are common; zeros in 3 of 10 entries."""
    x = rng.integers(-2, 3, shape).astype(float) if rng.integers(2) else rng.normal(size=shape)
    x[rng.uniform(size=shape) < 0.3] = 0.0
    return x


def _reductions(rng):
    nd = int(rng.integers(1, 4))
    shape = tuple(int(s) for s in rng.integers(1, 4, nd))
    picked = [int(d) - nd if rng.integers(2) else int(d) for d in rng.choice(nd, int(rng.integers(1, nd + 1)), False)]
    dim = picked[0] if len(picked) == 1 and rng.integers(2) else tuple(picked)
    keep, axis = bool(rng.integers(2)), int(rng.integers(-nd, nd))
    x = _array(rng, shape)
    reduced = int(np.prod([shape[d] for d in picked]))
    correction = int(rng.integers(0, min(reduced, 3)))
    order = float(rng.choice([1.0, 2.0, np.inf]))
    if order == 2.0:
        x += 0.25  # the 2-norm has no second derivative at the zero vector (torch's is NaN there)
    cases = [
        (
            f"{f} dim={dim}",
            lambda a, f=f: getattr(a, f)(dim=dim, keepdim=keep),
            lambda a, f=f: getattr(torch, f)(a, dim=dim, keepdim=keep),
        )
        for f in ("sum", "mean", "logsumexp", "amax", "amin")
    ]
    cases += [
        (
            f"{f} correction={correction}",
            lambda a, f=f: getattr(a, f)(dim=dim, correction=correction, keepdim=keep),
            lambda a, f=f: getattr(torch, f)(a, dim=dim, correction=correction, keepdim=keep),
        )
        for f in ("var", "std")
    ]
    cases += [
        (f"{f} dim={axis}", lambda a, f=f: getattr(a, f)(dim=axis), lambda a, f=f: getattr(torch, f)(a, dim=axis))
        for f in ("cumsum", "cumprod")
    ]
    cases += [
        (
            f"{f} dim={axis}",
            lambda a, f=f: getattr(a, f)(dim=axis, keepdim=keep).values,
            lambda a, f=f: getattr(torch, f)(a, dim=axis, keepdim=keep).values,
        )
        for f in ("max", "min")
    ]
    cases += [
        ("prod", lambda a: a.prod(dim=axis, keepdim=keep), lambda a: a.prod(dim=axis, keepdim=keep)),
        ("prod of all", lambda a: a.prod(), lambda a: a.prod()),
    ]
    cases += [
        (
            f"norm {order}",
            lambda a: a.norm(p=order, dim=dim, keepdim=keep),
            lambda a: torch.linalg.vector_norm(a, order, dim=dim, keepdim=keep),
        )
    ]
    return [(name, mine, torch_fn, [x]) for name, mine, torch_fn in cases]


def _indexing(rng):
    shape = (3, 4, 2)
    x, axis = rng.normal(size=shape), int(rng.integers(-3, 3))
    rows, cols = rng.integers(-3, 3, 5), rng.integers(0, 4, (2, 3))
    mask = rng.uniform(size=shape) > 0.5
    index = rng.integers(0, shape[axis], tuple(int(rng.integers(1, s + 1)) for s in shape))
    src, picks, other = rng.normal(size=index.shape), rng.integers(0, shape[axis], 6), rng.normal(size=(4, 1))
    fill = float(rng.normal())
    T = torch.tensor  # noqa: N806
    cases = [
        ("repeated rows", lambda a: a[rows] ** 2, lambda a: a[T(rows)] ** 2),
        ("an index array", lambda a: a[:, cols] ** 2, lambda a: a[:, T(cols)] ** 2),
        ("paired arrays", lambda a: a[rows, rows % 4] ** 2, lambda a: a[T(rows), T(rows % 4)] ** 2),
        ("arrays around a slice", lambda a: a[rows, :, rows % 2] ** 2, lambda a: a[T(rows), :, T(rows % 2)] ** 2),
        (
            "None, slice, array, ...",
            lambda a: a[None, 1:, cols[0], ...] ** 2,
            lambda a: a[None, 1:, T(cols[0]), ...] ** 2,
        ),
        ("a boolean mask", lambda a: a[mask] ** 2, lambda a: a[T(mask)] ** 2),
        ("gather", lambda a: a.gather(axis, index) ** 2, lambda a: torch.gather(a, axis, T(index)) ** 2),
        (
            "index_select",
            lambda a: a.index_select(axis, picks) ** 2,
            lambda a: torch.index_select(a, axis, T(picks)) ** 2,
        ),
        (
            "masked_fill",
            lambda a: a.masked_fill(autograd.Tensor(mask), fill) ** 2,
            lambda a: a.masked_fill(T(mask), fill) ** 2,
        ),
    ]
    two = [
        (
            "scatter_add",
            lambda a, s: a.scatter_add(axis, index, s) ** 2,
            lambda a, s: torch.scatter_add(a, axis, T(index), s) ** 2,
            src,
        ),
        ("where", lambda a, b: autograd.where(mask, a, b) ** 2, lambda a, b: torch.where(T(mask), a, b) ** 2, other),
    ]
    return [(n, m, t, [x]) for n, m, t in cases] + [(n, m, t, [x, second]) for n, m, t, second in two]


def _pads_and_folds(rng):
    nd = int(rng.integers(1, 4))
    shape = (2, 2, *(int(s) for s in rng.integers(2, 5, nd)))
    mode = str(rng.choice(["constant", "reflect", "replicate", "circular"]))
    sides = nd if mode != "constant" else int(rng.integers(1, nd + 1))  # torch: every spatial axis but constant's
    pads = []
    for i in range(sides):
        size = shape[-1 - i]
        top = {"reflect": size - 1, "circular": size}.get(mode, 3)
        low = -1 if mode in ("constant", "replicate") else 0  # a crop and a circular pad: a ShapeError, torch's too
        pads += [int(v) for v in rng.integers(low, top + 1, 2)]
    options = {"value": float(rng.normal())} if mode == "constant" else {}
    x = rng.normal(size=shape)
    cases = [
        (
            f"pad {mode} {pads}",
            lambda a: ours.pad(a, pads, mode=mode, **options) ** 2,
            lambda a: theirs.pad(a, pads, mode=mode, **options) ** 2,
            [x],
        )
    ]
    image = rng.normal(size=(2, 2, int(rng.integers(3, 7)), int(rng.integers(3, 7))))
    kernel, dilation = (int(rng.integers(1, 4)), int(rng.integers(1, 3))), (int(rng.integers(1, 3)), 1)
    padding, stride = tuple(int(v) for v in rng.integers(0, 2, 2)), tuple(int(v) for v in rng.integers(1, 3, 2))
    reach = [d * (k - 1) + 1 for d, k in zip(dilation, kernel)]
    if any(r > n + 2 * p for r, n, p in zip(reach, image.shape[2:], padding)):
        kernel = (1, 1)  # a window that does not fit: no columns (torch refuses)
    geometry = (kernel, dilation, padding, stride)
    cases.append(
        (
            f"unfold {geometry}",
            lambda a: ours.unfold(a, *geometry) ** 2,
            lambda a: theirs.unfold(a, *geometry) ** 2,
            [image],
        )
    )
    columns = rng.normal(size=tuple(theirs.unfold(torch.tensor(image), *geometry).shape))
    size = image.shape[2:]
    cases.append(
        (
            f"fold {geometry}",
            lambda a: ours.fold(a, size, *geometry) ** 2,
            lambda a: theirs.fold(a, size, *geometry) ** 2,
            [columns],
        )
    )
    return cases


def _recurrent(rng):
    name = str(rng.choice(["RNN", "LSTM", "GRU"]))
    options = dict(num_layers=int(rng.integers(1, 3)), bias=bool(rng.integers(2)), batch_first=bool(rng.integers(2)))
    options["bidirectional"] = bool(rng.integers(2))  # tanh (relu's second derivative is 0: it would say less)
    return name, options, rng.normal(size=(2, 3, 3))


MAKERS = {"reductions": _reductions, "indexing": _indexing, "pads and folds": _pads_and_folds}


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


def _check_recurrent(seed, dtype):
    name, options, x = _recurrent(np.random.default_rng(seed))
    torch.manual_seed(seed)
    layer = getattr(torch.nn, name)(3, 4, **options).to(TORCH_DTYPE[np.dtype(dtype)])
    mine = getattr(nn, name)(3, 4, **options)
    from_torch_state_dict(mine, layer.state_dict())
    check_draw([(f"{name} {options}", lambda a: mine(a)[0], lambda a: layer(a)[0], [x])], seed, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", DEFAULT)
def test_recurrent_second_derivatives_match_torch(seed, dtype):
    _check_recurrent(seed, dtype)


@pytest.mark.slow
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", SLOW)
def test_more_recurrent_second_derivatives_match_torch(seed, dtype):
    _check_recurrent(seed, dtype)
