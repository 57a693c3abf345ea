"""RNN, LSTM, GRU and their cells against torch.nn's with the same weights, float64 and float32, over
random configurations (layers, directions, batch_first, unbatched input, given and default initial
states, projections, relu): every output and hidden state, and the gradients in every parameter and in
the input and initial states (tests/module_reference.py). Also the parameters' names, shapes and order,
which make a state dict map one to one, and PyTorch's initialisation."""

import numpy as np
import pytest
from module_reference import TORCH_DTYPE, compare
from torch_reference import DTYPES, torch

import nn
from nn.export import to_torch_state_dict

LAYERS = ("RNN", "LSTM", "GRU")
pytestmark = pytest.mark.filterwarnings("ignore:LSTM with projections is not supported with oneDNN")  # torch's own


def _configs(seed):
    """Random layer configurations, the same on every run: (class name, options, seq_len, batch or None)."""
    rng = np.random.default_rng(seed)
    for _ in range(4):
        name = LAYERS[rng.integers(3)]
        options = {
            "num_layers": int(rng.integers(1, 4)),
            "bias": bool(rng.random() < 0.8),
            "batch_first": bool(rng.integers(2)),
            "bidirectional": bool(rng.integers(2)),
        }
        if name == "RNN" and rng.random() < 0.5:
            options["nonlinearity"] = "relu"
        if name == "LSTM" and rng.random() < 0.5:
            options["proj_size"] = 2
        batch = None if rng.random() < 0.25 else int(rng.integers(1, 4))
        yield name, options, int(rng.integers(1, 5)), batch


CONFIGS = [c for seed in range(3) for c in _configs(seed)]


def _arrays(name, options, length, batch, dtype, with_state, seed):
    """The input and, `with_state`, the initial states, shaped as PyTorch wants them."""
    rng = np.random.default_rng(seed)
    hidden, features = 5, 3
    count = options["num_layers"] * (2 if options["bidirectional"] else 1)
    if batch is None:
        x_shape, lead = (length, features), (count,)
    else:
        x_shape = (batch, length, features) if options["batch_first"] else (length, batch, features)
        lead = (count, batch)
    arrays = [rng.standard_normal(x_shape).astype(dtype)]
    if with_state:
        arrays.append(rng.standard_normal((*lead, options.get("proj_size") or hidden)).astype(dtype))
        if name == "LSTM":
            arrays.append(rng.standard_normal((*lead, hidden)).astype(dtype))
    return arrays


def _call(module, x, h=None, c=None):
    return module(x, None if h is None else (h, c) if c is not None else h)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("with_state", [False, True])
@pytest.mark.parametrize("config", CONFIGS, ids=lambda c: f"{c[0]}-{c[1]}-L{c[2]}-N{c[3]}")
def test_layers_agree_with_torch(config, with_state, dtype):
    name, options, length, batch = config
    ours = getattr(nn, name)(3, 5, dtype=dtype, **options)
    theirs = getattr(torch.nn, name)(3, 5, dtype=TORCH_DTYPE[np.dtype(dtype)], **options)
    arrays = _arrays(name, options, length, batch, dtype, with_state, seed=length)
    compare(ours, theirs, arrays, _call, dtype, f"{name}({options}) on {arrays[0].shape}")


CELLS = {
    "RNNCell": {},
    "RNNCell relu, no bias": {"nonlinearity": "relu", "bias": False},
    "LSTMCell": {},
    "GRUCell": {},
    "GRUCell no bias": {"bias": False},
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("batch", [None, 1, 4])
@pytest.mark.parametrize("with_state", [False, True])
@pytest.mark.parametrize("case", CELLS)
def test_cells_agree_with_torch(case, with_state, batch, dtype):
    name, options = case.split()[0], CELLS[case]
    ours = getattr(nn, name)(3, 4, dtype=dtype, **options)
    theirs = getattr(torch.nn, name)(3, 4, dtype=TORCH_DTYPE[np.dtype(dtype)], **options)
    rng = np.random.default_rng(batch or 0)
    lead = () if batch is None else (batch,)
    arrays = [rng.standard_normal((*lead, 3)).astype(dtype)]
    if with_state:
        arrays += [rng.standard_normal((*lead, 4)).astype(dtype) for _ in range(2 if name == "LSTMCell" else 1)]
    compare(ours, theirs, arrays, _call, dtype, f"{case} on {arrays[0].shape}")


@pytest.mark.parametrize(
    "build",
    [
        lambda m: m.LSTM(3, 5, 2, bidirectional=True, proj_size=2),
        lambda m: m.GRU(4, 3, num_layers=3, bias=False),
        lambda m: m.RNN(2, 6, 2, batch_first=True),
        lambda m: m.LSTMCell(3, 4),
        lambda m: m.RNNCell(3, 4, False, "relu"),
    ],
)
def test_parameters_are_named_shaped_and_ordered_as_torchs(build):
    ours, theirs = build(nn), build(torch.nn)
    shapes = [(n, tuple(p.shape)) for n, p in ours.named_parameters()]
    assert shapes == [(n, tuple(p.shape)) for n, p in theirs.named_parameters()]
    assert list(to_torch_state_dict(ours)) == list(theirs.state_dict())
    assert repr(ours) == repr(theirs)


def test_an_rnn_shows_its_relu_which_torchs_repr_leaves_out():
    assert repr(nn.RNN(2, 6, 2, "relu")) == "RNN(2, 6, nonlinearity=relu, num_layers=2)"


@pytest.mark.parametrize("name", [*LAYERS, "RNNCell", "LSTMCell", "GRUCell"])
def test_initialisation_is_torchs_uniform_in_one_over_sqrt_hidden(name):
    hidden = 16
    model = getattr(nn, name)(8, hidden, seed=0)
    values = np.concatenate([p.data.ravel() for p in model.parameters()])
    bound = 1 / np.sqrt(hidden)
    assert values.dtype == np.float32 and np.abs(values).max() <= bound
    spread = bound / np.sqrt(3)  # a uniform draw's standard deviation; its mean's, over n draws, spread / sqrt(n)
    assert abs(values.std() / spread - 1) < 0.1 and abs(values.mean()) < 4 * spread / np.sqrt(values.size)
    assert np.array_equal(
        values, np.concatenate([p.data.ravel() for p in getattr(nn, name)(8, hidden, seed=0).parameters()])
    )


def test_dropout_between_layers_drops_in_training_only():
    """torch's draws differ from ours; what can agree: eval mode is dropout-free, and training with
    dropout changes the output of a stacked layer but not of its first layer's own states."""
    x = np.random.default_rng(0).standard_normal((4, 2, 3))
    lstm = nn.LSTM(3, 5, 2, dropout=0.5, dtype=np.float64, seed=0)
    plain = nn.LSTM(3, 5, 2, dtype=np.float64, seed=0)
    lstm.eval()
    assert np.array_equal(lstm(x)[0].data, plain(x)[0].data)
    lstm.train()
    (out, (h, c)), (out_plain, (h_plain, c_plain)) = lstm(x), plain(x)
    assert not np.allclose(out.data, out_plain.data)
    assert np.array_equal(h.data[0], h_plain.data[0]) and np.array_equal(c.data[0], c_plain.data[0])
