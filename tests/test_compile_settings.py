"""A compiled step records again when a module's setting changes (autograd.guard_settings, through
which nn's modules call their forward): its numbers, text, small arrays and containers of them,
changed in place or replaced, as torch.compile guards a module's attributes. Before, a replay kept
the recorded graph: a loss's class weights changed in place, a convolution's stride or a pooling
size set anew gave the old numbers, silently (found by a helper's review)."""

import warnings

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor

X4 = Tensor(np.arange(64, dtype=np.float32).reshape(1, 1, 8, 8) / 64, requires_grad=True)  # a graph to record
X2, Y = Tensor(np.random.default_rng(0).normal(size=(4, 3)).astype(np.float32)), np.array([0, 1, 2, 1])


def weights_changed_in_place():
    weight = np.array([1.0, 2.0, 3.0])
    linear, loss = nn.Linear(3, 3, seed=0), nn.CrossEntropyLoss(weight=weight)
    return (lambda: loss(linear(X2), Y)), lambda: weight.__setitem__(0, 10.0)


def stride_set_anew():
    conv = nn.Conv2d(1, 2, 3, seed=0)
    return (lambda: conv(X4).sum()), lambda: setattr(conv, "stride", 2)


def pooling_size_set_anew():
    pool = nn.MaxPool2d(2)
    return (lambda: (pool(X4) * 1.5).sum()), lambda: setattr(pool, "kernel_size", 4)


def slope_set_anew():
    act = nn.LeakyReLU(0.1)
    return (lambda: act(X4 - 0.5).sum()), lambda: setattr(act, "negative_slope", 0.3)


def eps_set_anew():
    norm = nn.LayerNorm(8)
    return (lambda: (norm(X4) ** 2).sum()), lambda: setattr(norm, "eps", 0.5)


def smoothing_set_anew():
    linear, loss = nn.Linear(3, 3, seed=0), nn.CrossEntropyLoss()
    return (lambda: loss(linear(X2), Y)), lambda: setattr(loss, "label_smoothing", 0.3)


CHANGES = [
    weights_changed_in_place,
    stride_set_anew,
    pooling_size_set_anew,
    slope_set_anew,
    eps_set_anew,
    smoothing_set_anew,
]


@pytest.mark.parametrize("make", CHANGES, ids=[c.__name__ for c in CHANGES])
def test_a_changed_setting_records_again_and_gives_the_new_numbers(make):
    forward, change = make()
    compiled = autograd.compile(lambda: forward().item())
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # records again quietly, never gives up
        before = [compiled() for _ in range(4)]  # two recordings, two replays
        change()
        after = [compiled() for _ in range(4)]
    assert before == [before[0]] * 4
    assert after == [forward().item()] * 4 and after[0] != before[0]


class Counting(nn.Module):
    """A module that counts its calls: state it changes itself, not a setting."""

    def __init__(self) -> None:
        self.linear, self.calls, self.scale = nn.Linear(3, 3, seed=0), 0, 2.0

    def forward(self, x: Tensor) -> Tensor:
        self.calls += 1
        return self.linear(x) * self.scale


def test_state_a_module_changes_in_its_own_call_is_not_a_setting():
    model = Counting()
    compiled = autograd.compile(lambda x: model(x).sum(), strict=True)
    first = [compiled(X2).item() for _ in range(4)]
    assert first == [first[0]] * 4 and len(compiled.recordings) == 1  # replayed, though calls changed
    model.scale = 3.0  # a setting: recorded again
    assert compiled(X2).item() == pytest.approx(1.5 * first[0])


def test_settled_compares_by_value_and_nan_equals_itself():
    from autograd.compile_guards import settled

    assert settled(float("nan")) == settled(float("nan"))
    assert settled(0.0) != settled(-0.0)
    a = np.array([1.0, 2.0])
    snapshot = settled({"weight": a, "stride": (1, 1)})
    a[0] = 5.0
    assert settled({"weight": a, "stride": (1, 1)}) != snapshot
    assert settled([1, 2]) != settled((1, 2))
