"""A graph with a gradient hook (register_hook): its hooked gradient is what the hook returned, which no
rule gives, so a drawing that computes gradients would show nodes and edges that do not add up, and would
run the hook again. Such drawings are refused, naming the hooked value; a plain drawing shows the .grad
backward left without running the hook."""

import numpy as np
import pytest

import nn
import viz
from autograd import Tensor, Value, has_hooks


def _hooked_neuron():
    a, x, calls = Value(2.0, "a"), Value(3.0, "x"), []
    handle = a.register_hook(lambda g: calls.append(g) or g * 10)
    o = (a * x).tanh() + a
    o.backward()
    return o, a, handle, calls


@pytest.mark.parametrize(
    "draw",
    [
        lambda o, a: viz.draw(o, backward=True),
        lambda o, a: viz.draw(o, check=True),
        lambda o, a: list(viz.backward_steps(o)),
        lambda o, a: viz.explain(o, a),
        lambda o, a: viz.player(o),
    ],
)
def test_a_drawing_that_computes_gradients_refuses_a_hooked_graph_naming_the_value(draw):
    """Before: the values showed the hooked gradient (a: 10.0007) and the edges the rules' (their sum 1.0001)."""
    o, a, handle, calls = _hooked_neuron()
    with pytest.raises(ValueError, match=r"but a has a gradient hook \(register_hook\).*handle.remove\(\)"):
        draw(o, a)
    assert len(calls) == 1  # the hook ran in the user's backward only
    handle.remove()
    assert not has_hooks(a)
    draw(o, a)  # the rules' gradients, drawn as before


def test_a_plain_drawing_shows_the_grad_the_hook_left_and_runs_no_hook():
    o, a, _, calls = _hooked_neuron()
    source = viz.draw(o).source
    assert "a | data 2 | grad 10.001" in source and len(calls) == 1


def test_a_tensor_drawing_with_gradients_refuses_a_hooked_graph_and_draws_without_them():
    w = Tensor(np.array([1.0, -2.0]), requires_grad=True, label="w")
    w.register_hook(lambda g: g * 2)
    loss = (w * w).sum()
    loss.backward()
    with pytest.raises(ValueError, match=r"w has a gradient hook"):
        viz.draw(loss)
    assert "w" in viz.draw(loss, show_grads=False).source


def _linear_with_hook(on_parameter: bool):
    np.random.seed(0)
    model = nn.Linear(2, 1)
    if on_parameter:
        model.parameters()[0].register_hook(lambda g: g * 0)  # freezes the weight in the user's training

    def loss_fn(m, batch):
        h = m(batch)
        if not on_parameter:
            h.register_hook(lambda g: g * 0.5)
        return (h**2).sum()

    return model, loss_fn, nn.optim.SGD(model.parameters(), lr=0.1)


@pytest.mark.parametrize("on_parameter", [True, False])
def test_training_steps_refuses_a_hook_before_training(on_parameter):
    """Before: a hook on a parameter was left behind by the copies training_steps trains: the page showed the loss
    0.0142 -> 2.27e-05 where the user's training, running the hook, goes 0.0142 -> 0.0058; a hook registered
    in loss_fn trained every step, then save_html refused it."""
    model, loss_fn, optimizer = _linear_with_hook(on_parameter)
    batch = Tensor(np.array([[1.0, 2.0]]))
    named = "W" if on_parameter else r"the unlabelled tensor \(a tensor of shape \(1, 2\) @ W\) \+ b of shape \(1, 1\)"
    with pytest.raises(ValueError, match=rf"training_steps.*{named} has a gradient hook \(register_hook\)"):
        viz.training_steps(model, loss_fn, batch, optimizer, steps=3)


@pytest.mark.parametrize(
    "refuse",
    [
        lambda o, node: viz.explain(o, node),
        lambda o, node: list(viz.backward_steps(o)),
        lambda o, node: viz.draw(o, backward=True),
    ],
)
def test_a_hooked_value_without_a_label_is_named_by_what_made_it_not_its_step(refuse):
    """Before: "but #3 has a gradient hook": #3 is its step in backward, a number the user passed no drawing
    to see; they know it as a * x, the Value they hooked."""
    a, x = Value(2.0, "a"), Value(3.0, "x")
    ax = a * x
    ax.register_hook(lambda g: g)
    o = ax.tanh() + a
    with pytest.raises(ValueError, match=r"but the unlabelled Value a \* x \(= 6\) has a gradient hook") as caught:
        refuse(o, a)
    assert "#" not in str(caught.value)


def test_an_unlabelled_hooked_leaf_tensor_is_named_by_its_shape():
    w = Tensor(np.ones(3), requires_grad=True)
    w.register_hook(lambda g: g)
    with pytest.raises(ValueError, match=r"but the unlabelled leaf tensor of shape \(3,\) has a gradient hook"):
        viz.explain((w * 2.0).sum(), w)
