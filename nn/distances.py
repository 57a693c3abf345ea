"""Distances between pairs of vectors, as torch.nn's: cosine_similarity and pairwise_distance, and
their layers CosineSimilarity and PairwiseDistance (the options kept as attributes, read at each call)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import ShapeError, Tensor, raw, validate, where

from .arguments import check_axis, check_flag, check_number, check_real, layer_input
from .function_modules import FunctionModule
from .norm_roots import same_path
from .p_norm_rows import row_p_norm
from .unit_vectors import unit


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


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> Tensor:
    """The p-norm of x1 - x2 + eps along the last axis, the inputs broadcast, as
    torch.nn.functional.pairwise_distance (eps keeps the 2-norm's gradient finite where x1 = x2)."""
    x1, x2 = layer_input("pairwise_distance", x1), layer_input("pairwise_distance", x2)
    p, eps = norm_order(p), check_real("pairwise_distance", "eps", eps)
    keepdim = check_flag("pairwise_distance", "keepdim", keepdim)
    if not _broadcast("pairwise_distance", x1, x2):
        raise ShapeError("pairwise_distance takes vectors (at least 1-d), got two 0-d inputs")
    d = x1 - x2 + eps
    fits = bool(np.isfinite(raw(d)).all())
    validate(lambda v: same_path("norms", fits, bool(np.isfinite(raw(v)).all())), d)
    if not fits and p in (1.0, 2.0, math.inf):
        # x1 - x2 past the range ([1e308] - [-1e308]): the distance is too (inf), but its gradient, the direction
        # of x1 - x2 (±1 for one entry), is not: taken on the halved difference, which fits (PyTorch's: NaN).
        # An infinite input gives NaN, as before (its direction is a limit: `_beyond_the_range`). Other p keep
        # NaN: their m·‖d/m‖ (`row_p_norm`) would send the gradient through m·g, past the range here. Only those rows:
        # halving lost a subnormal difference's last bit ([5e-324] - [0] beside such a row gave 0, gradient 0).
        rows = np.isfinite(raw(d)).all(axis=-1, keepdims=True)
        validate(
            lambda v: same_path("norms", True, bool(np.array_equal(np.isfinite(raw(v)).all(-1, keepdims=True), rows))),
            d,
        )
        halved = row_p_norm(where(rows, 0.0, x1 * 0.5 - x2 * 0.5 + eps * 0.5), p, True, "pairwise_distance") * 2.0
        out = where(rows, row_p_norm(where(rows, d, 0.0), p, True, "pairwise_distance"), halved)
        return out if keepdim else out.squeeze(-1)
    return row_p_norm(d, p, keepdim, "pairwise_distance")


def norm_order(p: Any, owner: str = "pairwise_distance") -> float:
    """pairwise_distance's and normalize's p: a number above 0, or inf (the largest entry)."""
    return check_number(owner, "p", p, "a number above 0, or inf", lambda p: 0 < p <= math.inf)


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
        "p": lambda m, p: norm_order(p),
        "eps": lambda m, eps: check_real("PairwiseDistance", "eps", eps),
        "keepdim": lambda m, keepdim: check_flag("PairwiseDistance", "keepdim", keepdim),
    }

    def __init__(self, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> None:
        self.keep_options({"p": p, "eps": eps, "keepdim": keepdim})
