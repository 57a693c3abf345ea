"""gradcheck_params moved each parameter and ran the loss under no_grad, where gradcheck runs f with the graph
recorded at every step: a loss taking a gradient itself (a gradient penalty, a MAML inner step) raised
"backward() on a tensor that does not require grad", and a forward that behaves otherwise without a graph (a
cache it fills under no_grad) was read at the wrong numbers ("cannot be judged" of a right rule). The loss now
runs as the user runs it, the graph recorded, at every step of the check."""

import numpy as np
import pytest

import autograd
from autograd import GradcheckError, Op, Tensor, gradcheck_params, gradients

# sin whose rule's own derivative is right or off by 10% (the rule of its cos)
_COS_OFF = Op("cos_off", np.cos, lambda g, out, x: (-g * 1.1 * autograd.sin(x),))
_SIN_OFF = Op("sin_off", np.sin, lambda g, out, x: (g * _COS_OFF(x),))


def _w() -> Tensor:
    return Tensor(np.array([0.3, -0.7, 1.1]), requires_grad=True)


def _penalty(w, sin=autograd.sin):
    inner = (sin(w) * w).sum()
    (g,) = gradients(inner, [w], create_graph=True)
    return inner + (g**2).sum()


def _maml(w):
    (g,) = gradients((w**3).sum(), [w], create_graph=True)
    return ((w - 0.1 * g).tanh() ** 2).sum()


@pytest.mark.parametrize("loss", [_penalty, _maml], ids=["gradient-penalty", "maml-step"])
def test_a_loss_taking_gradients_itself_is_checked(loss):
    w = _w()
    assert gradcheck_params(lambda: loss(w), {"w": w})


def test_a_wrong_second_derivative_in_a_gradient_penalty_fails():
    w = _w()
    with pytest.raises(GradcheckError, match="<- fails"):
        gradcheck_params(lambda: _penalty(w, _SIN_OFF), {"w": w})


def test_a_forward_that_caches_without_a_graph_is_run_as_the_user_runs_it():
    w, cache = _w(), {}

    def loss():
        if not autograd.is_grad_enabled():  # an inference cache: filled once, read after
            cache.setdefault("v", (w.exp() * w).sum())
            return cache["v"]
        return (w.exp() * w).sum()

    assert gradcheck_params(loss, {"w": w})
    assert not cache  # never run without the graph


@pytest.mark.parametrize("zero_grad", [True, False], ids=["zero_grad-backward", "backward"])
@pytest.mark.parametrize("make", [_w, lambda: autograd.Value(0.4)], ids=["Tensor", "Value"])
def test_a_loss_that_calls_backward_itself_leaves_the_gradients_as_they_were(make, zero_grad):
    """An optimizer's closure (zero_grad, backward, return the loss), run with the graph recorded at every step,
    left w.grad as the gradient at the last point the check moved w to (off by 3e-8), or without zero_grad as the
    sum over all its evaluations; under no_grad it raised. The parameters' gradients are put back too."""
    w = make()
    (w.sin() * w).sum().backward() if isinstance(w, Tensor) else (w.sin() * w).backward()
    held = w.grad
    before = np.array(held, copy=True)

    def closure():
        if zero_grad:
            w.grad = None if isinstance(w, Tensor) else 0.0
        out = w.sin() * w
        out = out.sum() if isinstance(w, Tensor) else out
        out.backward()
        return out

    assert gradcheck_params(closure, {"w": w})
    assert np.array_equal(w.grad, before), (w.grad, before)
    assert w.grad is held or not isinstance(w, Tensor)  # the same array, as the user holds it
