"""The engine's trust, continued: gradcheck's refusals, grad modes kept to their block and thread, anomaly mode,
the subgradient at a kink, gradients from several threads, a rule that differentiates inside a pass."""

import math
import threading

import numpy as np
import pytest

# ---- nested grad keeps what the inner function captured from the outer one ----
from test_trust_engine import _wrong_square

from autograd import (
    AnomalyError,
    GradcheckError,
    Op,
    Tensor,
    Value,
    detect_anomaly,
    enable_grad,
    grad,
    gradcheck,
    gradcheck_params,
    gradients,
    is_grad_enabled,
    no_grad,
)


def test_gradcheck_refuses_a_function_that_ignores_its_inputs():
    captured = Value(1.5)
    with pytest.raises(GradcheckError, match="depends on nodes it captured, not on the inputs"):
        gradcheck(lambda x: _wrong_square(captured), [Value(1.0)])


def test_gradcheck_params_finds_a_wrong_rule_in_the_parameters_a_loss_uses():
    w = Tensor(np.array([0.5, -1.0, 2.0]), requires_grad=True, dtype=np.float32)
    x = np.array([1.0, 2.0, 3.0])
    assert gradcheck_params(lambda: ((w * x).tanh() ** 2).sum(), {"w": w})
    with pytest.raises(GradcheckError, match=r"w\[0\]"):
        gradcheck_params(lambda: _wrong_square(w * x).sum(), {"w": w})
    assert w.dtype == np.float32 and w.data.tolist() == [0.5, -1.0, 2.0]  # put back as it was


# ---- modes ----


@pytest.mark.parametrize("block", [no_grad, detect_anomaly])
def test_mode_blocks_do_not_leak_past_their_end(block):
    x = Tensor(np.array([1.0]), requires_grad=True)
    with pytest.raises(RuntimeError), block():
        raise RuntimeError("leaves the block")
    assert is_grad_enabled()
    assert (x * 2).requires_grad and (Value(1.0) * 2).op is not None
    # anomaly mode off again: an infinite result is allowed once the block is left
    with detect_anomaly():
        pass
    with np.errstate(divide="ignore"):
        assert np.isinf((x * 0).log().data).all()
    assert math.isinf((Value(1e308) * 10).data)


def test_modes_nest_and_restore():
    with no_grad():
        with enable_grad():
            assert is_grad_enabled() and Tensor(np.ones(1), requires_grad=True).exp().requires_grad
        assert not is_grad_enabled() and Value(1.0).exp().op is None
    assert is_grad_enabled() and Value(1.0).exp().op is not None


def test_no_grad_in_one_thread_does_not_reach_another():
    inside, seen = threading.Event(), []
    done = threading.Event()

    def other():
        inside.wait()
        seen.append((Value(1.0) * 2).op is not None)
        done.set()

    thread = threading.Thread(target=other)
    thread.start()
    with no_grad():
        inside.set()
        done.wait(10)
    thread.join()
    assert seen == [True]


def test_anomaly_mode_stops_at_the_first_op_that_makes_an_inf_on_tensors():
    x = Tensor(np.array([0.0, 1.0]), requires_grad=True)
    with detect_anomaly(), np.errstate(divide="ignore"), pytest.raises(AnomalyError, match=r"log\(array"):
        (x.log() * 2).sum()


def test_anomaly_mode_names_an_infinite_gradient_on_tensors():
    x = Tensor(np.array([0.0, 1.0]), requires_grad=True)
    out = x.sqrt().sum()
    with detect_anomaly(), np.errstate(divide="ignore"), pytest.raises(AnomalyError, match="backward of sqrt"):
        out.backward()


# ---- kinks, as PyTorch ----


def test_relu_gradient_at_exactly_0_is_0_on_both_engines():
    x = Tensor(np.array([-1.0, 0.0, 1.0]), requires_grad=True)
    x.relu().sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0, 1.0])
    assert grad(lambda v: v.relu())(0.0) == 0.0


def test_clip_passes_the_gradient_at_exactly_lo_and_hi():
    x = Tensor(np.array([-2.0, -1.0, 0.0, 1.0, 2.0]), requires_grad=True)
    x.clip(-1.0, 1.0).sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 1.0, 1.0, 1.0, 0.0])


# ---- threads and re-entrancy ----


def test_gradients_in_several_threads_over_shared_weights_are_exact():
    rng = np.random.default_rng(0)
    w = Tensor(rng.normal(size=(30, 30)), requires_grad=True)
    v = [Value(float(x)) for x in rng.normal(size=5)]
    wrong = []

    def work(k):
        x = rng.normal(size=(6, 30)) * (k + 1)
        for _ in range(60):
            (g,) = gradients(((Tensor(x) @ w).tanh() * (k + 1)).sum(), [w])
            exact = x.T @ ((1 - np.tanh(x @ w.data) ** 2) * (k + 1))
            scalar = gradients(sum((vi * (k + 1)).tanh() for vi in v), v)
            exact_scalar = [(k + 1) * (1 - math.tanh(vi.data * (k + 1)) ** 2) for vi in v]
            if not np.allclose(g, exact) or not np.allclose(scalar, exact_scalar):
                wrong.append(k)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert wrong == []


def test_a_derivative_rule_that_differentiates_leaves_the_outer_pass_undisturbed():
    # square's rule asks grad for d(t*t)/dt at its input: under create_graph that input is a node
    # of the outer graph, so the inner pass walks nodes the outer pass is working on
    square = Op("square", lambda x: x * x, lambda g, o, x: (g * grad(lambda t: t * t)(x),))

    def f(a):
        b = a * 3.0
        return square(b) + b * a

    # f = 9a^2 + 3a^2 = 12 a^2: f' = 24 a, f'' = 24
    assert grad(f)(0.5) == pytest.approx(12.0)
    assert grad(grad(f))(0.5) == pytest.approx(24.0)


def test_create_graph_keeps_the_gradient_graph_of_values_even_under_no_grad():
    x = Value(2.0)
    y = x * x * x
    with no_grad():
        y.backward(create_graph=True)
    assert x.grad.op is not None and x.grad.data == 12.0
    first = x.grad  # 3 x^2, a node: its backward adds d/dx 3 x^2 = 6 x = 12 into x.grad
    first.backward()
    assert x.grad.data == 12.0 + 12.0


def test_gradcheck_warns_about_float32_at_the_callers_line():
    with pytest.warns(UserWarning, match="checking in float64") as caught:
        gradcheck(lambda t: (t * t).sum(), [np.ones(2, dtype=np.float32)])
    assert caught[0].filename == __file__


@pytest.mark.parametrize("method", ["softmax", "log_softmax", "logsumexp"])
def test_the_softmax_family_of_bools_is_that_of_their_floats(method):
    """shift's in-place zeroing of a -inf max could not write into a bool max (a review's find); bools are
    computed in the float numpy's ufuncs take them in, float16, as exp's are."""
    flags = np.array([[True, False], [False, False]])
    got = getattr(Tensor(flags), method)(axis=1).data
    assert got.dtype == np.exp(flags).dtype == np.float16
    assert np.array_equal(got, getattr(Tensor(flags.astype(np.float16), dtype=np.float16), method)(axis=1).data)
