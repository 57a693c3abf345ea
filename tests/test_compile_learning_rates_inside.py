"""An optimizer's lr that a compiled step changes inside itself: a scheduler stepped inside (its step is
@replayed) is stepped by every replay, as eagerly; an lr assigned by hand inside the step runs it eagerly, with a
CompileWarning naming it, even where it is the same on both recorded calls."""

import numpy as np
import pytest
from compile_cases import assert_same, batches, mlp, replays, training_step

import autograd
import nn
from autograd import Tensor
from autograd.compile import CompileWarning
from nn import functional as F


def _decay_by_hand(optimizer):
    optimizer.lr *= 0.9  # by hand, after the last replayed call: no replay would do it


def _nothing(optimizer):
    pass


def scheduled_run(compiled, make_scheduler, change_lr=False):
    """Eight steps that step a scheduler inside (its step is @replayed): losses, lr, epochs, weights."""
    model = mlp([3, 2], "tanh")
    optimizer = nn.SGD(model.parameters(), lr=0.1)
    scheduler = make_scheduler(optimizer)

    after = _decay_by_hand if change_lr else _nothing  # without: a step that never reads the lr its scheduler moves

    def step(x, y):
        loss = F.cross_entropy(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        scheduler.step()
        after(optimizer)
        return loss

    run = autograd.compile(step, strict=not change_lr) if compiled else step
    losses = [run(Tensor(np.full((4, 3), i / 8)), np.array([0, 1, 0, 1])).item() for i in range(8)]
    epochs = [s.last_epoch for s in getattr(scheduler, "schedulers", [scheduler])]  # a ChainedScheduler's each
    return (losses, optimizer.lr, epochs, model[0].W.data.copy()), run


@pytest.mark.parametrize(
    "make_scheduler",
    [
        lambda opt: nn.schedulers.StepLR(opt, step_size=3, gamma=0.1),  # no change on the two recorded calls
        lambda opt: nn.schedulers.SequentialLR(
            opt, [nn.schedulers.LinearLR(opt, 0.5, 1.0, 2), nn.schedulers.StepLR(opt, 2, 0.5)], [2]
        ),
        lambda opt: nn.schedulers.MultiplicativeLR(opt, lambda e: 0.7),
        lambda opt: nn.schedulers.CyclicLR(opt, 0.01, 0.1, 2, base_momentum=0.5),  # the momentum moves too
        lambda opt: nn.schedulers.ChainedScheduler(
            [nn.schedulers.StepLR(opt, 2, 0.5), nn.schedulers.ExponentialLR(opt, 0.9)]
        ),
    ],
    ids=["StepLR", "SequentialLR", "MultiplicativeLR", "CyclicLR", "ChainedScheduler"],
)
def test_a_scheduler_stepped_inside_the_step_is_stepped_by_every_replay(make_scheduler):
    """Replays skipped it: the lr stayed 0.1 where eager decayed it to 0.001 (a StepLR whose lr did
    not change on the two recorded calls went unnoticed)."""
    eager, _ = scheduled_run(False, make_scheduler)
    compiled, run = scheduled_run(True, make_scheduler)
    assert_same(eager, compiled)
    assert replays(run) == 1


def test_an_lr_changed_by_hand_inside_the_step_makes_it_run_eagerly():
    with pytest.warns(CompileWarning, match="lr was assigned inside the step"):
        compiled, _ = scheduled_run(True, lambda opt: nn.schedulers.StepLR(opt, 3), change_lr=True)
    assert_same(scheduled_run(False, lambda opt: nn.schedulers.StepLR(opt, 3), change_lr=True)[0], compiled)


def test_an_lr_assigned_inside_the_step_runs_it_eagerly_even_where_it_is_the_same_on_the_recorded_calls():
    """`opt.lr = config["lr"]`: the same on both recorded calls, and a replay would then keep that lr after
    the config changed (a warm-up's end), where eager assigns the new one (found by a helper's audit)."""

    def run(compiled):
        model, config = mlp([2, 3], "relu"), {"lr": 0.01}
        optimizer = nn.SGD(model.parameters(), lr=0.01)
        train = training_step(model, optimizer)

        def step(x, y):
            optimizer.lr = config["lr"]
            return train(x, y)

        step = autograd.compile(step) if compiled else step
        for i, (x, y) in enumerate(batches((4, 2), 3, 6)):
            config["lr"] = 1.0 if i >= 3 else 0.01
            step(Tensor(x), y)
        return [p.data.copy() for p in model.parameters()], optimizer.lr

    with pytest.warns(CompileWarning, match="SGD.lr was assigned inside the step"):
        compiled = run(True)
    eager = run(False)
    assert_same(eager[0], compiled[0])
    assert compiled[1] == eager[1] == 1.0
