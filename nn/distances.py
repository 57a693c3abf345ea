"""Distances between pairs of vectors, as torch.nn's: cosine_similarity and pairwise_distance, and
their layers CosineSimilarity and PairwiseDistance (the options kept as attributes, read at each call)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import ShapeError, Tensor

from .arguments import check_axis, check_flag, check_number, check_real, layer_input
from .function_modules import FunctionModule


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """x1 · x2 / (|x1| |x2|) along `dim`, the inputs broadcast, as torch.nn.functional.cosine_similarity:
    each input divided by its 2-norm held at least eps first. Below eps the gradient is that of the
    value computed (0 through the held norm), where PyTorch's passes the unheld norm's; at 0 they agree."""
    x1, x2 = layer_input("cosine_similarity", x1), layer_input("cosine_similarity", x2)
    dim, eps = check_axis("cosine_similarity", "dim", dim), check_real("cosine_similarity", "eps", eps, 0)
    shape = _broadcast("cosine_similarity", x1, x2)
    if not -len(shape) <= dim < max(len(shape), 1):
        raise ShapeError(f"cosine_similarity: dim {dim} is not an axis of the inputs' shape {shape}")
    unit1, unit2 = (unit(x, dim, eps, shape[dim] if shape else 1) for x in (x1, x2))
    return (unit1 * unit2).sum(dim=dim)


def unit(x: Tensor, dim: int, eps: float, count: int, p: float = 2, *, in_quadrature: bool = False) -> Tensor:
    """x over its p-norm along `dim` held at least eps (`in_quadrature`: over hypot(norm, eps)), the norm and eps
    taken on x·2⁻ᵏ, k the bits of the `count` of entries over p and one, and the quotient times 2⁻ᵏ after: a
    norm beyond the float range (rows near 1.8e308: their cosine was 0, not 1) is brought into it, and x itself
    is not scaled (x·2⁻ᵏ lost the last bits of subnormal entries: cosine_similarity([5e-324, 0], [1, 0], eps=0)
    was NaN, not 1). Those lost bits count in the norm only for norms below 1e-290 (entries of 2⁻¹⁰⁷⁴), so where
    eps is below 1e-200 nothing is scaled (and a norm beyond the range still makes the row 0)."""
    scale = 2.0 ** -(math.ceil(count.bit_length() / p) + 1) if eps >= 1e-200 else 1.0
    scaled_norm = (x * scale).norm(p, dim=dim, keepdim=True)
    held = scaled_norm.hypot(eps * scale) if in_quadrature else scaled_norm.clip(min=eps * scale)
    return x / held * scale


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> Tensor:
    """The p-norm of x1 - x2 + eps along the last axis, the inputs broadcast, as
    torch.nn.functional.pairwise_distance (eps keeps the 2-norm's gradient finite where x1 = x2)."""
    x1, x2 = layer_input("pairwise_distance", x1), layer_input("pairwise_distance", x2)
    p, eps = _order(p), check_real("pairwise_distance", "eps", eps)
    keepdim = check_flag("pairwise_distance", "keepdim", keepdim)
    if not _broadcast("pairwise_distance", x1, x2):
        raise ShapeError("pairwise_distance takes vectors (at least 1-d), got two 0-d inputs")
    d = x1 - x2 + eps
    if p in (1.0, 2.0, math.inf):
        return d.norm(p, dim=-1, keepdim=keepdim)
    return (abs(d) ** p).sum(dim=-1, keepdim=keepdim) ** (1 / p)


def _order(p: Any) -> float:
    """pairwise_distance's p: a number above 0, or inf (the largest difference)."""
    return check_number("pairwise_distance", "p", p, "a number above 0, or inf", lambda p: 0 < p <= math.inf)


def _broadcast(owner: str, x1: Tensor, x2: Tensor) -> tuple[int, ...]:
    try:
        return np.broadcast_shapes(x1.shape, x2.shape)
    except ValueError:
        raise ShapeError(f"{owner}: inputs of shapes {x1.shape} and {x2.shape} do not broadcast") from None


class CosineSimilarity(FunctionModule):
    """`cosine_similarity` as a layer of two inputs: CosineSimilarity(dim=1, eps=1e-8)(x1, x2)."""

    function = staticmethod(cosine_similarity)
    setting_checks = {
        "dim": lambda m, dim: check_axis("CosineSimilarity", "dim", dim),
        "eps": lambda m, eps: check_real("CosineSimilarity", "eps", eps, 0),
    }

    def __init__(self, dim: int = 1, eps: float = 1e-8) -> None:
        self.keep_options({"dim": dim, "eps": eps})


class PairwiseDistance(FunctionModule):
    """`pairwise_distance` as a layer of two inputs: PairwiseDistance(p=2.0, eps=1e-6, keepdim=False)(x1, x2)."""

    function = staticmethod(pairwise_distance)
    setting_checks = {
        "p": lambda m, p: _order(p),
        "eps": lambda m, eps: check_real("PairwiseDistance", "eps", eps),
        "keepdim": lambda m, keepdim: check_flag("PairwiseDistance", "keepdim", keepdim),
    }

    def __init__(self, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> None:
        self.keep_options({"p": p, "eps": eps, "keepdim": keepdim})
