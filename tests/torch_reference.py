"""PyTorch (CPU) as the reference for chainrule's ops: one function run on both engines, compared
in its forward, its gradient and its second derivative.

Imported only by tests/test_torch_reference_*.py, which take `torch` from here: where it is absent
they are skipped (pytest.importorskip), with the reason. PyTorch is a test reference here (the
`reference` extra), never a runtime dependency.

The comparison, for inputs x_1..x_k (each a differentiable leaf of the test's dtype):
    forward   out = f(x_1..x_k)
    gradient  d/dx_i of sum(out * w), w fixed random weights of out's shape and dtype
    second    d/dx_j of sum_i sum(g_i * v_i), g_i the gradients above (built with create_graph),
              v_i fixed random weights: a Hessian-vector product, every mixed term included
Close means |chainrule - torch| <= atol + rtol * |torch| elementwise (NaN equals NaN, inf equals
the same inf), with the tolerances of TOLERANCE, stated once here for all the tests: about 100
units in the last place of the dtype, room for different libm and summation orders, not for a
different result. Shapes and dtypes must match too.

In float32 the two engines round differently where a result cancels (a cumprod's second
derivative sums terms up to 756 into an entry near 1, which then carries an error of about 1e-5
relative to itself in both, each in its own direction): where they are not close, the result is
judged against the truth, torch in float64 on the same float32 inputs and weights, normwise: each
entry within the tolerance of the result's largest entry, the scale that rounding a sum is bounded
by. The float64 comparison stays elementwise throughout.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pytest
from budget import examples

import autograd
from autograd import Tensor, Value, gradients, raw

# Where PyTorch is absent, every test module importing this one is skipped, with this reason.
torch = pytest.importorskip(
    "torch", reason="PyTorch is the reference of the differential tests: pip install '.[reference]'"
)
F = torch.nn.functional

torch.set_num_threads(1)  # tiny tensors on a shared 2-core machine: threads only add overhead

TOLERANCE = {
    np.dtype(np.float64): {"rtol": 1e-10, "atol": 1e-10},
    np.dtype(np.float32): {"rtol": 1e-5, "atol": 1e-5},
}
DTYPES = [np.float64, np.float32]

# Examples per property test: a quarter of the profile's (50 in the default run: 12; 300 under CI=true: 75),
# as each example runs both engines, forward, backward and double backward, in two dtypes.
EXAMPLES = examples(12, 75)


def weights(shape: tuple[int, ...], dtype: Any, seed: int) -> np.ndarray:
    """Fixed, distinct, nonzero weights of either sign, so a permuted or dropped gradient shows."""
    rng = np.random.default_rng(seed)
    w = rng.uniform(0.5, 1.5, shape) * rng.choice([-1.0, 1.0], shape)
    return np.asarray(w, dtype=dtype)


# ---- tensors ----


def _chainrule(fn: Callable[..., Any], arrays: Sequence[np.ndarray], dtype: Any, second: bool) -> dict[str, Any]:
    xs = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    out = fn(*xs)
    loss = (out * Tensor(weights(out.shape, out.dtype, 0))).sum()
    gs = gradients(loss, xs, create_graph=second)
    result = {"forward": np.asarray(out.data), "gradient": [np.asarray(raw(g)) for g in gs]}
    if second:
        terms = [
            (g * Tensor(weights(x.shape, dtype, 1 + i))).sum()
            for i, (g, x) in enumerate(zip(gs, xs))
            if isinstance(g, Tensor) and g.requires_grad
        ]
        if terms:
            hs = gradients(sum(terms[1:], terms[0]), xs)
            result["second"] = [np.asarray(raw(h)) for h in hs]
        else:  # every gradient is a constant
            result["second"] = [np.zeros_like(a) for a in arrays]
    return result


def _torch(
    fn: Callable[..., Any], arrays: Sequence[np.ndarray], dtype: Any, second: bool, rounded_to: Any = None
) -> dict[str, Any]:
    """torch's results; with `rounded_to`, the weights are rounded to that dtype first (the truth's run
    in float64 uses the float32 run's weights exactly)."""

    def weights_of(shape: tuple[int, ...], weights_dtype: Any, seed: int) -> torch.Tensor:
        return torch.from_numpy(weights(shape, rounded_to or weights_dtype, seed).astype(weights_dtype))

    xs = [torch.tensor(a, requires_grad=True) for a in arrays]
    out = fn(*xs)
    loss = (out * weights_of(tuple(out.shape), out.detach().numpy(force=True).dtype, 0)).sum()
    gs = torch.autograd.grad(loss, xs, create_graph=second, allow_unused=True)
    result = {"forward": out.detach().numpy(force=True), "gradient": [_numpy(g, x) for g, x in zip(gs, xs)]}
    if second:
        terms = [
            (g * weights_of(tuple(x.shape), dtype, 1 + i)).sum()
            for i, (g, x) in enumerate(zip(gs, xs))
            if g is not None and g.requires_grad
        ]
        if terms:
            hs = torch.autograd.grad(sum(terms[1:], terms[0]), xs, allow_unused=True)
            result["second"] = [_numpy(h, x) for h, x in zip(hs, xs)]
        else:
            result["second"] = [np.zeros_like(a) for a in arrays]
    return result


def _numpy(g: torch.Tensor | None, x: torch.Tensor) -> np.ndarray:
    return np.zeros(tuple(x.shape), dtype=x.detach().numpy().dtype) if g is None else g.detach().numpy(force=True)


def check(
    chain_fn: Callable[..., Any],
    torch_fn: Callable[..., Any],
    inputs: Sequence[Any],
    dtype: Any,
    *,
    second: bool = True,
) -> None:
    """Run chain_fn on chainrule Tensors and torch_fn on torch tensors made from `inputs` (cast
    to dtype, every one a differentiable leaf) and assert the two agree: forward, gradient and,
    if `second`, the second derivative (see the module's docstring)."""
    arrays = [np.array(a, dtype=dtype) for a in inputs]
    with np.errstate(all="ignore"):  # infinities at edge points are compared, not warned about
        expected = _torch(torch_fn, arrays, dtype, second)
        actual = _chainrule(chain_fn, arrays, dtype, second)
    where = f"inputs ({np.dtype(dtype)}): " + "; ".join(_show(a) for a in arrays)
    truths: list[dict[str, Any]] = []

    def truth(stage: str, i: int) -> np.ndarray | None:
        """torch in float64 on these float32 inputs, computed once, and only if a comparison needs it."""
        if np.dtype(dtype) != np.float32:
            return None
        if not truths:
            with np.errstate(all="ignore"):
                truths.append(_torch(torch_fn, [a.astype(np.float64) for a in arrays], np.float64, second, dtype))
        found = truths[0][stage]
        return found if i is None else found[i]

    assert_close("forward", actual["forward"], expected["forward"], dtype, where, lambda: truth("forward", None))
    for stage in ("gradient", "second") if second else ("gradient",):
        for i, (a, e) in enumerate(zip(actual[stage], expected[stage])):
            name = "gradient" if stage == "gradient" else "second derivative (Hessian-vector product)"
            assert_close(f"{name} of input {i}", a, e, dtype, where, lambda stage=stage, i=i: truth(stage, i))


def check_draw(cases: Sequence[tuple[Any, ...]], seed: int, dtype: Any) -> None:
    """`check` on each case of one random draw, (name, chain_fn, torch_fn, inputs) or with `second` after them,
    a failure naming the case and the seed that drew it (the differential sweeps' reports)."""
    for name, chain_fn, torch_fn, inputs, *second in cases:
        try:
            check(chain_fn, torch_fn, inputs, dtype, second=second[0] if second else True)
        except AssertionError as e:
            raise AssertionError(f"{name} (seed {seed}): {e}") from None


def assert_close(
    what: str, actual: Any, expected: Any, dtype: Any, where: str = "", truth: Callable[[], Any] | None = None
) -> None:
    """Close as the module's docstring says; `truth()`, if given, gives the float64 truth that judges
    a float32 result where chainrule and torch disagree (None in float64)."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    head = f"{what}: chainrule disagrees with torch at {where}\n"
    assert actual.shape == expected.shape, f"{head}shape: chainrule {actual.shape}, torch {expected.shape}"
    assert actual.dtype == expected.dtype, f"{head}dtype: chainrule {actual.dtype}, torch {expected.dtype}"
    tol = TOLERANCE[np.dtype(dtype)]
    close = np.isclose(actual, expected, equal_nan=True, **tol)
    exact = None if close.all() or truth is None else truth()
    if exact is not None:  # normwise, at the scale of the whole result (see the module's docstring)
        exact = np.asarray(exact, dtype=np.float64)
        scale = np.max(np.abs(exact), where=np.isfinite(exact), initial=0.0)
        close |= np.abs(actual - exact) <= tol["atol"] + tol["rtol"] * scale
    if not close.all():
        i = np.unravel_index(np.argmin(close), close.shape) if close.shape else ()
        raise AssertionError(
            f"{head}chainrule: {_show(actual)}\ntorch:     {_show(expected)}\n"
            f"first mismatch at {i}: chainrule {actual[i]!r}, torch {expected[i]!r} "
            f"(rtol={tol['rtol']}, atol={tol['atol']})"
        )


def _show(a: np.ndarray) -> str:
    digits = 17 if a.dtype == np.float64 else 9
    return np.array2string(np.asarray(a), precision=digits, separator=", ", threshold=40).replace("\n", "")


# ---- scalars ----


def check_scalar(
    chain_fn: Callable[..., Any], torch_fn: Callable[..., Any], inputs: Sequence[float], *, second: bool = True
) -> None:
    """Run chain_fn on Values (with autograd.grad, nested for second derivatives) and torch_fn on
    0-d float64 tensors; compare the value, every partial derivative and (if `second`) the whole Hessian.

    The scalar engine computes in Python floats and raises where IEEE arithmetic would give an
    infinity (its documented design: `Value(0.0).sqrt()` backward raises ZeroDivisionError, exp(1000)
    an OverflowError). So where torch's result at a stage is infinite, chainrule raising an
    ArithmeticError at that stage counts as agreement, and the later stages are not compared.
    """
    xs = [torch.tensor(float(x), dtype=torch.float64, requires_grad=True) for x in inputs]
    out = torch_fn(*xs)
    gs = torch.autograd.grad(out, xs, create_graph=True, allow_unused=True)
    expected = {
        "forward": out.item(),
        "gradient": [0.0 if g is None else g.item() for g in gs],
        "second": [_hessian_row(g, xs) for g in gs],
    }
    n = len(inputs)
    stages = {
        "forward": lambda: raw(chain_fn(*[Value(x) for x in inputs])),
        "gradient": lambda: list(autograd.grad(chain_fn, argnums=tuple(range(n)))(*inputs)),
        "second": lambda: [
            list(autograd.grad(_partial(chain_fn, i), argnums=tuple(range(n)))(*inputs)) for i in range(n)
        ],
    }
    if not second:
        del stages["second"]
    where = f"inputs (float64): {list(inputs)!r}"
    for stage, compute in stages.items():
        try:
            actual = compute()
        except ArithmeticError as e:
            if np.isinf(expected[stage]).any():
                return  # chainrule raises where torch gives an infinity: by design, see above
            raise AssertionError(
                f"{stage}: chainrule raised {type(e).__name__}({e}) at {where}; torch gives {expected[stage]!r}"
            ) from e
        assert_close(stage, np.asarray(actual, dtype=np.float64), np.asarray(expected[stage]), np.float64, where)


def _partial(fn: Callable[..., Any], i: int) -> Callable[..., Any]:
    """d fn / d x_i, as a function of all the inputs (to be differentiated again)."""
    return lambda *xs: autograd.grad(fn, argnums=i)(*xs)


def _hessian_row(g: torch.Tensor | None, xs: Sequence[torch.Tensor]) -> list[float]:
    if g is None or not g.requires_grad:  # a constant derivative
        return [0.0] * len(xs)
    hs = torch.autograd.grad(g, xs, allow_unused=True, retain_graph=True)
    return [0.0 if h is None else h.item() for h in hs]


def _torch_function(path: str) -> Any:
    """torch.<path> (a dotted path), or None where torch has none."""
    fn: Any = torch
    for part in path.split("."):
        fn = getattr(fn, part, None)
    return fn


# ops whose PyTorch function has no defaults for their parameters: it is given the table's
NO_TORCH_DEFAULTS = {"threshold"}
# ops whose PyTorch function takes its parameters before its input
PARAMETERS_FIRST = {"polygamma"}


def reference(d: Any) -> Callable[..., Any]:
    """PyTorch's function for an entry of chainrule's op table: the first of its `torch_names` that torch has
    (torch.<name>, dotted paths such as nn.functional.softplus allowed)."""
    fn = next(filter(None, map(_torch_function, d.torch_names)), None)
    if fn is None:
        raise LookupError(f"torch has no {' or '.join(d.torch_names)} for {d.name}: give its OpDef a reference=")
    if d.name in PARAMETERS_FIRST:  # torch.polygamma(n, input): called as the table's, (x, n=...)
        return lambda x, **params: fn(*(int(v) for v in (d.params | params).values()), x)
    return functools.partial(fn, **d.params) if d.name in NO_TORCH_DEFAULTS else fn


def compared(d: Any) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """The op table's entry `d` and PyTorch's function as the differential tests call them, every input a
    differentiable leaf: an input without a derivative (gammainc's a: OpDef.no_derivative, PyTorch has
    none either) is a constant on both sides, its data on ours and detached on PyTorch's."""
    torch_fn = reference(d)
    if not d.no_derivative:
        return d.apply, torch_fn
    return (
        lambda *xs: d.apply(*d.as_constants(xs)),
        lambda *xs: torch_fn(*[x if d.differentiable(k) else x.detach() for k, x in enumerate(xs)]),
    )
