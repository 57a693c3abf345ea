"""The policy at NaN (docs/edge-points.md), on every op of the op table and both engines: where an input
is NaN and the output is NaN, each gradient is NaN unless it is the number the op gives for every value of
that input (add's 1, mul's b to a, floor's 0), which is then sure at NaN too. The ops are read from the
table, so a new op is walked without being listed; tensor-only reductions are below."""

import math
import warnings

import numpy as np
import pytest
from compile_cases import replays

import autograd
import nn
from autograd import Tensor, Value
from autograd.op_table import ELEMENTWISE

CANDIDATES = (0.7, -1.3, 1.6, 2.2)  # the other inputs' values: the first one or two inside each one's domain
CASES = [(d, k, other) for d in ELEMENTWISE for k in range(d.arity) for other in range(2 if d.arity > 1 else 1)]


def _at_nan(d, k, other):
    """The inputs with input k NaN, each other one the `other`-th candidate inside its domain."""
    args = [[c for c in CANDIDATES if d.safe[j](c)][other] for j in range(d.arity)]
    args[k] = math.nan
    return args


def _gradients(d, args, engine, dtype=np.float64):
    """The op's output and each input's gradient at `args`, on `engine`; None where the forward raises
    (a Value's forward outside its domain does, with the domain's message)."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            full, varied = d.varied(args)  # an input without a derivative is held as a number (gradient None)
            if engine == "value":
                xs = [Value(a) for a in varied]
                out = d.apply(*full(*xs))
                out.backward()
                return out.data, _per_input(d, [x.grad for x in xs])
            xs = [Tensor(np.array([a], dtype), requires_grad=True, dtype=dtype) for a in varied]
            out = d.apply(*full(*xs))
            out.sum().backward()
            return float(out.data[0]), _per_input(d, [float(x.grad[0]) for x in xs])
        except (ValueError, ZeroDivisionError):
            if engine == "value":
                return None
            raise


def _per_input(d, grads):
    """The gradients of the inputs that have a derivative, placed among d's inputs (None at the others)."""
    given = iter(grads)
    return [next(given) if d.differentiable(k) else None for k in range(d.arity)]


def _finite_samples(d, k, args):
    """Values of input k inside its domain, the other inputs as in args, where finite differences are valid."""
    safe = d.safe[k]
    points = np.linspace(max(safe.lo, -3.0), min(safe.hi, 3.0), 13)
    chosen = []
    for p in points:
        trial = list(args)
        trial[k] = float(p)
        if d.valid(*trial):
            chosen.append(trial)
    return chosen


@pytest.mark.parametrize("engine, dtype", [("tensor", np.float64), ("tensor", np.float32), ("value", np.float64)])
@pytest.mark.parametrize("d, k, other", CASES, ids=lambda c: getattr(c, "name", str(c)))
def test_a_gradient_at_a_nan_input_is_nan_unless_it_holds_everywhere(d, k, other, engine, dtype):
    args = _at_nan(d, k, other)
    at_nan = _gradients(d, args, engine, dtype)
    if at_nan is None:  # a Value's forward refuses NaN: no gradient to judge
        return
    out, grads = at_nan
    if not math.isnan(out):  # NaN ignored by design (nan_to_num's replacing, copysign's sign of NaN)
        return
    samples = _finite_samples(d, k, args)
    assert samples, f"{d.name}: no point of its domain to compare with"
    for j, gj in enumerate(grads):
        if gj is None or math.isnan(gj):  # none (no derivative there), or NaN as it should be
            continue
        elsewhere = [_gradients(d, trial, engine, dtype) for trial in samples]
        seen = {r[1][j] for r in elsewhere if r is not None}
        assert seen == {gj}, (
            f"{d.name}: input {k} NaN, output NaN, sends {gj!r} to input {j}; at finite values of input {k} "
            f"it sends {sorted(seen)}: a number made up for NaN, where it should be NaN"
        )


def test_the_walk_covers_every_elementwise_op_and_piecewise_ones_give_nan():
    names = {d.name for d, _, _ in CASES}
    assert names == {d.name for d in ELEMENTWISE}
    for name in ("relu", "relu6", "hardtanh", "hardsigmoid", "hardswish", "leaky_relu", "elu", "selu", "celu"):
        for engine in ("tensor", "value"):
            _, (g,) = _gradients(autograd.op_table.BY_NAME[name], [math.nan], engine)
            assert math.isnan(g), (name, engine, g)


@pytest.mark.parametrize("name", ["hardshrink", "softshrink", "threshold", "abs", "maximum", "minimum"])
def test_ops_whose_nan_gradient_was_a_number(name):
    """relu sent 0, hardshrink and threshold the gradient itself, maximum g to both inputs."""
    d = autograd.op_table.BY_NAME[name]
    for engine in ("tensor", "value"):
        _, grads = _gradients(d, [math.nan] + [1.0] * (d.arity - 1), engine)
        assert all(math.isnan(g) for g in grads), (name, engine, grads)


def test_flat_and_linear_ops_keep_their_sure_gradient_at_nan():
    """A derivative that is the same at every point is no guess at NaN: add's 1, mul's b, floor's 0."""
    for name, args, expected in [("add", [math.nan, 2.0], [1.0, 1.0]), ("floor", [math.nan], [0.0])]:
        _, grads = _gradients(autograd.op_table.BY_NAME[name], args, "tensor")
        assert grads == expected
    _, (ga, gb) = _gradients(autograd.op_table.BY_NAME["mul"], [math.nan, 2.0], "value")
    assert ga == 2.0 and math.isnan(gb)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_clip_and_reductions_with_a_nan_inside(dtype):
    """max and min: every entry of a slice whose extreme is NaN gets NaN (which entry NaN beats is
    unknown); other slices as before. clip: NaN where x is NaN. norm: NaN throughout, naturally."""
    data = np.array([[1.0, math.nan, 3.0], [2.0, 5.0, -1.0]], dtype)
    for call, expected in [
        (lambda t: t.max(axis=1), [[math.nan] * 3, [0.0, 1.0, 0.0]]),
        (lambda t: t.min(axis=1), [[math.nan] * 3, [0.0, 0.0, 1.0]]),
        (lambda t: t.max(), [[math.nan] * 3] * 2),
        (lambda t: t.clip(0.0, 2.0), [[1.0, math.nan, 0.0], [1.0, 0.0, 0.0]]),
        (lambda t: t.norm(), [[math.nan] * 3] * 2),
    ]:
        t = Tensor(data, requires_grad=True, dtype=dtype)
        call(t).sum().backward()
        assert t.grad.dtype == dtype
        np.testing.assert_array_equal(t.grad, np.array(expected, dtype))


def test_an_infinite_or_nan_gradient_from_above_still_stays_out_of_a_flat_piece():
    """The other policy, unchanged: a flat piece at a number (not NaN) selects 0 whatever g is."""
    t = Tensor([-1.0, 2.0], requires_grad=True)
    t.relu().backward(np.array([math.inf, math.nan]))
    assert t.grad[0] == 0.0 and math.isnan(t.grad[1])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_a_compiled_step_sends_nan_where_eager_does(dtype):
    """A compiled step's relu kernel wrote gated(g, x > 0) into its buffer: 0 at a NaN input where eager's rule
    sends NaN (the policy). Each replay's gradient now equals eager's, NaN for NaN."""
    x = Tensor(np.array([[-1.0, np.nan, 2.0], [np.nan, 0.5, -0.25]], dtype), requires_grad=True)
    w = Tensor(np.array([[0.5, -1.5, 2.0], [1.0, 3.0, -2.0]], dtype), requires_grad=True)

    opt = nn.SGD([x, w], lr=0.0)

    def step():
        opt.zero_grad()
        loss = (autograd.relu(x * w) * w).sum()
        loss.backward()
        return loss

    step()
    eager = np.array(x.grad)
    run = autograd.compile(step)
    compiled = []
    with warnings.catch_warnings():
        warnings.simplefilter("error", autograd.CompileWarning)  # every call after the first replays
        for _ in range(4):
            run()
            compiled.append(np.array(x.grad))
    assert replays(run) == 1
    assert np.isnan(eager).tolist() == np.isnan(x.data).tolist()
    for got in compiled:
        np.testing.assert_array_equal(got, eager)


def test_the_nan_look_is_exact_and_quiet():
    """holds_nan, which unknown_at_nan reads: exact beside +inf and -inf, False on no entries, no warning."""
    from autograd.elementwise_forwards import holds_nan

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert not holds_nan(np.array([np.inf, -np.inf, 1e308, 1e308]))
        assert not holds_nan(np.zeros((0, 3)))
        for dtype in (np.float16, np.float32, np.float64):
            assert holds_nan(np.array([[1.0, -np.inf], [np.nan, np.inf]], dtype))
        x = Tensor(np.array([-np.inf, 0.0, np.inf, np.nan]), requires_grad=True)
        x.relu().sum().backward()
        assert x.grad[:3].tolist() == [0.0, 0.0, 1.0] and np.isnan(x.grad[3])


def _second(d, x):
    """d's second derivative at x (a float64 Tensor, create_graph), None where its gradient is a constant."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        t = Tensor(np.array([x]), requires_grad=True)
        (gx,) = autograd.gradients(d.apply(t).sum(), [t], create_graph=True)
        if not gx.requires_grad:
            return None
        (hx,) = autograd.gradients(gx.sum(), [t])
        return float(hx[0])


@pytest.mark.parametrize("d", [d for d in ELEMENTWISE if d.arity == 1], ids=lambda d: d.name)
def test_a_second_derivative_at_nan_is_nan_unless_it_holds_everywhere(d):
    """hardswish's was 1/3 at NaN, its middle piece's, where it is 0 outside (-3, 3)."""
    at_nan = _second(d, math.nan)
    if at_nan is None or math.isnan(at_nan):
        return
    points = [float(p) for p in np.linspace(-8, 8, 17) if d.valid(float(p))]
    assert {_second(d, p) for p in points} == {at_nan}, f"{d.name}'' at NaN: {at_nan}"
