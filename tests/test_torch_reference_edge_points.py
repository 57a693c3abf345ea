"""Every elementwise op of the op table at ±0, ±inf, ±1 and ±2.5 (each input, every combination) against
PyTorch, float64 and float32: forward and gradient, the sign of a zero included; and a Value against a
float64 Tensor, bit for bit. NaN inputs follow chainrule's own policy (tests/test_nan_policy.py). The ops
are read from the table; where chainrule differs from PyTorch on purpose the case is listed in
DIFFERENCES, with why (docs/edge-points.md says the same), and is checked to differ as stated."""

import itertools
import math
import warnings

import numpy as np
import pytest
from torch_bessel import STAND_INS as BESSEL_STAND_INS
from torch_gamma import STAND_INS as GAMMA_STAND_INS
from torch_reference import reference, torch  # without torch: skipped

from autograd import Tensor, Value, gradients
from autograd.op_table import ELEMENTWISE

EDGES = (0.0, -0.0, math.inf, -math.inf, 1.0, -1.0, 2.5, -2.5)
ZERO_SIGN, VALUE = "the sign of a zero", "the value"
# op: (where, what differs, why); `where` (and `what`, where it is a function) takes the point's inputs. ZERO_SIGN:
# alike as numbers
DIFFERENCES = {
    "relu": (lambda x: x == 0 and math.copysign(1, x) < 0, ZERO_SIGN, "relu(-0.0) is +0, IEEE 754's maximum(-0, +0)"),
    "softshrink": (lambda x: x == 0, ZERO_SIGN, "the flat piece's 0 is +0; PyTorch's keeps x's sign there"),
    "power": (
        lambda a, b: b == 0 or (math.isinf(b) and abs(a) != 1 and (abs(a) < 1) == (b > 0)) or (a == math.inf and b < 0),
        lambda a, b: ZERO_SIGN if b == 0 else VALUE,
        "d/da at an exponent ±0 is b·a^(b−1), a 0 signed as the product; at an infinite b where a^b is 0 (|a| < 1 "
        "under +inf, |a| > 1 under −inf) it is flat: d/da is 0 signed as b (PyTorch's inf · 0 is NaN); d/db at "
        "a = +inf under b < 0 is a^b·ln a's limit, 0 (PyTorch's 0 · inf is NaN)",
    ),
    "atan2": (
        lambda a, b: math.isinf(a) or math.isinf(b) or a == b == 0,
        VALUE,
        "at an infinite input the gradient is 0, the limit (PyTorch's inf/inf is NaN); at the origin +0 in both",
    ),
    "copysign": (lambda a, b: math.isinf(a), VALUE, "d/da at a = ±inf is ±1, as anywhere (PyTorch's is NaN)"),
    "hypot": (
        lambda a, b: math.isinf(a) != math.isinf(b),
        VALUE,
        "d/da at an infinite a beside a finite b is ±1, its limit (PyTorch's inf/inf is NaN); so is d/db",
    ),
    "fmod": (lambda a, b: True, ZERO_SIGN, "d/db = −trunc(a/b): its sign of zero is the quotient's"),
    "remainder": (lambda a, b: True, ZERO_SIGN, "a zero result takes the divisor's sign (numpy's and Python's %)"),
    "acosh": (lambda x: x < 1, VALUE, "below 1 the forward is NaN, and so is the gradient (PyTorch's 0 or inf)"),
    "softsign": (lambda x: math.isinf(x), VALUE, "softsign(±inf) is ±1, the limit (PyTorch's inf/inf is NaN)"),
    "xlogy": (lambda x, y: x == 0 and y == 0, VALUE, "xlogy(0, y) is 0 for every y: d/dy at x = 0 is 0"),
    "xlog1py": (lambda x, y: x == 0 and y == -1, VALUE, "as xlogy: d/dy at x = 0 is 0 (PyTorch's 0/0 is NaN)"),
    "hardsigmoid": (lambda x: -3 < x < 3, VALUE, "PyTorch's float64 gradient there is float32's 1/6"),
    "sinc": (lambda x: x == 0, ZERO_SIGN, "sinc'(0) is its series' −π²x/3 at x = +0, -0.0"),
    "digamma": (
        lambda x: math.isfinite(x) and x < 0 and x == round(x),
        VALUE,
        "at a negative whole number, a pole, ψ' is +inf (PyTorch's trigamma gives a large number, 6.6e32)",
    ),
    "polygamma": (
        lambda x: math.isinf(x) or (x == 0 and math.copysign(1, x) < 0) or (x < 0 and x == round(x)),
        VALUE,
        "ψ''(-0.0) is +inf, the limit from below (PyTorch's -inf is from above); at a negative whole number "
        "ψ' is +inf and ψ'' has no limit, NaN (PyTorch's 6.6e32 and -inf); at +inf ψ'' is -0, its limit "
        "(PyTorch's NaN); at -inf neither has a limit, NaN (PyTorch's -inf)",
    ),
    "i0": (
        lambda x: math.isinf(x) or (x == 0 and math.copysign(1, x) < 0),
        VALUE,
        "I₀(±inf) is +inf and I₀' = I₁(±inf) ±inf, the limits (PyTorch's NaN); I₀'(−0.0) is I₁(−0.0) = −0.0",
    ),
    "i0e": (
        lambda x: x == 0 or x == math.inf,
        ZERO_SIGN,
        "the derivative's 0 is signed as −sign(x): −0.0 at +inf, where i0e falls to 0 (PyTorch's +0)",
    ),
    "i1": (
        lambda x: math.isinf(x) or (x == 0 and math.copysign(1, x) < 0),
        VALUE,
        "I₁(±inf) is ±inf and I₁' +inf, the limits (PyTorch's NaN); I₁ is odd: I₁(−0.0) is −0.0 (PyTorch's +0)",
    ),
    "i1e": (
        lambda x: x == 0 or math.isinf(x),
        ZERO_SIGN,
        "odd: i1e(−0.0) is −0.0 (PyTorch's +0); its slope at ±inf is −0, the limit's sign (PyTorch's +0)",
    ),
    "bessel_j0": (lambda x: math.isinf(x), VALUE, "J₀(±inf) is 0, its limit, and so is J₀' (PyTorch's NaN)"),
    "bessel_j1": (
        lambda x: math.isinf(x) or x == 0,
        VALUE,
        "J₁(±inf) is ±0, its limit, and so is J₁' (PyTorch's NaN); J₁'(0) is 1/2 (J₀ − J₁/x is 0/0 there)",
    ),
    "bessel_y0": (lambda x: x == math.inf, VALUE, "Y₀(+inf) is 0, its limit, and so is Y₀' (PyTorch's NaN)"),
    "bessel_y1": (
        lambda x: x == math.inf or x == 0,
        VALUE,
        "Y₁(+inf) is 0, its limit, and so is Y₁' (PyTorch's NaN); Y₁'(±0) is +inf, the pole's 2/(πx²) (the "
        "stand-in's J₀ − J₁/x: NaN at +0, −inf at −0.0)",
    ),
    **{
        name: (
            lambda x: x == math.inf or x == 0,
            VALUE,
            "the slope at +inf is −0: e^x·Kₙ falls to 0 (the stand-in's 0 − 0 +0); at ±0 −inf, the pole's (its NaN)",
        )
        for name in ("scaled_modified_bessel_k0", "scaled_modified_bessel_k1")
    },
    "modified_bessel_k1": (
        lambda x: x == 0 and math.copysign(1, x) < 0,
        VALUE,
        "K₁'(−0.0) is −inf, the pole's −1/x² at +0 (the stand-in's −K₀ − K₁/x: NaN)",
    ),
    "erfcx": (lambda x: x == math.inf, VALUE, "erfcx'(+inf) is −0, its limit (PyTorch's 0·inf is NaN)"),
    "log_ndtr": (lambda x: x == -math.inf, VALUE, "log Φ's slope at −inf is +inf, its limit (about −x; PyTorch's NaN)"),
    "gammainc": (
        lambda a, x: (a == math.inf and 0 < x < math.inf) or (a == 1 and x == 0) or (0 <= a < x == math.inf),
        VALUE,
        "P(inf, x)'s slope in x is 0, its limit (PyTorch's formula: NaN); P'(1, ±0) is 1, e^−0 (PyTorch's 0·log 0); "
        "P'(a, inf) is 0, its limit (PyTorch's inf − inf: NaN)",
    ),
    "gammaincc": (
        lambda a, x: (a == math.inf and 0 < x < math.inf) or (a == 1 and x == 0) or (0 <= a < x == math.inf),
        VALUE,
        "Q(inf, x)'s slope in x is −0, its limit (PyTorch's formula: NaN); Q'(1, ±0) is −1; Q'(a, inf) is −0",
    ),
    **{
        name: (
            lambda x: math.isinf(x),
            VALUE,
            f"{name}'(+inf) is 1, its limit (PyTorch's inf · 0 is NaN); {name}(−inf) and its slope are −0, the "
            "limits (PyTorch's −inf · 0 is NaN)",
        )
        for name in ("silu", "mish", "gelu")
    },
    "hardswish": (
        lambda x: x == -math.inf,
        VALUE,
        "hardswish(−inf) is −0, its limit (0 from −3 down; PyTorch's −inf · 0 is NaN)",
    ),
}
# one test per op, its points walked inside it: a test per point (4,500 of them) cost 24 s of pytest's own
# bookkeeping for 1.4 s of work; a failure lists every point that fails
CASES = [pytest.param(d, list(itertools.product(EDGES, repeat=d.arity)), id=d.name) for d in ELEMENTWISE]


def _same(ours, theirs, dtype, up_to_zero_sign=False):
    if math.isnan(ours) or math.isnan(theirs):
        return math.isnan(ours) and math.isnan(theirs)
    if ours == 0 and theirs == 0:
        return up_to_zero_sign or math.copysign(1, ours) == math.copysign(1, theirs)
    if math.isinf(ours) or math.isinf(theirs):
        return ours == theirs
    tol = 1e-10 if dtype == np.float64 else 1e-5  # room for another libm, as tests/torch_reference.py
    return abs(ours - theirs) <= tol * max(1.0, abs(theirs))


def _ours(d, point, dtype):
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        full, varied = d.varied(point)  # an input without a derivative is held as a number
        xs = [Tensor(np.array([x], dtype), requires_grad=True, dtype=dtype) for x in varied]
        out = d.apply(*full(*xs))
        out.sum().backward()
    return [float(out.data[0])] + [float(x.grad[0]) for x in xs]


def _theirs(d, point, dtype):
    kind = getattr(torch, np.dtype(dtype).name)
    xs = [torch.tensor([x], dtype=kind, requires_grad=d.differentiable(k)) for k, x in enumerate(point)]
    # torch's trigamma is 2.6e-10 off at x > 0 (tests/torch_gamma.py): its zeta stands in there
    inside = d.name in GAMMA_STAND_INS and all(0 < x < math.inf for x in point)
    # torch has no derivatives of J, Y and K: its forwards with their family's derivatives stand in
    out = (GAMMA_STAND_INS[d.name] if inside else BESSEL_STAND_INS.get(d.name, reference(d)))(*xs)
    grads = torch.autograd.grad(out.sum(), [x for x in xs if x.requires_grad], allow_unused=True)
    return [float(out[0].detach())] + [0.0 if g is None else float(g[0]) for g in grads]


def _unlike_torch(d, point, dtype):
    """What differs from PyTorch at `point` that DIFFERENCES does not list ("" where nothing does)."""
    ours, theirs = _ours(d, point, dtype), _theirs(d, point, dtype)
    where, what, why = DIFFERENCES.get(d.name, (lambda *p: False, None, ""))
    listed, what = where(*point), what(*point) if callable(what) else what
    if listed and what == VALUE:  # checked to differ by test_every_listed_difference_is_one; the rest is alike
        return ""
    if all(_same(o, t, dtype, listed) for o, t in zip(ours, theirs)):
        return ""
    return f"{d.name}{point}: ours {ours}, PyTorch's {theirs}" + (f" (listed: {why})" if listed else "")


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("d, points", CASES)
def test_every_edge_point_against_torch(d, points, dtype):
    unlike = [m for m in (_unlike_torch(d, point, dtype) for point in points) if m]
    assert not unlike, "\n".join(unlike)


def test_every_listed_difference_is_one():
    """A difference listed that no longer is one (PyTorch changed, or chainrule did) is dropped from the list."""
    for name, (where, _, _) in DIFFERENCES.items():
        d = next(d for d in ELEMENTWISE if d.name == name)
        points = [p for p in itertools.product(EDGES, repeat=d.arity) if where(*p)]
        differs = [
            p
            for p in points
            if not all(_same(o, t, np.float64) for o, t in zip(_ours(d, p, np.float64), _theirs(d, p, np.float64)))
        ]
        assert differs, f"{name}: listed, but alike at every edge point"


def _unlike_tensor(d, point):
    """How a Value's forward and gradients at `point` differ from a float64 Tensor's ("" where alike, or where
    a Value refuses a forward or a derivative that is no number, and says so)."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        full, varied = d.varied(point)
        vs = [Value(x) for x in varied]
        try:
            out = d.apply(*full(*vs))
            grads = gradients(out, vs)
            out.backward()
        except (ValueError, ArithmeticError):
            return ""
    ours = [out.data, *grads]
    tensor = _ours(d, point, np.float64)
    if not all(_same(o, t, np.float64) for o, t in zip(ours, tensor)):
        return f"{d.name}{point}: {ours} {tensor}"
    # .grad adds the gradient into its 0.0, as micrograd's (a -0.0 reads 0.0 there)
    held = [v.grad for v in vs]
    return "" if all(_same(h, g + 0.0, np.float64) for h, g in zip(held, grads)) else f"{d.name}{point}: .grad {held}"


@pytest.mark.parametrize("d, points", CASES)
def test_a_value_is_a_float64_tensor_bit_for_bit(d, points):
    """Forward and gradients (`gradients`, the pass's sums), -0.0 included (a Value's -0.0 gradients came out
    0.0: its sums started at 0.0); `.grad` is 0.0 plus that gradient, as micrograd's."""
    unlike = [m for m in (_unlike_tensor(d, point) for point in points) if m]
    assert not unlike, "\n".join(unlike)
