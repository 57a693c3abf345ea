"""A compiled evaluation under no_grad of a model whose layers take views of their parameters (a convolution's
weights reshaped, BatchNorm's weight and bias reshaped to (1, C)) ran eagerly, blaming "data made outside the
graph after reading numbers of its tensors": the view was noted as made by its op before its version count became
its parameter's (tensor_class links it after), so it looked changed since and was not made again. It replays now,
bit for bit with eager. So do the norm layers that read their variances to choose how to take their roots
(LayerNorm, GroupNorm, RMSNorm, InstanceNorm): they read them inside autograd.validate now, which each replay runs
again, where they ran eagerly blaming "a random mask drawn with numpy"."""

import warnings

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor
from nn import functional as F

REPLAYING = {
    "BatchNorm1d in eval mode": (lambda: nn.Sequential(nn.Linear(3, 4, seed=0), nn.BatchNorm1d(4)), (4, 3)),
    "Conv2d": (lambda: nn.Sequential(nn.Conv2d(1, 2, 3, seed=0), nn.Flatten()), (4, 1, 4, 4)),
    "Conv1d": (lambda: nn.Sequential(nn.Conv1d(2, 2, 3, seed=0), nn.Flatten()), (4, 2, 3)),
    "Conv2d and BatchNorm2d": (
        lambda: nn.Sequential(nn.Conv2d(1, 2, 3, seed=0), nn.BatchNorm2d(2), nn.Flatten()),
        (4, 1, 4, 4),
    ),
    "InstanceNorm1d": (
        lambda: nn.Sequential(nn.Conv1d(2, 2, 1, seed=0), nn.InstanceNorm1d(2), nn.Flatten()),
        (4, 2, 5),
    ),
    "LayerNorm": (lambda: nn.Sequential(nn.Linear(3, 4, seed=0), nn.LayerNorm(4)), (4, 3)),
    "GroupNorm": (lambda: nn.Sequential(nn.Linear(3, 4, seed=0), nn.GroupNorm(2, 4)), (4, 3)),
    "RMSNorm": (lambda: nn.Sequential(nn.Linear(3, 4, seed=0), nn.RMSNorm(4)), (4, 3)),
}


def _evaluate(make, shape, compiled):
    model = make().double()
    with autograd.no_grad():  # running statistics of a batch, then eval mode: a trained model's look
        model(Tensor(np.random.default_rng(5).normal(size=(8, *shape[1:]))))
    model.eval()

    def look(x, y):
        return F.cross_entropy(model(x), y).item()

    run = autograd.compile(look) if compiled else look
    rng = np.random.default_rng(0)
    batches = [(Tensor(rng.normal(size=shape)), Tensor(rng.integers(0, 2, shape[0]))) for _ in range(5)]
    with warnings.catch_warnings(record=True) as caught, autograd.no_grad():
        warnings.simplefilter("always")
        losses = [run(x, y) for x, y in batches]
    said = [str(w.message) for w in caught if issubclass(w.category, autograd.CompileWarning)]
    replayed = compiled and [r.program is not None for r in run.recordings.values()] == [True]
    return losses, said, replayed


@pytest.mark.parametrize("name", REPLAYING)
def test_an_evaluation_of_layers_viewing_their_parameters_replays(name):
    compiled, said, replayed = _evaluate(*REPLAYING[name], True)
    assert compiled == _evaluate(*REPLAYING[name], False)[0]
    assert replayed and not said
