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


T = 4  # the target's length, other than the source's S: a mask or an axis taken for another shows

# (constructor options, batch (None: unbatched), the masks: name -> (kind, queries, keys), forward options)
DECODER_CASES = {
    "post-norm, causal target, memory padding": (
        {}, N, {"tgt_mask": ("causal", T, T), "memory_key_padding_mask": ("bool", None, S)}, {"tgt_is_causal": True},
    ),
    "norm_first, batch_first, gelu, float masks": (
        {"norm_first": True, "batch_first": True, "activation": "gelu"}, N,
        {"memory_mask": ("float 3-d", T, S), "tgt_key_padding_mask": ("float", None, T)}, {},
    ),
    "unbatched, memory mask": ({}, None, {"memory_mask": ("bool", T, S), "tgt_mask": ("bool", T, T)}, {}),
    "no bias, a function activation": ({"bias": False, "activation": "function"}, N, {}, {}),
    "a Module activation": ({"activation": "Module"}, N, {"tgt_mask": ("bool", T, T)}, {}),
}  # fmt: skip
# torch's TransformerDecoder computes relu in place of a Module activation (see the test below): layers alone
STACKED = [(case, stacked) for case in DECODER_CASES for stacked in (False, True) if not (stacked and "Module" in case)]


def _decoder_masks(masks, batch, dtype):
    """The masks a decoder case asks for (True: masked out; no row all masked)."""
    made = {}
    for name, (kind, queries, keys) in masks.items():
        if queries is None:
            shape = (keys,) if batch is None else (batch, keys)
        else:
            shape = (NHEAD * (batch or 1), queries, keys) if kind.endswith("3-d") else (queries, keys)
        if kind == "causal":
            made[name] = np.triu(np.ones(shape, bool), 1)
        elif kind == "bool":
            made[name] = RNG.random(shape) < 0.4
            made[name][..., 0] = False
        else:
            made[name] = RNG.standard_normal(shape).astype(dtype)
    return made


def _decoder_pair(options, dtype):
    options = {"dropout": 0.0, **options}
    ours_options, theirs_options = dict(options), dict(options)
    if options.get("activation") in ("Module", "function"):
        ours_options["activation"], theirs_options["activation"] = _activations(options["activation"])
    shape = (D_MODEL, NHEAD, FEEDFORWARD)
    ours = nn.TransformerDecoderLayer(*shape, dtype=dtype, **ours_options)
    theirs = torch.nn.TransformerDecoderLayer(*shape, dtype=TORCH_DTYPE[np.dtype(dtype)], **theirs_options)
    return ours, theirs


def _sequence(length, batch, batch_first, dtype):
    shape = (
        (length, D_MODEL) if batch is None else ((batch, length, D_MODEL) if batch_first else (length, batch, D_MODEL))
    )
    return RNG.standard_normal(shape).astype(dtype)


@pytest.mark.filterwarnings("ignore:Support for mismatched")
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    ("case", "stacked"), STACKED, ids=[f"{c}, {'stacked' if s else 'a layer'}" for c, s in STACKED]
)
def test_decoder_agrees_with_torch(case, dtype, stacked):
    options, batch, masks, forward = DECODER_CASES[case]
    ours, theirs = _decoder_pair(options, dtype)
    if stacked:
        torch_dtype = TORCH_DTYPE[np.dtype(dtype)]
        ours = nn.TransformerDecoder(ours, 2, norm=nn.LayerNorm(D_MODEL, dtype=dtype))
        theirs = torch.nn.TransformerDecoder(theirs, 2, norm=torch.nn.LayerNorm(D_MODEL, dtype=torch_dtype))
        for p in theirs.parameters():  # each layer its own weights
            p.data += torch.tensor(RNG.standard_normal(tuple(p.shape)) * 0.1, dtype=torch_dtype)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    made = _decoder_masks(masks, batch, dtype)
    names = list(made)
    batch_first = options.get("batch_first", False)
    arrays = [_sequence(T, batch, batch_first, dtype), _sequence(S, batch, batch_first, dtype), *made.values()]

    def call(m, tgt, memory, *given):
        return m(tgt, memory, **dict(zip(names, given, strict=True)), **forward)

    compare(ours, theirs, arrays, call, dtype, case)


TRANSFORMER_CASES = {
    "seq-first, every mask": (
        {}, {"src_mask": ("bool", S, S), "tgt_mask": ("causal", T, T), "memory_mask": ("float", T, S),
             "src_key_padding_mask": ("bool", None, S), "memory_key_padding_mask": ("bool", None, S)},
    ),
    "batch_first, norm_first, padding": (
        {"batch_first": True, "norm_first": True}, {"tgt_key_padding_mask": ("bool", None, T)},
    ),
}  # fmt: skip


@pytest.mark.filterwarnings("ignore:enable_nested_tensor is True")
@pytest.mark.filterwarnings("ignore:Support for mismatched")
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", TRANSFORMER_CASES)
def test_transformer_agrees_with_torch(case, dtype):
    options, masks = TRANSFORMER_CASES[case]
    sizes = {"d_model": D_MODEL, "nhead": NHEAD, "num_encoder_layers": 2, "num_decoder_layers": 2}
    sizes.update(dim_feedforward=FEEDFORWARD, dropout=0.0, **options)
    ours = nn.Transformer(**sizes, dtype=dtype)
    theirs = torch.nn.Transformer(**sizes, dtype=TORCH_DTYPE[np.dtype(dtype)])
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    made = _decoder_masks(masks, N, dtype)
    names = list(made)
    batch_first = options.get("batch_first", False)
    arrays = [_sequence(S, N, batch_first, dtype), _sequence(T, N, batch_first, dtype), *made.values()]

    def call(m, src, tgt, *given):
        return m(src, tgt, **dict(zip(names, given, strict=True)))

    compare(ours, theirs, arrays, call, dtype, case)


def test_the_causal_mask_is_torchs():
    for dtype, torch_dtype in ((None, None), (np.float64, torch.float64)):
        ours = nn.Transformer.generate_square_subsequent_mask(5, dtype=dtype)
        theirs = torch.nn.Transformer.generate_square_subsequent_mask(5, dtype=torch_dtype)
        assert ours.dtype == np.dtype(str(theirs.dtype).removeprefix("torch."))
        np.testing.assert_array_equal(ours.data, theirs.numpy())


def test_torchs_decoder_copies_lose_a_module_activation_which_is_not_matched():
    # torch's TransformerDecoderLayer.__setstate__ sets activation = F.relu where the state's dict lacks it, which
    # it does for a Module (held among the submodules): its deep copies, TransformerDecoder's and Transformer's
    # layers, compute relu instead of the GELU given, without a word. Here each copy keeps the GELU
    theirs = torch.nn.TransformerDecoder(
        torch.nn.TransformerDecoderLayer(D_MODEL, NHEAD, activation=torch.nn.GELU()), 2
    )
    assert theirs.layers[0].activation is torch.nn.functional.relu
    ours = nn.TransformerDecoder(nn.TransformerDecoderLayer(D_MODEL, NHEAD, activation=nn.GELU()), 2)
    assert all(isinstance(layer.activation, nn.GELU) for layer in ours.layers)
    assert ours.layers[0].activation is not ours.layers[1].activation


@pytest.mark.filterwarnings("ignore:enable_nested_tensor is True")
def test_torchs_state_dict_loads_as_it_is_and_ours_loads_into_torch():
    sizes = {"d_model": D_MODEL, "nhead": NHEAD, "num_encoder_layers": 1, "num_decoder_layers": 2}
    theirs = torch.nn.Transformer(**sizes, dim_feedforward=FEEDFORWARD, dropout=0.0, dtype=torch.float64)
    ours = nn.Transformer(**sizes, dim_feedforward=FEEDFORWARD, dropout=0.0, dtype=np.float64, seed=0)
    ours.load_state_dict({name: t.numpy() for name, t in theirs.state_dict().items()})  # Module's own, no export
    src, tgt = RNG.standard_normal((S, N, D_MODEL)), RNG.standard_normal((T, N, D_MODEL))
    want = theirs(torch.tensor(src), torch.tensor(tgt)).detach().numpy()
    np.testing.assert_allclose(ours(src, tgt).data, want, rtol=1e-12, atol=1e-12)
    other = nn.Transformer(**sizes, dim_feedforward=FEEDFORWARD, dropout=0.0, dtype=np.float64, seed=1)
    theirs.load_state_dict({name: torch.tensor(a) for name, a in other.state_dict().items()})
    want = theirs(torch.tensor(src), torch.tensor(tgt)).detach().numpy()
    np.testing.assert_allclose(other(src, tgt).data, want, rtol=1e-12, atol=1e-12)
