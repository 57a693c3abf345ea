"""nn.functional's losses against PyTorch 2.13 at edge points, entry by entry, reduction "none", float32 and
float64: every pair of ±0, ±1, 2.5, ±1e-30, ±1e30, the dtype's largest number and ±inf for predictions and
targets; probabilities 0, 1, 1e-8 and below the normal range; logits of ±inf; class weights with a 0; a row of
equal logits; label_smoothing 1. The loss and the gradient of every input must be PyTorch's (within a rounding
of the dtype), but where docs/edge-points.md says why not: where PyTorch's number is inf or NaN and chainrule's
the finite limit (softplus terms, norms of scaled rows: no overflow; its gradients there are not compared), anywhere
in a loss both give as NaN (the NaN policy: chainrule's gradient is NaN there, PyTorch's often 0), and the target
slopes of
binary_cross_entropy (its logs held at -100) and kl_div (at a float32 target below the normal range). It found
hinge_embedding_loss's NaN at x = ±inf and cross_entropy's at label_smoothing=1
(test_torch_reference_loss_infinities.py)."""

import itertools

import numpy as np
import pytest

import nn.functional as F
from autograd import Tensor

torch = pytest.importorskip("torch")
TF = torch.nn.functional
INF = np.inf
DTYPES = [np.float32, np.float64]


def _grid(*values: list[float]) -> list[np.ndarray]:
    """Every combination of the values, one array per input."""
    rows = np.array(list(itertools.product(*values)))
    return [rows[:, k].copy() for k in range(rows.shape[1])]


def _cases(dtype):
    """(name, call, inputs): call(m, c, *inputs) is the loss of inputs (all differentiable) by module m (F or
    torch's), reduction "none", its constants made by c (as they are, or torch tensors of the inputs' dtype)."""
    top, tiny = float(np.finfo(dtype).max), float(np.finfo(dtype).smallest_subnormal)
    edges = [0.0, 1.0, -1.0, 2.5, -1e-30, 1e30, -1e30, top, -top, INF, -INF]
    pairs = _grid(edges, edges)
    for name in ("mse_loss", "l1_loss", "huber_loss", "smooth_l1_loss"):
        yield name, lambda m, c, *a, f=name: getattr(m, f)(*a, reduction="none"), pairs
    yield "smooth_l1_loss beta=0", lambda m, c, *a: m.smooth_l1_loss(*a, beta=0.0, reduction="none"), pairs
    probs = _grid([0.0, 1.0, 0.5, tiny, 1e-8, 0.999], [0.0, 1.0, 0.3])
    yield "binary_cross_entropy", lambda m, c, *a: m.binary_cross_entropy(*a, reduction="none"), probs
    logits = _grid([0.0, 1.0, -100.0, 1e30, -1e30, INF, -INF], [0.0, 1.0, 0.5])
    yield "bce_with_logits", lambda m, c, *a: m.binary_cross_entropy_with_logits(*a, reduction="none"), logits
    kl = _grid([0.0, -1.0, -100.0, -INF, 1.0], [0.0, 1.0, 0.5, tiny])
    yield "kl_div", lambda m, c, *a: m.kl_div(*a, reduction="none"), kl
    both_log = _grid([0.0, -1.0, -100.0, -INF], [0.0, -1.0, -INF, -100.0])
    yield "kl_div log_target", lambda m, c, *a: m.kl_div(*a, log_target=True, reduction="none"), both_log
    rates = _grid([0.0, 1.0, -1.0, 30.0, -INF], [0.0, 1.0, 2.5, 1e6])
    yield "poisson_nll_loss full", lambda m, c, *a: m.poisson_nll_loss(*a, full=True, reduction="none"), rates
    gauss = _grid([0.0, -2.0, 1e20], [0.0, 1.0], [1.0, 0.0, 1e-8, 1e20])
    yield "gaussian_nll_loss", lambda m, c, *a: m.gaussian_nll_loss(*a, reduction="none"), gauss
    x, y = _grid([0.0, 1.0, -1.0, 2.0, 1e30, INF, -INF], [1.0, -1.0])
    for name in ("hinge_embedding_loss", "soft_margin_loss"):
        yield name, lambda m, c, a, f=name: getattr(m, f)(a, c(y, a), reduction="none"), [x]
    a1, a2, y2 = _grid([0.0, 1.0, 1e30, INF, -INF], [0.0, 1.0, INF], [1.0, -1.0])
    yield "margin_ranking_loss", lambda m, c, a, b: m.margin_ranking_loss(a, b, c(y2, a), reduction="none"), [a1, a2]
    rows1 = np.array([[0.0, 0.0], [1.0, 2.0], [1e30, 1.0], [3.0, 4.0], [INF, 1.0]])
    rows2 = np.array([[1.0, 0.0], [1.0, 2.0], [1.0, 1e30], [-3.0, -4.0], [1.0, 1.0]])
    y3 = np.array([1.0, -1.0, 1.0, -1.0, 1.0])
    yield (
        "cosine_embedding_loss",
        lambda m, c, a, b: m.cosine_embedding_loss(a, b, c(y3, a), reduction="none"),
        [rows1, rows2],
    )
    yield (
        "triplet_margin_loss",
        lambda m, c, *a: m.triplet_margin_loss(*a, reduction="none"),
        [rows1, rows2, rows1[::-1].copy()],
    )
    scores = np.array([[0.0, 1.0, -1.0], [100.0, -100.0, 0.0], [-INF, 0.0, 1.0], [1e30, -1e30, 2.0], [5.0, 5.0, 5.0]])
    multi = np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 0.5], [1.0, 0.0, 0.0], [0.0, 1.0, 1.0], [1.0, 1.0, 0.0]])
    yield (
        "multilabel_soft_margin_loss",
        lambda m, c, s: m.multilabel_soft_margin_loss(s, c(multi, s), reduction="none"),
        [scores],
    )
    labels, w = np.array([0, 1, 0, 2, 1]), np.array([1.0, 0.0, 2.0])
    for e in (0.0, 1.0):
        yield (
            f"cross_entropy label_smoothing={e}",
            lambda m, c, s, e=e: m.cross_entropy(s, c(labels), weight=c(w, s), label_smoothing=e, reduction="none"),
            [scores],
        )
        probabilities = multi / multi.sum(1, keepdims=True)
        yield (
            f"cross_entropy of probabilities label_smoothing={e}",
            lambda m, c, s, p, e=e: m.cross_entropy(s, p, label_smoothing=e, reduction="none"),
            [scores, probabilities],
        )
    yield "nll_loss", lambda m, c, s: m.nll_loss(s, c(labels), weight=c(w, s), reduction="none"), [scores]
    yield (
        "multi_margin_loss",
        lambda m, c, s: m.multi_margin_loss(s, c(labels), weight=c(w, s), reduction="none"),
        [scores],
    )


def _torch_constant(a: np.ndarray, like=None):
    """A constant for PyTorch: labels as int64, numbers in `like`'s dtype."""
    return torch.tensor(a) if like is None else torch.tensor(a, dtype=like.dtype)


def _differ(ours: np.ndarray, theirs: np.ndarray, dtype) -> np.ndarray:
    """Where ours is not theirs: NaN against a number, another infinity, or off by more than a rounding of the
    dtype (relative, and against the largest finite entry). PyTorch's inf or NaN against our finite number is
    the limit PyTorch does not reach: not a difference."""
    eps = float(np.finfo(dtype).eps) * 64
    finite = np.isfinite(theirs)
    scale = np.max(np.abs(theirs[finite]), initial=1.0)  # the losses' own scale is 1 at least here
    with np.errstate(invalid="ignore", over="ignore"):
        off = np.abs(ours - theirs) > eps * (np.abs(theirs) + scale)
    off = np.where(finite & np.isfinite(ours), off, False)
    off |= finite != np.isfinite(ours)  # a number against inf or NaN
    off |= np.isinf(theirs) & np.isinf(ours) & (np.sign(theirs) != np.sign(ours))
    off &= ~(~finite & np.isfinite(ours))  # our limit where PyTorch's overflows or is NaN
    return off


def _target_slope(name: str, k: int, inputs: list[np.ndarray], dtype) -> np.ndarray:
    """The target slopes docs/edge-points.md states: binary_cross_entropy's at p outside (1e-44, 1 - 1e-7) (the
    clamped logs), kl_div's at a float32 target below the normal range."""
    if name == "binary_cross_entropy" and k == 1:
        p = inputs[0].astype(dtype)
        return (p < np.finfo(dtype).tiny) | (p == 1)
    if name == "kl_div" and k == 1 and dtype == np.float32:
        t = inputs[1].astype(dtype)
        return (t > 0) & (t < np.finfo(dtype).tiny)
    return np.asarray(False)


@pytest.mark.parametrize("dtype", DTYPES)
def test_losses_at_edge_points_are_torchs_or_documented(dtype):
    found = []
    for name, call, inputs in _cases(dtype):
        xs = [Tensor(a.astype(dtype), dtype=dtype, requires_grad=True) for a in inputs]
        ts = [torch.tensor(a.astype(dtype), requires_grad=True) for a in inputs]
        with np.errstate(all="ignore"):
            out = call(F, lambda a, like=None: a, *xs)
            out.backward(Tensor(np.ones(out.shape, dtype), dtype=dtype))
        t_out = call(TF, _torch_constant, *ts)
        t_out.backward(torch.ones_like(t_out))
        loss, t_loss = np.asarray(out.data, float), t_out.detach().numpy().astype(float)
        if _differ(loss, t_loss, dtype).any():
            found.append(f"{name}: loss {loss} against {t_loss}")
        # the NaN policy (our gradient NaN, PyTorch's often 0), and PyTorch's loss overflowed where ours did not
        # (its gradient lost the overflowed term: triplet_margin_loss of rows near 1e30 in float32)
        unlike = (np.isnan(loss) & np.isnan(t_loss)) | (np.isfinite(loss) & ~np.isfinite(t_loss))
        for k, (x, t) in enumerate(zip(xs, ts)):
            g, t_g = np.asarray(x.grad, float), t.grad.numpy().astype(float)
            rows = np.broadcast_to(unlike.reshape(unlike.shape + (1,) * (g.ndim - unlike.ndim)), g.shape)
            off = _differ(g, t_g, dtype) & ~rows & ~_target_slope(name, k, inputs, dtype)
            if off.any():
                found.append(f"{name}: gradient {k} at {np.argwhere(off)[:3].tolist()}: {g[off][:3]} vs {t_g[off][:3]}")
    assert not found, "\n".join(found)


@pytest.mark.parametrize("weight", [None, 1e-3, 100.0])
@pytest.mark.parametrize("reduction", ["none", "sum", "mean"])
def test_binary_cross_entropy_of_float16_holds_its_logs_as_torchs(reduction, weight):
    """float16 probabilities at 0, 1, the least subnormal and next to 1, against targets 0, 1, 0.3: the logs
    held at -100 as PyTorch's float16 holds them (the loss within a float16 rounding of PyTorch's), the gradient
    float64's of the same numbers, rounded (within a float16 step). PyTorch's float16 gradient is NaN at a right
    p of 0 or 1 (its 1e-12 bound is 0 in float16: 0 / 0) and inf where its float16 steps overflow (-inf for
    -16777 at p = 6e-8 with weight 1e-3, inf for 8533 at p = 1 - 2^-11 with weight 100)."""
    tiny = float(np.finfo(np.float16).smallest_subnormal)
    p, t = _grid([0.0, 1.0, tiny, 1e-4, 0.5, 1 - 2**-11, 2**-11], [0.0, 1.0, 0.3])
    p = p.astype(np.float16)
    w = None if weight is None else np.full(p.shape, weight)
    x = Tensor(p, dtype=np.float16, requires_grad=True)
    with np.errstate(over="ignore"):  # slopes beyond 65504 (5e6 at p = 6e-8, t = 0.3): inf, float16's rounding
        out = F.binary_cross_entropy(x, t, weight=w, reduction=reduction)
        out.sum().backward()
    half = TF.binary_cross_entropy(
        torch.tensor(p),
        torch.tensor(t, dtype=torch.float16),
        weight=None if w is None else torch.tensor(w, dtype=torch.float16),
        reduction=reduction,
    )
    xd = torch.tensor(p.astype(np.float64), requires_grad=True)
    exact = TF.binary_cross_entropy(
        xd, torch.tensor(t), weight=None if w is None else torch.tensor(w), reduction=reduction
    )
    exact.sum().backward()
    assert out.dtype == np.float16
    np.testing.assert_allclose(out.data, half.detach().numpy(), rtol=2**-10, atol=tiny)
    with np.errstate(over="ignore"):
        slope = xd.grad.numpy().astype(np.float16)
    np.testing.assert_allclose(x.grad, slope, rtol=2**-10, atol=tiny)
