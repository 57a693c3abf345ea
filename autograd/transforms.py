"""Function transforms beyond the gradient: `jacobian`, `hessian`, `hvp`, `vjp` and `jvp`, with
JAX's and torch.func's habits (argnums, has_aux, trees of arguments). All are reverse mode, built
on `autograd.tracing`, and nest in each other and in `grad` (`jacobian(grad(f))` is `hessian(f)` for
a scalar f)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import modes
from .functional import check_function, grad_named
from .graph import Node, raw
from .tensor_functions import stack
from .tracing import Trace, inner_sum, named, trace, zeros_like
from .tracing_checks import Argnums, check_argnums, check_like
from .trees import flatten, tree_map
from .type_names import type_name
from .value import Value


def jacobian(f: Callable[..., Any], argnums: Argnums = 0, *, has_aux: bool = False) -> Callable[..., Any]:
    """Return a function that computes the Jacobian of f with respect to args[argnums], in reverse
    mode (one backward pass per output element), as torch.func.jacrev and jax.jacrev.

    For an output of shape S and an argument of shape T the Jacobian has shape S + T: entry
    [i..., j...] is d out[i...] / d arg[j...]. A tuple argnums gives a tuple, a tree argument a
    tree, and a tree output (a tuple of outputs) a tree of those, as in JAX. With `has_aux=True`,
    f returns (output, aux) and the function returns (jacobian, aux).
    """
    has_aux = check_function(f, "jacobian", has_aux)
    return named(_jacobian(f, argnums, has_aux, "jacobian"), "jacobian", "Jacobian", f, argnums)


def hessian(f: Callable[..., Any], argnums: Argnums = 0, *, has_aux: bool = False) -> Callable[..., Any]:
    """Return a function that computes the Hessian of f: the Jacobian of its Jacobian, of shape S + T + T
    for an output of shape S and an argument of shape T (T + T for one number, the matrix of second
    derivatives), as torch.func.hessian and jax.hessian. A tuple argnums gives a tuple of tuples
    (h[i][j] = d2 f / d args[i] d args[j]), and a tree output a tree of those, as in JAX."""
    has_aux = check_function(f, "hessian", has_aux)
    hessian_f = _jacobian(_jacobian(f, argnums, has_aux, "hessian"), argnums, has_aux, "hessian")
    return named(hessian_f, "hessian", "Hessian", f, argnums)


def _jacobian(f: Callable[..., Any], argnums: Argnums, has_aux: bool, transform: str) -> Callable[..., Any]:
    """jacobian's work, its messages naming `transform` (hessian's, whose work it is too)."""
    positions, single = check_argnums(argnums, transform)

    def jacobian_f(*args: Any, **kwargs: Any) -> Any:
        t = trace(f, args, kwargs, positions, single, has_aux, transform)
        jac = t.rebuild_out([t.answer(_jacobian_of(t, out)) for out in t.outs])
        return (jac, t.output(t.aux, aux=True)) if has_aux else jac

    return jacobian_f


def hvp(f: Callable[..., Any], x: Any, v: Any) -> Any:
    """H v, the Hessian of scalar-valued f at x times v (x and v of the same structure and shapes),
    without building H: the gradient of <grad f(x), v>, two backward passes whatever x's size."""
    check_function(f, "hvp")
    v = flatten(x)[1](check_like(v, x, "hvp", "vector v", "x"))  # in x's structure: dict entries paired by key
    return grad_named(lambda y: _tree_inner(grad_named(f, 0, False, "hvp")(y), v), 0, False, "hvp")(x)


def vjp(f: Callable[..., Any], *primals: Any, has_aux: bool = False) -> tuple[Any, ...]:
    """Run f on `primals` and return (output, pullback), where pullback(u) gives u^T J: a tuple with
    one entry per primal (of its structure), for a cotangent u of the output's structure and
    shapes. The pullback may be called many times, and is itself differentiable in u (that is how
    `jvp` works). With `has_aux=True`, f returns (output, aux) and vjp returns (output, pullback, aux),
    as in JAX."""
    has_aux = check_function(f, "vjp", has_aux)
    if not primals:
        raise TypeError("vjp: give the function's arguments after it: vjp(f, x, ...)")
    return _vjp(f, primals, has_aux, "vjp")


def _vjp(f: Callable[..., Any], primals: Sequence[Any], has_aux: bool, transform: str) -> tuple[Any, ...]:
    """vjp's work, its messages naming `transform` (jvp's, whose work it is too)."""
    t = trace(f, primals, {}, tuple(range(len(primals))), False, has_aux, transform)
    out = t.rebuild_out(t.outs)

    def pullback(cotangent: Any) -> tuple[Any, ...]:
        cotangents = check_like(cotangent, out, transform, "cotangent", "the output")
        return t.answer(t.pull(t.outs, cotangents))

    pullback.__name__ = f"pullback_of_{getattr(f, '__name__', 'f')}"
    result = (t.output(out), pullback)
    return (*result, t.output(t.aux, aux=True)) if has_aux else result


def jvp(
    f: Callable[..., Any], primals: Sequence[Any], tangents: Sequence[Any], *, has_aux: bool = False
) -> tuple[Any, ...]:
    """Return (f(*primals), J v): the directional derivative of f along `tangents` (one per primal,
    of its structure and shapes), as torch.func.jvp and jax.jvp. With `has_aux=True`, f returns
    (output, aux) and jvp returns (output, J v, aux), as theirs do.

    Computed by the double-vjp trick: the pullback u -> J^T u is linear in u, so its own vjp, taken
    at any u and applied to v, is (J^T)^T v = J v. chainrule has reverse mode only: forward mode
    would need a second, tangent rule for every op, whereas this reuses the vjp rules (they are
    differentiable, as `grad(grad(f))` needs), at the price of about three backward passes instead
    of one forward pass. It is exact: every rule is linear in the gradient it is given, as a vjp is,
    and keeps it on the graph (a rule of yours that reads its g as data, raw(g), is refused: TypeError).
    """
    has_aux = check_function(f, "jvp", has_aux)
    if not isinstance(primals, tuple | list) or not isinstance(tangents, tuple | list):
        raise TypeError(
            f"jvp: primals and tangents must be tuples (one entry per argument of f), "
            f"got {type_name(primals)} and {type_name(tangents)}"
        )
    check_like(tuple(tangents), tuple(primals), "jvp", "tangents", "the primals")
    out, pullback, *aux = _vjp(f, primals, has_aux, "jvp")
    with modes.tangents():  # a user's rule that reads its g as data would make J v 0: refused (graph_errors.keeps_g)
        _, pullback_of_pullback = _vjp(pullback, (tree_map(_float_zeros_like, out),), False, "jvp")
    (tangent_out,) = pullback_of_pullback(tuple(tangents))
    return (out, tangent_out, *aux)


def _float_zeros_like(x: Any) -> Any:
    """The cotangent jvp takes its pullback's vjp at: zeros of x's shape, floating point where x is an
    integer or bool output (argmax's), which no path from the inputs reaches: its tangent comes out as
    zeros, as torch.func.jvp's (JAX's is float0)."""
    zeros = zeros_like(x)
    return zeros.astype(np.float64) if isinstance(zeros, np.ndarray) and zeros.dtype.kind in "biu" else zeros


def _jacobian_of(t: Trace, out: Any) -> list[Any]:
    """The Jacobian of one output leaf with respect to each leaf of `t.wrt`: one backward pass per
    element of the output, seeded with that element's one-hot cotangent."""
    data = raw(out)
    shape, dtype = np.shape(data), np.result_type(data)
    rows = []
    for k in range(int(np.prod(shape))):
        seed = np.zeros(shape, dtype if dtype.kind == "f" else np.float64)
        seed.flat[k] = 1
        rows.append(t.pull([out], [seed]))
    return [_stack_rows([row[i] for row in rows], shape, x) for i, x in enumerate(t.wrt)]


def _stack_rows(rows: list[Any], out_shape: tuple[int, ...], x: Node) -> Any:
    """The gradients of the output's elements with respect to x as one Jacobian of shape out + x's."""
    shape = out_shape + np.shape(raw(x))
    if len(rows) == 1 and not out_shape:
        return rows[0]
    if not rows:
        return np.zeros(shape, np.result_type(raw(x)))
    if isinstance(x, Value):  # an array's rows in a number's Value: 0s, no path joining the two graphs
        return np.stack([raw(r) for r in rows]).reshape(shape)  # (nodes where f closes over a Tensor: constants)
    if any(isinstance(r, Node) for r in rows):
        return stack(rows).reshape(shape)
    return np.stack(rows).reshape(shape)


def _tree_inner(a: Any, b: Any) -> Any:
    """<a, b> over trees of the same structure: the sum of the leaves' inner products."""
    return inner_sum(zip(flatten(a)[0], flatten(b)[0]))
