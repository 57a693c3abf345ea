"""A buffer a compiled step takes as data (`Tensor(buf)`), guarded by identity so that one the caller fills
in place replays, is guarded by its shape and dtype too: set in place (`buf.shape = (2, 6)`), the
very same array holds other numbers where the replay read them (a view it made of the buffer when recorded),
and the replays went on with the recorded layout's numbers, without a warning."""

import types

import numpy as np
import pytest
from compile_faithful_cases import Runs

import autograd
import nn
from autograd import Tensor

BUFFER = np.zeros((4, 3))
BUFFERS = {"x": np.zeros((4, 3))}
HOLDER = types.SimpleNamespace(x=np.zeros((4, 3)))
LARGE = {"x": np.zeros((4, 3000))}  # no setting (past 10,000 numbers): as a buffer, by identity too
HELD = {  # where the step finds its buffer
    "a name": lambda: BUFFER,
    "a dict": lambda: BUFFERS["x"],
    "an object": lambda: HOLDER.x,
    "large": lambda: LARGE["x"],
}


def _losses(compiled, held, calls=8):
    """How many of `calls` SGD steps on the buffer's first 3 columns ran the step's Python, and their losses:
    the buffer filled before each call, its shape set in place from (4, n) to (2, 2n) before the sixth."""
    buffer = HELD[held]  # a cell of the step's: the function its code calls is followed
    start = buffer().shape
    batches = np.random.default_rng(0).normal(size=(calls, *start))
    model = nn.Linear(3, 2, seed=0).double()
    opt = nn.SGD(model.parameters(), lr=0.01)

    ran = Runs()

    def step():
        ran.append(1)
        opt.zero_grad()
        loss = (model(Tensor(buffer())[:, :3]) ** 2).sum()
        loss.backward()
        opt.step()
        return loss

    run = autograd.compile(step, strict=True) if compiled else step
    losses = []
    try:
        for i in range(calls):
            if i == 5:
                buffer().shape = (2, 2 * start[1])
            buffer()[...] = batches[i].reshape(buffer().shape)
            losses.append(run().item())
    finally:
        buffer().shape = start
    return len(ran), losses


@pytest.mark.parametrize("held", HELD)
def test_a_buffer_reshaped_in_place_records_again(held):
    runs, losses = _losses(True, held)
    assert runs == 4, "recorded twice for each shape, replayed between"
    assert losses == _losses(False, held)[1]
