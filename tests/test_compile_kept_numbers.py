"""A number a compiled step keeps on its object and changes (`self.count += 1`): a replay runs none of the step's
Python, so the number stays where the recorded calls left it. A count the step only advances replays (by design:
test_compile_settings' counting module), but one it then branches on or computes with was replayed silently: a
trainer halving its loss from call 4 on (`* (1.0 if self.count < 4 else 0.5)`) gave 0.01699, 0.01247, 0.00728
where eager gave 0.00849, 0.01176, 0.01228, and its count ended at 2, not 6. Such a step runs eagerly now, with a
CompileWarning naming the number."""

import collections
import warnings

import numpy as np
import pytest
from compile_faithful_cases import check_faithful

import autograd
import nn
from autograd import Tensor

USES = {  # how the step uses the number it keeps, and whether that refuses the replay
    "a branch": (lambda count, loss: loss * (1.0 if count < 4 else 0.5), "`Trainer.count`"),
    "a factor": (lambda count, loss: loss * count, "`Trainer.count`"),
    "a float factor": (lambda count, loss: loss * (count / 2), "`Trainer.count`"),
    "none": (lambda count, loss: loss, None),
}


class Trainer:
    def __init__(self, uses, start):
        self.model = nn.Linear(3, 1, seed=0).double()
        self.opt = nn.SGD(self.model.parameters(), lr=0.1)
        self.count, self.uses = start, uses

    def step(self, x):
        self.opt.zero_grad()
        self.count += 1
        loss = self.uses(self.count, (self.model(Tensor(x)) ** 2).sum())
        loss.backward()
        self.opt.step()
        return loss.item()


@pytest.mark.parametrize("start", [0, 0.0])
@pytest.mark.parametrize("use", USES)
def test_a_number_the_step_changes_and_uses_runs_eagerly(use, start, monkeypatch):
    uses, named = USES[use]

    def scenario(compile):
        trainer = Trainer(uses, start)
        run = compile(trainer.step)
        losses = [run(np.full((2, 3), (i + 1) / 10)) for i in range(6)]
        assert type(trainer.count) is type(start)  # put back as a plain number after the recording
        return losses, [p.data.tolist() for p in trainer.model.parameters()]

    why = None if named is None else "the step changes " + named.replace(".", "\\.")
    check_faithful(scenario, why, monkeypatch)


class Warmup(nn.Module):
    """A module that halves its output from its fourth call on, counting its calls."""

    def __init__(self) -> None:
        self.linear, self.calls = nn.Linear(3, 1, seed=0).double(), 0

    def forward(self, x: Tensor) -> Tensor:
        self.calls += 1
        return self.linear(x) * (1.0 if self.calls < 4 else 0.5)


def test_a_module_branching_on_its_own_count_runs_eagerly(monkeypatch):
    def scenario(compile):
        model = Warmup()
        run = compile(lambda x: model(Tensor(x)).sum().item())
        return [run(np.full((2, 3), (i + 1) / 10)) for i in range(6)]

    check_faithful(scenario, "the step changes `Warmup\\.calls`", monkeypatch)


def test_a_kept_count_keeps_a_float32_steps_dtype():
    """While recorded, the count is an int subclass (compile_kept), which numpy takes as int64, not as a weak int:
    `out * self.count` of a float32 model came out float64 on the recorded calls, float32 eagerly."""

    class Scaled:
        def __init__(self):
            self.model, self.count = nn.Linear(3, 1, seed=0), 0

        def step(self, x):
            self.count += 1
            return (self.model(Tensor(x)) * self.count).data.dtype

    run = autograd.compile(Scaled().step)
    with pytest.warns(autograd.CompileWarning, match="the step changes `Scaled\\.count`"):
        assert [run(np.ones((2, 3), np.float32)) for _ in range(3)] == [np.float32] * 3


class Calls:
    """A count kept on a config the trainer holds (`self.cfg.calls`), and one on its class (`type(self).calls`)."""

    calls = 0

    def __init__(self) -> None:
        self.calls = 0


class ConfigCounting(Trainer):
    def step(self, x):
        self.cfg.calls += 1
        type(self.cfg).calls += 1
        return super().step(x)


@pytest.mark.parametrize("where", ["self.cfg.calls", "type(self.cfg).calls"])
def test_a_count_on_a_config_or_a_class_the_step_branches_on_runs_eagerly(where, monkeypatch):
    def scenario(compile):
        Calls.calls = 0
        trainer = ConfigCounting(lambda count, loss: loss, 0)
        trainer.cfg = Calls()
        trainer.uses = lambda count, loss: loss * (1.0 if eval(where, {"self": trainer}) < 4 else 0.5)
        run = compile(trainer.step)
        return [run(np.full((2, 3), (i + 1) / 10)) for i in range(6)]

    check_faithful(scenario, "the step changes `Calls\\.calls`", monkeypatch)


LOG, ROWS, SEEN, RECENT = [], {}, set(), collections.deque(maxlen=10)
Row = collections.namedtuple("Row", "count loss")
STORES = {  # where the step stores the number it keeps (or a sum of it), and what it returns
    "a global list": lambda t: LOG.append(t.count),
    "a list on the object": lambda t: t.history.append(t.count + 1),
    "a dict's value and key": lambda t: ROWS.update({t.count: t.scale * 2}),
    "a tuple in a list": lambda t: LOG.append((t.count, (t.scale,))),
    "a tuple in a tuple in a list": lambda t: LOG.append(((t.count,), 1.0)),
    "a namedtuple in a list": lambda t: LOG.append(Row(t.count, 1.0)),
    "a tuple two lists hold": lambda t: (lambda row: (LOG.append(row), t.history.append(row)))((t.count,)),
    "a deque": lambda t: RECENT.append(t.count),
    "a set": lambda t: SEEN.add(t.count),
    "another attribute": lambda t: setattr(t, "last", t.count),
    "a nonlocal name": lambda t: t.remember(t.count),
}


def _plain_numbers(x):
    """Whether every number in x (lists, tuples, dicts, sets, their keys) is a plain int or float."""
    if isinstance(x, list | tuple | set | collections.deque):
        return all(map(_plain_numbers, x))
    if isinstance(x, dict):
        return _plain_numbers(list(x)) and _plain_numbers(list(x.values()))
    return type(x) in (int, float, str, type(None))


@pytest.mark.parametrize("store", STORES)
def test_a_kept_number_the_step_stores_or_returns_is_a_plain_number(store):
    """A number the step keeps was a KeptInt (equal, of another type) wherever the recorded call stored it: the
    caller's list, `self.last`, a dict's key, and what the first call returned (`return loss, self.count`)."""
    LOG.clear(), ROWS.clear(), SEEN.clear(), RECENT.clear()

    class Keeper:
        def __init__(self):
            self.count, self.scale, self.history, self.last = 0, 1.5, [], None
            self.w = Tensor(np.ones(3), requires_grad=True)
            last = None

            def remember(n):
                nonlocal last
                last = n

            self.remember, self.remembered = remember, lambda: last

        def step(self, x):
            self.count += 1
            STORES[store](self)
            loss = (Tensor(x) * self.w).sum()
            loss.backward()
            return loss.item(), self.count, self.scale

    keeper = Keeper()
    run = autograd.compile(keeper.step)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", autograd.CompileWarning)  # a container changed in place runs it eagerly
        returned = []
        for _ in range(3):  # each call's (the first is recorded: a later one may run eagerly)
            returned.append(run(np.ones(3)))
            held = [returned, LOG, ROWS, SEEN, RECENT, keeper.history, keeper.last, keeper.remembered(), keeper.count]
            assert _plain_numbers(held), held
    assert returned == [(3.0, k, 1.5) for k in (1, 2, 3)]
