"""Tests that kill mutants the suite let live in the hot paths (docs/mutation-testing.md): the
compiled kernels (compile_kernels.py, compile_kernels_softmax.py) and Value's backward pass
(scalar_backward.py). References: numpy written out, closed forms, the eager op's own bits."""

import math
import tracemalloc

import numpy as np
import pytest

from autograd import Op, Value
from autograd.compile_kernels import Activation, Binary, _activation, _binary, kernel
from autograd.compile_kernels_softmax import CrossEntropy
from autograd.elementwise_forwards import tensor_sigmoid
from autograd.tensor_ops import OPS

N = 256  # buffers of N * N float64 (512 KiB): one allocated per call shows far above the bound below

# --- compile_kernels: allocation-free, as the module promises ---------------------------------------


def _peak_bytes_of_a_second_call(k, xs, g):
    """The most memory a forward and backward held at once, after a first call made the buffers."""
    k.backward(g, k.forward(*xs), *xs)
    tracemalloc.start()
    try:
        k.backward(g, k.forward(*xs), *xs)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize(
    "name, shapes, needs",
    [
        ("add", [(N, N), (N, N)], [True, True]),
        ("sub", [(N, N), (N, N)], [True, True]),
        ("mul", [(N, N), (N, N)], [True, True]),
        ("mul", [(N, N), (N, N)], [True, False]),
        ("matmul", [(N, N), (N, N)], [True, True]),
        ("matmul", [(N, N), (N, N)], [True, False]),
        ("matmul", [(N, N), (N, N)], [False, True]),
        ("relu", [(N, N)], [True]),
        ("tanh", [(N, N)], [True]),
        ("sigmoid", [(N, N)], [True]),
    ],
)
def test_a_kernel_allocates_no_array_of_its_size_per_call(name, shapes, needs):
    rng = np.random.default_rng(0)
    xs = [rng.standard_normal(s) * 0.5 for s in shapes]
    if name in ("tanh", "sigmoid"):
        xs[0].flat[:2] = [30.0, -30.0]  # two entries far out: the tails' branch runs (on those alone)
    k = kernel(OPS[name], shapes, np.dtype(np.float64), {}, needs)
    g = rng.standard_normal((N, N))
    # at most transient bool scratch (gated's isfinite, N * N bytes); one float64 array is 8 * N * N
    assert _peak_bytes_of_a_second_call(k, xs, g) < 1.5 * N * N


def test_the_cross_entropy_kernel_allocates_no_array_of_the_logits_size_per_call():
    rng = np.random.default_rng(0)
    params = {"labels": rng.integers(0, N, N)}
    k = kernel(OPS["cross_entropy"], [(N, N)], np.dtype(np.float64), params, [True])
    x = rng.standard_normal((N, N))
    assert _peak_bytes_of_a_second_call(k, [x], np.float64(1.0)) < 1.5 * N * N


def test_the_forward_and_gradients_come_back_in_the_same_buffers_each_call():
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    k = kernel(OPS["mul"], [(3, 4), (3, 4)], np.dtype(np.float64), {}, [True, True])
    out, g = k.forward(a, b), np.ones((3, 4))
    first = k.backward(g, out, a, b)
    assert k.forward(b, a) is out
    second = k.backward(g, out, b, a)
    assert all(x is y for x, y in zip(first, second))


# --- compile_kernels: the bits of the eager op --------------------------------------------------------


def test_the_sigmoid_kernel_gives_the_forwards_bits_in_float32():
    x = (np.random.default_rng(0).standard_normal(20_000) * 4).astype(np.float32)
    k = kernel(OPS["sigmoid"], [x.shape], np.dtype(np.float32), {}, [True])
    out = k.forward(x)
    assert out.dtype == np.float32
    assert np.array_equal(out, tensor_sigmoid(x))  # e / (1 + e) in float32, not via a float64 denominator


def test_float16_cross_entropy_sums_its_losses_in_float32_with_no_kernel():
    n = 30_000  # n losses of 3.05 add up past float16's largest, 65504
    logits = np.zeros((n, 2), np.float16)
    logits[:, 1] = -3
    params = {"labels": np.ones(n, np.int64)}
    assert kernel(OPS["cross_entropy"], [(n, 2)], np.dtype(np.float16), params, [True]) is None
    want = np.float16(math.log(1 + math.exp(3.0)))  # every row's loss, log(1 + e³)
    assert np.asarray(OPS["cross_entropy"].forward(logits, **params)) == want


def test_a_gradient_summed_over_a_leading_one_and_a_stretched_axis():
    # b (3, 1) broadcast against a (1, 3, 4): b's gradient sums axes 0 and 2 of g
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((1, 3, 4)), rng.standard_normal((3, 1))
    k = kernel(OPS["add"], [(1, 3, 4), (3, 1)], np.dtype(np.float64), {}, [True, True])
    g = rng.standard_normal((1, 3, 4))
    ga, gb = k.backward(g, k.forward(a, b), a, b)
    np.testing.assert_array_equal(ga, g)
    np.testing.assert_allclose(gb, g.sum(axis=(0, 2)).reshape(3, 1), rtol=1e-15)


def test_the_binary_and_activation_makers_build_their_kernels_or_none():
    f64 = np.dtype(np.float64)
    made = _binary("mul")([(2, 3), (3,)], np.dtype(np.float32), {}, [True, False])
    assert isinstance(made, Binary) and made.name == "mul" and made.needs == [True, False]
    assert made.out.shape == (2, 3) and made.out.dtype == np.float32
    assert _binary("add")([(2, 3), (3,)], f64, {"alpha": 2}, [True, True]) is None
    assert _binary("add")([(2, 3)], f64, {}, [True]) is None
    assert _binary("add")([(2, 3)] * 3, f64, {}, [True] * 3) is None
    act = _activation("tanh")([(4, 5)], np.dtype(np.float32), {}, [True])
    assert isinstance(act, Activation) and act.name == "tanh"
    assert act.out.shape == (4, 5) and act.out.dtype == np.float32
    assert _activation("relu")([(4, 5)], f64, {"negative_slope": 0.1}, [True]) is None
    assert _activation("relu")([(4, 5), (4, 5)], f64, {}, [True, True]) is None
    assert isinstance(CrossEntropy((2, 3), f64, {"labels": np.zeros(2, int)}), CrossEntropy)


# --- scalar_backward: a user's rule's gradients on Values ----------------------------------------------


def _pair_op(ga, gb):
    """A two-input op of the user's (a + b) whose rule gives these two gradients."""
    return Op("pair", lambda a, b: a + b, lambda g, out, a, b: (ga, gb))


@pytest.mark.parametrize(
    "ga, gb, expected",
    [
        (2.0, np.array(3.0), (2.0, 3.0)),  # a 0-d array becomes a float
        (np.array(2.5, np.float32), 1.0, (2.5, 1.0)),
        (None, np.array(-1.0), (0.0, -1.0)),  # None: no gradient flows (a stays at 0)
        (3, 1.5, (3.0, 1.5)),  # an int is a real number
    ],
)
def test_a_users_rule_may_give_floats_ints_and_0_d_arrays(ga, gb, expected):
    a, b = Value(1.0), Value(2.0)
    a.grad = b.grad = None
    _pair_op(ga, gb)(a, b).backward()
    assert (a.grad, b.grad) == expected
    assert a.grad.__class__ is float and b.grad.__class__ is float


@pytest.mark.parametrize(
    "ga, gb, shown",
    [
        (1.0, 1j, "complex 1j as the gradient of input 1"),
        (1.0, True, "bool True as the gradient of input 1"),
        (1.0, np.array([1.0, 2.0]), r"ndarray array\(\[1., 2.\]\) as the gradient of input 1"),
        (np.array(1j), 1.0, r"ndarray array\(0\.\+1\.j\) as the gradient of input 0"),
        ("1.0", 1.0, "str '1.0' as the gradient of input 0"),
    ],
)
def test_a_users_rule_giving_no_real_number_is_refused_by_name(ga, gb, shown):
    a, b = Value(1.0), Value(2.0)
    with pytest.raises(
        TypeError,
        match=rf"^the derivative rule of op 'pair' gave {shown}, a Value: a Value's gradient is a real number "
        r"\(a float; a Value under create_graph\)$",
    ):
        _pair_op(ga, gb)(a, b).backward()
    assert a.grad == 0.0 and b.grad == 0.0  # all or nothing


def test_a_grad_held_as_a_numpy_float_becomes_a_plain_float_after_a_pass():
    x = Value(1.5)
    x.grad = np.float64(0.5)
    (x * 2.0).backward()
    assert x.grad == 2.5 and x.grad.__class__ is float
    y = Value(1.0)
    y.grad = 1.0
    _pair_op(np.float64(2.0), None)(y, Value(0.0)).backward()
    assert y.grad == 3.0 and y.grad.__class__ is float


def test_detect_anomaly_names_the_op_and_its_inputs_for_one_input_and_for_three():
    from autograd import AnomalyError, detect_anomaly

    blowup = Op("blowup", lambda x: x * 1.0, lambda g, out, x: (math.nan,))
    three = Op("three", lambda a, b, c: a + b + c, lambda g, out, a, b, c: (g, math.inf, g))
    y = blowup(Value(2.0))
    with (
        detect_anomaly(),
        pytest.raises(AnomalyError, match=r"^backward of blowup\(2.0\) gave nan as the gradient of input 0"),
    ):
        y.backward()
    z = three(Value(1.0), Value(2.0), Value(3.0))
    with (
        detect_anomaly(),
        pytest.raises(AnomalyError, match=r"^backward of three\(1.0, 2.0, 3.0\) gave inf as the gradient of input 1"),
    ):
        z.backward()


def test_a_users_rule_sees_every_grad_as_it_was_before_the_pass():
    # the pass writes .grad as it goes only until a rule of the user's runs; from then on, at its end
    seen = []
    w_box = []
    spy = Op("spy", lambda x: x * 1.0, lambda g, out, x: (seen.append(w_box[0].grad) or g,))
    ident = Op("ident", lambda x: x * 1.0, lambda g, out, x: (g,))
    x = Value(1.0)
    u = spy(x)
    w = u * 2.0
    w_box.append(w)
    root = ident(w)
    w.grad = 0.25
    root.backward()
    assert seen == [0.25]  # w was taken between the two rules: its new .grad comes only at the end
    assert w.grad == 1.25 and x.grad == 2.0
