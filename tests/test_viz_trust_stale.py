"""A graph whose data changed after its forward pass (micrograd's lecture updates the parameters, then
draws the loss): a drawing of Values shows the `.grad` backward left, with a note that says so, never
gradients recomputed from the mixed data nor a call to zero_grad(); whatever computes gradients from the
data refuses, saying to run the forward again."""

import html
import random
import re

import numpy as np
import pytest

import autograd
import nn
import viz
from autograd import Tensor, Value


def words(drawing) -> str:
    return html.unescape(" ".join(re.findall(r">([^<>]+)</text>", drawing.pipe(format="svg").decode())))


def lecture_step() -> tuple[Value, Value, Value]:
    """One step of the lecture's loop: forward, backward, the update; then draw_dot(loss)."""
    w, x = Value(0.7, label="w"), Value(2.0, label="x")
    loss = (w * x - 1.0) ** 2
    loss.label = "loss"
    loss.backward()  # x.grad = 2·(w·x − 1)·w = 0.56
    w.data += -0.1 * w.grad
    return loss, w, x


def test_drawing_after_the_update_shows_backwards_grad_and_says_the_data_changed():
    loss, w, x = lecture_step()
    told = words(viz.draw(loss))
    assert "x data 2 grad 0.56" in told and "w data 0.54 grad 1.6" in told  # backward's, as draw_dot shows
    assert "(earlier passes added)" not in told  # no recomputed gradient, with the .grad beside it
    assert "zero_grad" not in told  # nothing was accumulated
    assert "a value changed after the forward pass" in told and "Run the forward again" in told


def test_the_lectures_training_loop_draws_every_grad_as_backward_left_it():
    random.seed(1337)
    model = nn.MLP(3, [4, 4, 1], nonlin="tanh")
    xs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
    ys = [1.0, -1.0, -1.0, 1.0]
    for _ in range(2):
        loss = sum(((model(x) - y) ** 2 for x, y in zip(xs, ys)), Value(0.0))
        for p in model.parameters():
            p.grad = 0.0
        loss.backward()
        for p in model.parameters():
            p.data += -0.1 * p.grad
    told = words(viz.draw(loss))
    assert "(earlier passes added)" not in told and "zero_grad" not in told
    assert "a value changed after the forward pass" in told


def test_running_the_forward_again_draws_without_the_note():
    loss, w, x = lecture_step()
    again = (w * x - 1.0) ** 2
    assert "changed after the forward pass" not in words(viz.draw(again))


@pytest.mark.parametrize(
    "draw",
    [
        lambda loss, x: viz.draw(loss, backward=True),
        lambda loss, x: viz.draw(loss, check=True),
        lambda loss, x: viz.player(loss),
        lambda loss, x: viz.backward_steps(loss),
        lambda loss, x: viz.explain(loss, x),
    ],
    ids=["backward", "check", "player", "backward_steps", "explain"],
)
def test_what_computes_gradients_from_the_changed_data_refuses(draw):
    loss, w, x = lecture_step()
    with pytest.raises(ValueError, match=r"changed after the forward pass: w \* x holds 1.4 .* run the forward again"):
        draw(loss, x)  # it drew x's gradient as 0.432, from the new w and the old w * x


def test_a_tensor_graph_after_an_optimizers_step_is_refused_naming_the_fix():
    model = nn.Sequential(nn.Linear(2, 3, seed=0), nn.Tanh(), nn.Linear(3, 1, seed=1))
    opt = nn.optim.SGD(model.parameters(), lr=0.1)
    loss = ((model(Tensor(np.array([[0.5, -1.0], [1.0, 2.0]]))) - 1.0) ** 2).mean()
    loss.backward()
    opt.step()
    with pytest.raises(ValueError, match="changed after the forward pass.*run the forward again"):
        viz.draw(loss, modules=model)  # it drew without complaint


def test_a_fresh_graph_with_a_users_drawing_op_is_not_stale_and_leaves_the_users_draws_alone():
    noisy = autograd.Op("noisy", lambda x: x + np.random.normal(0, 1, np.shape(x)), lambda g, out, x: (g,))
    x = Tensor(np.ones(3), requires_grad=True)
    loss = noisy(x * 2.0).sum()
    loss.backward()
    np.random.seed(5)
    expected = np.random.normal()
    np.random.seed(5)
    viz.draw(loss)  # reruns the ops to see whether the data changed: the noise differs each time, not judged
    assert np.random.normal() == expected


def test_a_tensor_graph_drawn_without_gradients_after_an_update_draws():
    model = nn.Linear(2, 1, seed=0)
    opt = nn.SGD(model.parameters(), lr=0.1)
    loss = (model(Tensor(np.ones((4, 2), np.float32))) ** 2).mean()
    loss.backward()
    opt.step()
    assert "digraph" in viz.draw(loss, show_grads=False).source
    with pytest.raises(ValueError, match="computes the gradient"):
        viz.draw(loss)


def test_the_refusal_writes_the_old_and_new_results_with_figures_enough_to_tell_them_apart():
    w, x = Value(-0.7312715117751976), Value(1.0)  # unlabelled, as an MLP's weights: written by their data
    y = (w * x).tanh()
    y.label = "y"
    y.backward()
    w.data += -0.1 * 0.00013126128541021947  # the update of an MLP's weight (this is from micrograd's 2-2-1)
    with pytest.raises(ValueError) as refused:
        viz.draw(y, backward=True)  # w * x moved by 1.3e-05: the same to 4 figures
    assert "-0.73128 * 1 holds -0.73127 from it, and gives -0.73128 now" in str(refused.value)  # was -0.7313 thrice


def test_the_note_says_which_value_changed():
    """The note said "a value changed" and no more, where viz.explain's refusal names where it shows."""
    loss, w, x = lecture_step()
    told = words(viz.draw(loss))
    assert "a value changed after the forward pass: w * x holds 1.4 from it, and gives 1.08 now" in told
