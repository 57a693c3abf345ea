"""nn.TransformerEncoderLayer and nn.TransformerEncoder against torch.nn's 2.13 with copied weights: outputs and
every gradient (of sum(out * w), w fixed weights) over their options and masks, float64 and float32 (judged against
torch in float64 where the two differ, as tests/torch_reference.py judges); torch's eval-mode
fast path (another kernel, padded positions 0 in the encoder) on the positions that are not padding; and the
"Language modeling with nn.Transformer" tutorial's model trained 12 steps as ported (tests/ported_scripts.py)."""

import copy
import math

import numpy as np
import pytest
from ported_scripts import TORCH, TORCH_DTYPE, check_script, snapshot
from torch_reference import DTYPES, assert_close, torch, weights

import nn
from autograd import Tensor
from nn.export import from_torch_state_dict

pytestmark = pytest.mark.filterwarnings(
    "ignore:Support for mismatched key_padding_mask and attn_mask is deprecated",
    "ignore:enable_nested_tensor is True, but self.use_nested_tensor is False",
    "ignore:The PyTorch API of nested tensors is in prototype stage",  # torch's own, in eval mode
)
RNG = np.random.default_rng(0)
OPTIONS = {
    "post-norm relu": {},
    "pre-norm gelu": {"norm_first": True, "activation": "gelu"},
    "no bias, batch first": {"bias": False, "batch_first": True},
    "a function as activation, eps": {"activation": torch.nn.functional.silu, "layer_norm_eps": 1e-3},
}


def _pair(options, dtype, layers=None):
    ours_options = dict(options)
    if ours_options.get("activation") is torch.nn.functional.silu:
        ours_options["activation"] = nn.functional.silu
    torch.manual_seed(1)
    theirs = torch.nn.TransformerEncoderLayer(8, 2, 12, dropout=0.0, **options).to(TORCH_DTYPE[np.dtype(dtype)])
    ours = nn.TransformerEncoderLayer(8, 2, 12, dropout=0.0, **ours_options, dtype=dtype)
    if layers:
        theirs = torch.nn.TransformerEncoder(theirs, layers, norm=torch.nn.LayerNorm(8)).to(
            TORCH_DTYPE[np.dtype(dtype)]
        )
        ours = nn.TransformerEncoder(ours, layers, norm=nn.LayerNorm(8, dtype=dtype))
    return ours, theirs


def _numbers(t):
    return t.detach().numpy() if isinstance(t, torch.Tensor) else np.asarray(t.data if isinstance(t, Tensor) else t)


def compare(ours, theirs, x, call, dtype, where):
    """Outputs, the input's gradient and every parameter's (by torch's names) of `call(module, src)` agree."""
    from_torch_state_dict(ours, theirs.state_dict())
    exact = copy.deepcopy(theirs).double()

    def run(module, src):
        out = call(module, src)
        w = weights(tuple(out.shape), np.float64 if module is exact else x.dtype, 0)
        (out * (Tensor(w) if isinstance(out, Tensor) else torch.from_numpy(w))).sum().backward()
        grads = {f"d/d {k}": g for k, g in snapshot(module)["grads"].items()}
        return {"output": _numbers(out), "input grad": _numbers(src.grad), **grads}

    got = run(ours, Tensor(x, requires_grad=True))
    want = run(theirs, torch.tensor(x, requires_grad=True))
    truth = run(exact, torch.tensor(x.astype(np.float64), requires_grad=True)) if dtype == np.float32 else None
    assert got.keys() == want.keys(), where
    for key, b in want.items():
        judge = None if truth is None else (lambda key=key: truth[key])
        assert_close(key, np.asarray(got[key]).astype(dtype), b.astype(dtype), dtype, where, judge)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", OPTIONS)
@pytest.mark.parametrize("masks", ["none", "causal and padding"])
def test_a_layer_agrees_with_torchs(dtype, name, masks):
    ours, theirs = _pair(OPTIONS[name], dtype)
    batch_first = OPTIONS[name].get("batch_first", False)
    x = RNG.standard_normal((3, 5, 8) if batch_first else (5, 3, 8)).astype(dtype)
    causal = np.triu(np.ones((5, 5), bool), 1)
    padding = np.zeros((3, 5), bool)
    padding[1, 3:] = True

    def call(layer, src):
        if masks == "none":
            return layer(src)
        wrap = Tensor if isinstance(layer, nn.Module) else torch.from_numpy
        return layer(src, src_mask=wrap(causal), src_key_padding_mask=wrap(padding), is_causal=True)

    compare(ours, theirs, x, call, dtype, f"TransformerEncoderLayer {name}, masks {masks}")


@pytest.mark.parametrize("dtype", DTYPES)
def test_an_encoder_of_two_layers_and_a_norm_agrees_with_torchs(dtype):
    ours, theirs = _pair({"batch_first": True, "norm_first": True}, dtype, layers=2)
    assert [n for n in theirs.state_dict()] == list(nn.export.to_torch_state_dict(ours))
    x = RNG.standard_normal((2, 6, 8)).astype(dtype)
    compare(ours, theirs, x, lambda layer, src: layer(src), dtype, "TransformerEncoder of 2 layers")


def test_eval_mode_agrees_with_torchs_fast_path_off_the_padding():
    """torch in eval mode without a graph runs its fused kernel and, in the encoder, nested tensors that give 0
    where src_key_padding_mask hides a position; elsewhere the numbers are the same."""
    ours, theirs = _pair({"batch_first": True}, np.float64, layers=2)
    from_torch_state_dict(ours, theirs.state_dict())
    ours.eval(), theirs.eval()
    x = RNG.standard_normal((3, 6, 8))
    padding = np.zeros((3, 6), bool)
    padding[0, 4:] = padding[2, 2:] = True
    with torch.no_grad():
        want = theirs(torch.from_numpy(x), src_key_padding_mask=torch.from_numpy(padding)).numpy()
    got = ours(Tensor(x), src_key_padding_mask=Tensor(padding)).data
    assert np.all(want[padding] == 0)  # torch's nested tensors: the padding's outputs are 0
    np.testing.assert_allclose(got[~padding], want[~padding], rtol=1e-12, atol=1e-12)


def test_the_feed_forward_layers_are_torchs_linear_in_layout_and_init():
    # the arguments' errors and the copies' independence: tests/test_transformer.py
    layer = nn.TransformerEncoderLayer(8, 2, 16, seed=0)
    for linear, fan_in in ((layer.linear1, 8), (layer.linear2, 16)):
        assert linear.weight.shape == (linear.bias.shape[0], fan_in)  # torch's (out_features, in_features)
        for p in (linear.weight, linear.bias):  # torch's Linear init: uniform within +-1/sqrt(in_features)
            assert np.abs(p.data).max() <= 1 / math.sqrt(fan_in) and np.abs(p.data).max() > 0.5 / math.sqrt(fan_in)


def _language_model(ns):
    n = ns.nn

    class PositionalEncoding(n.Module):
        def __init__(self, d_model, max_len=16):
            super().__init__()
            position = np.arange(max_len)[:, None]
            div_term = np.exp(np.arange(0, d_model, 2) * (-math.log(10000.0) / d_model))
            pe = np.zeros((max_len, 1, d_model))
            pe[:, 0, 0::2], pe[:, 0, 1::2] = np.sin(position * div_term), np.cos(position * div_term)
            self.register_buffer("pe", ns.tensor(pe) if ns.torch else pe)

        def forward(self, x):
            return x + self.pe[: x.size(0)]

    class TransformerModel(n.Module):
        def __init__(self, ntoken=13, d_model=8, nhead=2, d_hid=16, nlayers=2):
            super().__init__()
            self.pos_encoder = PositionalEncoding(d_model)
            self.transformer_encoder = n.TransformerEncoder(
                n.TransformerEncoderLayer(d_model, nhead, d_hid, 0.0), nlayers
            )
            self.embedding = n.Embedding(ntoken, d_model)
            self.d_model = d_model
            self.linear = n.Linear(d_model, ntoken)

        def forward(self, src, src_mask):
            src = self.pos_encoder(self.embedding(src) * math.sqrt(self.d_model))
            return self.linear(self.transformer_encoder(src, src_mask))

    return TransformerModel()


def language_model_script(ns, dt, load, record):
    """The tutorial's loop: SGD (lr=0.5 here, the tutorial's 5.0 on its larger model), StepLR(1.0, gamma=0.95),
    clip_grad_norm_(0.5), the causal float mask."""
    model = load("model", _language_model(ns).to(TORCH_DTYPE[np.dtype(dt)] if ns.torch else dt))
    opt = ns.optim.SGD(model.parameters(), lr=0.5)
    sched = ns.sched.StepLR(opt, 1.0, gamma=0.95)
    data = np.random.default_rng(2).integers(0, 13, (13, 8, 4))
    mask = np.triu(np.full((7, 7), -np.inf), 1).astype(dt)  # nn.Transformer.generate_square_subsequent_mask(7)
    model.train()
    for batch in range(12):
        src, target = data[batch, :7], data[batch, 1:]
        output = model(ns.tensor(src), ns.tensor(mask))
        loss = ns.F.cross_entropy(output.view(-1, 13), ns.tensor(target).reshape(-1))
        opt.zero_grad()
        loss.backward()
        ns.utils.clip_grad_norm_(model.parameters(), 0.5)
        record("loss", loss.item(), model)
        opt.step()
        if batch % 4 == 3:
            sched.step()
    model.eval()
    with ns.no_grad():
        record("eval logits", model(ns.tensor(data[12, :7]), ns.tensor(mask)), model)


def test_the_language_modeling_tutorial_follows_torchs_steps():
    check_script(language_model_script, {"model": lambda: _language_model(TORCH).double()}, seed=3)
