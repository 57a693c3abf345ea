"""gumbel_softmax, as torch.nn.functional's: a differentiable sample of a categorical distribution (the
Gumbel-softmax, or Concrete, relaxation), soft or one-hot with the straight-through gradient."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from autograd import Tensor, drawn

from .along_axis import softmax
from .arguments import check_axis, check_flag, check_number, layer_input
from .gradient_of import with_gradient_of
from .rng import generator

EPS = 1e-10  # PyTorch's deprecated eps, which changes nothing there either


def gumbel_softmax(logits: Tensor, tau: float = 1, hard: bool = False, eps: float = EPS, dim: int = -1) -> Tensor:
    """torch.nn.functional.gumbel_softmax: softmax((logits + g) / tau) along `dim`, g Gumbel(0, 1) noise,
    -log of standard exponential draws from nn's default generator (autograd.manual_seed), one per entry.
    `hard`: the one-hot vector of each sample's largest entry (the first at ties), whose gradient is the
    soft sample's (the straight-through estimator, y_hard - y_soft.detach() + y_soft, as torch computes it).
    The noise is `autograd.drawn`: a compiled step draws it anew on every replay, as eagerly. A small `tau`
    comes near one-hot samples, a large one near uniform ones; `eps` is deprecated, as in torch (a warning)."""
    logits = layer_input("gumbel_softmax", logits)
    tau = check_number("gumbel_softmax", "tau", tau, "a number above 0 (the temperature)", _positive)
    hard = check_flag("gumbel_softmax", "hard", hard)
    dim = check_axis("gumbel_softmax", "dim", dim)
    if not -max(logits.ndim, 1) <= dim < max(logits.ndim, 1):
        raise np.exceptions.AxisError(
            f"gumbel_softmax: dim {dim} is not a dim of logits of shape {logits.shape} (it takes "
            f"{-max(logits.ndim, 1)} to {max(logits.ndim, 1) - 1})"
        )
    if eps != EPS:
        warnings.warn("gumbel_softmax: `eps` is deprecated and has no effect (as in PyTorch)", stacklevel=2)
    if logits.dtype.kind != "f":
        raise TypeError(
            f"gumbel_softmax takes floating-point logits, got {logits.dtype}: convert them, logits.astype(np.float32)"
        )
    shape, dtype = logits.shape, logits.dtype
    gumbels = drawn(lambda: _gumbel_noise(shape, dtype), dtype)  # the default generator as it is then
    soft = softmax((logits + gumbels) / tau, dim)
    if not hard:
        return soft
    # each sample's largest entry, the first at ties (torch's max), by comparisons, which a compiled step makes
    # again on each replay (argmax's index would be reused as recorded)
    largest = soft == soft.amax(dim=dim, keepdim=True)
    if soft.ndim:
        largest = largest & (largest.cumsum(axis=dim) == 1)
    # torch's y_hard - y_soft.detach() + y_soft, rounded as there, with y_soft's gradient
    return with_gradient_of(largest.astype(dtype) - soft + soft, soft)


def _positive(tau: Any) -> bool:
    return 0 < tau < math.inf


def _gumbel_noise(shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """-log(E), E standard exponential, from the default generator: float32 draws for float32 and float16,
    float64 ones for float64. An E of 0 (its bits allow one) would give inf, and a NaN sample: it is held
    at the smallest positive float."""
    made = np.float64 if dtype == np.float64 else np.float32
    e = generator(None).standard_exponential(shape, dtype=made)
    return (-np.log(np.maximum(e, np.finfo(made).tiny))).astype(dtype)
