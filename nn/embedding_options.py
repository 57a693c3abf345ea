"""PyTorch's options of an embedding look-up (nn.Embedding's and F.embedding's alike), each checked in one
place: `max_norm` (rows looked up are first scaled in place down to that norm), `norm_type` (which p-norm),
`scale_grad_by_freq` (each row's gradient divided by how often the batch looks it up) and `sparse`
(refused: chainrule's gradients are dense arrays)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from autograd import Op, Tensor, eager_only, no_grad

from .arguments import check_flag, check_number
from .step_undo import note_rows

NORM_TYPE = 2.0  # PyTorch's default p of max_norm's norm


def _max_norm(owner: str, max_norm: Any) -> float | None:
    """None (no renormalisation), or a norm: a number >= 0 (inf: never renormalise)."""
    if max_norm is None:
        return None
    return check_number(owner, "max_norm", max_norm, "a number >= 0 (or None)", lambda x: x >= 0)


def _norm_type(owner: str, norm_type: Any) -> float:
    """The p of the p-norm max_norm bounds: above 0 (inf: the largest magnitude); 0 and below are no norm."""
    return check_number(owner, "norm_type", norm_type, "a number above 0 (the p of a p-norm)", lambda x: x > 0)


def _sparse(owner: str, sparse: Any) -> bool:
    if check_flag(owner, "sparse", sparse):
        raise ValueError(
            f"{owner}: sparse=True asks for a sparse gradient of the table, and chainrule's gradients are dense "
            "arrays (the same numbers, every row stored); leave sparse=False"
        )
    return False


# each option's check by name, `check(owner, value)`: Embedding's setting_checks and F.embedding's call read it
OPTION_CHECKS: dict[str, Callable[[str, Any], Any]] = {
    "max_norm": _max_norm,
    "norm_type": _norm_type,
    "scale_grad_by_freq": lambda owner, flag: check_flag(owner, "scale_grad_by_freq", flag),
    "sparse": _sparse,
}


LOOKUP_OPTIONS = ("max_norm", "norm_type", "scale_grad_by_freq")  # what the look-up reads (sparse: refused)


def checked_options(owner: str, **options: Any) -> dict[str, Any]:
    """PyTorch's options of a look-up given to `owner`, each checked (OPTION_CHECKS), those the look-up
    reads returned by name."""
    checked = {name: OPTION_CHECKS[name](owner, value) for name, value in options.items()}
    return {name: checked[name] for name in LOOKUP_OPTIONS}


def renorm_rows(owner: str, weight: Tensor, index: np.ndarray, max_norm: float, norm_type: float) -> None:
    """PyTorch's max_norm: each row of `weight` that `index` looks up whose `norm_type`-norm is above
    `max_norm` is scaled in place by max_norm / (norm + 1e-7), outside the graph (no gradient flows
    through the scaling; the table's version counts the change, so a graph that used it before cannot
    backward, as in PyTorch). A compiled step runs eagerly: a replay would not scale the rows."""
    eager_only(f"{owner}'s max_norm scales rows of the table in place at each look-up, which a replay would not do")
    rows = np.unique(index)
    if rows.size == 0:
        return
    table = weight.data
    scale = _scales(table[rows], max_norm, norm_type)
    over = scale < 1
    if over.any():
        rows = rows[over]
        note_rows(weight, rows)  # for a failed step of fit's to put back (nn.step_undo)
        with no_grad():
            weight[rows] = table[rows] * scale[over, None].astype(table.dtype)


def _scales(rows: np.ndarray, max_norm: float, norm_type: float) -> np.ndarray:
    """max_norm / (norm + 1e-7) of each row (1e-7: PyTorch's, kept from dividing by 0), 1 where the norm is not above
    max_norm. Where a row's powers leave its dtype's range (numpy's norm of a row of 1e200 squares it to inf, scaling
    it to zeros; of 1e-170 to 0, never scaling it) the norm is the largest entry times the norm of the row divided by
    it, and the scale is formed without that product (which may itself exceed the largest float); elsewhere numpy's
    norm, the bits PyTorch's give."""
    with np.errstate(over="ignore"):  # a row whose powers overflow: taken again below
        norms = np.linalg.norm(rows, ord=norm_type, axis=1).astype(np.float64)
    scale = np.where(norms > max_norm, max_norm / (norms + 1e-7), 1.0)
    largest = np.max(np.abs(rows), axis=1, initial=0).astype(np.float64)
    powers_fit = np.isfinite(norms) & (largest >= np.finfo(rows.dtype).tiny ** (1 / norm_type))
    wide = ~powers_fit & np.isfinite(largest) & (largest > 0)
    if wide.any():
        top = largest[wide]
        relative = np.linalg.norm(rows[wide].astype(np.float64) / top[:, None], ord=norm_type, axis=1)
        scale[wide] = np.where(relative > max_norm / top, (max_norm / top) / (relative + 1e-7 / top), 1.0)
    return scale


def by_frequency(owner: str, weight: Tensor, index: np.ndarray) -> Tensor:
    """`weight` as it is, but the gradient of each row divided by how many times `index` holds it
    (PyTorch's scale_grad_by_freq). A compiled step runs eagerly: the counts are the batch's."""
    eager_only(f"{owner}'s scale_grad_by_freq counts the batch's indices, which a replay would not count again")
    counts = np.bincount(index.ravel(), minlength=weight.shape[0]).astype(weight.dtype)
    return _scaled_by_frequency(weight, counts=np.maximum(counts, 1)[:, None])  # a row never used has gradient 0


def _table_view(table: np.ndarray, counts: np.ndarray) -> np.ndarray:
    return table.view()


def _rule_by_frequency(g: Any, out: Any, table: Any, counts: np.ndarray) -> tuple[Any]:
    """g divided by each row's count, on arrays and, for second derivatives, Tensors."""
    return (g / counts,)


# the table as it is, its gradient divided row by row by the batch's counts of each index
_scaled_by_frequency = Op("scaled_by_frequency", _table_view, _rule_by_frequency)
