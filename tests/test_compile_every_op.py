"""Every op of the op table in a compiled training step (its inputs the parameters, SGD on them): each replays bit
for bit with eager in float64 and float32, its losses, gradients' effect and parameters, or runs eagerly with a
reason that names it. And the functions that find indices in their input's numbers (a max pool's return_indices,
max_unpool given those, the adaptive max pools, max(dim=), sort, topk, argmax) ran eagerly saying only "keyword
arguments (an index, a condition) that changed" or "made data outside the graph after reading numbers": each
now names itself and says what replays instead, with eager's numbers."""

import warnings

import numpy as np
import pytest
import test_tensor_ops
from compile_cases import replays

import autograd
import nn
from autograd import Tensor
from autograd.compile import CompileWarning
from autograd.op_table import TABLE

_U = np.array([[0.13, 0.29, 0.41], [0.57, 0.71, 0.86]])  # distinct: no ties for max, sort or a pool
EAGER: dict[str, str] = {}  # op -> what its CompileWarning says (every op of the table replays today)


def _inside(domain, k):
    """(2, 3) distinct points inside an elementwise op's domain (operand k's), past its kinks and poles."""
    u = np.roll(_U.ravel(), k).reshape(_U.shape)
    lo, hi = max(domain.lo, -3.0), min(domain.hi, 3.0)
    x = lo + (hi - lo) * (0.05 + 0.9 * u)
    for p in domain.avoid:
        x = np.where(np.abs(x - p) < 2 * domain.margin, p + 3 * domain.margin, x)
    return x


def _case(d):
    if d.elementwise:
        inputs = [_inside(domain, k) for k, domain in enumerate(d.safe)]
        # an input without a derivative (gammainc's a) is held at its data: a parameter there would be refused
        return (lambda *xs: d.apply(*d.as_constants(xs))) if d.no_derivative else d.apply, inputs
    return test_tensor_ops.TENSOR_ONLY[d.name]  # the tensor-only op's gradcheck: as users call it, and inputs


def _trained(fn, inputs, compile, dtype, calls=4):
    """`calls` SGD steps on loss = sum(fn(*params) * scale), scale an input changing per call: the losses, the
    parameters after, the compiled step and the CompileWarnings said."""
    params = [Tensor(np.array(a, dtype), requires_grad=True) for a in inputs]
    run = compile(_sgd_step(nn.SGD(params, lr=0.01), lambda scale: (fn(*params) * Tensor(scale)).sum()))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", CompileWarning)
        warnings.simplefilter("ignore", RuntimeWarning)  # logit's steps leave its domain: NaN on both runs alike
        losses = [_refused_or(run, np.array(1.0 + 0.25 * i, dtype)) for i in range(calls)]
    said = [str(w.message) for w in caught if issubclass(w.category, CompileWarning)]
    return losses, [p.data for p in params], run, said


def _sgd_step(opt, loss_of):
    """A training step of `opt` on the loss `loss_of(x)` of the step's input x, returning the loss as a float."""

    def step(x):
        opt.zero_grad()
        loss = loss_of(x)
        loss.backward()
        opt.step()
        return loss.item()

    return step


def _refused_or(run, scale):
    """The call's loss, or the optimizer's refusal of its NaN gradient (logit's step out of its domain: its loss and
    gradient NaN, which nn's optimizers do not step on, nn.optim_finite) as the message, on both runs alike."""
    try:
        return run(scale)
    except FloatingPointError as e:
        return str(e)


def _same_or_refused(a, b):
    """Two calls' losses alike, NaN as NaN, or the same refusal."""
    return a == b if isinstance(a, str) or isinstance(b, str) else _same(a, b)


def _same(a, b):
    return np.array_equal(a, b, equal_nan=True)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_every_op_of_the_table_replays_bit_for_bit_or_names_itself(dtype):
    for d in TABLE:
        fn, inputs = _case(d)
        eager_losses, eager_params, _, _ = _trained(fn, inputs, lambda f: f, dtype)
        losses, params, run, said = _trained(fn, inputs, autograd.compile, dtype)
        assert all(map(_same_or_refused, losses, eager_losses)) and all(map(_same, params, eager_params)), d.name
        assert all(p.dtype == dtype for p in params)
        if d.name in EAGER:
            assert said and all(d.name in s and EAGER[d.name] in s for s in said), (d.name, said)
        else:
            assert not said and replays(run) == 1, (d.name, said)  # calls 3 and 4 replayed


def _pooled(x):
    return autograd.max_pool2d(x, 2, return_indices=True)


# the functions that find indices in the numbers: (the step's use of one on a (1, 2, 4, 4) tensor, what replays
# instead); the reason names each (max_unpool after the pool that found its indices, whose reason it gives)
_PICKING = {
    "max_pool2d(return_indices=True)": (lambda t: _pooled(t)[0], "without return_indices it replays"),
    "max_pool1d(return_indices=True)": (
        lambda t: autograd.max_pool1d(t.reshape(1, 2, 16), 2, return_indices=True)[0],
        "without return_indices it replays",
    ),
    "max_unpool2d": (lambda t: autograd.max_unpool2d(*_pooled(t), 2), "without return_indices it replays"),
    "max_unpool1d": (
        lambda t: autograd.max_unpool1d(*autograd.max_pool1d(t.reshape(1, 2, 16), 2, return_indices=True), 2),
        "without return_indices it replays",
    ),
    "adaptive_max_pool2d": (lambda t: autograd.adaptive_max_pool2d(t, 3), "max_pool2d with kernel and stride"),
    "adaptive_max_pool1d": (lambda t: autograd.adaptive_max_pool1d(t.reshape(1, 2, 16), 5), "max_pool1d"),
    "max_pool3d(return_indices=True)": (
        lambda t: autograd.max_pool3d(t.reshape(1, 1, 2, 4, 4), 2, return_indices=True)[0],
        "without return_indices it replays",
    ),
    "max_unpool3d": (
        lambda t: autograd.max_unpool3d(*autograd.max_pool3d(t.reshape(1, 1, 2, 4, 4), 2, return_indices=True), 2),
        "without return_indices it replays",
    ),
    "adaptive_max_pool3d": (lambda t: autograd.adaptive_max_pool3d(t.reshape(1, 1, 2, 4, 4), 3), "max_pool3d"),
    "max(dim=)": (lambda t: t.max(dim=3).values, "max(axis=d), the values alone, replays"),
    "min(dim=)": (lambda t: t.min(dim=2).values, "min(axis=d), the values alone, replays"),
    "sort": (lambda t: t.sort(dim=3).values, "no op of the table sorts"),
    "topk": (lambda t: t.topk(2, dim=3).values, "max(axis=d) replays where k is 1"),
    "argmax": (lambda t: t[0, 0, 0, t.argmax(axis=3)[0, 0]], "max(axis=d) replays"),
}
_MADE_OF = [
    np.random.default_rng(seed).permutation(32).reshape(1, 2, 4, 4) / 8.0 - 2.0 for seed in range(3)
]  # distinct numbers, their maxima elsewhere on each


@pytest.mark.parametrize("same_places", [False, True])
@pytest.mark.parametrize("name", _PICKING)
def test_a_function_that_finds_indices_in_the_numbers_names_itself(name, same_places):
    """same_places: the two recorded calls find the same indices (the data read as recorded would fit both), so
    the reason is the read of the numbers; else the index differs between them."""
    use, instead = _PICKING[name]
    data = [_MADE_OF[0]] * 2 + _MADE_OF[1:] if same_places else _MADE_OF
    weights = np.linspace(0.5, 1.5, 32).reshape(1, 2, 4, 4)

    def fn(w):
        out = use(Tensor(weights) * w)
        return out * Tensor(np.arange(1.0, out.size + 1).reshape(out.shape))

    for dtype in (np.float64, np.float32):
        eager = _stepped(fn, data, lambda f: f, dtype)
        compiled = _stepped(fn, data, autograd.compile, dtype)
        assert _same(eager[0], compiled[0]) and _same(eager[1], compiled[1])
        said = compiled[2]
        assert len(said) == 1 and said[0].count(name) >= 1 and instead in said[0], said
        assert "keyword arguments" not in said[0] and "after reading numbers of its tensors" not in said[0]


def _stepped(fn, data, compile, dtype):
    """SGD steps on a (1, 2, 4, 4) parameter, one per array of `data` (the parameter's start, added to it before
    each step): the losses, the parameter after, the CompileWarnings."""
    w = Tensor(np.zeros((1, 2, 4, 4), dtype), requires_grad=True)
    run = compile(_sgd_step(nn.SGD([w], lr=1e-3 if dtype == np.float64 else 1e-2), lambda x: fn(w + Tensor(x)).sum()))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", CompileWarning)
        losses = [run(np.asarray(x, dtype)) for x in data]
    return losses, w.data, [str(c.message) for c in caught if issubclass(c.category, CompileWarning)]


@pytest.mark.parametrize("reads_data", [False, True])
def test_a_parameter_read_by_the_step_is_not_blamed_on_a_function_that_finds_indices(reads_data):
    """A step that read a parameter's .data in Python (a norm) and took topk of an activation was said to run
    eagerly because 'topk finds an order ... in the numbers of a parameter': the parameter's reason is now told
    by what read the parameter (the step's code), and topk's 'of a parameter' only where topk read one."""
    w = Tensor(np.linspace(-1.0, 1.0, 12).reshape(3, 4), requires_grad=True)

    def loss_of(x):
        if reads_data:
            scale = 1.0 / (1.0 + float(np.abs(w.data).sum()))
            return (Tensor(x) @ w).topk(2, dim=1).values.sum() * scale
        return w.topk(2, dim=1).values.sum() * Tensor(x).sum()

    run = autograd.compile(_sgd_step(nn.SGD([w], lr=0.1), loss_of))
    with pytest.warns(CompileWarning) as caught:
        for seed in range(3):
            run(np.random.default_rng(seed).standard_normal((2, 3)))
    said = " ".join(str(c.message) for c in caught)
    if reads_data:
        assert "read a parameter's .data in Python" in said and "of a parameter" not in said, said
    else:
        assert "topk finds an order" in said and "numbers of a parameter" in said, said
