"""A training step through each recurrent layer and cell under autograd.compile replays with eager's
numbers, bit for bit, strictly: the input's share of the gates taken over the whole sequence and cut
into steps, the weights fed back transposed once, sigmoid's and tanh's kernels, a loop over cells."""

import numpy as np
import pytest
from compile_faithful_cases import check_replayed

import nn
from autograd import Tensor

CALLS = 5
_RNG = np.random.default_rng(29)
SEQUENCES = [_RNG.standard_normal((6, 2, 3)) for _ in range(CALLS)]

LAYERS = {
    "LSTM": lambda: nn.LSTM(3, 4, seed=0, dtype=np.float64),
    "LSTM stacked, bidirectional, projected": lambda: nn.LSTM(
        3, 4, num_layers=2, bidirectional=True, proj_size=2, seed=0, dtype=np.float64
    ),
    "LSTM float32": lambda: nn.LSTM(3, 4, seed=0, dtype=np.float32),
    "GRU stacked, batch first": lambda: nn.GRU(3, 4, num_layers=2, batch_first=True, seed=0, dtype=np.float64),
    "RNN relu, bidirectional": lambda: nn.RNN(3, 4, nonlinearity="relu", bidirectional=True, seed=0, dtype=np.float64),
}
CELLS = {
    "LSTMCell": lambda: nn.LSTMCell(3, 4, seed=0, dtype=np.float64),
    "GRUCell": lambda: nn.GRUCell(3, 4, seed=0, dtype=np.float64),
    "RNNCell": lambda: nn.RNNCell(3, 4, seed=0, dtype=np.float64),
}


def _trained(compile, model, run_model):
    opt = nn.Adam(model.parameters(), lr=0.05)

    def step(x):
        opt.zero_grad()
        loss = (run_model(model, x) ** 2).mean()
        loss.backward()
        opt.step()
        return loss.item()

    run, dtype = compile(step), model.parameters()[0].dtype
    return [(run(Tensor(x.astype(dtype))), [p.data.copy() for p in model.parameters()]) for x in SEQUENCES]


def _layer_output(layer, x):
    out, _ = layer(x)
    return out


def _cells_last_state(cell, x):
    state = None
    for x_t in x.unbind(0):
        state = cell(x_t, state)
    return state[0] if isinstance(state, tuple) else state


@pytest.mark.parametrize("name", LAYERS)
def test_a_step_through_each_recurrent_layer_replays_eager_s_numbers(name, monkeypatch):
    check_replayed(lambda compile: _trained(compile, LAYERS[name](), _layer_output), monkeypatch, CALLS - 2)


@pytest.mark.parametrize("name", CELLS)
def test_a_step_through_a_loop_over_each_cell_replays_eager_s_numbers(name, monkeypatch):
    check_replayed(lambda compile: _trained(compile, CELLS[name](), _cells_last_state), monkeypatch, CALLS - 2)
