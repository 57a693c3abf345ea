"""nn.functional's layers against torch.nn.functional 2.13 at the edges a differential fuzz of the forty-fourth
session met (an infinite entry, vectors of no entries), each case forward and gradient, float64 and float32.

The p-norm distances for a p the norm op lacks (pdist, cdist, pairwise_distance, normalize, triplet_margin_loss:
`nn.p_norm_rows.row_p_norm`): where a vector holds an infinite entry its norm is inf, and the slope of every finite
entry is 0 (the infinite one's inf / inf: NaN), as torch's. Vectors of no entries have norm 0, as torch's.
"""

import math

import numpy as np
import pytest
from torch_reference import DTYPES, torch  # without torch: skipped

import autograd
import nn.functional as ours
from autograd import Tensor, gradients, raw

theirs = torch.nn.functional

# (name, ours, torch's) on two sets of row vectors
DISTANCES = [
    ("pdist", lambda a, b, p: ours.pdist(autograd.cat([a, b]), p), lambda a, b, p: theirs.pdist(torch.cat([a, b]), p)),
    ("cdist", lambda a, b, p: ours.cdist(a, b, p), lambda a, b, p: torch.cdist(a, b, p)),
    (
        "pairwise_distance",
        lambda a, b, p: ours.pairwise_distance(a, b, p, eps=0.0),
        lambda a, b, p: theirs.pairwise_distance(a, b, p, eps=0.0),
    ),
    (
        "triplet_margin_loss",
        lambda a, b, p: ours.triplet_margin_loss(b, a, b * 0.5, p=p, eps=0.0, reduction="none"),
        lambda a, b, p: theirs.triplet_margin_loss(b, a, b * 0.5, p=p, eps=0.0, reduction="none"),
    ),
]


def _both(mine, torch_fn, arrays, weight):
    """(forward, gradients) of sum(f(...) * weight) from chainrule and from torch."""
    xs = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    out = mine(*xs)
    gs = gradients((out * weight).sum(), xs)
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    t = torch_fn(*ts)
    tgs = torch.autograd.grad((t * weight).sum(), ts)
    return (np.asarray(out.data), [np.asarray(raw(g)) for g in gs]), (t.detach().numpy(), [g.numpy() for g in tgs])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("p", [0.5, 1.5, 3.0])
@pytest.mark.parametrize("weight", [0.75, -2.5, 1e30])
@pytest.mark.parametrize("name, mine, torch_fn", DISTANCES, ids=[d[0] for d in DISTANCES])
def test_p_norm_of_an_infinite_entry(name, mine, torch_fn, weight, p, dtype):
    """A row [inf, -2.55, -1.41] and another: the distance inf, its finite entries' slopes 0 (p > 1) or ±inf
    (p < 1), as torch's. The slope went through weight · m, m the row's largest entry held at the dtype's
    largest: NaN at every entry of both rows wherever |weight| > 1 (the weight of the summed loss decided it)."""
    a = np.array([[math.inf, -2.5511902614867554, -1.406959579319153]], dtype=dtype)
    b = np.array([[-0.7237059839987247, 0.1165516397529902, -1.7148763387690875]], dtype=dtype)
    with np.errstate(all="ignore"):
        (out, grads), (t_out, t_grads) = _both(
            lambda x, y: mine(x, y, p), lambda x, y: torch_fn(x, y, p), [a, b], weight
        )
    np.testing.assert_array_equal(out, t_out)
    for g, tg in zip(grads, t_grads):
        np.testing.assert_array_equal(np.isnan(g), np.isnan(tg))
        np.testing.assert_allclose(g, tg, rtol=1e-5 if dtype == np.float32 else 1e-10, atol=0)
    if name != "triplet_margin_loss":  # there the anchor's distance to the negative adds its own slopes
        for g in grads:  # the infinite difference's column NaN, the others 0 (p > 1) or infinite (p < 1)
            assert np.isnan(g[:, 0]).all() and not np.isnan(g[:, 1:]).any()
            assert (g[:, 1:] == 0).all() if p > 1 else np.isinf(g[:, 1:]).all()


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("p", [0.5, 1.5, 3.0])
def test_distances_of_vectors_of_no_entries(p, dtype):
    """(3, 0) and (2, 0): pdist, cdist and pairwise_distance 0 (a sum of no terms), normalize an empty (3, 0),
    as torch's, gradients empty; each was a ValueError from amax of the empty axis (p 1, 2 gave 0 already)."""
    a, b = np.zeros((3, 0), dtype), np.zeros((2, 0), dtype)
    cases = [
        (lambda x: ours.pdist(x, p), lambda x: theirs.pdist(x, p), [a]),
        (lambda x, y: ours.cdist(x, y, p), lambda x, y: torch.cdist(x, y, p), [a, b]),
        (lambda x, y: ours.pairwise_distance(x, y, p), lambda x, y: theirs.pairwise_distance(x, y, p), [a, a]),
        (lambda x: ours.normalize(x, p), lambda x: theirs.normalize(x, p), [a]),
    ]
    for mine, torch_fn, arrays in cases:
        (out, grads), (t_out, t_grads) = _both(mine, torch_fn, arrays, 1.5)
        assert out.dtype == t_out.dtype and out.shape == t_out.shape
        np.testing.assert_array_equal(out, t_out)
        for g, tg in zip(grads, t_grads):
            assert g.shape == tg.shape


@pytest.mark.parametrize("dtype", DTYPES)
def test_cdist_and_pdist_inf_norm_of_no_entries(dtype):
    """p = inf over vectors of no entries: 0, as torch's cdist and pdist (the largest of no |difference|s is
    taken as the norm's 0 here, where amax was refused)."""
    a, b = np.zeros((3, 0), dtype), np.zeros((2, 0), dtype)
    (out, _), (t_out, _) = _both(lambda x: ours.pdist(x, math.inf), lambda x: theirs.pdist(x, math.inf), [a], 1.0)
    np.testing.assert_array_equal(out, t_out)
    (out, _), (t_out, _) = _both(
        lambda x, y: ours.cdist(x, y, math.inf), lambda x, y: torch.cdist(x, y, math.inf), [a, b], 1.0
    )
    np.testing.assert_array_equal(out, t_out)


INFINITE_ROWS = [[math.inf, 1.0, -2.0, 0.5], [1.0, -math.inf, 3.0, 0.0], [math.inf, -math.inf, 1.0, 1.0]]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("row", INFINITE_ROWS)
def test_rms_norm_of_an_infinite_value(row, dtype):
    """A sample holding ±inf: x / rms with an infinite rms, NaN at the infinite values and 0 (signed) elsewhere,
    torch 2.13's, forward and gradient; the other sample as usual. It was a ValueError saying the 2-norm of the
    values 'overflows' and the activations have blown up, which is for finite values whose squares pass the range
    (still refused, below), while layer_norm of the same input was NaN, torch's."""
    x = np.array([row, [0.5, -1.0, 2.0, 0.25]], dtype=dtype)
    with np.errstate(all="ignore"):
        (out, (grad,)), (t_out, (t_grad,)) = _both(
            lambda a: ours.rms_norm(a, (4,)), lambda a: theirs.rms_norm(a, (4,)), [x], 0.75
        )
    np.testing.assert_array_equal(out[0], t_out[0])  # NaN where torch's is NaN, signs of the zeros too
    np.testing.assert_array_equal(np.signbit(out[0]), np.signbit(t_out[0]))
    np.testing.assert_allclose(out[1], t_out[1], rtol=1e-5 if dtype == np.float32 else 1e-10)
    np.testing.assert_array_equal(np.isnan(grad), np.isnan(t_grad))
    np.testing.assert_allclose(grad[1], t_grad[1], rtol=1e-5 if dtype == np.float32 else 1e-10)


def test_rms_norm_still_refuses_a_finite_sample_whose_norm_overflows():
    """float32 [3e38, 3e38, 1, 1]: every value finite, the 2-norm 4.2e38 past float32's range: refused, naming it."""
    x = Tensor(np.array([[3e38, 3e38, 1.0, 1.0]], np.float32))
    with pytest.raises(ValueError, match="overflows float32"), np.errstate(over="ignore"):
        ours.rms_norm(x, (4,))


GEOMETRIES = [((2, 1), 1, 1, (1, 2)), ((2, 2), 2, 0, (2, 1)), (1, 1, 0, 1)]  # kernel, dilation, padding, stride


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("kernel, dilation, padding, stride", GEOMETRIES)
def test_unfold_and_fold_of_an_empty_batch(kernel, dilation, padding, stride, dtype):
    """unfold of (0, C, H, W) is (0, C·kh·kw, L) and fold back (0, C, H, W), as torch's, gradients empty of the
    inputs' shapes: unfold was a ShapeError 'cannot reshape array of size 0 into shape (0,newaxis,6)' (the batch
    of 0 leaves -1 nothing to infer from), and so was fold's gradient."""
    x = np.zeros((0, 2, 5, 4), dtype)
    geometry = (kernel, dilation, padding, stride)
    (out, (grad,)), (t_out, (t_grad,)) = _both(
        lambda a: ours.unfold(a, *geometry), lambda a: theirs.unfold(a, *geometry), [x], 1.0
    )
    assert out.shape == t_out.shape and out.dtype == t_out.dtype and grad.shape == t_grad.shape == x.shape
    cols = np.zeros(t_out.shape, dtype)
    (out, (grad,)), (t_out, (t_grad,)) = _both(
        lambda c: ours.fold(c, (5, 4), *geometry), lambda c: theirs.fold(c, (5, 4), *geometry), [cols], 1.0
    )
    assert out.shape == t_out.shape == x.shape and out.dtype == t_out.dtype and grad.shape == cols.shape


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
@pytest.mark.parametrize("align_corners", [False, True])
@pytest.mark.parametrize("shape, size", [((2, 3, 8, 1), (6, 1)), ((2, 3, 2, 6), (8, 1)), ((2, 3, 5, 7), (3, 1))])
def test_antialiased_interpolate_to_a_width_of_one(shape, size, align_corners, mode, dtype):
    """torch 2.13's antialiased bilinear and bicubic interpolate is wrong where the output is 1 wide: every output
    row is the first one ((8, 1) to (6, 1): [0.048] six times, where the rows are 0.048, 0.254, 0.193, ...; up to
    3.9 off), while the same image transposed ((1, 8) to (1, 6)) is right, as are two equal columns. chainrule's
    forward and gradient equal torch's of the transposed image, transposed back (the antialias kernel is
    separable, the same along each axis)."""
    x = np.random.default_rng(7).normal(size=shape).astype(dtype)

    def mine(a):
        return ours.interpolate(a, size=size, mode=mode, antialias=True, align_corners=align_corners)

    def transposed(a):
        t = theirs.interpolate(
            a.transpose(-1, -2), size=size[::-1], mode=mode, antialias=True, align_corners=align_corners
        )
        return t.transpose(-1, -2)

    (out, (grad,)), (t_out, (t_grad,)) = _both(mine, transposed, [x], 0.75)
    tol = {"rtol": 1e-5, "atol": 1e-6} if dtype == np.float32 else {"rtol": 1e-10, "atol": 1e-12}
    np.testing.assert_allclose(out, t_out, **tol)
    np.testing.assert_allclose(grad, t_grad, **tol)
    wrong = theirs.interpolate(torch.tensor(x), size=size, mode=mode, antialias=True, align_corners=align_corners)
    assert not np.allclose(wrong.numpy(), t_out, **tol)  # torch's own call: the defect this test stands beside


@pytest.mark.parametrize("p", [0.5, 0.25, 0.9])
@pytest.mark.parametrize("row", [[1e300, 0.03, 1.0], [1e308, 1.0, 0.0], [-1e100, 1e-30, 2.0]])
@pytest.mark.parametrize("name, mine, torch_fn", DISTANCES[:3], ids=[d[0] for d in DISTANCES[:3]])
def test_p_norm_below_one_beside_a_huge_entry(name, mine, torch_fn, row, p):
    """p < 1, float64, a difference of 1e300 beside small ones: distance and gradient finite, torch's (the small
    entries' slopes 1.2e151 and 2e150 for [1e300, 0.03, 1] at p 0.5). Scaled by the largest entry, the slope went
    through 2 · 1e300 times |d/m|^(p-1) = 5e150 before the division by m: inf."""
    a, b = np.array([row]), np.zeros((1, 3))
    with np.errstate(over="ignore"):  # 2 · 1e308 in the test's own weighted sum
        (out, grads), (t_out, t_grads) = _both(lambda x, y: mine(x, y, p), lambda x, y: torch_fn(x, y, p), [a, b], 2.0)
    np.testing.assert_allclose(out, t_out, rtol=1e-12)
    for g, tg in zip(grads, t_grads):
        assert np.isfinite(tg).all()
        np.testing.assert_allclose(g, tg, rtol=1e-10)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mode", ["nearest", "nearest-exact"])
@pytest.mark.parametrize("dims", [1, 2, 3])
@pytest.mark.parametrize("n_in, n_out", [(10000, 9999), (9999, 10000), (4097, 4095), (12345, 6789)])
def test_nearest_indices_in_the_inputs_precision(n_in, n_out, dims, mode, dtype):
    """The nearest modes' source index floor(out · in/out) is computed in float64 for a float64 input, as torch
    2.13's (its opmath type), and in float32 for float32: output 9994 of 10000 -> 9999 reads input 9994 (floor of
    9994.9995) in float64, where the float32 product rounds up to 9995 (torch's float64 product is rounded to
    float32 before its floor: 9995.9996 reads 9996, as in float32). chainrule took float32 for both: in float64 it
    read 9995 there, one pixel off torch's (8 outputs of these sizes per mode and dims)."""
    shape = (1, 1) + (1,) * (dims - 1) + (n_in,)
    x = np.arange(n_in, dtype=dtype).reshape(shape)
    for kw in ({"size": (1,) * (dims - 1) + (n_out,)}, {"scale_factor": (1.0,) * (dims - 1) + (n_out / n_in,)}):
        (out, (grad,)), (t_out, (t_grad,)) = _both(
            lambda a, kw=kw: ours.interpolate(a, mode=mode, **kw),
            lambda a, kw=kw: theirs.interpolate(a, mode=mode, **kw),
            [x],
            1.0,
        )
        np.testing.assert_array_equal(out, t_out)
        # the gradient goes where the forward read (x is arange: out holds the indices read); torch's float64
        # backward keeps the float32 indices, so it sends output 9994's gradient to input 9995, which it did not read
        np.testing.assert_array_equal(grad.ravel(), np.bincount(out.ravel().astype(np.int64), minlength=n_in))
        if dtype == np.float32:
            np.testing.assert_array_equal(grad, t_grad)


@pytest.mark.parametrize("mode, dims", [("linear", 1), ("bilinear", 2), ("trilinear", 3)])
def test_linear_modes_in_float64_at_large_sizes_are_exact(mode, dims):
    """10000 -> 9999 entries of arange, float64, align_corners=False: each output is its source position
    (i + 1/2)·10000/9999 - 1/2, computed exactly with fractions; chainrule's within 2e-12. torch 2.13's is 4.5e-4
    off (its float64 kernels take the scale in float32: 9995.0 for 9994.99955), asserted so that a change shows."""
    from fractions import Fraction

    n_in, n_out = 10000, 9999
    x = np.arange(n_in, dtype=np.float64).reshape((1, 1) + (1,) * (dims - 1) + (n_in,))
    size = (1,) * (dims - 1) + (n_out,)
    exact = np.array(
        [
            float(min(max(Fraction(2 * i + 1, 2) * Fraction(n_in, n_out) - Fraction(1, 2), 0), n_in - 1))
            for i in range(n_out)
        ]
    )
    out = ours.interpolate(Tensor(x), size=size, mode=mode, align_corners=False).data.ravel()
    np.testing.assert_allclose(out, exact, rtol=0, atol=1e-11)
    t = theirs.interpolate(torch.tensor(x), size=size, mode=mode, align_corners=False).numpy().ravel()
    assert np.abs(t - exact).max() > 1e-4
