"""float16 results of the op table's elementwise ops against PyTorch's (CPU) and the truth, in units in the
last place (ulps): what tests/test_torch_reference_half.py checks, and, run as a script, the table of the
largest errors per op (`python tests/torch_half.py`, from the checkout).

Each op runs on a grid of float16 inputs with edge points (±65504, large negatives where slopes underflow,
subnormals, zeros, near 0) and a dense middle, its gradient seeded with upstream gradients 1 and 1e4. The
truth is torch in float64 on the same float16 inputs and seeds, rounded once to float16."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from torch_bessel import STAND_INS as BESSEL_STAND_INS
from torch_reference import reference, torch  # without torch: skipped

import autograd
from autograd.op_table import ELEMENTWISE, OpDef

EDGES = [
    *(-65504.0, -3000.0, -60.0, -20.0, -17.5, -16.0, -15.0, -9.0, -4.0, -1.2, -1.0, -0.5),
    *(-1e-3, -6e-5, -1e-5, -6e-8, 0.0, 6e-8, 1e-5, 6e-5, 1e-3),
    *(0.5, 1.0, 1.2, 4.0, 9.0, 15.0, 16.0, 17.5, 20.0, 60.0, 3000.0, 65504.0),
]
UPSTREAM = (1.0, 1e4)  # the seeds of the gradients: 1e4 multiplies a slope that float16 rounds to 0 alone
TINY, HUGE = float(np.finfo(np.float16).tiny), float(np.finfo(np.float16).max)  # float16's normal numbers


def grid(arity: int) -> list[np.ndarray]:
    """The float16 inputs of an op of `arity` inputs: every edge point and a dense middle; for two inputs
    every pair of the edge points and a coarser middle."""
    if arity == 1:
        return [np.unique(np.concatenate([np.array(EDGES), np.linspace(-12, 12, 1201)]).astype(np.float16))]
    points = np.unique(np.array(EDGES + list(np.linspace(-5, 5, 41)), np.float16))
    a, b = np.meshgrid(points, points)
    return [a.ravel(), b.ravel()]


def ulps(actual: Any, expected: Any) -> np.ndarray:
    """How many float16 numbers apart each pair is (as float64: inf where one is NaN and the other not; 0
    for two NaNs). expected is rounded to float16 first (the truth, computed in float64)."""
    with np.errstate(over="ignore"):  # a truth beyond float16 rounds to its infinity
        a, e = np.atleast_1d(np.asarray(actual, np.float16)), np.atleast_1d(np.asarray(expected).astype(np.float16))
    steps = np.abs(_ordered(a) - _ordered(e)).astype(np.float64)
    steps[np.isnan(a) & np.isnan(e)] = 0.0
    steps[np.isnan(a) ^ np.isnan(e)] = np.inf
    return steps


def _ordered(x: np.ndarray) -> np.ndarray:
    """float16 bits as integers in the order of the numbers (-0 and +0 both 0)."""
    bits = x.view(np.int16).astype(np.int64)
    return np.where(bits < 0, -(bits & 0x7FFF), bits)


def results(d: OpDef, xs: Sequence[np.ndarray], upstream: float) -> dict[str, list[np.ndarray]]:
    """The forward and each input's gradient of op d at xs, seeded with `upstream`: chainrule's and torch's in
    float16, and the truth (torch in float64 on the same inputs)."""
    found: dict[str, list[np.ndarray]] = {}
    full, varied = d.varied(list(xs))  # an input without a derivative is held as an array (gammainc's a)
    ours = [autograd.Tensor(x.copy(), dtype=np.float16, requires_grad=True) for x in varied]
    with np.errstate(all="ignore"):
        out = d.apply(*full(*ours))
        out.backward(np.full(out.shape, upstream, np.float16))
    found["chainrule"] = [out.data, *(x.grad for x in ours)]
    for name, dtype in (("truth", torch.float64), ("torch", torch.float16)):
        leaves = [torch.tensor(x, dtype=dtype, requires_grad=d.differentiable(k)) for k, x in enumerate(xs)]
        try:
            # torch has no derivatives of J, Y and K: its forwards with their family's derivatives stand in
            tout = BESSEL_STAND_INS.get(d.name, reference(d))(*leaves)
            tout.backward(torch.full(tout.shape, upstream, dtype=dtype))
        except NotImplementedError:  # no float16 kernel (erfcx, log_ndtr, ndtri, i1's backward): the truth judges
            found[name] = found["truth"]
            continue
        found[name] = [tout.detach().numpy(), *(x.grad.numpy() for x in leaves if x.requires_grad)]
    return found


def errors(d: OpDef, xs: Sequence[np.ndarray], upstream: float) -> dict[str, list[np.ndarray]]:
    """Per result (the forward, then each gradient): chainrule's ulps from torch's and from the truth."""
    found = results(d, xs, upstream)
    return {against: [ulps(a, e) for a, e in zip(found["chainrule"], found[against])] for against in ("torch", "truth")}


# where torch is no judge of a gradient, not judged here: xlogy's and xlog1py's are NaN at x = 0 on the pole
# where chainrule's is the function's 0 (tests/test_torch_reference_edges_special.py); sinc's (cos πx − sinc x)/x
# cancels near 0 in float64 too (1% off at 6e-8), where chainrule's series is checked against mpmath
# (tests/test_elementwise_special.py); J₁'(0) is 1/2, where the stand-in's J₀ − J₁/x is 0/0 (against mpmath in
# tests/test_elementwise_bessel_jyk.py); P'(1, 0) is 1, e^−0, where torch's (a − 1)·log x is 0 · −inf, NaN
# (against mpmath in tests/test_incomplete_gamma_at_zero.py)
NO_TORCH_JUDGE = {
    "gammainc": lambda a, x: (a == 1) & (x == 0),
    "gammaincc": lambda a, x: (a == 1) & (x == 0),
    "bessel_j1": lambda x: x == 0,
    "xlogy": lambda x, y: (x == 0) & (y == 0),
    "xlog1py": lambda x, y: (x == 0) & (y == -1),
    "sinc": lambda x: (x != 0) & (np.abs(x) < 1e-3),
}


def judged(d: OpDef, xs: Sequence[np.ndarray], upstream: float) -> list[np.ndarray]:
    """Per result, the ulps the test bounds: from torch's or from the truth, whichever is nearer (torch's
    rules read their rounded float16 output, which is 17599 ulps off the truth in tanh's at -4.52; ours
    compute it from x). A gradient is not judged where the forward is NaN (acosh below 1: torch gives the
    formula's number, chainrule NaN) or where the exact forward is beyond float16's normal numbers: a rule
    reading the output (div's, power's, hypot's) reads it rounded to a subnormal or infinity there."""
    errs = errors(d, xs, upstream)
    nearer = [np.minimum(t, e) for t, e in zip(errs["torch"], errs["truth"])]
    exact = results(d, xs, upstream)["truth"][0]
    with np.errstate(invalid="ignore"):
        readable = np.isfinite(exact) & ((exact == 0) | ((np.abs(exact) >= TINY) & (np.abs(exact) <= HUGE)))
    if d.name in NO_TORCH_JUDGE:
        readable &= ~NO_TORCH_JUDGE[d.name](*xs)
    return [nearer[0], *(np.where(readable, e, 0.0) for e in nearer[1:])]


if __name__ == "__main__":
    print(f"{'op':12} {'forward: torch':>15} {'truth':>6} {'gradient: torch':>16} {'truth':>6} {'judged':>7}")
    for d in ELEMENTWISE:
        worst = {("forward", "torch"): 0.0, ("forward", "truth"): 0.0, ("gradient", "torch"): 0.0}
        worst[("gradient", "truth")] = 0.0
        for upstream in UPSTREAM:
            for against, errs in errors(d, grid(d.arity), upstream).items():
                worst["forward", against] = max(worst["forward", against], errs[0].max())
                worst["gradient", against] = max(worst["gradient", against], *(e.max() for e in errs[1:]))
        cells = [worst[k] for k in (("forward", "torch"), ("forward", "truth"), ("gradient", "torch"))]
        judge = max(e.max() for upstream in UPSTREAM for e in judged(d, grid(d.arity), upstream))
        print(
            f"{d.name:12} {cells[0]:>15g} {cells[1]:>6g} {cells[2]:>16g} {worst['gradient', 'truth']:>6g} {judge:>7g}"
        )
