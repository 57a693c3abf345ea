"""nn.functional's forms of the layers against torch.nn.functional's, every tensor argument (weights,
biases) a differentiable input: forward, gradients and second derivatives, float64 and float32
(tests/torch_reference.py). The running statistics of batch_norm are compared after the update too."""

import numpy as np
import pytest
from torch_reference import DTYPES, F, check, torch  # without torch: skipped

from autograd import Tensor
from nn import functional as ours

RNG = np.random.default_rng(3)
X4 = RNG.standard_normal((2, 4, 3, 5))
X3 = RNG.standard_normal((2, 3, 7))
A4 = RNG.standard_normal((1, 4, 3, 5))
C4, NORMED = RNG.standard_normal(4), RNG.standard_normal((3, 5))

# name: (ours, torch's, inputs, whether second derivatives are compared: not where they are all 0 or
# constant through an index, which torch's nearest and shuffles do not record)
CASES = {
    "linear": (ours.linear, F.linear, [X3, RNG.standard_normal((4, 7)), RNG.standard_normal(4)]),
    "linear, no bias": (ours.linear, F.linear, [X3, RNG.standard_normal((4, 7))]),
    "linear, 1-d weight": (ours.linear, F.linear, [X3, RNG.standard_normal(7)]),
    "layer_norm": (
        lambda x, w, b: ours.layer_norm(x, (3, 5), w, b),
        lambda x, w, b: F.layer_norm(x, (3, 5), w, b),
        [X4, NORMED, NORMED + 1],
    ),
    "layer_norm, eps": (lambda x: ours.layer_norm(x, 5, eps=0.1), lambda x: F.layer_norm(x, (5,), eps=0.1), [X4]),
    "group_norm": (
        lambda x, w, b: ours.group_norm(x, 2, w, b),
        lambda x, w, b: F.group_norm(x, 2, w, b),
        [X4, C4, -C4],
    ),
    "group_norm, 1-d": (lambda x: ours.group_norm(x, 3, eps=0.01), lambda x: F.group_norm(x, 3, eps=0.01), [X3]),
    "batch_norm, training": (
        lambda x, w, b: ours.batch_norm(x, None, None, w, b, training=True),
        lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
        [X4, C4, -C4],
    ),
    "batch_norm, eval": (
        lambda x, w, b: ours.batch_norm(x, C4.astype(x.dtype), (C4**2 + 0.5).astype(x.dtype), w, b),
        lambda x, w, b: F.batch_norm(
            x, torch.tensor(C4, dtype=x.dtype), torch.tensor(C4**2 + 0.5, dtype=x.dtype), w, b
        ),
        [X4, C4, -C4],
    ),
    "embedding": (
        lambda w: ours.embedding(np.array([[0, 2], [4, 2]]), w, padding_idx=2),
        lambda w: F.embedding(torch.tensor([[0, 2], [4, 2]]), w, padding_idx=2),
        [RNG.standard_normal((5, 3))],
    ),
    "softmin": (lambda x: ours.softmin(x, dim=1), lambda x: F.softmin(x, dim=1), [X4]),
    "glu": (ours.glu, F.glu, [RNG.standard_normal((3, 6))]),
    "glu, dim 1": (lambda x: ours.glu(x, 1), lambda x: F.glu(x, 1), [X4]),
    "prelu, per channel": (ours.prelu, F.prelu, [X4, C4]),
    "prelu, shared": (ours.prelu, F.prelu, [X4, np.array([0.25])]),
    "prelu, 1-d input": (ours.prelu, F.prelu, [RNG.standard_normal(5), np.array([-0.5])]),
    "threshold": (lambda x: ours.threshold(x, 0.1, 20.0), lambda x: F.threshold(x, 0.1, 20.0), [X4]),
    "hardshrink": (ours.hardshrink, F.hardshrink, [X4]),
    "softshrink": (lambda x: ours.softshrink(x, 1.0), lambda x: F.softshrink(x, 1.0), [X4]),
    "tanhshrink": (ours.tanhshrink, F.tanhshrink, [X4]),
    "cosine_similarity": (ours.cosine_similarity, F.cosine_similarity, [X4, A4]),
    "cosine_similarity, dim -1": (
        lambda a, b: ours.cosine_similarity(a, b, dim=-1, eps=0.5),
        lambda a, b: F.cosine_similarity(a, b, dim=-1, eps=0.5),
        [X4, A4],
    ),
    "pairwise_distance": (ours.pairwise_distance, F.pairwise_distance, [X3, X3[::-1].copy()]),
    "pairwise_distance, p 1, keepdim": (
        lambda a, b: ours.pairwise_distance(a, b, 1.0, keepdim=True),
        lambda a, b: F.pairwise_distance(a, b, 1.0, keepdim=True),
        [X3, X3[::-1].copy()],
    ),
    "pairwise_distance, p 3": (
        lambda a, b: ours.pairwise_distance(a, b, 3.0),
        lambda a, b: F.pairwise_distance(a, b, 3.0),
        [X3, X3[::-1].copy()],
    ),
    "pixel_shuffle": (lambda x: ours.pixel_shuffle(x, 2), lambda x: F.pixel_shuffle(x, 2), [X4]),
    "pixel_unshuffle": (
        lambda x: ours.pixel_unshuffle(x, 3),
        lambda x: F.pixel_unshuffle(x, 3),
        [RNG.standard_normal((2, 1, 3, 6))],
    ),
    "interpolate, nearest, scale 1.7": (
        lambda x: ours.interpolate(x, scale_factor=1.7),
        lambda x: F.interpolate(x, scale_factor=1.7),
        [X4],
    ),
    "interpolate, nearest, size": (
        lambda x: ours.interpolate(x, size=(2, 9)),
        lambda x: F.interpolate(x, size=(2, 9)),
        [X4],
    ),
    "interpolate, nearest, 1-d, twice": (
        lambda x: ours.interpolate(x, scale_factor=2),
        lambda x: F.interpolate(x, scale_factor=2),
        [X3],
    ),
    "interpolate, linear": (
        lambda x: ours.interpolate(x, scale_factor=2.5, mode="linear"),
        lambda x: F.interpolate(x, scale_factor=2.5, mode="linear"),
        [X3],
    ),
    "interpolate, linear, align_corners": (
        lambda x: ours.interpolate(x, size=4, mode="linear", align_corners=True),
        lambda x: F.interpolate(x, size=4, mode="linear", align_corners=True),
        [X3],
    ),
    "interpolate, bilinear": (
        lambda x: ours.interpolate(x, size=(5, 11), mode="bilinear"),
        lambda x: F.interpolate(x, size=(5, 11), mode="bilinear"),
        [X4],
    ),
    "interpolate, bilinear, align_corners, recomputed": (
        lambda x: ours.interpolate(
            x, scale_factor=1.5, mode="bilinear", align_corners=True, recompute_scale_factor=True
        ),
        lambda x: F.interpolate(x, scale_factor=1.5, mode="bilinear", align_corners=True, recompute_scale_factor=True),
        [X4],
    ),
}
# linear in every input, or piecewise so: PyTorch records no second derivative
FIRST_ONLY = {"threshold", "hardshrink", "softshrink", "embedding", "pixel_shuffle", "pixel_unshuffle"}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", CASES)
def test_each_function_is_torch_s(name, dtype):
    mine, theirs, inputs = CASES[name]
    second = not (name in FIRST_ONLY or name.startswith("interpolate, nearest"))
    check(mine, theirs, inputs, dtype, second=second)


@pytest.mark.parametrize("dtype", DTYPES)
def test_batch_norm_moves_the_running_statistics_as_torch_s(dtype):
    mean, var = C4.astype(dtype), (C4**2 + 0.5).astype(dtype)
    their_mean, their_var = torch.tensor(mean), torch.tensor(var)
    for _ in range(2):
        ours.batch_norm(Tensor(X4.astype(dtype)), mean, var, training=True, momentum=0.3)
        F.batch_norm(torch.tensor(X4.astype(dtype)), their_mean, their_var, training=True, momentum=0.3)
    tol = 1e-12 if dtype == np.float64 else 1e-6
    np.testing.assert_allclose(mean, their_mean.numpy(), rtol=tol, atol=tol)
    np.testing.assert_allclose(var, their_var.numpy(), rtol=tol, atol=tol)
    assert mean.dtype == var.dtype == dtype


def test_cosine_similarity_of_a_zero_vector_is_torch_s():
    """At a zero vector the norm is held at eps: value 0, and a gradient both libraries agree on."""
    check(ours.cosine_similarity, F.cosine_similarity, [np.zeros((2, 3)), np.ones((2, 3))], np.float64, second=False)


def test_cosine_similarity_below_eps_is_the_derivative_of_its_value():
    """A row whose norm (1.7e-4) is held at eps (1e-3): the value is x1 · x2 / (eps |x2|), linear in x1, and
    chainrule's gradient is its slope, as central differences give (exact here). PyTorch 2.13 passes the held
    norm's gradient as if it were not held: [-57.7, -57.7, 942.3] (docs/edge-points.md)."""
    x1, x2 = np.array([[1e-4, 1e-4, 1e-4]]), np.array([[0.0, 0.0, 0.02]])
    a = Tensor(x1, requires_grad=True)
    ours.cosine_similarity(a, Tensor(x2), eps=1e-3).sum().backward()
    value = lambda a: ours.cosine_similarity(Tensor(a), Tensor(x2), eps=1e-3).item()  # noqa: E731
    steps = np.eye(3)[None] * 1e-6
    central = [(value(x1 + s) - value(x1 - s)) / 2e-6 for s in steps[0]]
    np.testing.assert_allclose(a.grad[0], central, rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(a.grad, [[0.0, 0.0, 1000.0]], rtol=1e-15)
    t = torch.tensor(x1, requires_grad=True)
    F.cosine_similarity(t, torch.tensor(x2), eps=1e-3).sum().backward()
    np.testing.assert_allclose(t.grad, [[-57.735, -57.735, 942.265]], rtol=1e-5)  # not the slope of its value


def test_normalize_below_eps_is_torch_s():
    """Unlike cosine_similarity's, PyTorch's normalize differentiates the held norm: x / eps below eps, a slope of
    1 / eps and second derivative 0 both libraries give (docs/edge-points.md; at an exactly zero row torch's is NaN)."""
    check(
        lambda x: ours.normalize(x, dim=-1, eps=1e-3),
        lambda x: F.normalize(x, dim=-1, eps=1e-3),
        [np.array([[1e-4, 1e-4, 1e-4], [0.5, -1.0, 2.0]])],
        np.float64,
    )
