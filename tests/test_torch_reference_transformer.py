"""nn.TransformerEncoderLayer and nn.TransformerEncoder against torch's, float64 and float32, with torch's
weights loaded by their names (tests/module_reference.py): outputs and the gradients of the input, of float
masks and of every parameter, post-norm and norm_first, seq-first and batch_first, batched and unbatched,
relu, gelu and callable activations, boolean and float masks of both shapes, key padding masks (a sequence
all padding too), the causal mask with is_causal, no bias, eval mode with dropout set; and what torch's
fast path under no_grad gives instead (zeros at padded positions), which is not matched."""

import numpy as np
import pytest
from module_reference import TORCH_DTYPE, compare
from torch_reference import DTYPES, torch

import nn

RNG = np.random.default_rng(0)
D_MODEL, NHEAD, FEEDFORWARD, S, N = 8, 2, 12, 5, 3

# (constructor options, batch (None: unbatched), the masks: name -> kind, forward options)
CASES = {
    "post-norm": ({}, N, {}, {}),
    "norm_first": ({"norm_first": True}, N, {}, {}),
    "batch_first, gelu": ({"batch_first": True, "activation": "gelu"}, N, {}, {}),
    "a Module activation": ({"activation": "Module"}, N, {}, {}),
    "a function activation": ({"activation": "function"}, N, {}, {}),
    "bool masks": ({}, N, {"src_mask": "bool", "src_key_padding_mask": "bool"}, {}),
    "float 3-d mask, batch_first": ({"batch_first": True}, N, {"src_mask": "float 3-d"}, {}),
    "float padding mask, norm_first": ({"norm_first": True}, N, {"src_key_padding_mask": "float"}, {}),
    "causal, is_causal": ({}, N, {"src_mask": "causal"}, {"is_causal": True}),
    "a sequence all padding": ({"batch_first": True}, N, {"src_key_padding_mask": "all padding"}, {}),
    "unbatched, masks": ({}, None, {"src_mask": "bool", "src_key_padding_mask": "bool"}, {}),
    "no bias": ({"bias": False, "norm_first": True}, N, {"src_mask": "float"}, {}),
    "eval, dropout 0.3": ({"dropout": 0.3, "eval": True}, N, {"src_key_padding_mask": "bool"}, {}),
}


def _activations(kind):
    """(ours, torch's) for an activation option that is no name."""
    if kind == "Module":
        return nn.GELU(approximate="tanh"), torch.nn.GELU(approximate="tanh")
    return nn.functional.silu, torch.nn.functional.silu


def _masks(masks, batch, dtype):
    """The masks a case asks for (True: masked out), none masking a whole row unless asked."""
    made = {}
    lead = () if batch is None else (batch,)
    for name, kind in masks.items():
        if name == "src_key_padding_mask":
            shape = (*lead, S)
        else:
            shape = (NHEAD * (batch or 1), S, S) if kind.endswith("3-d") else (S, S)
        if kind == "causal":
            made[name] = np.triu(np.ones((S, S), bool), 1)
        elif kind == "all padding":
            made[name] = np.zeros(shape, bool)
            made[name][0, 2:] = made[name][1] = True  # the second sequence is all padding
        elif kind.startswith("bool"):
            made[name] = RNG.random(shape) < 0.4
            made[name][..., 0] = False
        else:
            made[name] = RNG.standard_normal(shape).astype(dtype)
    return made


def _pair(options, dtype):
    """(ours, torch's) layers built alike, dropout 0 unless the case sets it (then both in eval mode)."""
    options = {"dropout": 0.0, **options}
    evaluated = options.pop("eval", False)
    ours_options, theirs_options = dict(options), dict(options)
    if options.get("activation") in ("Module", "function"):
        ours_options["activation"], theirs_options["activation"] = _activations(options["activation"])
    shape = (D_MODEL, NHEAD, FEEDFORWARD)
    ours = nn.TransformerEncoderLayer(*shape, dtype=dtype, **ours_options)
    theirs = torch.nn.TransformerEncoderLayer(*shape, dtype=TORCH_DTYPE[np.dtype(dtype)], **theirs_options)
    if evaluated:
        ours.eval(), theirs.eval()
    return ours, theirs


def _source(batch, batch_first, dtype):
    shape = (S, D_MODEL) if batch is None else ((batch, S, D_MODEL) if batch_first else (S, batch, D_MODEL))
    return RNG.standard_normal(shape).astype(dtype)


@pytest.mark.filterwarnings("ignore:Support for mismatched")  # torch's, for a bool mask beside a float one
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", CASES)
def test_encoder_layer_agrees_with_torch(case, dtype):
    options, batch, masks, forward = CASES[case]
    ours, theirs = _pair(options, dtype)
    made = _masks(masks, batch, dtype)
    names = list(made)
    arrays = [_source(batch, options.get("batch_first", False), dtype), *made.values()]

    def call(m, src, *given):
        return m(src, **dict(zip(names, given, strict=True)), **forward)

    compare(ours, theirs, arrays, call, dtype, case)


ENCODER_CASES = {
    "two layers and a norm, masks": ({}, True, {"src_mask": "bool", "src_key_padding_mask": "bool"}, {}),
    "norm_first, batch_first, causal": ({"norm_first": True, "batch_first": True}, False, {"src_mask": "causal"}, {}),
    "causal said": ({}, False, {"src_mask": "causal"}, {"is_causal": True}),
}


@pytest.mark.filterwarnings("ignore:enable_nested_tensor is True")  # torch's, for a layer it cannot nest
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", ENCODER_CASES)
def test_encoder_agrees_with_torch(case, dtype):
    options, normed, masks, forward = ENCODER_CASES[case]
    ours_layer, theirs_layer = _pair(options, dtype)
    torch_dtype = TORCH_DTYPE[np.dtype(dtype)]
    ours = nn.TransformerEncoder(ours_layer, 2, norm=nn.LayerNorm(D_MODEL, dtype=dtype) if normed else None)
    theirs = torch.nn.TransformerEncoder(
        theirs_layer, 2, norm=torch.nn.LayerNorm(D_MODEL, dtype=torch_dtype) if normed else None
    )
    for p in theirs.parameters():  # each layer its own weights: a copy's gradient in another's place would show
        p.data += torch.tensor(RNG.standard_normal(tuple(p.shape)) * 0.1, dtype=torch_dtype)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    made = _masks(masks, N, dtype)
    arrays = [_source(N, options.get("batch_first", False), dtype), *made.values()]
    compare(ours, theirs, arrays, lambda m, src, *given: m(src, *given, **forward), dtype, case)


@pytest.mark.filterwarnings("ignore:The PyTorch API of nested tensors")
def test_torchs_fast_path_under_no_grad_zeroes_padded_positions_which_is_not_matched():
    # torch in eval under no_grad packs a padded batch into a nested tensor: exactly 0 at padded positions; the
    # other positions agree with its autograd path, and with ours, which computes every position alike
    theirs_layer = torch.nn.TransformerEncoderLayer(D_MODEL, NHEAD, FEEDFORWARD, batch_first=True, dtype=torch.float64)
    theirs = torch.nn.TransformerEncoder(theirs_layer, 2).eval()
    made = nn.TransformerEncoderLayer(D_MODEL, NHEAD, FEEDFORWARD, batch_first=True, dtype=np.float64)
    ours = nn.TransformerEncoder(made, 2).eval()
    nn.export.from_torch_state_dict(ours, theirs.state_dict())
    x = RNG.standard_normal((N, S, D_MODEL))
    padding = np.zeros((N, S), bool)
    padding[0, 3:] = padding[2, 1:] = True
    with torch.no_grad():
        fast = theirs(torch.tensor(x), src_key_padding_mask=torch.tensor(padding)).numpy()
    slow = theirs(torch.tensor(x), src_key_padding_mask=torch.tensor(padding)).detach().numpy()
    got = ours(x, src_key_padding_mask=padding).data
    assert np.all(fast[padding] == 0) and not np.any(slow[padding] == 0)
    np.testing.assert_allclose(got, slow, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(got[~padding], fast[~padding], rtol=1e-12, atol=1e-12)
