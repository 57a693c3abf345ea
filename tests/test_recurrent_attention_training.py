"""The recurrent layers and attention in use: saved and loaded (nn.save, both formats), carried to
torch.nn by nn.export, compiled (autograd.compile: eager's numbers, replayed where the masks stay the
same), and their gradients checked by finite differences in float64. nn.fit training a GRU, an LSTM and
an RNN on a sequence task (the sum of a sequence): tests/test_example_sequence_sum.py, through
examples/sequence_sum.py."""

import numpy as np
import pytest
from compile_faithful_cases import check_replayed

import autograd
import nn
import nn.functional as F
from autograd import Tensor

pytestmark = pytest.mark.filterwarnings("ignore:LSTM with projections is not supported with oneDNN")  # torch's own

# each built from a namespace, nn or torch.nn (seed=: chainrule's only)
BUILDS = {
    "LSTM": lambda m, **seed: m.LSTM(3, 4, 2, bidirectional=True, proj_size=2, **seed),
    "GRU": lambda m, **seed: m.GRU(3, 4, batch_first=True, bias=False, **seed),
    "RNN": lambda m, **seed: m.RNN(3, 4, 2, "relu", **seed),
    "LSTMCell": lambda m, **seed: m.LSTMCell(3, 4, **seed),
    "MultiheadAttention": lambda m, **seed: m.MultiheadAttention(4, 2, add_bias_kv=True, kdim=3, vdim=3, **seed),
}
INPUTS = {"LSTMCell": ((2, 3),), "MultiheadAttention": ((5, 2, 4), (6, 2, 3), (6, 2, 3))}


def _inputs(name):
    return [np.random.default_rng(1).standard_normal(s).astype(np.float32) for s in INPUTS.get(name, ((5, 2, 3),))]


def _flat(out):
    """The tensors of a call's result, (output, (h, c)) walked."""
    if isinstance(out, tuple):
        return [t for item in out for t in _flat(item)]
    return [out]


@pytest.mark.parametrize("suffix", [".npz", ".safetensors"])
@pytest.mark.parametrize("name", BUILDS)
def test_save_and_load_give_back_every_parameter_and_output(name, suffix, tmp_path):
    if suffix == ".safetensors":
        pytest.importorskip("safetensors")
    saved, loaded = BUILDS[name](nn, seed=0), BUILDS[name](nn, seed=1)
    nn.save(saved, tmp_path / f"model{suffix}")
    nn.load(loaded, tmp_path / f"model{suffix}")
    for a, b in zip(_flat(saved(*_inputs(name))), _flat(loaded(*_inputs(name))), strict=True):
        assert np.array_equal(a.data, b.data)


@pytest.mark.parametrize("name", BUILDS)
def test_torch_loads_the_state_dict_strictly_and_computes_the_same(name):
    torch = pytest.importorskip("torch")
    from nn.export import to_torch_state_dict  # noqa: PLC0415 (needs torch, skipped without)

    ours, theirs = BUILDS[name](nn, seed=0), BUILDS[name](torch.nn)
    theirs.load_state_dict(to_torch_state_dict(ours, as_tensors=True), strict=True)
    expected = _flat(theirs(*(torch.tensor(a) for a in _inputs(name))))
    for a, b in zip(_flat(ours(*_inputs(name))), expected, strict=True):
        np.testing.assert_allclose(a.data, b.detach().numpy(), rtol=1e-5, atol=1e-6)


def _sequence_step(make_model, masks, calls=6):
    """A scenario for compile_faithful_cases: SGD steps of a model on batches (and masks) of `calls` calls."""

    def scenario(compile):
        autograd.manual_seed(0)  # the dropout masks: the same draws eagerly and compiled
        model = make_model()
        opt = nn.SGD(model.parameters(), lr=0.1)

        def step(x, y, mask):
            opt.zero_grad()
            loss = F.mse_loss(model(x, mask), y)
            loss.backward()
            opt.step()
            return loss

        step, rng = compile(step), np.random.default_rng(1)
        losses = [
            step(Tensor(rng.standard_normal((3, 5, 4))), Tensor(rng.standard_normal((3, 1))), masks(i))
            for i in range(calls)
        ]
        return [float(loss.data) for loss in losses] + [p.data.copy() for p in model.parameters()]

    return scenario


class Reader(nn.Module):
    """(batch, seq_len, 4) to one number: a recurrent layer, or attention with a key padding mask."""

    def __init__(self, kind):
        self.kind = kind
        if kind == "attention":
            self.body = nn.MultiheadAttention(4, 2, dropout=0.2, batch_first=True, dtype=np.float64, seed=0)
        else:
            self.body = getattr(nn, kind)(
                4, 3, 2, bidirectional=True, dropout=0.3, batch_first=True, dtype=np.float64, seed=0
            )
        self.head = nn.Linear(4 if kind == "attention" else 6, 1, dtype=np.float64, seed=1)

    def forward(self, x, mask):
        if self.kind == "attention":
            out, _ = self.body(x, x, x, key_padding_mask=mask)
            return self.head(out.mean(axis=1))
        return self.head(self.body(x)[0][:, -1])


PADDING = np.arange(5) >= np.array([[5], [3], [1]])  # three sequences of 5, 3 and 1 steps, padded to 5


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU", "attention"])
def test_compiled_steps_replay_with_eagers_numbers(kind, monkeypatch):
    """Dropout between layers and on the attention weights is drawn anew on each replay, as eagerly."""
    mask = PADDING if kind == "attention" else None  # the same on every call: replayed
    check_replayed(_sequence_step(lambda: Reader(kind), lambda i: mask), monkeypatch, replays_at_least=3)


def test_a_compiled_step_with_masks_that_change_replays_with_eagers_numbers(monkeypatch):
    """masked_fill takes its mask as a condition, made by ops (a reshape) from the step's input: such a step ran
    eagerly; each replay now makes the condition again from its input (autograd.compile's Entry.computed)."""
    rng = np.random.default_rng(2)
    masks = [rng.random((3, 5)) < 0.4 for _ in range(6)]
    for mask in masks:
        mask[:, 0] = False  # a key left to every query
    check_replayed(_sequence_step(lambda: Reader("attention"), masks.__getitem__), monkeypatch, replays_at_least=3)


class Tiny(nn.Module):
    """A tiny layer of `kind` and a head, for gradcheck_module: (seq_len, batch, 2) to (batch, 1)."""

    def __init__(self, kind):
        self.kind = kind
        if kind == "attention":
            self.body = nn.MultiheadAttention(2, 2, add_bias_kv=True, add_zero_attn=True, seed=0)
        else:
            self.body = getattr(nn, kind)(
                2, 3, 2, bidirectional=True, **({"proj_size": 2} if kind == "LSTM" else {}), seed=0
            )
        self.head = nn.Linear(2 if kind == "attention" else (4 if kind == "LSTM" else 6), 1, seed=1)

    def forward(self, x):
        if self.kind == "attention":
            out, weights = self.body(x, x, x, attn_mask=np.triu(np.ones((x.shape[0],) * 2, bool), 1))
            return self.head(out[-1]) + weights[..., 0].sum()  # the weights on the first key (they vary)
        out, _ = self.body(x)
        return self.head(out[-1])


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU", "attention"])
def test_gradients_agree_with_finite_differences_in_float64(kind):
    X = np.random.default_rng(3).standard_normal((3, 2, 2))
    y = np.random.default_rng(4).standard_normal((2, 1))
    assert nn.gradcheck_module(Tiny(kind), F.mse_loss, X, y, max_per_param=None)


def test_sdpa_gradients_agree_with_finite_differences_in_float64():
    rng = np.random.default_rng(5)
    q, k, v = rng.standard_normal((2, 3, 2)), rng.standard_normal((2, 4, 2)), rng.standard_normal((2, 4, 3))
    mask = rng.standard_normal((3, 4))
    assert autograd.gradcheck(lambda q, k, v, m: F.scaled_dot_product_attention(q, k, v, attn_mask=m), [q, k, v, mask])
    assert autograd.gradcheck(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True), [q, k, v])
