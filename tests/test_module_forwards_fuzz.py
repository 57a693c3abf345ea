"""The fuzzer of public callables (tests/public_callables_fuzz.py) on the module forwards it found no valid call for
(F1's run: 49 forwards without a baseline): each given one bad argument at a time, the others valid, returns or
raises one error of the right type naming the layer's function, in chainrule's words, its inputs unchanged. Default
run: a share of the junk; `-m slow`: the whole catalogue (2,304 calls on 45 forwards, none wrong at RF1's fixes)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from public_callables_fuzz import FAST, JUNK, Call, outcome, slots

import autograd
import nn
from autograd import Tensor, Value


def _floats(*shape: int, grad: bool = False) -> Tensor:
    return Tensor(np.random.default_rng(0).uniform(0.1, 0.9, shape).astype(np.float32), requires_grad=grad)


def _signs(*shape: int) -> Tensor:
    return Tensor(np.where(np.arange(np.prod(shape)).reshape(shape) % 2, 1.0, -1.0))


def _pooled(pool: Any, *shape: int) -> list[Any]:
    return list(pool(_floats(*shape), 2, return_indices=True))


# each forward's module and valid inputs, and the names its refusals may give (the function it calls)
FORWARDS: dict[str, tuple[Any, tuple[str, ...]]] = {
    "AdaptiveAvgPool2d": (lambda: (nn.AdaptiveAvgPool2d(2), [_floats(1, 2, 4, 4)]), ("adaptive_avg_pool",)),
    "AdaptiveMaxPool3d": (lambda: (nn.AdaptiveMaxPool3d(2), [_floats(1, 2, 4, 4, 4)]), ("adaptive_max_pool",)),
    "AvgPool2d": (lambda: (nn.AvgPool2d(2), [_floats(1, 2, 4, 4)]), ("avg_pool",)),
    "MaxPool3d": (lambda: (nn.MaxPool3d(2), [_floats(1, 2, 4, 4, 4)]), ("max_pool",)),
    "Conv2d": (lambda: (nn.Conv2d(2, 3, 2), [_floats(1, 2, 4, 4)]), ("conv",)),
    "ConvTranspose2d": (lambda: (nn.ConvTranspose2d(2, 3, 2), [_floats(1, 2, 4, 4)]), ("conv_transpose",)),
    "BatchNorm2d": (lambda: (nn.BatchNorm2d(2), [_floats(2, 2, 3, 3)]), ("batch_norm",)),
    "InstanceNorm2d": (lambda: (nn.InstanceNorm2d(2), [_floats(1, 2, 3, 3)]), ("instance_norm",)),
    "GroupNorm": (lambda: (nn.GroupNorm(1, 2), [_floats(1, 2, 3, 3)]), ("group_norm",)),
    "Dropout2d": (lambda: (nn.Dropout2d(0.5), [_floats(1, 2, 3, 3)]), ("dropout",)),
    "Embedding": (lambda: (nn.Embedding(5, 3), [Tensor(np.array([0, 4, 2]))]), ("embedding",)),
    "GLU": (lambda: (nn.GLU(), [_floats(2, 4)]), ("glu",)),
    "PixelShuffle": (lambda: (nn.PixelShuffle(2), [_floats(1, 4, 2, 2)]), ("pixel_shuffle",)),
    "Upsample": (lambda: (nn.Upsample(scale_factor=2), [_floats(1, 1, 2, 2)]), ("interpolate",)),
    "Unfold": (lambda: (nn.Unfold(2), [_floats(1, 2, 4, 4)]), ("unfold",)),
    "Fold": (lambda: (nn.Fold((3, 3), 2), [_floats(1, 8, 4)]), ("fold",)),
    "MaxUnpool2d": (lambda: (nn.MaxUnpool2d(2), _pooled(autograd.max_pool2d, 1, 1, 4, 4)), ("max_unpool",)),
    "MultiheadAttention": (lambda: (nn.MultiheadAttention(4, 2), [_floats(3, 1, 4) for _ in range(3)]), ("attention",)),
    "CosineEmbeddingLoss": (
        lambda: (nn.CosineEmbeddingLoss(), [_floats(2, 3, grad=True), _floats(2, 3), _signs(2)]),
        ("cosine_embedding_loss",),
    ),
    "GaussianNLLLoss": (
        lambda: (nn.GaussianNLLLoss(), [_floats(2, 3, grad=True), _floats(2, 3), _floats(2, 3)]),
        ("gaussian_nll_loss",),
    ),
    "HingeEmbeddingLoss": (
        lambda: (nn.HingeEmbeddingLoss(), [_floats(2, 3, grad=True), _signs(2, 3)]),
        ("hinge_embedding_loss",),
    ),
    "MarginRankingLoss": (
        lambda: (nn.MarginRankingLoss(), [_floats(3, grad=True), _floats(3), _signs(3)]),
        ("margin_ranking_loss",),
    ),
    "MultiMarginLoss": (
        lambda: (nn.MultiMarginLoss(), [_floats(2, 3, grad=True), Tensor(np.array([0, 2]))]),
        ("multi_margin_loss",),
    ),
    "NLLLoss": (lambda: (nn.NLLLoss(), [_floats(2, 3, grad=True), Tensor(np.array([0, 2]))]), ("nll_loss",)),
    "SoftMarginLoss": (lambda: (nn.SoftMarginLoss(), [_floats(2, 3, grad=True), _signs(2, 3)]), ("soft_margin_loss",)),
    "TripletMarginLoss": (
        lambda: (nn.TripletMarginLoss(), [_floats(2, 3, grad=True), _floats(2, 3), _floats(2, 3)]),
        ("triplet_margin_loss",),
    ),
    "CTCLoss": (
        lambda: (
            nn.CTCLoss(),
            [_floats(3, 1, 3, grad=True), Tensor(np.array([[1, 2]])), Tensor(np.array([3])), Tensor(np.array([2]))],
        ),
        ("ctc_loss",),
    ),
    "GRU on a PackedSequence": (
        lambda: (nn.GRU(2, 3), [nn.utils.rnn.pack_sequence([_floats(3, 2), _floats(2, 2)]), _floats(1, 2, 3)]),
        ("GRU",),
    ),
    "MLP": (lambda: (nn.MLP(2, [3, 1]), [[Value(0.5), Value(-1.0)]]), ("MLP",)),
    "Neuron": (lambda: (nn.Neuron(2), [[Value(0.5), Value(-1.0)]]), ("Neuron",)),
}


def _call(make: Any) -> Call:
    def call() -> tuple[Any, list[Any], dict[str, Any]]:
        module, args = make()
        return module.forward, args, {}

    return call


CALLS = {name: _call(make) for name, (make, _) in FORWARDS.items()}
ALSO = {name: names for name, (_, names) in FORWARDS.items()}


def _check(name: str, junks: tuple[str, ...]) -> None:
    cases = [(place, junk) for place in slots(CALLS[name]) for junk in junks]
    wrong = [f"{place} <- {junk}: {why}" for place, junk in cases if (why := outcome(name, place, junk, CALLS, ALSO))]
    assert not wrong, f"{len(wrong)} of {len(cases)} calls:\n" + "\n".join(wrong[:40])


@pytest.mark.parametrize("name", sorted(CALLS))
def test_each_forward_returns_with_its_valid_inputs(name) -> None:
    fn, args, kwargs = CALLS[name]()
    fn(*args, **kwargs)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_a_share_of_the_junk_is_refused_by_each_forward_in_chainrules_words(name) -> None:
    _check(name, FAST)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CALLS))
def test_the_whole_catalogue_is_refused_by_each_forward_in_chainrules_words(name) -> None:
    _check(name, tuple(JUNK))
