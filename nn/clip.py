"""Gradient clipping, as torch.nn.utils' clip_grad_norm_ and clip_grad_value_: called between
backward and the optimizer's step, they change the parameters' `.grad` in place. A gradient from
backward(create_graph=True), a node, is read as its data (`raw`): clipped, it is numbers again, as
PyTorch's in-place clipping leaves it outside the graph."""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable
from typing import Any

import numpy as np

from autograd import Node, Tensor, Value, eager_only, raw, refuse_flushed, repr_of, type_name

from .arguments import as_sequence, check_flag, check_number


def clip_grad_norm_(
    parameters: Iterable[Node],
    max_norm: float,
    norm_type: float | str = 2.0,
    error_if_nonfinite: bool = False,
    foreach: bool | None = None,
) -> float:
    """Scale every gradient by max_norm / (total + 1e-6) when that is below 1, total being the
    norm of all the gradients together (as one vector; norm_type 2, 1, any p > 0, or math.inf or
    "inf" for the largest magnitude). Returns total, from before clipping. A NaN or infinite total
    leaves the gradients NaN (torch's behaviour) or, with error_if_nonfinite, raises RuntimeError.
    A max_norm of inf clips nothing: the total is measured only (PyTorch scripts log it so).
    `foreach` is PyTorch's choice of kernel, taken and without effect."""
    _in_python("clip_grad_norm_", "their norm, a check of it")
    refuse_flushed("clip_grad_norm_")  # a norm of [3e-320, 4e-320] is 0 there
    max_norm = _at_least_zero("clip_grad_norm_", "max_norm", max_norm)
    norm_type = math.inf if norm_type == "inf" else norm_type
    check_number("clip_grad_norm_", "norm_type", norm_type, "a number > 0 or math.inf", lambda p: p > 0)
    _check_foreach("clip_grad_norm_", foreach)
    error_if_nonfinite = check_flag("clip_grad_norm_", "error_if_nonfinite", error_if_nonfinite)
    nodes = _with_grads(parameters, "clip_grad_norm_")
    grads = [np.abs(np.asarray(raw(p.grad), dtype=np.float64)).ravel() for p in nodes]
    total = _largest(grads) if norm_type == math.inf else _p_norm(grads, norm_type)
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(
            f"clip_grad_norm_: the total norm of the gradients is {total}; clipping cannot fix that. "
            "Find the op that made it with autograd.detect_anomaly()"
        )
    if max_norm == math.inf:
        return total
    factor = min(max_norm / (total + 1e-6), 1.0) if not math.isnan(total) else math.nan
    for p in nodes:
        _scale(p, factor)
    return total


def _largest(grads: list[np.ndarray]) -> float:
    """The largest of the magnitudes `grads` (one array a parameter), NaN if any is NaN, 0 if there are none."""
    return float(np.max([g.max(initial=0.0) for g in grads], initial=0.0))


def _p_norm(grads: list[np.ndarray], p: float) -> float:
    """(sum of g**p) ** (1/p) over the magnitudes `grads` (one array a parameter), with the largest, m, taken
    out first: m * (sum of (g/m)**p) ** (1/p). The plain sum overflows (1e200 squared: a total of inf would
    scale every gradient to 0), underflows (1e-170 squared: 0, none clipped), or loses digits in
    subnormal powers (1e-161 squared: a total 0.6% off); scaled, every power lies in [0, 1] and the
    largest is 1. Each parameter's sum is added exactly (math.fsum), so the total is the same to the bit in
    whatever order the parameters come (a set's): numpy's sum of them joined rounded by their order. A NaN or
    infinite m is the total."""
    m = _largest(grads)
    if not 0 < m < math.inf:
        return m
    with np.errstate(under="ignore"):  # a power far below 1 (a gradient far below m) is negligible beside 1
        total = np.float64(math.fsum(float(np.sum((g / m) ** p)) for g in grads))
        return m * float(total ** (1 / p))  # numpy's power: inf past the largest float (Python's raises), PyTorch's


def clip_grad_value_(parameters: Iterable[Node], clip_value: float, foreach: bool | None = None) -> None:
    """Clip every gradient element into [-clip_value, clip_value] (inf: none). `foreach` as clip_grad_norm_'s."""
    _in_python("clip_grad_value_", "each one, clipped and written back")
    refuse_flushed("clip_grad_value_")
    clip_value = _at_least_zero("clip_grad_value_", "clip_value", clip_value)
    _check_foreach("clip_grad_value_", foreach)
    for p in _with_grads(parameters, "clip_grad_value_"):
        if isinstance(p, Tensor):
            g = raw(p.grad)
            p.grad = np.clip(g, -clip_value, clip_value).astype(g.dtype, copy=False)
        else:
            p.grad = min(max(raw(p.grad), -clip_value), clip_value)


def _with_grads(parameters: Iterable[Node], name: str) -> list[Node]:
    """The parameters that hold a gradient (a Tensor no backward reached has None: it is skipped), each
    once, as an optimizer takes them: one listed twice was counted twice in the norm and scaled twice
    (PyTorch's does both), and its second mention is warned of. A set is taken, as PyTorch takes it: neither
    clipping depends on the order (each gradient is clipped alone; the norm adds exactly, _p_norm)."""
    wanted = "a list of parameters (model.parameters())"
    nodes = (
        [parameters]
        if isinstance(parameters, Node)
        else as_sequence(name, "parameters", parameters, wanted, ordered=False)
    )
    for p in nodes:
        if not isinstance(p, Value | Tensor):
            raise TypeError(f"{name} takes Values and Tensors (model.parameters()), got {type_name(p)} {repr_of(p)}")
    unique = list({id(p): p for p in nodes}.values())
    if len(unique) < len(nodes):
        warnings.warn(f"{name} got the same parameter twice; it counts and is clipped once", UserWarning, stacklevel=3)
    return [p for p in unique if p.grad is not None]


def _scale(p: Node, factor: float) -> None:
    g = raw(p.grad)
    p.grad = (g * factor).astype(g.dtype, copy=False) if isinstance(p, Tensor) else g * factor


def _in_python(name: str, what: str) -> None:
    """Clipping reads and writes the gradients in Python (`what` it reads), which a compiled step's replay
    would not do."""
    eager_only(
        f"{name} reads the gradients' numbers in Python ({what}), which a replay would not "
        "do: compile the step without it, or clip outside autograd.compile"
    )


def _check_foreach(name: str, foreach: Any) -> None:
    """PyTorch's choice of kernel: taken, without effect here, when it is one."""
    if foreach is not None:
        check_flag(name, "foreach (or None)", foreach)


def _at_least_zero(name: str, argument: str, x: Any) -> float:
    return check_number(name, argument, x, "a number >= 0 (inf: no clipping)", lambda x: 0 <= x)
