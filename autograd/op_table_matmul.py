"""The op table's matmul entry: its forward (numpy's product, right wherever the result fits: scaled_contractions)
and ONE rule for every shape (vectors made a row or a column, batch axes that broadcasting added summed away),
whose products are formed as cheaply as the shapes allow. Registered in `op_table` beside the other tensor-only
entries (op_table_tensor)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .dtypes import no_bools
from .matmul_batched import one_product_gradient
from .op_def import ANYWHERE, OpDef
from .op_table_tensor import unbroadcast
from .scaled_contractions import checked


def _with_axis(g: Any, axis: int) -> Any:
    """g with a new axis of length 1 at `axis` (-1 or -2)."""
    s = np.shape(g)
    cut = len(s) + axis + 1
    return g.reshape(s[:cut] + (1,) + s[cut:])


def _matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    no_bools("matmul", a, b)
    try:
        flat = a.ndim == 0  # an attribute, not np.ndim: two Python calls a product in an eager step
    except AttributeError:  # `2 @ t`: a Python number
        flat = True
    if flat:  # numpy's refusal, "does not have enough dimensions", as for a 0-d b (was an IndexError)
        return np.matmul(a, b)
    if a.__class__ is np.ndarray and b.__class__ is np.ndarray:  # `_product`'s arrays, without its call
        return checked(_plain_product, (a, b), a.shape[-1], "matmul")
    return _product(a, b)


def _matmul_vjp(g, out, a, b, needs):
    """A vector a is made a row and a vector b a column, so one rule serves every case;
    batch axes that broadcasting added are summed away. Two matrices (arrays: a plain backward), the
    common case, go straight to their two products: what the steps below come to there, without their calls."""
    if a.__class__ is np.ndarray and b.__class__ is np.ndarray and a.ndim == 2 and b.ndim == 2:
        return (
            checked(_plain_product, (g, b.T), b.shape[1], "matmul") if needs[0] else None,  # _product(g, Bᵀ)
            checked(_plain_product, (a.T, g), a.shape[0], "matmul") if needs[1] else None,  # _product(Aᵀ, g)
        )
    a_shape, b_shape = a.shape, b.shape  # arrays, or Tensors under create_graph
    if len(a_shape) == 1:
        a, g = a.reshape((1, -1)), _with_axis(g, -2)
    if len(b_shape) == 1:
        b, g = b.reshape((-1, 1)), _with_axis(g, -1)
    ga = one_product_gradient(a, b, g) if needs[0] else None  # one A by a stack of B's: one product, where cheaper
    if needs[0]:
        ga = _as_shape(unbroadcast(_product(g, b.swapaxes(-1, -2)), a.shape) if ga is None else ga, a_shape)
    gb = _as_shape(_gradient_of_shared(a, b, g), b_shape) if needs[1] else None
    return ga, gb


def _gradient_of_shared(a: Any, b: Any, g: Any) -> Any:
    """B's gradient Aᵀ @ g, summed over the batch axes broadcasting added. One B shared by a stack of A's
    (Linear on a sequence (T, N, I)): one product over all (T·N) rows, not T slices' (T, I, G) summed after
    (BLAS's order of additions, not the slices': the last bits can differ from the per-slice sum's)."""
    if len(b.shape) == 2 and len(a.shape) > 2:
        n = math.prod(a.shape[:-1])  # not -1: a reshape cannot infer it when a has no entries
        return _product(a.reshape((n, a.shape[-1])).swapaxes(-1, -2), g.reshape((n, g.shape[-1])))
    return unbroadcast(_product(a.swapaxes(-1, -2), g), b.shape)


def _as_shape(x: Any, shape: tuple[int, ...]) -> Any:
    """x (an array, or a Tensor under create_graph) reshaped only where it must be: a reshape makes a
    view, and a leaf's view gets copied."""
    return x if x.shape == shape else x.reshape(shape)


def _product(x: Any, y: Any) -> Any:
    """x @ y: arrays by `_plain_product`, right wherever the result fits (a partial sum that overflowed is
    computed again, scaled_contractions: [1e308, 1e308, -1e308] @ ones(3) is 1e308); Tensors (create_graph)
    through the op, which does the same."""
    if isinstance(x, np.ndarray) and isinstance(y, np.ndarray):
        return checked(_plain_product, (x, y), x.shape[-1], "matmul")
    return x @ y


def _plain_product(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """x @ y. np.dot where the contracted axis has length 1 (numpy's matmul is 5x slower at that outer
    product), but not where either factor is one number (`outer_by_dot`); a contiguous stack times one matrix as one
    matrix of all its rows, not slice by slice (30%)."""
    if y.ndim == 2:
        if x.ndim == 2 and outer_by_dot(*x.shape, y.shape[1]):
            return np.dot(x, y)
        if x.ndim > 2 and x.flags.c_contiguous:
            rows = x.reshape((math.prod(x.shape[:-1]), x.shape[-1]))  # not -1: x may have no entries
            return np.matmul(rows, y).reshape(x.shape[:-1] + y.shape[-1:])
    return x @ y


def outer_by_dot(m: int, terms: int, n: int) -> bool:
    """Whether an (m, terms) @ (terms, n) product is an outer product np.dot makes faster than np.matmul: one term,
    and neither factor a single number, where np.dot takes BLAS's scal, which gives 0 for 0 * inf and 0 * NaN
    (OpenBLAS: x.T (3, 1) @ g (1, 1) of zeros was 0 where an entry of x is inf; matmul's and PyTorch's NaN)."""
    return terms == 1 and m > 1 and n > 1


MATMUL: tuple[OpDef, ...] = (
    # a constant operand's gradient (the input of a layer) is never formed: `skips`
    OpDef(
        "matmul",
        _matmul_vjp,
        None,
        _matmul,
        (ANYWHERE, ANYWHERE),
        symbol="@",
        skips=True,
        api="Tensor.__matmul__",
        formulas=("∂(A@B)/∂A: g @ Bᵀ", "∂(A@B)/∂B: Aᵀ @ g"),
        adds_up=True,
    ),
)
