"""Each kernel of autograd.compile computes exactly what its op's forward and rule compute: the
same bits, on random inputs of several shapes and dtypes, on two calls in a row (its buffers are
reused), for every combination of wanted gradients."""

import itertools

import numpy as np
import pytest

from autograd.compile_kernels import MAKERS, kernel
from autograd.tensor_ops import OPS, check_labels
from autograd.tensor_record import Record

DTYPES = (np.float16, np.float32, np.float64)
BINARY_SHAPES = [
    [(3, 4), (3, 4)],
    [(3, 4), (4,)],
    [(5, 1), (1, 4)],
    [(2, 3, 4), (3, 1)],
    [(3, 4), ()],
    [(1,), (6,)],
    [(7,), (1, 7)],
]
SHAPES = {
    "add": BINARY_SHAPES,
    "sub": BINARY_SHAPES,
    "mul": BINARY_SHAPES,
    "matmul": [[(1, 7), (7, 5)], [(4, 7), (7, 1)], [(6, 3), (3, 8)], [(1, 1), (1, 1)], [(1, 9), (9, 1)]],
    "relu": [[(1, 5)], [(7,)], [(3, 4, 2)], [()]],
    "tanh": [[(1, 5)], [(7,)], [(3, 4, 2)]],
    "sigmoid": [[(1, 5)], [(7,)], [(3, 4, 2)]],
    "cross_entropy": [[(1, 10)], [(5, 3)], [(8, 10)]],
    "nll_loss": [[(1, 10)], [(5, 3)], [(8, 10)]],
    "multi_margin_loss": [[(1, 10)], [(5, 3)], [(8, 10)]],
}


ACTIVATIONS = ("relu", "tanh", "sigmoid")
# float16 is computed in float32 by these ops (half_precision): no kernel, the op's own runs in a replay
IN_FLOAT32 = (*ACTIVATIONS, "cross_entropy", "nll_loss", "multi_margin_loss")


def inputs(name, shapes, dtype, rng):
    """Random inputs: for an activation zeros of both signs (relu's kink) and large values; for
    cross-entropy large logits, a row with -inf, and labels; for nll_loss labels; for multi_margin_loss labels,
    p = 2, a margin, weights, and a term met exactly (slope 0)."""
    xs = [(rng.standard_normal(s) * 3).astype(dtype) for s in shapes]
    params = {}
    if name in ACTIVATIONS and xs[0].size > 3:
        xs[0].flat[:4] = [0, 40, -40, -0.0]
    if name == "cross_entropy":
        xs[0][0, 0] = 1e4 if dtype != np.float16 else 6e4
        if len(xs[0]) > 2:
            xs[0][1, :2] = -np.inf
    if name in ("cross_entropy", "nll_loss"):
        params = {"labels": rng.integers(0, shapes[0][1], shapes[0][0])}
    if name == "multi_margin_loss":
        rows, classes = shapes[0]
        labels = rng.integers(0, classes, rows)
        params = {"labels": labels, "p": 2, "margin": 1.5, "weight": rng.uniform(0.5, 2.0, classes)}
        xs[0][0, (labels[0] + 1) % classes] = xs[0][0, labels[0]] - 1.5  # the margin met exactly (if C > 1)
    return xs, params


def cases():
    for name, shape_lists in SHAPES.items():
        for shapes, dtype in itertools.product(shape_lists, DTYPES):
            for needs in itertools.product((True, False), repeat=len(shapes)):
                if any(needs):
                    yield pytest.param(name, shapes, dtype, list(needs), id=f"{name}-{shapes}-{dtype.__name__}-{needs}")


def test_every_kernel_is_tested():
    assert set(SHAPES) == set(MAKERS)


@pytest.mark.parametrize("name, shapes, dtype, needs", list(cases()))
def test_a_kernel_gives_the_bits_of_its_ops_forward_and_rule(name, shapes, dtype, needs):
    op, rng = OPS[name], np.random.default_rng(0)
    dtype = np.dtype(dtype)
    params: dict = {}
    k = kernel(op, shapes, dtype, params, needs)
    if name in IN_FLOAT32 and dtype == np.float16:
        assert k is None, f"{name} has a float16 kernel, which would compute in float16"
        return
    assert k is not None, f"{name} has no kernel for {shapes}"
    with np.errstate(all="ignore"):
        for _ in range(2):  # the second call reuses the buffers of the first
            xs, fresh = inputs(name, shapes, dtype, rng)
            params.clear()
            params.update(fresh)  # a replay puts each call's labels into the dict the kernel was given
            expected = np.asarray(op.forward(*xs, **params))
            out = np.asarray(k.forward(*xs))
            assert_bits(out, expected, f"{name}: forward")
            g = (rng.standard_normal(expected.shape) * 2).astype(dtype)
            wanted = Record(op, dict(params), needs).vjp(g, expected, *xs)
            got = k.backward(g, out, *xs)
            for i, (x, y) in enumerate(zip(got, wanted)):
                if y is None:
                    assert x is None, f"{name}: a gradient for input {i}, which needs none"
                else:
                    assert_bits(x, y, f"{name}: gradient of input {i}")


# cross_entropy with an ignore_index: (labels of 4 rows of 5 classes, ignore_index). The kernel is made
# once and fed each call's labels (as a replay feeds them), alternating with labels none of which is ignored
IGNORED = {
    "none, ignore_index outside the classes": ([0, 4, 2, 1], -100),
    "none, ignore_index a class": ([1, 4, 2, 1], 0),
    "some, below the classes": ([-100, 4, -100, 1], -100),
    "some, a class": ([0, 4, 0, 1], 0),
    "some, above the classes": ([7, 4, 2, 7], 7),
    "all": ([-100] * 4, -100),
}


@pytest.mark.parametrize("dtype", (np.float32, np.float64))  # float16: no kernel (IN_FLOAT32)
@pytest.mark.parametrize("labels, ignore_index", IGNORED.values(), ids=IGNORED.keys())
def test_the_cross_entropy_kernel_gives_the_ops_bits_with_ignored_rows(labels, ignore_index, dtype):
    """Ignored rows hold what must count for nothing: a row of -inf, a NaN, a +inf."""
    op, rng, dtype = OPS["cross_entropy"], np.random.default_rng(1), np.dtype(dtype)
    params: dict = {"ignore_index": ignore_index}
    k = kernel(op, [(4, 5)], dtype, params, [True])
    labels = np.array(labels)
    ignored = labels == ignore_index
    for fresh in (np.array([3, 0, 1, 2]), labels) * 2:
        logits = (rng.standard_normal((4, 5)) * 3).astype(dtype)
        logits[:, 0] += 30  # a confident class: a label 0's s - 1 is minus the rest of its row
        if fresh is labels:
            logits[ignored] = np.array([-np.inf, np.nan, np.inf, 1.0, 2.0], dtype)[: ignored.sum(), None]
        params["labels"] = fresh
        with np.errstate(all="ignore"):
            expected = np.asarray(op.forward(logits, **params))
            out = np.asarray(k.forward(logits))
            assert_bits(out, expected, "cross_entropy: forward")
            g = (rng.standard_normal(()) * 2).astype(dtype)
            (wanted,) = Record(op, dict(params), [True]).vjp(g, expected, logits)
            (got,) = k.backward(g, out, logits)
        assert_bits(got, wanted, "cross_entropy: gradient")
        if fresh is labels:
            assert not got[ignored].any(), "an ignored row has a gradient"
            assert np.isnan(out) == ignored.all()


NLL_OPTIONS = {
    "plain": {},
    "weight": {"weight": np.array([0.5, 2.0, 0.0, 1.5, 3.0])},
    "sum": {"reduction": "sum"},
    "none, weight": {"reduction": "none", "weight": np.array([0.5, 2.0, 0.0, 1.5, 3.0])},
}


@pytest.mark.parametrize("dtype", (np.float32, np.float64))  # float16: no kernel (IN_FLOAT32)
@pytest.mark.parametrize("options", NLL_OPTIONS.values(), ids=NLL_OPTIONS.keys())
@pytest.mark.parametrize("labels, ignore_index", IGNORED.values(), ids=IGNORED.keys())
def test_the_nll_loss_kernel_gives_the_ops_bits_with_options_and_ignored_rows(labels, ignore_index, options, dtype):
    """Fed each call's labels, alternating with labels of class 2 alone (weight 0: a NaN mean and gradient),
    the kernel gives the op's forward and rule bit for bit; an ignored row's -inf counts for nothing."""
    op, rng, dtype = OPS["nll_loss"], np.random.default_rng(2), np.dtype(dtype)
    params: dict = {"ignore_index": ignore_index, **options}
    k = kernel(op, [(4, 5)], dtype, params, [True])
    labels = np.array(labels)
    for fresh in (np.array([3, 0, 1, 2]), labels, np.array([2, 2, 2, 2])) * 2:
        log_probs = (rng.standard_normal((4, 5)) * 3).astype(dtype)
        log_probs[fresh == ignore_index] = -np.inf
        params["labels"] = fresh
        with np.errstate(all="ignore"):
            expected = np.asarray(op.forward(log_probs, **params))
            out = np.asarray(k.forward(log_probs))
            assert_bits(out, expected, "nll_loss: forward")
            g = (rng.standard_normal(expected.shape) * 2).astype(dtype)
            (wanted,) = Record(op, dict(params), [True]).vjp(g, expected, log_probs)
            (got,) = k.backward(g, out, log_probs)
        assert_bits(got, wanted, "nll_loss: gradient")
        assert not got[fresh == ignore_index].any(), "an ignored row has a gradient"


def test_the_cross_entropy_kernel_checks_each_calls_labels_whatever_the_last_calls_dtype():
    """The kernel checks labels of the last call's dtype in one reduction: a dtype it has not seen is
    checked again, and a label out of range, negative, of another kind or shape is refused as eagerly."""
    op = OPS["cross_entropy"]
    params: dict = {}
    k = kernel(op, [(3, 4)], np.dtype(np.float64), params, [True])
    logits = np.arange(12.0).reshape(3, 4)
    for labels in ([0, 3, 1], np.array([0, 3, 1], np.int8), np.array([2, 3, 1], np.uint16), [1, 1, 1]):
        params["labels"] = np.asarray(labels)
        assert_bits(k.forward(logits), op.forward(logits, **params), "cross_entropy: forward")
    for labels, error in (
        (np.array([0, 4, 1]), ValueError),
        (np.array([0, -1, 1], np.int8), ValueError),
        (np.array([0, 4, 1], np.uint8), ValueError),
        (np.array([0.0, 1.0, 1.0]), TypeError),
        (np.array([True, False, True]), TypeError),
        (np.array([0, 1]), ValueError),  # ShapeError, a ValueError
    ):
        params["labels"] = labels
        with pytest.raises(error):
            check_labels(logits, labels)  # what eager's public function refuses them with
        with pytest.raises(error):
            k.forward(logits)


def assert_bits(got, expected, what):
    got, expected = np.asarray(got), np.asarray(expected)
    assert (got.dtype, got.shape) == (expected.dtype, expected.shape), what
    assert np.array_equal(got, expected, equal_nan=True), what
    assert np.array_equal(np.signbit(got), np.signbit(expected)), f"{what}: the sign of a zero"


@pytest.mark.parametrize(
    "name, shapes, dtype, params",
    [
        ("add", [(3,), (3,)], np.int64, {}),
        ("matmul", [(2, 3, 4), (4, 2)], np.float64, {}),
        ("relu", [(3,)], np.float64, {"extra": 1}),
        ("cross_entropy", [(3,)], np.float64, {"labels": np.array([0])}),
        ("nll_loss", [(3, 4, 2)], np.float64, {"labels": np.zeros((3, 2), int)}),
        ("multi_margin_loss", [(3,)], np.float64, {"labels": np.array(0)}),
        ("exp", [(3,)], np.float64, {}),
    ],
)
def test_ops_and_shapes_without_a_kernel_get_none(name, shapes, dtype, params):
    assert kernel(OPS[name], shapes, np.dtype(dtype), params, [True] * len(shapes)) is None
