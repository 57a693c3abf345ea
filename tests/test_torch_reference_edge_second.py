"""Every elementwise op of the op table at ±0, ±1, ±2.5 and 0.5 (each input, every combination): its whole Hessian
(each input's second and mixed derivatives) against PyTorch 2.13's double backward, float64, zeros alike whatever
their sign. tests/test_torch_reference_edge_points.py compares the forward and gradient there; the second
derivatives are where acosh''(1) was NaN (its limit is −inf). Where chainrule differs on purpose the points are
listed in DIFFERENCES, with why (docs/edge-points.md says the same), and each listing is checked to be one. Some
20 s on a shared machine: under -m slow."""

import itertools
import math
import warnings

import numpy as np
import pytest
from torch_bessel import STAND_INS as BESSEL_STAND_INS
from torch_gamma import STAND_INS as GAMMA_STAND_INS
from torch_reference import reference, torch  # without torch: skipped

from autograd import Tensor, gradients, raw
from autograd.op_table import ELEMENTWISE

pytestmark = pytest.mark.slow
EDGES = (0.0, -0.0, 1.0, -1.0, 2.5, -2.5, 0.5)
WHOLE_BELOW_0 = lambda x: x < 0 and x == round(x)  # noqa: E731
AT_0 = (lambda x: x == 0, "a pole's or a series' limit at 0 where PyTorch's formula gives NaN (or ±inf's other side)")
# op: (where, why); `where` takes the point's inputs
DIFFERENCES = {
    "acosh": (lambda x: x < 1, "below 1 the forward is NaN, and so are its derivatives (PyTorch's numbers)"),
    "atan2": (lambda a, b: a == b == 0, "at the origin 0, as its gradient's conventional 0 (PyTorch's NaN)"),
    "copysign": (lambda a, b: a == 0, "|a|'s kink: 0 in a, as abs'' (PyTorch's NaN)"),
    "power": (
        lambda a, b: b == 0 or a == 0,
        "∂²/∂a∂b at b = 0 is 1/a either way (PyTorch's is 0 with d/da first); at a = 0 d/db is held at 0 for b ≥ 0, "
        "as PyTorch's, the mixed entries are their limits as a → 0⁺ in either order (−inf at b = 1, where PyTorch's "
        "are 1 and NaN), and ∂²/∂b² at (0, 0) is NaN beside the hold (docs/edge-points.md)",
    ),
    "hardsigmoid": (lambda x: True, "PyTorch 2.13 has no second derivative of hardsigmoid"),
    "entr": (lambda x: x == 0 and math.copysign(1, x) < 0, "entr''(−0.0) is −inf, as at 0 (PyTorch's +inf: −1/−0)"),
    "xlogy": (lambda x, y: x == y == 0, "xlogy(0, y) is 0 for every y: flat in y (PyTorch's NaN, ±inf)"),
    "xlog1py": (lambda x, y: x == 0 and y == -1, "as xlogy (PyTorch's NaN, inf)"),
    "logit": (lambda x: x in (0, 1), "±inf, the limits (the slope written 1/x + 1/(1 − x); PyTorch's NaN)"),
    "sinc": (lambda x: x == 0, "sinc''(0) = −π²/3, its series' (PyTorch's NaN)"),
    "lgamma": (WHOLE_BELOW_0, "ψ' = +inf at a pole (PyTorch's 6.6e32)"),
    "digamma": (lambda x: (x == 0 and math.copysign(1, x) < 0) or WHOLE_BELOW_0(x), "ψ'': as polygamma's row"),
    "i0e": (lambda x: x == 0, "the kink's 0, as its first derivative's (PyTorch's 0.5, of sgn'(0) = 0)"),
    **{
        name: AT_0
        for name in ("bessel_j0", "bessel_j1", "bessel_y0", "bessel_y1", "modified_bessel_k0", "modified_bessel_k1")
    },
    **{name: AT_0 for name in ("scaled_modified_bessel_k0", "scaled_modified_bessel_k1")},
    "gammainc": (lambda a, x: x == 0, "P''(a, 0) is x^(a−1)·e^(−x)/Γ(a)'s slope's limit (PyTorch's NaN)"),
    "gammaincc": (lambda a, x: x == 0, "as gammainc's, −P''"),
}


def _ours(d, point):
    """chainrule's Hessian at `point`, row by row (0 where a gradient is a constant)."""
    full, varied = d.varied(point)  # an input without a derivative is held as a number
    xs = [Tensor(np.array([x]), requires_grad=True) for x in varied]
    rows = []
    for g in gradients(d.apply(*full(*xs)).sum(), xs, create_graph=True):
        moving = isinstance(g, Tensor) and g.requires_grad
        rows += [float(np.asarray(raw(h))[0]) for h in gradients(g.sum(), xs)] if moving else [0.0] * len(xs)
    return rows


def _theirs(d, point):
    """PyTorch's, as the first-order test calls it (its stand-ins for J, Y, K and trigamma included)."""
    xs = [torch.tensor([x], dtype=torch.float64, requires_grad=d.differentiable(k)) for k, x in enumerate(point)]
    inside = d.name in GAMMA_STAND_INS and all(0 < x < math.inf for x in point)
    out = (GAMMA_STAND_INS[d.name] if inside else BESSEL_STAND_INS.get(d.name, reference(d)))(*xs)
    wrt = [x for x in xs if x.requires_grad]
    rows = []
    for g in torch.autograd.grad(out.sum(), wrt, allow_unused=True, create_graph=True):
        if g is None or not g.requires_grad:
            rows += [0.0] * len(wrt)
            continue
        hs = torch.autograd.grad(g.sum(), wrt, allow_unused=True, retain_graph=True)
        rows += [0.0 if h is None else float(h[0]) for h in hs]
    return rows


def _same(ours, theirs):
    if math.isnan(ours) or math.isnan(theirs):
        return math.isnan(ours) and math.isnan(theirs)
    if math.isinf(ours) or math.isinf(theirs):
        return ours == theirs
    return abs(ours - theirs) <= 1e-10 * max(1.0, abs(theirs))


def _differs(d, point):
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            theirs = _theirs(d, point)
        except RuntimeError:  # PyTorch has no double backward of it
            return True
        ours = _ours(d, point)
    return len(ours) != len(theirs) or not all(_same(o, t) for o, t in zip(ours, theirs))


CASES = [pytest.param(d, list(itertools.product(EDGES, repeat=d.arity)), id=d.name) for d in ELEMENTWISE]


@pytest.mark.parametrize("d, points", CASES)
def test_every_second_derivative_at_an_edge_point_against_torch(d, points):
    where, _ = DIFFERENCES.get(d.name, (lambda *p: False, ""))
    unlike = [p for p in points if not where(*p) and _differs(d, p)]
    assert not unlike, f"{d.name}: unlike PyTorch's at {unlike}"


def test_every_listed_difference_is_one():
    for name, (where, why) in DIFFERENCES.items():
        d = next(d for d in ELEMENTWISE if d.name == name)
        assert any(_differs(d, p) for p in itertools.product(EDGES, repeat=d.arity) if where(*p)), (name, why)
