"""lp_pool1d/2d/3d against mpmath, in ulps of the exact numbers. The root total ** (1/p) with 1/p rounded to a float
multiplied that rounding by ln total: lp_pool1d of windows of 1e100 at p = 3 was 57 ulp off, its gradient 232 (the
slope's exponent 1/p - 1 rounds again for p > 2), 216 ulp at p = 0.9 and 1e300; for p < 1/2 the slope of x ** p
rounded p - 1 (174 ulp at p = 0.3, 1e300). Torch 2.13 is as far off. The root is now the p-norms' (`below_one_root`,
its slope exponent's rounding put back) and the powers for p < 1/2 theirs too (`below_one_power`): what is left is
the sum's rounding (and avg_pool's mean times the kernel's size), which the root multiplies by 1/p: 2/|p| + 3 ulps."""

import mpmath
import numpy as np
import pytest
import torch

import autograd
import nn
import nn.functional as F
from autograd import Tensor

mpmath.mp.prec = 300
PS = [0.3, 0.9, 1.5, 2.5, 3.0, 7.0, -1.5]
SIZES = [1e-300, 1e-100, 1e-30, 1e-10, 1.0, 1e10, 1e40, 1e100, 1e300]
POOLS = {1: F.lp_pool1d, 2: F.lp_pool2d, 3: F.lp_pool3d}


def _ulps(got, exact):
    ulp = mpmath.mpf(2) ** (mpmath.floor(mpmath.log(abs(exact), 2)) - 52)
    return float(abs(mpmath.mpf(float(got)) - exact) / ulp)


def _fits(window, p):
    """Whether every |x|^p and their sum are normal floats (the cases this fix is about)."""
    with np.errstate(over="ignore", under="ignore"):
        terms = window.astype(np.float64) ** p
    return bool(np.isfinite(terms.sum()) and terms.min() > np.finfo(np.float64).tiny)


@pytest.mark.parametrize("dims", [1, 2, 3])
@pytest.mark.parametrize("p", PS)
def test_value_and_gradient_within_ulps_of_mpmath(dims, p):
    """One window of 2^dims positive numbers times each size: the value and every gradient entry."""
    rng = np.random.default_rng(45)
    checked = 0
    for size in SIZES:
        window = rng.uniform(0.5, 2.0, (2,) * dims) * size
        if not _fits(window, p):
            continue
        x = Tensor(window[None, None], requires_grad=True)
        out = POOLS[dims](x, p, 2)
        out.sum().backward()
        q = mpmath.mpf(p)
        exact = mpmath.fsum(mpmath.mpf(float(v)) ** q for v in window.ravel()) ** (1 / q)
        assert _ulps(out.data.ravel()[0], exact) <= 2 / abs(p) + 3, (size, out.data.ravel()[0])
        for got, v in zip(x.grad.ravel(), window.ravel()):
            assert _ulps(got, (mpmath.mpf(float(v)) / exact) ** (q - 1)) <= 2 / abs(p) + 3, (size, got, v)
        checked += 1
    assert checked >= 4


@pytest.mark.parametrize(
    ("p", "size", "before"),
    [(3.0, 1e100, 232), (3.0, 1e-100, 229), (0.9, 1e300, 216), (1.5, 1e200, 116), (7.0, 1e40, 186)],
)
def test_the_windows_reported_off(p, size, before):
    """P2's reproduction: lp_pool1d of [3.1, 1.7, 2.2, 0.9] · size, `before` the worst ulps of value and gradient."""
    row = np.array([3.1, 1.7, 2.2, 0.9]) * size
    x = Tensor(row[None, None], requires_grad=True)
    out = F.lp_pool1d(x, p, 4)
    out.sum().backward()
    q = mpmath.mpf(p)
    exact = mpmath.fsum(mpmath.mpf(float(v)) ** q for v in row) ** (1 / q)
    worst = max(
        [_ulps(out.data.ravel()[0], exact)]
        + [_ulps(g, (mpmath.mpf(float(v)) / exact) ** (q - 1)) for g, v in zip(x.grad.ravel(), row)]
    )
    assert worst <= 2.0, (worst, before)


@pytest.mark.parametrize("p", [0.9, 1.5, 3.0, 7.0])
def test_the_root_rounds_once_past_its_power(p):
    """S ** (1/p) (lp_pool's root and its slope, the p-norms') within 1.1 ulp for S from e^-600 to e^600: taken as
    S^c·(1 + ε·ln S) the factor was rounded first, up to 1.88 ulp."""
    from nn.p_norm_below_one import below_one_root

    totals = np.exp(np.random.default_rng(1).uniform(-600, 600, 500))
    got = below_one_root(Tensor(totals), p).data
    q = 1 / mpmath.mpf(p)
    assert max(_ulps(r, mpmath.mpf(float(s)) ** q) for r, s in zip(got, totals)) <= 1.1


@pytest.mark.parametrize("p", [0.3, 1.5, 3.0, 2.5])
def test_gradcheck_and_gradgradcheck(p):
    """The root's and the powers' rules are their derivatives, to the second order, through every pool."""
    rng = np.random.default_rng(4)
    a1, a2 = rng.uniform(0.5, 2, (1, 2, 6)), rng.uniform(0.5, 2, (1, 1, 4, 4))
    a3 = rng.uniform(0.5, 2, (1, 1, 2, 2, 4))
    assert autograd.gradcheck(lambda x: F.lp_pool1d(x, p, 3, 2), [a1])
    assert autograd.gradgradcheck(lambda x: F.lp_pool1d(x, p, 3, 2), [a1])
    assert autograd.gradgradcheck(lambda x: F.lp_pool2d(x, p, 2, 1), [a2])
    assert autograd.gradgradcheck(lambda x: F.lp_pool3d(x, p, 2), [a3])


@pytest.mark.parametrize("p", [0.3, 1.5, 3.0, 2.0, 1.0, -1.5])
def test_zero_windows_negatives_and_zeros_as_torch(p):
    """An all-zero window (value 0, gradient 0 for p > 1, NaN below: torch's), zeros beside numbers, negative
    entries (NaN for a p that is not whole, signs kept at p = 1): value and gradient as torch 2.13's."""
    row = np.array([0.0, 0.0, 0.0, 1.5, 0.0, 0.5, -2.0, 1.0, 3.0, 0.25, 2.0, 4.0])
    x = Tensor(row[None, None], requires_grad=True)
    t = torch.tensor(row[None, None], requires_grad=True)
    with np.errstate(all="ignore"):
        out = F.lp_pool1d(x, p, 3)
        out.sum().backward()
    expected = torch.nn.functional.lp_pool1d(t, p, 3)
    expected.sum().backward()
    np.testing.assert_allclose(out.data, expected.detach().numpy(), rtol=1e-15, atol=0)
    np.testing.assert_allclose(x.grad, t.grad.numpy(), rtol=1e-14, atol=0)


def test_the_layers_take_the_same_root():
    """LPPool1d/2d/3d forward through lp_pool: the same numbers as the functions (3 ulp off before at p = 3)."""
    rng = np.random.default_rng(5)
    x = rng.uniform(0.5, 2.0, (1, 1, 2, 2, 2)) * 1e100
    exact = mpmath.fsum(mpmath.mpf(float(v)) ** 3 for v in x.ravel()) ** (mpmath.mpf(1) / 3)
    for layer, data in (
        (nn.LPPool3d(3, 2), x),
        (nn.LPPool2d(3, (2, 4)), x.reshape(1, 1, 2, 4)),
        (nn.LPPool1d(3, 8), x.reshape(1, 1, 8)),
    ):
        assert _ulps(layer(Tensor(data)).data.ravel()[0], exact) <= 2 / 3 + 3


@pytest.mark.parametrize(
    ("p", "sizes"),
    [(p, [1.0, 1.0, 1e100, 1e-100, 1.0, 0.0 if p > 1 else 1e10, 1.0]) for p in (0.3, 0.9, 1.5, 3.0)]
    + [(p, [1e200, 1e200, 1e200, 1e200, 1e-200, 1.0, 1e200, 1e200]) for p in (2.0, 3.0)],
)
def test_a_compiled_step_replays_as_eager(p, sizes, monkeypatch):
    """Seven SGD steps on lp_pool1d of a float64 Linear's |outputs|, compiled strictly: eager's numbers bit for bit,
    and the step replays, through windows of 1, 1e100, 1e-100 and, for p > 1, all-zero windows (the zero path and
    back; below 1 their gradient is NaN, torch's); through windows of 1e200 and 1e-200 that are taken scaled."""
    from compile_faithful_cases import check_replayed, stepped_on

    rng = np.random.default_rng(3)
    xs = [Tensor(rng.uniform(0.5, 2, (4, 3)) * size) for size in sizes]

    def scenario(compile):
        model = nn.Linear(3, 4, seed=0, dtype=np.float64)
        opt = nn.SGD(model.parameters(), lr=1e-3 / max(sizes))

        def step(x):
            out = model(x).abs() * (x.sum() > 0)  # all-zero windows where x is 0
            return stepped_on(opt, F.lp_pool1d(out[None], p, 2).sum()).item()

        run = compile(step)
        return [(run(x), model.W.data.copy()) for x in xs]

    with np.errstate(all="ignore"):
        check_replayed(scenario, monkeypatch, replays_at_least=3)


def _exact_pool1d(row, p, kernel, stride):
    """Each window's (Σ x^p)^(1/p) and the gradient of their sum, by mpmath."""
    q, starts = mpmath.mpf(p), range(0, len(row) - kernel + 1, stride)
    values = [mpmath.fsum(mpmath.mpf(float(v)) ** q for v in row[s : s + kernel]) ** (1 / q) for s in starts]
    grad = [mpmath.mpf(0)] * len(row)
    for s, value in zip(starts, values):
        for i in range(s, s + kernel):
            grad[i] += (mpmath.mpf(float(row[i])) / value) ** (q - 1)
    return values, grad


@pytest.mark.parametrize(
    ("p", "size"), [(2.0, 1e200), (2.0, 1e-200), (3.0, 1e150), (3.0, 1e-120), (1.5, 1e300), (7.0, 1e100), (0.9, 1e-300)]
)
def test_windows_whose_sum_leaves_the_floats(p, size):
    """x ~ 1e200 at p = 2: each |x|^p overflows, torch 2.13's value is inf (gradient 0); x ~ 1e-200: they underflow,
    torch's value 0. Overlapping windows (stride 2 of 4) mixing those with ones of 1: every window's value and
    gradient within 2/p + 3 ulp of mpmath (where the exact gradient is a normal float)."""
    rng = np.random.default_rng(7)
    row = rng.uniform(0.5, 2.0, 10) * np.array([size] * 4 + [1.0] * 2 + [size] * 2 + [1.0] * 2)
    x = Tensor(row[None, None], requires_grad=True)
    with np.errstate(all="ignore"):
        out = F.lp_pool1d(x, p, 4, 2)
        out.sum().backward()
    values, grad = _exact_pool1d(row, p, 4, 2)
    for got, exact in zip(out.data.ravel(), values):
        assert _ulps(got, exact) <= 2 / p + 3, (got, exact)
    for got, exact in zip(x.grad.ravel(), grad):
        if abs(exact) > np.finfo(np.float64).tiny:
            assert _ulps(got, exact) <= 2 / p + 3, (got, exact)


@pytest.mark.parametrize("p", [2.0, 3.0])
def test_scaled_windows_in_2d_and_3d_and_their_second_derivatives(p):
    """The same through lp_pool2d and lp_pool3d (windows of 1e200 and 1e-200 beside ones of 1), and gradcheck and
    gradgradcheck of windows of 1e-200 (the scaled windows' rules their derivatives, to the second order)."""
    rng = np.random.default_rng(8)
    blocks = rng.uniform(0.5, 2.0, (4, 2, 2, 2)) * np.array([1e200, 1.0, 1e-200, 1.0])[:, None, None, None]
    image = blocks[:, 0].transpose(1, 0, 2).reshape(1, 1, 2, 8)  # four 2x2 windows side by side
    volume = blocks.transpose(1, 2, 0, 3).reshape(1, 1, 2, 2, 8)  # four 2x2x2 windows
    for pool, data, windows in ((F.lp_pool2d, image, blocks[:, 0]), (F.lp_pool3d, volume, blocks)):
        with np.errstate(all="ignore"):
            out = pool(Tensor(data), p, 2)
        exact = [mpmath.fsum(mpmath.mpf(float(v)) ** p for v in w.ravel()) ** (1 / mpmath.mpf(p)) for w in windows]
        assert max(_ulps(got, e) for got, e in zip(out.data.ravel(), exact)) <= 2 / p + 3, out.data
    for size in (1e-200, 1e200):  # gradgradcheck's steps are of x and of grad_outputs alike: x of 1, scaled inside
        a = rng.uniform(0.5, 2.0, (1, 1, 6))
        with np.errstate(all="ignore"):
            assert autograd.gradcheck(lambda x: F.lp_pool1d(x, p, 3, 1), [a * size], eps=size * 1e-6)
            assert autograd.gradgradcheck(lambda x, s=size: F.lp_pool1d(x * s, p, 3, 1) / s, [a])


@pytest.mark.parametrize(("p", "size"), [(7.0, 1e6), (3.0, 1e20), (2.0, 1e-30), (3.0, 1e-20)])
def test_float32_windows_whose_sum_leaves_the_floats(p, size):
    """float32 x ~ 1e20 at p = 3 summed to inf (value inf, gradient NaN), x ~ 1e-30 at p = 2 to 0 (value 0): now
    scaled, each window's value and gradient within 2/p + 3 float32 ulps of mpmath's."""
    row = (np.array([3.1, 1.7, 2.2, 0.9, 1.3, 2.9, 0.7, 1.1]) * size).astype(np.float32)
    x = Tensor(row[None, None], requires_grad=True)
    with np.errstate(all="ignore"):
        out = F.lp_pool1d(x, p, 4)
        out.sum().backward()
    assert out.data.dtype == x.grad.dtype == np.float32
    values, grad = _exact_pool1d(row, p, 4, 4)
    ulp32 = 2.0**-23
    for got, exact in list(zip(out.data.ravel(), values)) + list(zip(x.grad.ravel(), grad)):
        ulp = ulp32 * mpmath.mpf(2) ** mpmath.floor(mpmath.log(abs(exact), 2))
        assert abs(mpmath.mpf(float(got)) - exact) <= (2 / p + 3) * ulp, (got, exact)


def test_inf_nan_and_signs_beside_scaled_windows():
    """Windows holding inf or NaN keep torch's numbers (inf, NaN; gradient NaN at them, 0 or NaN beside them) next
    to a scaled window; at p = 3 a window of [-1e150, 2e150] summed to -inf + inf = NaN (torch's too), its root is
    7^(1/3)·1e150, while a negative sum stays NaN, as torch's."""
    rows = {
        2.0: [np.inf, 1.0, 1e200, 2e200, 1.0, 3.0],
        2.5: [np.nan, 1.0, 1e200, 2e200, 1.0, 3.0],
        3.0: [-1e150, 2e150, -3e150, 1e150, 1.0, -3.0],
    }
    got = {}
    for p, row in rows.items():
        x = Tensor(np.array(row)[None, None], requires_grad=True)
        with np.errstate(all="ignore"):
            out = F.lp_pool1d(x, p, 2)
            out.sum().backward()
        got[p] = out.data.ravel(), x.grad.ravel()
    values, grad = got[2.0]
    assert values[0] == np.inf and np.isnan(grad[0]) and grad[1] == 0.0
    values, grad = got[2.5]
    assert np.isnan(values[0]) and np.isnan(grad[:2]).all()
    for p in (2.0, 2.5):  # the scaled window and the plain one beside them
        exact, slopes = _exact_pool1d(np.array(rows[p][2:]), p, 2, 2)
        assert all(_ulps(g, e) <= 2 / p + 3 for g, e in zip(got[p][0][1:], exact))
        assert all(_ulps(g, e) <= 2 / p + 3 for g, e in zip(got[p][1][2:], slopes))
    values, grad = got[3.0]
    root = mpmath.cbrt(7) * mpmath.mpf(1e150)
    assert _ulps(values[0], root) <= 2 / 3 + 3 and np.isnan(values[1:]).all()
    assert _ulps(grad[0], (mpmath.mpf(1e150) / root) ** 2) <= 4 and _ulps(grad[1], (mpmath.mpf(2e150) / root) ** 2) <= 4
