"""lp_pool of float32 (p < 1/2, negative p included) and float16 inputs, taken in float64 and rounded once, against
mpmath in float32 ulps. In float32 itself, p = 0.05 was 16 ulp off in value and 20 in gradient (torch 2.13's as
far), and for p < 0 the root's slope S^(1/p - 1) left float32's range at ordinary sizes: windows of 1e-20 at
p = -1.5 had gradient 0 (exact 0.42 at the smallest entry), of 1e20 NaN."""

import mpmath
import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor

mpmath.mp.prec = 200
ROUNDED_ONCE = 0.5 + 1e-6  # half an ulp, and the float64 error below it


def _ulps(got, exact, dtype):
    info = np.finfo(dtype)
    ulp = max(mpmath.mpf(2) ** (mpmath.floor(mpmath.log(abs(exact), 2)) - info.nmant), info.smallest_subnormal)
    return float(abs(mpmath.mpf(float(got)) - exact) / ulp)


@pytest.mark.parametrize("dtype", [np.float32, np.float16])
@pytest.mark.parametrize("p", [0.05, 0.3, -1.5, -0.5])
def test_rounded_once(dtype, p):
    rng = np.random.default_rng(46)
    sizes = (1.0, 1e-20, 1e20) if dtype == np.float32 else (1.0, 1e-2, 1e2)
    for size in sizes:
        for _ in range(5):
            window = (rng.uniform(0.1, 3.0, 4) * size).astype(dtype)
            x = Tensor(window[None, None], dtype=dtype, requires_grad=True)
            with np.errstate(over="ignore"):  # float16 at p = 0.05: past its range (numpy warns of the cast)
                out = F.lp_pool1d(x, p, 4)
                out.sum().backward()
            q = mpmath.mpf(p)
            exact = mpmath.fsum(mpmath.mpf(float(v)) ** q for v in window) ** (1 / q)
            assert out.dtype == x.grad.dtype == dtype
            if exact > np.finfo(dtype).max:  # float16 at p = 0.05: 4^20 times the entries
                assert out.data.ravel()[0] == np.inf
                continue
            assert _ulps(out.data.ravel()[0], exact, dtype) <= ROUNDED_ONCE, (window, out.data, exact)
            for g, v in zip(x.grad.ravel(), window):
                assert _ulps(g, (mpmath.mpf(float(v)) / exact) ** (q - 1), dtype) <= ROUNDED_ONCE, (window, x.grad)


def test_the_layer_too():
    """LPPool2d's forward is lp_pool2d's: a float32 image at p = 0.05 is rounded once, its output float32."""
    x = np.random.default_rng(2).uniform(0.5, 2.0, (1, 1, 4, 4)).astype(np.float32)
    out = nn.LPPool2d(0.05, 2)(Tensor(x))
    exact = [
        mpmath.fsum(mpmath.mpf(float(v)) ** mpmath.mpf(0.05) for v in x[0, 0, i : i + 2, j : j + 2].ravel()) ** 20
        for i in (0, 2)
        for j in (0, 2)
    ]
    assert out.dtype == np.float32
    assert max(_ulps(o, e, np.float32) for o, e in zip(out.data.ravel(), exact)) <= ROUNDED_ONCE


def test_a_fractional_p_with_negative_entries_is_not_taken_again_scaled(monkeypatch):
    """x^p is NaN for x < 0 at a fractional p, and so is its window's sum at any scale: such windows counted as off
    the floats' range and were all taken again scaled, for the same NaN (lp_pool2d of a standard normal (8, 16, 64,
    64) batch at p = 1.5: 350 ms, 36 at p = 2). Values and gradients are torch's."""
    from torch_reference import torch

    import nn.lp_pool

    def refused(*args, **kwargs):
        raise AssertionError("taken again scaled")

    monkeypatch.setattr(nn.lp_pool, "rescaled", refused)
    x = np.random.default_rng(3).standard_normal((1, 2, 4, 4))
    x[..., :2, :2] = abs(x[..., :2, :2])  # a window of each channel all positive
    t = Tensor(x, requires_grad=True)
    with np.errstate(invalid="ignore"):
        out = F.lp_pool2d(t, 1.5, 2)
        out.sum().backward()
    tx = torch.tensor(x, requires_grad=True)
    expected = torch.nn.functional.lp_pool2d(tx, 1.5, 2)
    expected.sum().backward()
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-14)
    np.testing.assert_allclose(t.grad, tx.grad.numpy(), rtol=1e-13)
    assert np.isnan(out.data).any() and not np.isnan(out.data).all()


def test_a_nan_window_beside_one_past_the_range():
    """At a fractional p the window of a negative entry is NaN, and one whose sum overflows is still taken again
    scaled: [-1, 2, 1e200, 1e200] at p = 2.5 in windows of 2 gives [NaN, 2^(1/2.5)·1e200]."""
    x = Tensor(np.array([[[-1.0, 2.0, 1e200, 1e200]]]), requires_grad=True)
    with np.errstate(invalid="ignore", over="ignore"):
        out = F.lp_pool1d(x, 2.5, 2)
        out.sum().backward()
    assert np.isnan(out.data[0, 0, 0])
    assert abs(out.data[0, 0, 1] / (2 ** (1 / 2.5) * 1e200) - 1) < 4e-16
    np.testing.assert_allclose(x.grad[0, 0, 2:], [2 ** (1 / 2.5 - 1)] * 2, rtol=1e-15)


SWEPT_P = (1.5, 2.0, 3.0, 7.0, 20.0, -0.5, -2.0, -7.0)
EDGES32 = (1e-45, 4e-45, 7e-42, 2e-38, 1.1754944e-38, 1e-37, 1.7e-38 * 2**20, 3.4e38 / 2**10, 1.7e38, 3.4e38 / 1.5)


@pytest.mark.parametrize("p", SWEPT_P)
def test_windows_at_the_ends_of_float32_are_rounded_once(p):
    """float32 windows whose sum of |x|^p leaves the floats are taken in float64 and rounded once. Scaled in
    float32 instead, their power of two was held at 2^-104 (so that 2^-k of the gradient stayed finite) and
    (x·2^104)^p underflowed: [2e-38, 2e-38] at p = 7 gave y = 0 and gradient [0, 0] for 2.208e-38 and 0.552,
    [1e-37, 1e-37] y 2.8 ulp off and the gradient 14, subnormal windows gradient 0 (y 0 too at p = 20)."""
    q = mpmath.mpf(p)
    for a in EDGES32:
        for window in ([a, a], [a, a / 3], [a, a, a / 7]):
            row = np.array(window, np.float32)
            if (row == 0).any():
                continue
            x = Tensor(row[None, None], requires_grad=True)
            with np.errstate(all="ignore"):
                out = F.lp_pool1d(x, p, len(window))
                out.sum().backward()
            exact = mpmath.fsum(abs(mpmath.mpf(float(v))) ** q for v in row) ** (1 / q)
            assert out.dtype == x.grad.dtype == np.float32
            if exact > np.finfo(np.float32).max:  # past float32, as torch's: inf
                assert out.data.ravel()[0] == np.inf
                continue
            assert _ulps(out.data.ravel()[0], exact, np.float32) <= ROUNDED_ONCE, (row, out.data, exact)
            for g, v in zip(x.grad.ravel(), row):
                slope = (mpmath.mpf(float(v)) / exact) ** (q - 1)
                assert _ulps(g, slope, np.float32) <= ROUNDED_ONCE, (row, x.grad, slope)


def test_a_compiled_float32_step_replays_through_windows_taken_in_float64(monkeypatch):
    """Seven SGD steps on lp_pool1d of a float32 Linear's |outputs| at p = 7, compiled strictly: eager's numbers bit
    for bit, through windows of 1e-38 (taken in float64) and back."""
    from compile_faithful_cases import check_replayed, stepped_on

    rng = np.random.default_rng(3)
    sizes = [1e-38, 1e-38, 1e-38, 1.0, 1.0, 1.0, 1e-37, 1e-37, 1.0]
    xs = [Tensor((rng.uniform(0.5, 2, (4, 3)) * size).astype(np.float32)) for size in sizes]

    def scenario(compile):
        model = nn.Linear(3, 4, bias=False, seed=0, dtype=np.float32)
        opt = nn.SGD(model.parameters(), lr=1e-3)

        def step(x):
            return stepped_on(opt, F.lp_pool1d(model(x).abs()[None], 7.0, 2).sum()).item()

        run = compile(step)
        return [(run(x), model.W.data.copy()) for x in xs]

    with np.errstate(all="ignore"):
        check_replayed(scenario, monkeypatch, replays_at_least=2)
