"""Training on the graph: `training_steps` trains copies (the user's model and optimizer do not change),
its numbers at step t are those of a training run of t steps done by hand with nn, a graph that
changes structure is refused, and the page, drawn once, stays small as the steps add up."""

import copy

import numpy as np
import pytest
from test_viz_player import page_data

import nn
import viz
from autograd import Value
from nn.optim import SGD, Adam
from viz.html import page_html
from viz.number_text import summary
from viz.training import MAX_STEPS

POINTS = [[0.5, -1.0], [1.0, 0.3], [-0.7, 0.2], [0.1, 0.9]]
TARGETS = [1.0, -1.0, 1.0, -1.0]


def squared_error(model, batch):
    xs, ys = batch
    return sum((model(x) - y) ** 2 for x, y in zip(xs, ys))


def mlp_and_adam() -> tuple[nn.MLP, Adam]:
    model = nn.MLP(2, [4, 1], seed=0)
    return model, Adam(model.parameters(), lr=0.05)


def snapshot(model, optimizer) -> tuple:
    return [(p.data, p.grad, p.grad_computed) for p in model.parameters()], copy.deepcopy(optimizer.state)


def test_the_users_model_and_optimizer_do_not_change():
    model, adam = mlp_and_adam()
    squared_error(model, (POINTS, TARGETS)).backward()
    adam.step()  # some state and some gradients of the user's own, which must stay as they are
    before = snapshot(model, adam)
    training = viz.training_steps(model, squared_error, (POINTS, TARGETS), adam, steps=3)
    page_html(training)
    params, state = snapshot(model, adam)
    assert params == before[0]
    assert state["values"]["t"] == 1 and all(np.array_equal(state["values"][k], before[1]["values"][k]) for k in "mv")
    assert training.models[0] is not model and training.optimizers[0] is not adam


@pytest.mark.parametrize("make_optimizer", [lambda ps: SGD(ps, lr=0.1, momentum=0.9), lambda ps: Adam(ps, lr=0.05)])
def test_the_numbers_at_step_t_are_those_of_t_steps_of_training_by_hand(make_optimizer):
    model = nn.MLP(2, [4, 1], seed=1)
    optimizer = make_optimizer(model.parameters())
    steps = 4
    page = page_html(viz.training_steps(model, squared_error, (POINTS, TARGETS), optimizer, steps=steps))
    mine, my_optimizer = copy.deepcopy((model, optimizer))
    for t in range(steps):  # the training loop, written out
        shown = page_data(page, t)
        position = {name: shown["names"].index(name) for name, _ in mine.named_parameters()}
        my_optimizer.zero_grad()
        loss = squared_error(mine, (POINTS, TARGETS))
        loss.backward()
        assert shown["loss"] == summary(loss.data)
        final_grad = {}  # the last gradient text each backward step gave a value
        for _, changed, _ in shown["steps"]:
            final_grad.update(dict(changed))
        for name, p in mine.named_parameters():
            # 4 figures, or more where the parameter is added into a sum written finer (sum_figures)
            assert shown["data"][position[name]] in {f"data {summary(p.data, n=n)}" for n in (None, *range(5, 18))}
            assert final_grad[position[name]] == f"grad {summary(p.grad)}", (t, name)
        my_optimizer.step()
        updated = dict(shown["update"])
        for name, p in mine.named_parameters():
            assert updated[position[name]] == f"data {summary(p.data)}", (t, name)
        assert f"step {len(shown['steps']) + 1}, the update" in shown["captions"][-1]


def test_the_recorded_losses_are_a_real_runs_and_go_down():
    model = nn.MLP(2, [4, 1], seed=0)
    training = viz.training_steps(model, squared_error, (POINTS, TARGETS), SGD(model.parameters(), lr=0.05), steps=10)
    mine = copy.deepcopy(model)
    sgd, losses = SGD(mine.parameters(), lr=0.05), []
    for _ in range(10):
        sgd.zero_grad()
        loss = squared_error(mine, (POINTS, TARGETS))
        loss.backward()
        sgd.step()
        losses.append(loss.data)
    assert training.losses == losses  # bit for bit: the same ops in the same order
    assert losses[-1] < losses[0] / 10


def test_the_same_model_gives_the_same_page():
    def page():
        model, adam = mlp_and_adam()
        return page_html(viz.training_steps(model, squared_error, (POINTS, TARGETS), adam, steps=3))

    first = page()
    assert page() == first  # byte for byte: a replay, nothing of the run (ids, addresses) in it
    assert page_data(first, 0) != page_data(first, 2)


def test_a_graph_whose_structure_changes_between_steps_is_refused():
    calls = []

    def branching(model, batch):  # from the second step on, one more op: the page could not draw it
        calls.append(1)
        out = model(batch)
        return out * out if len(calls) < 2 else (out * out).tanh()

    model = nn.MLP(1, [1], seed=0)
    with pytest.raises(ValueError, match="training step 2 made a graph of another structure than step 1's") as e:
        viz.training_steps(model, branching, [0.5], SGD(model.parameters(), lr=0.1), steps=3)
    assert "node 0 from the root is the op 'tanh'" in str(e.value) and "no branching on values" in str(e.value)


def test_bad_arguments_are_refused_with_the_fix():
    model, adam = mlp_and_adam()
    batch = (POINTS, TARGETS)
    with pytest.raises(ValueError, match=f"steps must be an int from 1 to {MAX_STEPS}"):
        viz.training_steps(model, squared_error, batch, adam, steps=0)
    with pytest.raises(TypeError, match="steps must be an int"):  # the wrong type: a TypeError
        viz.training_steps(model, squared_error, batch, adam, steps=True)
    with pytest.raises(ValueError, match="build it from model.parameters()"):
        viz.training_steps(model, squared_error, batch, SGD([Value(1.0)]), steps=2)
    with pytest.raises(TypeError, match="optimizer must be an optimizer such as nn.optim.SGD"):
        viz.training_steps(model, squared_error, batch, 0.1, steps=2)
    with pytest.raises(TypeError, match="model must be a module with parameters()"):
        viz.training_steps([1.0], squared_error, batch, adam, steps=2)
    with pytest.raises(TypeError, match="loss_fn must be a function"):
        viz.training_steps(model, batch, squared_error, adam, steps=2)
    with pytest.raises(TypeError, match="must return the loss as a Value or a one-element Tensor"):
        viz.training_steps(model, lambda m, b: [m(x) for x in b[0]], batch, adam, steps=2)
    training = viz.training_steps(model, squared_error, batch, adam, steps=1)
    with pytest.raises(TypeError, match="drop modules= and optimizer="):
        page_html(training, optimizer=adam)


def test_the_page_draws_the_graph_once_and_grows_by_the_numbers_of_each_step():
    model, adam = mlp_and_adam()
    sizes = {
        k: len(page_html(viz.training_steps(model, squared_error, (POINTS, TARGETS), adam, steps=k)))
        for k in (1, 3, 5)  # 1, 5 and 10 steps took twice the time (2.1 s), to tell the same
    }
    per_step = (sizes[5] - sizes[3]) / 2
    assert (sizes[3] - sizes[1]) / 2 == pytest.approx(per_step, rel=0.1)  # linear in the steps
    assert per_step < sizes[1] / 5  # a step's numbers are a fraction of the drawing
    assert sizes[1] + 9 * per_step < 1_200_000  # ten steps' page (1.17 MB)


def test_the_inline_player_plays_a_training():
    model, adam = mlp_and_adam()
    training = viz.training_steps(model, squared_error, (POINTS, TARGETS), adam, steps=2)
    shown = viz.player(training)
    assert shown.page == page_html(training) and 'id="round"' in shown.page
    assert 'id="round"' not in page_html(training.roots[0])  # a single graph has no training slider


def test_a_training_and_its_player_echo_in_a_line():
    """Before: a terminal's or a notebook's plain-text echo of `viz.training_steps(...)` wrote out every step's
    model and optimizer, and of `viz.player(...)` the whole page (over 100,000 characters of HTML)."""
    model, adam = mlp_and_adam()
    training = viz.training_steps(model, squared_error, (POINTS, TARGETS), adam, steps=3)
    losses = [summary(loss) for loss in training.losses]
    assert repr(training) == (
        f"Training(3 steps, loss {losses[0]} → {losses[-1]}: viz.player(training) or viz.save_html(training, path) "
        "plays them)"
    )
    shown = viz.player(training)
    assert repr(shown) == (
        f"Player(a page of {len(shown.page):,} characters, 720 px high: shown inline in Jupyter, written by "
        ".save(path))"
    )
    assert shown._repr_html_().startswith("<iframe srcdoc=")  # Jupyter still shows the page


def test_a_training_of_one_step_or_none_echoes_too():
    """Before (s34 review): repr of a Training of no steps (built by hand) raised IndexError, and one of a step
    read "Training(1 steps, loss 0.5 → 0.5: ...)"."""
    assert repr(viz.Training([], [], [])) == "Training(0 steps)"
    model, adam = mlp_and_adam()
    training = viz.training_steps(model, squared_error, (POINTS, TARGETS), adam, steps=1)
    assert repr(training).startswith(f"Training(1 step, loss {summary(training.losses[0])}: viz.player(training)")
