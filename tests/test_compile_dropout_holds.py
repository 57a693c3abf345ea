"""What a compiled step's dropout keeps: its recorded draws (each mask drawn again on a replay) hold the layer's
settings and generator, never a tensor of the recorded step (the draw's input and, through it, the graph of the
recording would stay alive as long as the compiled step)."""

import gc

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor
from nn import functional as F

# an activation's shape found nowhere else in the test run
SHAPE = (37, 41)

DROPOUTS = {
    "Dropout": lambda: nn.Dropout(0.3),
    "Dropout1d": lambda: nn.Dropout1d(0.3, seed=1),
    "AlphaDropout": lambda: nn.AlphaDropout(0.3),
    "FeatureAlphaDropout": lambda: nn.FeatureAlphaDropout(0.3, seed=2),
    "dropout": lambda: lambda h: F.dropout(h, 0.3),
    "dropout1d": lambda: lambda h: F.dropout1d(h, 0.3),
    "alpha_dropout": lambda: lambda h: F.alpha_dropout(h, 0.3, True),
    "feature_alpha_dropout": lambda: lambda h: F.feature_alpha_dropout(h, 0.3, True),
}


def alive(shape):
    gc.collect()
    # type(o), not isinstance: that reads __class__, which some of torch's module proxies warn of
    return sum(1 for o in gc.get_objects() if issubclass(type(o), Tensor) and o.shape == shape)


@pytest.mark.parametrize("name", DROPOUTS)
def test_a_compiled_step_keeps_no_tensor_of_its_recording_in_its_draws(name):
    """The merge of the dropout functions' prologue (376e493f) drew the mask with a closure over x for its dtype:
    each recording kept 3 or 4 tensors of the activations' shape alive (nothing was kept before)."""
    dropout, lin = DROPOUTS[name](), nn.Linear(SHAPE[1], SHAPE[1], seed=0)

    @autograd.compile
    def step(x):
        y = dropout(lin(x) * 1.0)
        loss = (y * y).sum()
        loss.backward()
        return loss.item()

    x = np.ones(SHAPE, np.float32)
    losses = [step(x) for _ in range(3)]
    assert len(set(losses)) > 1  # replayed with a new mask each time
    assert alive(SHAPE) == 0
    del step
