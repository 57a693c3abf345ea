"""float16 ops that add many terms add them in float32 and round once, as PyTorch's CPU kernels do: indexed
adds (the gradients of gather, index_select and t[idx], scatter_add, max pooling's overlapping windows),
conv_transpose2d and the gradients that run through it (conv2d's, avg_pool2d's), conv2d's weight gradient
over a batch, interpolate and adaptive_avg_pool2d. A float16 running sum stalls at 2048 (2048 + 1 rounds
back to 2048), and each rounding of a partial sum that later cancels costs hundreds of units in the last
place (ulps) of the result. float32 and float64 results are unchanged,
bit for bit.

The bound is 1 ulp of the truth (torch in float64 on the same float16 inputs): rounding once allows half
an ulp, and a float32 sum is within a few float32 ulps of exact, which can move the rounding to the
neighbouring float16 number, never two away."""

from __future__ import annotations

import numpy as np
import pytest
from torch_reference import torch  # without torch: skipped

import autograd
import nn
from autograd import Tensor

F = torch.nn.functional
BOUND = 1.0  # ulps: one rounding of a float32 result (see the module's docstring)
H = np.float16


def _half(a, grad=True):
    return Tensor(np.asarray(a, H), dtype=H, requires_grad=grad)


def _ulps(got, truth):
    """|got - truth| in float16 ulps of the truth (entries near 0 measured in the ulp of 6e-5)."""
    spacing = np.spacing(np.maximum(np.abs(truth), 6e-5).astype(H)).astype(np.float64)
    return float((np.abs(np.asarray(got, np.float64) - truth) / spacing).max())


# ---- 3000 ones added into one entry: 3000, a float16 number; a float16 running sum gives 2048 ----

PICKS = {
    "gather": (lambda x: x.gather(1, np.zeros((1, 3000), int)), (1, 1)),
    "index_select": (lambda x: x.index_select(0, np.zeros(3000, int)), (1,)),
    "t[idx]": (lambda x: x[np.zeros(3000, int)], (1,)),
    "conv2d weight, a batch of 3000": (
        lambda w: autograd.conv2d(Tensor(np.ones((3000, 1, 1, 1), H), dtype=H), w),
        (2, 1, 1, 1),
    ),
}


@pytest.mark.parametrize("call, shape", PICKS.values(), ids=PICKS.keys())
def test_the_gradient_of_3000_picks_of_one_float16_entry_is_3000(call, shape):
    x = _half(np.ones(shape))
    out = call(x)
    out.backward(np.ones(out.shape, H))
    assert x.grad.dtype == H and (x.grad == 3000).all()  # 2048 before


def test_einsum_of_3000_float16_rows_of_ones_sums_to_3000():
    """numpy's float16 einsum adds in float16 where one operand is summed alone ("ij->j"): 2048 before."""
    a = _half(np.ones((3000, 2)))
    assert (autograd.einsum("ij->j", a).data == 3000).all()
    outer = autograd.einsum("i,j->j", a[:, 0], _half(np.ones(2), grad=False))
    assert outer.dtype == H and (outer.data == 3000).all()


def test_replicate_padding_adds_its_float16_gradient_in_float32():
    """A 1 x 1 input padded to 51 x 61: 3111 copies, 3112 in float16 (3096 before, PyTorch's 2048)."""
    x = _half(np.ones((1, 1, 1, 1)))
    autograd.pad(x, (0, 60, 0, 50), mode="replicate").backward(np.ones((1, 1, 51, 61), H))
    assert x.grad[0, 0, 0, 0] == np.float16(3111)


def test_scatter_add_of_3000_float16_ones_into_one_entry_is_3000():
    out = _half(np.zeros(1), grad=False).scatter_add(0, np.zeros(3000, int), _half(np.ones(3000), grad=False))
    assert out.dtype == H and out.data[0] == 3000  # 2048 before


def test_max_pooling_whose_windows_overlap_adds_its_float16_gradient_in_float32():
    """One maximum in the middle of every 59 x 59 window of a 59 x 59 input padded by 29: 3481 windows."""
    x = np.zeros((1, 1, 59, 59), H)
    x[0, 0, 29, 29] = 1
    t = _half(x)
    autograd.max_pool2d(t, 59, 1, padding=29).backward(np.ones((1, 1, 59, 59), H))
    assert t.grad[0, 0, 29, 29] == np.float16(3481)  # 2048 before


# ---- random cases against the truth ----

RNG = np.random.default_rng(0)
W = np.full((3, 2, 3, 3), 0.3)
CASES = {  # name: (chainrule's call, torch's, input shape); before: the worst over 30 cases, in ulps
    # forward 8499 (where overlapping windows nearly cancel), torch 1.8
    "conv_transpose2d": (
        lambda x: autograd.conv_transpose2d(x, Tensor(W, dtype=H), stride=2),
        lambda x: F.conv_transpose2d(x, torch.tensor(W, dtype=x.dtype), stride=2),
        (1, 3, 8, 8),
    ),
    # gradient 320 (torch 0.8)
    "conv2d": (
        lambda x: autograd.conv2d(x, Tensor(W, dtype=H)),
        lambda x: F.conv2d(x, torch.tensor(W, dtype=x.dtype)),
        (1, 2, 8, 8),
    ),
    # gradient 983 (torch 873)
    "avg_pool2d, overlapping": (
        lambda x: autograd.avg_pool2d(x, 5, 1),
        lambda x: F.avg_pool2d(x, 5, 1),
        (1, 1, 12, 12),
    ),
    # gradient 800 (torch 800)
    "max_pool2d, overlapping": (
        lambda x: autograd.max_pool2d(x, 5, 1),
        lambda x: F.max_pool2d(x, 5, 1),
        (1, 1, 12, 12),
    ),
    # gradients 85 and 33 (torch 0.5)
    "gather": (
        lambda x: x.gather(1, np.zeros((3, 60), int)),
        lambda x: x.gather(1, torch.zeros((3, 60), dtype=torch.long)),
        (3, 4),
    ),
    "index_select": (
        lambda x: x.index_select(0, np.zeros(60, int)),
        lambda x: x.index_select(0, torch.zeros(60, dtype=torch.long)),
        (3, 4),
    ),
    # forward 12 (torch 0.5)
    "scatter_add": (
        lambda x: x.scatter_add(1, np.zeros((3, 4), int), x),
        lambda x: x.scatter_add(1, torch.zeros((3, 4), dtype=torch.long), x),
        (3, 4),
    ),
    # gradients 512 and 528 (torch 1536 and 240): each axis's pass rounded before the next adds it up
    "pad reflect": (
        lambda x: autograd.pad(x, (5, 5, 5, 5), mode="reflect"),
        lambda x: F.pad(x, (5, 5, 5, 5), mode="reflect"),
        (1, 1, 6, 6),
    ),
    "pad circular": (
        lambda x: autograd.pad(x, (5, 5, 5, 5), mode="circular"),
        lambda x: F.pad(x, (5, 5, 5, 5), mode="circular"),
        (1, 1, 6, 6),
    ),
    # forward 256, gradient 272 (torch 0.5)
    "linear, align_corners": (
        lambda x: nn.functional.interpolate(x, size=17, mode="linear", align_corners=True),
        lambda x: F.interpolate(x, size=17, mode="linear", align_corners=True),
        (1, 2, 6),
    ),
    # gradient 72 (torch 0.5): two passes, one an axis, rounded between them
    "nearest, scale 4": (
        lambda x: nn.functional.interpolate(x, scale_factor=4),
        lambda x: F.interpolate(x, scale_factor=4),
        (1, 1, 6, 6),
    ),
    # forward 149, gradient 199 (torch 0.5 and 121)
    "adaptive_avg_pool2d, uneven windows": (
        lambda x: autograd.adaptive_avg_pool2d(x, (5, 7)),
        lambda x: F.adaptive_avg_pool2d(x, (5, 7)),
        (1, 1, 12, 13),
    ),
}


@pytest.mark.parametrize("ours, theirs, shape", CASES.values(), ids=CASES.keys())
def test_float16_forward_and_gradient_within_an_ulp_of_the_truth(ours, theirs, shape):
    worst = [0.0, 0.0]
    for _ in range(30):
        x = RNG.standard_normal(shape).astype(H)
        t, exact = _half(x), torch.tensor(x.astype(np.float64), requires_grad=True)
        out, truth = ours(t), theirs(exact)
        g = RNG.standard_normal(tuple(truth.shape)).astype(H)
        out.backward(g)
        truth.backward(torch.tensor(g.astype(np.float64)))
        assert out.dtype == t.grad.dtype == H
        worst[0] = max(worst[0], _ulps(out.data, truth.detach().numpy()))
        worst[1] = max(worst[1], _ulps(t.grad, exact.grad.numpy()))
    assert max(worst) <= BOUND, f"forward {worst[0]} ulps, gradient {worst[1]} ulps"


def test_bilinear_interpolate_in_float16_is_within_an_ulp_of_its_largest_entry():
    """Its two passes (one an axis) run in float32, rounded once at the end. Measured normwise, in ulps of
    the result's largest entry: the float32 pass between them is a few float32 ulps off, which elementwise
    is up to 8 float16 ulps of an entry near 0 (PyTorch's too, over 400 cases). Before: entries 1757 ulps
    off forward, 2653 in the gradient, elementwise; normwise, several."""
    rng, worst = np.random.default_rng(1), 0.0
    for _ in range(100):
        x = rng.standard_normal((1, 1, 6, 6)).astype(H)
        t, exact = _half(x), torch.tensor(x.astype(np.float64), requires_grad=True)
        out = nn.functional.interpolate(t, size=(11, 9), mode="bilinear")
        truth = F.interpolate(exact, size=(11, 9), mode="bilinear")
        g = rng.standard_normal(tuple(truth.shape)).astype(H)
        out.backward(g)
        truth.backward(torch.tensor(g.astype(np.float64)))
        for got, want in ((out.data, truth.detach().numpy()), (t.grad, exact.grad.numpy())):
            unit = float(np.spacing(np.float16(np.abs(want).max())))
            worst = max(worst, float(np.abs(got.astype(np.float64) - want).max()) / unit)
    assert worst <= BOUND, worst


def test_conv2d_weight_gradient_over_a_float16_batch_is_within_an_ulp_of_its_largest_entry():
    """Each image's products were rounded to float16 before the batch's sum: 1657 ulps off elementwise, 1.4
    normwise, over a batch of 8 (PyTorch's 0.6). Measured normwise, as bilinear's: a float32 sum of 144
    products is a few float32 ulps off, a float16 ulp or two of an entry near 0."""
    rng, worst = np.random.default_rng(3), 0.0
    for _ in range(30):
        x, w = rng.standard_normal((8, 3, 8, 8)).astype(H), rng.standard_normal((4, 3, 3, 3)).astype(H)
        t, exact = _half(w), torch.tensor(w.astype(np.float64), requires_grad=True)
        out = autograd.conv2d(Tensor(x, dtype=H), t, stride=2)
        truth = F.conv2d(torch.tensor(x.astype(np.float64)), exact, stride=2)
        g = rng.standard_normal(tuple(truth.shape)).astype(H)
        out.backward(g)
        truth.backward(torch.tensor(g.astype(np.float64)))
        want = exact.grad.numpy()
        unit = float(np.spacing(np.float16(np.abs(want).max())))
        worst = max(worst, float(np.abs(t.grad.astype(np.float64) - want).max()) / unit)
    assert worst <= BOUND, worst


@pytest.mark.parametrize("mode, axes", [("linear", 1), ("bilinear", 2)])
@pytest.mark.parametrize("align_corners", [False, True])
def test_interpolating_a_float16_constant_gives_the_constant(mode, axes, align_corners):
    """A constant 1000 came back 1000.5 at some positions, in 107 of 116 output sizes (PyTorch: never)."""
    for n in range(2, 40):
        x = _half(np.full((1, 1) + (3,) * axes, 1000.0), grad=False)
        out = nn.functional.interpolate(x, size=(n,) * axes, mode=mode, align_corners=align_corners)
        assert out.dtype == H and (out.data == 1000).all(), n


def test_a_compiled_float16_step_through_these_ops_gives_eagers_bits():
    """A replay runs each op's own forward and rule (no kernel replays them): the same float32 sums."""
    rng = np.random.default_rng(2)
    x, w_data = rng.standard_normal((2, 3, 6, 6)).astype(H), rng.standard_normal((3, 2, 3, 3)).astype(H)

    def step(x, w):
        y = autograd.conv_transpose2d(x, w, stride=2)
        y = nn.functional.interpolate(y, size=(9, 11), mode="bilinear")
        y = autograd.pad(y, (2, 2, 2, 2), mode="reflect")
        y = (
            autograd.adaptive_avg_pool2d(y, (3, 5))
            + autograd.max_pool2d(y, 5, 3)[:, :, :3, :4].repeat(1, 1, 1, 2)[..., :5]
        )
        loss = (y.gather(1, np.zeros((2, 30, 3, 5), int)) ** 2).mean()
        loss.backward()
        return loss.item()

    def run(compiled):
        w = Tensor(w_data, dtype=H, requires_grad=True)
        call = autograd.compile(step, strict=True) if compiled else step
        losses = []
        for _ in range(3):
            w.grad = None
            losses.append(call(Tensor(x, dtype=H), w))
        assert np.abs(w.grad).max() > 0
        return losses, w.grad.tobytes()

    assert run(compiled=True) == run(compiled=False)
