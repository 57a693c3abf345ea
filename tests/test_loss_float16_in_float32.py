"""Every loss of nn.functional of float16 Tensors is computed in float32 and rounded once to float16 (its value,
and the gradients reaching its float16 inputs), weighted or not (nn/losses_half.py). Step by step in float16 each
step rounded and overflowed on the way to a result that fits: mse_loss's mean over 1000 predictions with one error
of 300 was inf where it is 90, binary_cross_entropy's mean gradient at p = 6e-8 -inf where it is -16777,
gaussian_nll_loss's at a var of 1e-8 inf where it is 62500. Here each loss's float16 value and gradients are
float32's of the same inputs rounded once, bit for bit."""

import numpy as np
import pytest
from compile_faithful_cases import check_replayed, stepped_on

import nn
import nn.functional as F
from autograd import Tensor

HALF = np.float16


def half(a):
    """`a` rounded to float16, as float64: the same inputs for both dtypes."""
    return np.asarray(a, dtype=HALF).astype(np.float64)


def _cases(rng, scale, n):
    """loss name -> (differentiable inputs, call(inputs, reduction)), inputs near `scale`, n per row set."""
    a, b = half(rng.standard_normal(n) * scale), half(rng.standard_normal(n) * scale)
    p = half(rng.uniform(0.01, 0.99, n))
    sign = np.where(rng.uniform(size=n) > 0.5, 1.0, -1.0)
    rows = half(rng.standard_normal((n // 4, 4)) * scale)
    labels = rng.integers(0, 4, n // 4)
    soft = half(rng.dirichlet(np.ones(4), n // 4))
    return {
        "mse_loss": ([a, b], lambda x, r: F.mse_loss(x[0], x[1], reduction=r)),
        "l1_loss": ([a, b], lambda x, r: F.l1_loss(x[0], x[1], reduction=r)),
        "huber_loss": ([a, b], lambda x, r: F.huber_loss(x[0], x[1], reduction=r, delta=scale)),
        "smooth_l1_loss": ([a, b], lambda x, r: F.smooth_l1_loss(x[0], x[1], reduction=r, beta=scale)),
        "hinge_loss": ([a], lambda x, r: F.hinge_loss(x[0], sign, reduction=r)),
        "binary_cross_entropy": ([p], lambda x, r: F.binary_cross_entropy(x[0], (sign + 1) / 2, reduction=r)),
        "binary_cross_entropy_with_logits": (
            [a],
            lambda x, r: F.binary_cross_entropy_with_logits(x[0], (sign + 1) / 2, reduction=r),
        ),
        "kl_div": ([half(np.log(p))], lambda x, r: F.kl_div(x[0], half(p[::-1]), reduction=r)),
        "cross_entropy": ([rows], lambda x, r: F.cross_entropy(x[0], soft, reduction=r)),
        "nll_loss": ([rows], lambda x, r: F.nll_loss(x[0], labels, reduction=r)),
        "margin_ranking_loss": ([a, b], lambda x, r: F.margin_ranking_loss(x[0], x[1], sign, reduction=r)),
        "hinge_embedding_loss": (
            [half(np.abs(a))],
            lambda x, r: F.hinge_embedding_loss(x[0], sign, margin=2 * scale, reduction=r),
        ),
        "soft_margin_loss": ([a], lambda x, r: F.soft_margin_loss(x[0], sign, reduction=r)),
        "cosine_embedding_loss": (
            [rows, half(rows * 0.5 + 0.25 * scale)],
            lambda x, r: F.cosine_embedding_loss(x[0], x[1], sign[: n // 4], reduction=r),
        ),
        "triplet_margin_loss": (
            [rows, half(rows[::-1]), half(rows * 0.5)],
            lambda x, r: F.triplet_margin_loss(x[0], x[1], x[2], margin=scale, reduction=r),
        ),
        "triplet_margin_with_distance_loss": (
            [rows, half(rows[::-1]), half(rows * 0.5)],
            lambda x, r: F.triplet_margin_with_distance_loss(x[0], x[1], x[2], margin=scale, swap=True, reduction=r),
        ),
        "multilabel_soft_margin_loss": ([rows], lambda x, r: F.multilabel_soft_margin_loss(x[0], soft, reduction=r)),
        "multilabel_margin_loss": (
            [rows],
            lambda x, r: F.multilabel_margin_loss(
                x[0], np.stack([labels, (labels + 1) % 4, -np.ones_like(labels), labels], 1), reduction=r
            ),
        ),
        "multi_margin_loss": ([rows], lambda x, r: F.multi_margin_loss(x[0], labels, margin=scale, reduction=r)),
        "gaussian_nll_loss": (
            [a, b, half(np.abs(b) + 1e-3 * scale)],
            lambda x, r: F.gaussian_nll_loss(x[0], x[1], x[2], reduction=r),
        ),
        "poisson_nll_loss": (
            [half(a / max(scale, 1))],
            lambda x, r: F.poisson_nll_loss(x[0], np.round(p * 9), reduction=r),
        ),
        "ctc_loss": (  # (T, N, C) = (n // 4, 1, 4): one long sequence
            [half(rows.reshape(n // 4, 1, 4) / max(scale, 1))],
            lambda x, r: F.ctc_loss(x[0], labels[None, : n // 8] % 3 + 1, [n // 4], [n // 8], reduction=r),
        ),
    }


def _run(inputs, call, reduction, dtype):
    xs = [Tensor(np.asarray(v, dtype=dtype), dtype=dtype, requires_grad=True) for v in inputs]
    out = call(xs, reduction)
    out.sum().backward()
    return out, [x.grad for x in xs]


def test_every_loss_of_nn_functional_is_swept():
    """The sweep below holds every loss nn.functional has (a new one joins it)."""
    losses = {n for n in F.__all__ if "loss" in n or "entropy" in n or n == "kl_div"}
    assert losses == set(_cases(np.random.default_rng(0), 1.0, 8))


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")  # results beyond float16: inf
@pytest.mark.parametrize("scale", [1e-4, 1.0, 1e2, 1e4])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("loss", sorted(_cases(np.random.default_rng(0), 1.0, 8)))
def test_a_float16_loss_is_float32s_of_the_same_inputs_rounded_once(loss, reduction, scale):
    """1000 float16 inputs near `scale` (a sum of their squares passes 65504 from 8): the loss and each gradient
    are float32's of the same numbers rounded once to float16, bit for bit (inf where float32's is beyond
    65504), and so within one float16 step of float64's where float32's own rounding is (the sweep of
    /tmp/s38/L4 found two exceptions: a gradient near 0 by cancellation, exp(x) - 1 at x = 1e-4, and cosine
    rows whose float32 noise is 1.4 float16 steps of a small gradient)."""
    inputs, call = _cases(np.random.default_rng(1), scale, 1000)[loss]
    out, grads = _run(inputs, call, reduction, HALF)
    wide, wide_grads = _run(inputs, call, reduction, np.float32)
    assert out.dtype == HALF
    np.testing.assert_array_equal(out.data, wide.data.astype(HALF))
    for g, w in zip(grads, wide_grads):
        assert g.dtype == HALF
        np.testing.assert_array_equal(g, w.astype(HALF))


def test_the_examples_that_overflowed_on_the_way():
    """mse_loss 90 (was inf), binary_cross_entropy's gradient -16777 (was -inf), gaussian_nll_loss's 62500 (was
    inf; its var's gradient -3.9e9 is beyond float16: -inf, was NaN) and its loss 3902.9 (was inf)."""
    p = np.zeros(1000, HALF)
    p[0] = 300
    assert F.mse_loss(Tensor(p, dtype=HALF), np.zeros(1000)).item() == 90
    p = np.full(1000, 0.5, HALF)
    p[0] = 6e-8
    x = Tensor(p, dtype=HALF, requires_grad=True)
    F.binary_cross_entropy(x, (p < 0.1).astype(float)).backward()
    assert x.grad[0] == HALF(-1 / float(p[0]) / 1000)
    x = Tensor(np.array([0.125, 0.5]), dtype=HALF, requires_grad=True)
    v = Tensor(np.array([1e-8, 1.0]), dtype=HALF, requires_grad=True)
    loss = F.gaussian_nll_loss(x, np.zeros(2), v)
    loss.backward()
    assert loss.item() == HALF(3902.858622360509)
    assert x.grad.tolist() == [HALF(62500), 0.25]
    assert v.grad.tolist() == [-np.inf, 0.1875]


def test_a_compiled_float16_step_is_eagers(monkeypatch):
    """Six SGD steps of a float16 Linear on mse_loss and gaussian_nll_loss (widened inside the step): compiled
    strictly, each call's losses and the weights after them are eager's, and the step replays."""
    rng = np.random.default_rng(5)
    xs = [Tensor(rng.standard_normal((4, 2)) * 4, dtype=HALF) for _ in range(6)]
    ys = [rng.standard_normal((4, 2)).astype(HALF) for _ in range(6)]
    var = np.full((4, 2), 0.01, HALF)

    def scenario(compile):
        model = nn.Linear(2, 2, seed=0).half()
        opt = nn.SGD(model.parameters(), lr=1e-3)

        def step(x, y):
            out = model(x)
            return stepped_on(opt, F.mse_loss(out, y) + F.gaussian_nll_loss(out, y, var)).item()

        run = compile(step)
        return [run(x, y) for x, y in zip(xs, ys)], model.W.data.copy()

    check_replayed(scenario, monkeypatch, replays_at_least=4)


WEIGHTED = {
    "mse_loss": (F.mse_loss, "a"),
    "l1_loss": (F.l1_loss, "a"),
    "huber_loss": (F.huber_loss, "a"),
    "binary_cross_entropy": (F.binary_cross_entropy, "p"),
    "binary_cross_entropy_with_logits": (F.binary_cross_entropy_with_logits, "a"),
    "multilabel_soft_margin_loss": (F.multilabel_soft_margin_loss, "a"),
}


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("loss", sorted(WEIGHTED))
def test_weights_of_ones_give_the_unweighted_loss(loss, reduction):
    """The same float16 loss with weight=ones and without, bit for bit, value and gradient: one computation in
    float32 (binary_cross_entropy's gradient, mse_loss's, huber_loss's and multilabel_soft_margin_loss's "none"
    terms differed where only the weighted one was computed in float32)."""
    f, kind = WEIGHTED[loss]
    rng = np.random.default_rng(3)
    data = {"a": rng.standard_normal((8, 8)), "p": rng.uniform(0.01, 0.99, (8, 8))}[kind]
    target = (rng.uniform(size=(8, 8)) > 0.5).astype(float)
    results = []
    for weight in ({}, {"weight": np.ones(8 if loss == "multilabel_soft_margin_loss" else (8, 8))}):
        x = Tensor(data, dtype=HALF, requires_grad=True)
        out = f(x, target, reduction=reduction, **weight)
        out.sum().backward()
        results.append((out.data, x.grad))
    np.testing.assert_array_equal(results[0][0], results[1][0])
    np.testing.assert_array_equal(results[0][1], results[1][1])


def test_a_target_beyond_float16_is_refused_naming_the_dtype_it_is_read_in():
    """A constant is read in the loss's dtype, float16, though the loss is computed in float32: the refusal says so
    (it said float16 was the dtype mse_loss computes in)."""
    with pytest.raises(
        ValueError,
        match=r"holds 70000, beyond float16's largest number \(65504\), the dtype mse_loss"
        r" reads it in here",
    ):
        F.mse_loss(Tensor(np.zeros(2), dtype=HALF), np.array([70000.0, 0.0]))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_a_float16_models_variances_are_read_in_float32_as_weights_are(reduction):
    """gaussian_nll_loss's var array for a float16 model is read in float32, as weights are (a scale of each
    term, not a number compared with the predictions): variances of 1e-6 to 4e-6 were float16 subnormals, up to 3%
    off, and the gradient 17 float16 steps off float64's of the same predictions (PyTorch's of a float32 var, 0.7);
    a var of 70000 was refused."""
    t = np.array([[0.0, 1.0, -1.0, 2.0], [3.0, 0.5, 0.0, -2.0]])
    x = half(t + np.array([[1.0, -2.0, 3.0, 0.5], [4.0, 1.0, -1.5, 2.0]]) * 1e-3)  # d² / var near 1
    for var in (np.array([[1.0, 2.0, 3.0, 0.5], [1.5, 1.0, 2.5, 4.0]]) * 1e-6, np.full((2, 4), 7e4)):
        results = []
        for dtype in (HALF, np.float64):
            xs = Tensor(x, dtype=dtype, requires_grad=True)
            out = F.gaussian_nll_loss(xs, t, var, reduction=reduction)
            out.sum().backward()
            results.append((out.data, xs.grad))
        (value, grad), (exact, exact_grad) = results
        assert value.dtype == grad.dtype == HALF
        for ours, right in ((value, exact), (grad, exact_grad)):
            step = np.spacing(np.abs(right).astype(HALF)).astype(np.float64)
            assert np.all(np.abs(ours - right) <= step), (ours, right)


NEGATIVE = np.full((4, 2), 0.25, HALF)
# losses of a float16 model's (4, 2) outputs `o` against each call's target: float16 `y`, made before the step
# from random numbers `r` (numpy on the step's inputs, inside it, would be data a replay cannot redo)
COMPILED = {
    "kl_div": (np.abs, lambda o, y: F.kl_div(F.log_softmax(o, dim=1), y)),
    "cross_entropy smoothed": (np.abs, lambda o, y: F.cross_entropy(o, y, label_smoothing=0.1)),
    "binary_cross_entropy_with_logits": (lambda r: r > 0, F.binary_cross_entropy_with_logits),
    "smooth_l1_loss": (lambda r: r, lambda o, y: F.smooth_l1_loss(o, y, beta=0.5)),
    "poisson_nll_loss full": (lambda r: np.round(np.abs(r) * 6), lambda o, y: F.poisson_nll_loss(o, y, full=True)),
    "triplet_margin_loss": (lambda r: r, lambda o, y: F.triplet_margin_loss(o, y, NEGATIVE)),
    "triplet_margin_with_distance_loss": (
        lambda r: r,
        # the negative made from the output too: swap's d(positive, negative) of constants alone would be data
        lambda o, y: F.triplet_margin_with_distance_loss(o, y, o * 0.5 + NEGATIVE, swap=True),
    ),
}


@pytest.mark.parametrize("loss", sorted(COMPILED))
def test_a_compiled_float16_step_of_each_loss_is_eagers(loss, monkeypatch):
    """Six SGD steps of a float16 Linear on each loss, its float16 target array (cast to float32 in the graph)
    new on each call: compiled strictly, each call's loss and the weights after them are eager's; it replays."""
    rng = np.random.default_rng(6)
    xs = [Tensor(rng.standard_normal((4, 2)), dtype=HALF) for _ in range(6)]
    prepare, f = COMPILED[loss]
    ys = [prepare(rng.standard_normal((4, 2)) / 2).astype(HALF) for _ in range(6)]

    def scenario(compile):
        model = nn.Linear(2, 2, seed=0).half()
        opt = nn.SGD(model.parameters(), lr=0.01)

        def step(x, y):
            return stepped_on(opt, f(model(x), y)).item()

        run = compile(step)
        return [run(x, y) for x, y in zip(xs, ys)], model.W.data.copy()

    check_replayed(scenario, monkeypatch, replays_at_least=4)
