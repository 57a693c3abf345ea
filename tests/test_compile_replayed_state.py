"""State that a `@replayed` method changes on each call (a scheduler's step: its `last_epoch`, the optimizer's lr,
what its lr_lambda keeps), read by the step's own Python: a replay calls the method again, so the state moves on as
eagerly, but the step's reads of it were taken as recorded. A warmup read off `sched.last_epoch`, a scale read off
`opt.lr` or a list lr_lambda appended to went on with the recorded number, silently (eager's losses halved from call
4 on, the replays' did not). Such a step runs eagerly now, with a CompileWarning naming what it reads. An lr_lambda
with state of its own, or reading a global the caller changes, is called again on each replay, as eagerly: those
steps replay with eager's numbers."""

import itertools

import numpy as np
import pytest
from compile_faithful_cases import check_refused, check_replayed

import nn
from autograd import Tensor

LOG = []
SCALE = {"s": 1.0}


def _scenario(reads, lr_lambda):
    """Six SGD steps with a LambdaLR stepped inside the step, whose loss is scaled by `reads(sched, opt)`."""

    def scenario(compile):
        LOG.clear()
        SCALE["s"] = 1.0
        model = nn.Linear(3, 1, seed=0).double()
        opt = nn.SGD(model.parameters(), lr=0.1)
        sched = nn.schedulers.LambdaLR(opt, lr_lambda())

        def step(x):
            opt.zero_grad()
            loss = (model(Tensor(x)) ** 2).sum() * reads(sched, opt)
            loss.backward()
            opt.step()
            sched.step()
            return loss.item()

        run = compile(step)
        losses = []
        for i in range(6):
            losses.append(run(np.full((2, 3), (i + 1) / 10)))
            SCALE["s"] *= 0.5
        return losses, opt.lr, [p.data.tolist() for p in model.parameters()]

    return scenario


def _logged(epoch):
    """The lr halved on each epoch, keeping a log."""
    LOG.append(epoch)
    return 0.5**epoch


# the step's read of what the scheduler's step changes (each the same on the two recorded calls, another from call 3
# on), and the name the warning gives it
READS = {
    "a warmup off last_epoch": (lambda sched, opt: 1.0 if sched.last_epoch < 3 else 0.5, "`LambdaLR.last_epoch`"),
    "the optimizer's lr": (lambda sched, opt: 1.0 if opt.lr > 0.02 else 0.5, "`SGD.lr`"),
    "a list lr_lambda appends to": (lambda sched, opt: 1.0 if len(LOG) < 4 else 0.5, "`LOG`"),
}


@pytest.mark.parametrize("case", READS)
def test_a_step_reading_what_a_replayed_method_changes_runs_eagerly(case, monkeypatch):
    reads, named = READS[case]
    why = "the step reads " + named.replace(".", "\\.") + ", which code each replay runs again"
    assert check_refused(_scenario(reads, lambda: _logged), why, monkeypatch) == 0


def _counting():
    calls = itertools.count(1)
    return lambda epoch: 1.0 / next(calls)


LAMBDAS = {
    "with state of its own": _counting,
    "reading a global the caller changes": lambda: lambda epoch: SCALE["s"] / (1 + epoch),
}


@pytest.mark.parametrize("lr_lambda", LAMBDAS)
def test_an_lr_lambda_is_called_again_on_each_replay(lr_lambda, monkeypatch):
    check_replayed(_scenario(lambda sched, opt: 1.0, LAMBDAS[lr_lambda]), monkeypatch, replays_at_least=4)
