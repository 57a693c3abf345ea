"""Second derivatives through whole nn models, as PyTorch users take them, against torch 2.13 in float64: a
WGAN-GP critic trained by an optimizer, a MAML meta-gradient through inner steps taken with create_graph,
backward(create_graph=True) twice on a module, a gradient penalty through each kind of layer; and, where
torch's own answer is not the derivative (third order through the normalisations, embedding's
scale_grad_by_freq), against central differences of the order below, on which both libraries agree."""

import numpy as np
import pytest
from torch_reference import torch  # without torch: skipped

import autograd
import nn
from autograd import Tensor
from nn import functional as F
from nn.export import from_torch_state_dict, to_torch_state_dict

T, TF = torch.nn, torch.nn.functional


def _pair(ours, theirs):
    """The two models in float64 with torch's weights."""
    theirs.double()
    from_torch_state_dict(ours.double(), theirs.state_dict())
    return ours, theirs


def _as_torch(model, arrays):
    """Gradients of model's parameters (its order) in torch's names and layouts, through nn.export."""
    params = list(model.parameters())
    kept = [p.data for p in params]
    try:
        for p, a in zip(params, arrays):
            p.data = np.asarray(autograd.raw(a), p.data.dtype)
        return to_torch_state_dict(model)
    finally:
        for p, k in zip(params, kept):
            p.data = k


def _close(ours, theirs, rtol=1e-12):
    theirs = theirs.detach().numpy() if isinstance(theirs, torch.Tensor) else np.asarray(theirs)
    np.testing.assert_allclose(np.asarray(autograd.raw(ours)), theirs, rtol=rtol, atol=rtol * np.abs(theirs).max())


@pytest.mark.parametrize(
    "build",
    [
        lambda L: L.Sequential(L.Linear(5, 16), L.LayerNorm(16), L.SiLU(), L.Linear(16, 1)),
        lambda L: L.Sequential(L.Linear(5, 8, bias=False), L.BatchNorm1d(8), L.Tanh(), L.Linear(8, 1)),
    ],
    ids=["layer_norm", "batch_norm"],
)
def test_a_wgan_gp_critic_trained_by_adam_keeps_torch_s_weights(build):
    """(‖∂D/∂x̂‖ - 1)² at interpolates, plus D(fake) - D(real), four Adam steps: every weight (and BatchNorm's
    running statistics, three forwards a step) as torch's to 1e-12."""
    ours, theirs = _pair(build(nn), build(T))
    opt, topt = nn.Adam(ours.parameters(), lr=1e-2), torch.optim.Adam(theirs.parameters(), lr=1e-2)
    rng = np.random.default_rng(1)
    for _ in range(4):
        real, fake, eps = rng.standard_normal((8, 5)), rng.standard_normal((8, 5)) * 0.5, rng.random((8, 1))
        x = Tensor(eps * real + (1 - eps) * fake, requires_grad=True)
        (g,) = autograd.gradients(ours(x).sum(), [x], create_graph=True)
        opt.zero_grad()
        (ours(fake).mean() - ours(real).mean() + 10 * (((g**2).sum(axis=1).sqrt() - 1) ** 2).mean()).backward()
        opt.step()
        tx = torch.tensor(eps * real + (1 - eps) * fake, requires_grad=True)
        (tg,) = torch.autograd.grad(theirs(tx).sum(), tx, create_graph=True)
        topt.zero_grad()
        fake_t, real_t = torch.tensor(fake), torch.tensor(real)
        (theirs(fake_t).mean() - theirs(real_t).mean() + 10 * ((tg.norm(dim=1) - 1) ** 2).mean()).backward()
        topt.step()
    mine = to_torch_state_dict(ours)
    for name, value in theirs.state_dict().items():
        _close(mine[name], value)


def _cnn(lib, p, x):
    """A functional CNN, batch statistics in training mode: MAML's fast weights pass through it."""
    h = lib.conv2d(x, p[0], p[1], padding=1)
    h = lib.max_pool2d(lib.relu(lib.batch_norm(h, None, None, p[2], p[3], training=True)), 2)
    return lib.linear(h.reshape(h.shape[0], -1), p[4], p[5])


def test_a_maml_meta_gradient_through_three_inner_steps_is_torch_s():
    rng = np.random.default_rng(2)
    shapes = [(4, 1, 3, 3), (4,), (4,), (4,), (3, 16), (3,)]
    init = [rng.standard_normal(s) * 0.4 for s in shapes]
    xs, xq = rng.standard_normal((6, 1, 4, 4)), rng.standard_normal((6, 1, 4, 4))
    ys, yq = rng.integers(0, 3, 6), rng.integers(0, 3, 6)

    def meta(lib, grad, wrap, params):
        fast = params
        for _ in range(3):
            gs = grad(lib.cross_entropy(_cnn(lib, fast, wrap(xs)), wrap(ys)), fast)
            fast = [w - 0.2 * g for w, g in zip(fast, gs)]
        return grad(lib.cross_entropy(_cnn(lib, fast, wrap(xq)), wrap(yq)), params)

    ours = meta(
        F, lambda y, xs: autograd.gradients(y, xs, create_graph=True), lambda a: a, [Tensor(a, True) for a in init]
    )
    theirs = meta(
        TF,
        lambda y, xs: torch.autograd.grad(y, xs, create_graph=True),
        torch.tensor,
        [torch.tensor(a, requires_grad=True) for a in init],
    )
    for k, (a, b) in enumerate(zip(ours, theirs)):
        if k == 1:  # the bias before batch statistics: 0 in exact arithmetic, rounding in both
            assert np.abs(autograd.raw(a)).max() < 1e-14
            continue
        _close(a, b)


def test_backward_twice_on_a_module_adds_the_hessian_vector_product_to_grad():
    """loss.backward(create_graph=True), then sum(p.grad * v).backward(): each .grad is g + Hv, as torch's."""

    def build(L):
        return L.Sequential(
            L.Conv2d(2, 3, 3, padding=1, stride=2), L.GroupNorm(1, 3), L.Mish(), L.Flatten(), L.Linear(12, 3)
        )

    ours, theirs = _pair(build(nn), build(T))
    rng = np.random.default_rng(5)
    x, labels = rng.standard_normal((3, 2, 4, 4)), rng.integers(0, 3, 3)
    vs = {name: rng.standard_normal(tuple(p.shape)) for name, p in theirs.named_parameters()}
    TF.cross_entropy(theirs(torch.tensor(x)), torch.tensor(labels)).backward(create_graph=True)
    sum((p.grad * torch.tensor(vs[n])).sum() for n, p in theirs.named_parameters()).backward()
    twin = build(nn).double()  # v in chainrule's layouts: loaded into a twin by torch's names
    from_torch_state_dict(twin, {**theirs.state_dict(), **vs})
    v_ours = [p.data.copy() for p in twin.parameters()]
    F.cross_entropy(ours(Tensor(x)), labels).backward(create_graph=True)
    sum((p.grad * v).sum() for p, v in zip(ours.parameters(), v_ours)).backward()
    mine = _as_torch(ours, [p.grad for p in ours.parameters()])
    for name, p in theirs.named_parameters():
        _close(mine[name], p.grad)


LAYERS = {
    "conv2d, stride, dilation, groups": lambda L: L.Sequential(
        L.Conv2d(2, 4, 3, padding=(1, 2), stride=(2, 1), dilation=(1, 2), groups=2), L.Tanh()
    ),
    "max_pool, avg_pool, adaptive": lambda L: L.Sequential(
        L.Conv2d(2, 3, 2), L.Tanh(), L.MaxPool2d(2, 1), L.AvgPool2d(2, padding=1), L.AdaptiveMaxPool2d((2, 1))
    ),
    "lp_pool": lambda L: L.Sequential(L.Conv2d(2, 3, 2), L.Softplus(), L.LPPool2d(3, 2, stride=1)),
    "instance_norm, upsample": lambda L: L.Sequential(
        L.Conv2d(2, 3, 2, bias=False),
        L.InstanceNorm2d(3, affine=True),
        L.GELU(),
        L.Upsample(scale_factor=1.7, mode="bicubic"),
    ),
    "batch_norm, eval": lambda L: L.Sequential(L.Conv2d(2, 3, 2), L.BatchNorm2d(3), L.ELU()).eval(),
    "conv_transpose": lambda L: L.Sequential(
        L.ConvTranspose2d(2, 4, 3, stride=2, padding=1, output_padding=1), L.Tanh()
    ),
}


@pytest.mark.parametrize("name", LAYERS)
def test_a_gradient_penalty_through_a_layer_is_torch_s(name):
    """sum(‖∂(D·w)/∂z‖²) over the input and every parameter, differentiated again in each: torch's to 1e-12."""
    ours, theirs = _pair(LAYERS[name](nn), LAYERS[name](T))
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 2, 5, 6))
    w = rng.standard_normal(tuple(theirs(torch.tensor(x)).shape))
    xc, xt = Tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ps, tps = list(ours.parameters()), list(theirs.parameters())
    gs = autograd.gradients((ours(xc) * w).sum(), [xc, *ps], create_graph=True)
    hs = autograd.gradients(sum((g**2).sum() for g in gs), [xc, *ps])
    tgs = torch.autograd.grad((theirs(xt) * torch.tensor(w)).sum(), [xt, *tps], create_graph=True)
    ths = torch.autograd.grad(sum((g**2).sum() for g in tgs), [xt, *tps])
    _close(hs[0], ths[0])
    mine = _as_torch(ours, hs[1:])
    for (n, _), h in zip(theirs.named_parameters(), ths[1:]):
        _close(mine[n], h)


def _third(norm, x, v, step=1e-5):
    """d/dx of Q = ‖∂P/∂x‖², P = ‖∂ sum(tanh(norm(x)) · v)/∂x‖² (chainrule's, third order), and Q's central
    differences computed from chainrule's second order."""

    def q(x, keep):
        x = Tensor(x, requires_grad=True)
        (g,) = autograd.gradients((norm(x).tanh() * v).sum(), [x], create_graph=True)
        (h,) = autograd.gradients((g**2).sum(), [x], create_graph=True)
        out = (h**2).sum()
        return autograd.gradients(out, [x])[0] if keep else out.item()

    central = np.zeros(x.shape)
    for i in np.ndindex(x.shape):
        e = np.zeros(x.shape)
        e[i] = step
        central[i] = (q(x + e, False) - q(x - e, False)) / (2 * step)
    return q(x, True), central


@pytest.mark.parametrize(
    ("norm", "shape"),
    [
        (lambda x: F.layer_norm(x, (4,)), (2, 4)),
        (lambda x: F.batch_norm(x, None, None, training=True), (5, 2)),
        (lambda x: F.instance_norm(x), (1, 2, 5)),
    ],
    ids=["layer_norm", "batch_norm", "instance_norm"],
)
def test_third_derivatives_through_a_normalisation_are_the_slopes_of_the_second(norm, shape):
    """torch 2.13's third derivative here is 32-73% off these differences (its hand-written double backward
    is not differentiated right); chainrule's, built of ops, is within 1e-8 of them."""
    rng = np.random.default_rng(0)
    ours, central = _third(norm, rng.standard_normal(shape), rng.standard_normal(shape))
    np.testing.assert_allclose(ours, central, rtol=0, atol=1e-7 * np.abs(central).max())


def test_scale_grad_by_freq_divides_every_gradient_of_the_table_once_and_no_other():
    """P = ‖∂F/∂W‖² + ‖∂F/∂L‖², F = sum(v · tanh(W[idx]) @ L), W's gradient divided by each row's count: ∂P/∂W is
    P's slope divided by the count (as any gradient of the table is), ∂P/∂L its slope. torch's double backward
    leaves the counts out of ∂P/∂L (151% off) and so of the table's (7% off)."""
    idx = np.array([[0, 2, 2, 5], [3, 2, 0, 0]])
    rng = np.random.default_rng(0)
    W, L, v = rng.standard_normal((7, 4)), rng.standard_normal((4, 2)), rng.standard_normal((2, 4, 2))

    def penalty(W, L, create_graph):
        w, l_ = Tensor(W, requires_grad=True), Tensor(L, requires_grad=True)
        out = ((F.embedding(idx, w, scale_grad_by_freq=True).tanh() @ l_) * v).sum()
        gw, gl = autograd.gradients(out, [w, l_], create_graph=create_graph)
        p = (gw**2).sum() + (gl**2).sum()
        return autograd.gradients(p, [w, l_]) if create_graph else float(p)

    def central(k, step=1e-6):
        base, out = [W, L], np.zeros(([W, L][k]).shape)
        for i in np.ndindex(out.shape):
            up, down = [a.copy() for a in base], [a.copy() for a in base]
            up[k][i] += step
            down[k][i] -= step
            out[i] = (penalty(*up, False) - penalty(*down, False)) / (2 * step)
        return out

    dW, dL = penalty(W, L, True)
    counts = np.maximum(np.bincount(idx.ravel(), minlength=7), 1)[:, None]
    for ours, slope in [(dW, central(0) / counts), (dL, central(1))]:
        np.testing.assert_allclose(ours, slope, rtol=0, atol=1e-8 * np.abs(slope).max())
