"""compile says why a step records once more than its two recordings (logger "autograd.compile", DEBUG, as
PyTorch's TORCH_LOGS=recompiles): a replay found something changed (a mode, a switched requires_grad, a name
rebound), two recordings disagreed (a setting changed between them), or the first call changed what it read.
Before, each of these recorded again without a word, and a test counting replays could only say it saw fewer."""

import logging

import numpy as np
import pytest
from compile_faithful_cases import linear, stepped_on

import autograd
import nn
from autograd import Tensor

X = np.ones((2, 3))


def _model_and_step():
    model, opt = linear(np.float32, nout=2)

    def step(x):
        return stepped_on(opt, model(Tensor(x)).sum()).item()

    return model, step


@pytest.fixture
def again(caplog):
    """The reasons logged, one string each."""
    caplog.set_level(logging.DEBUG, logger="autograd.compile")
    yield lambda: [r.getMessage() for r in caplog.records if r.name == "autograd.compile"]


def test_a_step_recorded_twice_then_replayed_logs_nothing(again):
    _, step = _model_and_step()
    run = autograd.compile(step, strict=True)
    for _ in range(5):
        run(X)
    assert again() == []


def test_a_mode_changed_between_replays_is_named(again):
    model, step = _model_and_step()
    run = autograd.compile(step, strict=True)
    for _ in range(3):
        run(X)
    model.eval()
    run(X)
    assert again() == ["step records again: `Linear.training` changed"]


def test_requires_grad_switched_elsewhere_is_named(again):
    _, step = _model_and_step()
    run = autograd.compile(step, strict=True)
    for _ in range(3):
        run(X)
    Tensor(np.ones(2)).requires_grad = True  # another tensor's: one count for the process
    run(X)
    assert len(again()) == 1 and "requires_grad was switched" in again()[0]


def test_a_closure_name_rebound_is_named(again):
    model = nn.Linear(3, 2, seed=0)
    opt = nn.SGD(model.parameters(), lr=0.1)

    def step(x):
        opt.zero_grad()
        model(Tensor(x)).sum().backward()
        opt.step()

    run = autograd.compile(step, strict=True)
    for _ in range(3):
        run(X)
    opt = nn.SGD(model.parameters(), lr=0.1)  # noqa: F841 (read by step, through its cell)
    run(X)
    assert again() == ["step records again: a closure cell (nonlocal name) of the step holds another object"]


def test_a_setting_changed_between_the_two_recordings_is_named(again):
    """The caller sets model.scale between the first and second call: the second recording read another value,
    so it becomes the first; the third confirms it."""

    class Scaled(nn.Module):
        def __init__(self):
            super().__init__()
            self.layer, self.scale = nn.Linear(3, 2, seed=0), 1.0

        def forward(self, x):
            return self.layer(x) * self.scale

    model = Scaled()
    run = autograd.compile(lambda x: model(Tensor(x)).sum().item(), strict=True)
    run(X)
    model.scale = 2.0
    assert [run(X) for _ in range(3)] == [model(Tensor(X)).sum().item()] * 3
    assert again() == ["<lambda> records again: `Scaled.scale` changed since the last recording"]


def test_a_layer_made_on_the_first_call_is_named(again):
    class Lazy(nn.Module):
        def forward(self, x):
            if not hasattr(self, "head"):  # made on the first call, kept after
                self.head = nn.Linear(3, 2, seed=0)
            return self.head(x)

    model = Lazy()
    run = autograd.compile(lambda x: model(Tensor(x)).sum().item(), strict=True)
    for _ in range(4):
        run(X)
    assert len(again()) == 1 and again()[0].startswith("<lambda> records again: the step changed a model's layers")


def test_a_method_shadowed_or_replaced_is_named(again):
    model, step = _model_and_step()
    run = autograd.compile(step, strict=True)
    for _ in range(3):
        run(X)
    model.forward = lambda x: nn.Linear.forward(model, x) * 2.0  # the object's own: shadows the class's
    for _ in range(3):
        run(X)
    nn.SGD.zero_grad, kept = (lambda self: kept(self)), nn.SGD.zero_grad  # the class's, replaced
    try:
        run(X)
        run(X)
    finally:
        nn.SGD.zero_grad = kept
    assert again()[0] == "step records again: a method it ran was replaced or shadowed: forward"
    assert again()[-1] == "step records again: a method it ran was replaced or shadowed: zero_grad"
