"""nn.TransformerEncoderLayer and nn.TransformerEncoder beyond the comparison with torch
(tests/test_torch_reference_transformer.py): a torch-named state dict, deep copies of the layer, seeds,
dropout in training, a compiled training step that replays, nn.save, and the errors, each naming the argument
and the fix."""

import numpy as np
import pytest
from compile_faithful_cases import check_replayed

import autograd
import nn
from autograd import ShapeError, Tensor

TORCH_NAMES = [
    "self_attn.in_proj_weight",
    "self_attn.in_proj_bias",
    "self_attn.out_proj.weight",
    "self_attn.out_proj.bias",
    "linear1.weight",
    "linear1.bias",
    "linear2.weight",
    "linear2.bias",
    "norm1.weight",
    "norm1.bias",
    "norm2.weight",
    "norm2.bias",
]


def test_parameters_are_torchs_names_and_shapes_and_the_copies_are_independent():
    layer = nn.TransformerEncoderLayer(8, 2, 16, seed=0)
    state = layer.state_dict()
    assert list(state) == TORCH_NAMES and state["linear1.weight"].shape == (16, 8)
    assert nn.TransformerEncoderLayer(8, 2, bias=False).state_dict().keys() == {
        "self_attn.in_proj_weight", "self_attn.out_proj.weight", "linear1.weight", "linear2.weight",
        "norm1.weight", "norm2.weight",
    }  # fmt: skip
    encoder = nn.TransformerEncoder(layer, 3, norm=nn.LayerNorm(8))
    names = [name for name, _ in encoder.named_parameters()]
    assert names == [f"layers.{i}.{n}" for i in range(3) for n in TORCH_NAMES] + ["norm.weight", "norm.bias"]
    first, second = encoder.layers[0].linear1.weight, encoder.layers[1].linear1.weight
    assert first is not second and first is not layer.linear1.weight and np.array_equal(first.data, second.data)
    assert encoder.num_layers == 3 and len(nn.TransformerEncoder(layer, 0).parameters()) == 0
    a, b = nn.TransformerEncoderLayer(8, 2, 16, seed=3), nn.TransformerEncoderLayer(8, 2, 16, seed=3)
    assert all(np.array_equal(p.data, q.data) for p, q in zip(a.parameters(), b.parameters(), strict=True))


def test_the_decoder_and_transformer_have_torchs_names_and_xavier_matrices():
    layer = nn.TransformerDecoderLayer(8, 2, 16, seed=0)
    names = list(layer.state_dict())
    assert names[:4] == TORCH_NAMES[:4] and names[4:8] == [n.replace("self_attn", "multihead_attn") for n in names[:4]]
    assert names[8:] == TORCH_NAMES[4:] + ["norm3.weight", "norm3.bias"]
    model = nn.Transformer(8, 2, 2, 1, 16, seed=0)
    names = [name for name, _ in model.named_parameters()]
    assert names[0] == "encoder.layers.0.self_attn.in_proj_weight" and "encoder.norm.weight" in names
    assert names[-2:] == ["decoder.norm.weight", "decoder.norm.bias"] and len(names) == 2 * 12 + 2 + 18 + 2
    for name, p in model.named_parameters():  # torch's _reset_parameters: every matrix Xavier-uniform, drawn anew
        if p.ndim > 1:
            assert np.abs(p.data).max() <= np.sqrt(6 / sum(p.shape)), name
    first, second = (model.encoder.layers[i].linear1.weight.data for i in range(2))
    assert not np.array_equal(first, second)
    mask = nn.Transformer.generate_square_subsequent_mask(3)
    assert mask.dtype == np.float32 and np.array_equal(mask.data, [[0, -np.inf, -np.inf], [0, 0, -np.inf], [0, 0, 0]])
    assert nn.Transformer.generate_square_subsequent_mask(0).shape == (0, 0)  # torch's empty mask
    with pytest.raises(ValueError, match="sz must be an int of at least 0, got -1"):
        nn.Transformer.generate_square_subsequent_mask(-1)
    with pytest.raises(ShapeError, match="src and tgt must have one batch size"):
        model(np.zeros((5, 2, 8), np.float32), np.zeros((4, 3, 8), np.float32))


def test_dropout_draws_in_training_and_not_in_eval():
    layer = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.5, seed=0)
    x = np.random.default_rng(0).standard_normal((4, 2, 8)).astype(np.float32)
    assert not np.allclose(layer(x).data, layer(x).data)
    layer.eval()
    assert np.array_equal(layer(x).data, layer(x).data)
    unbatched = layer(x[:, 0]).data
    np.testing.assert_allclose(unbatched, layer(x).data[:, 0], rtol=1e-6, atol=1e-6)


def test_a_compiled_training_step_replays(monkeypatch):
    def scenario(compile):
        autograd.manual_seed(0)
        layer = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.1, batch_first=True, dtype=np.float64, seed=1)
        model = nn.TransformerEncoder(layer, 2)
        opt = nn.Adam(model.parameters(), lr=1e-2)
        rng = np.random.default_rng(2)
        padding = np.zeros((3, 5), bool)
        padding[0, 3:] = True

        def step(x, y):
            opt.zero_grad()
            loss = nn.functional.mse_loss(model(x, src_key_padding_mask=padding), y)
            loss.backward()
            opt.step()
            return loss.item()

        run = compile(step)
        out = [run(Tensor(rng.standard_normal((3, 5, 8))), rng.standard_normal((3, 5, 8))) for _ in range(5)]
        return out, [p.data.copy() for p in model.parameters()]

    check_replayed(scenario, monkeypatch, replays_at_least=2)


def test_a_compiled_sequence_to_sequence_step_replays(monkeypatch):
    def scenario(compile):
        autograd.manual_seed(0)
        model = nn.Transformer(8, 2, 1, 1, 16, dropout=0.1, batch_first=True, dtype=np.float64, seed=1)
        opt = nn.SGD(model.parameters(), lr=1e-2)
        rng = np.random.default_rng(2)
        causal = nn.Transformer.generate_square_subsequent_mask(4, dtype=np.float64)

        def step(src, tgt, y):
            opt.zero_grad()
            loss = nn.functional.mse_loss(model(src, tgt, tgt_mask=causal, tgt_is_causal=True), y)
            loss.backward()
            opt.step()
            return loss.item()

        run = compile(step)
        shapes = ((2, 5, 8), (2, 4, 8), (2, 4, 8))
        out = [run(*(Tensor(rng.standard_normal(shape)) for shape in shapes)) for _ in range(4)]
        return out, [p.data.copy() for p in model.parameters()]

    check_replayed(scenario, monkeypatch, replays_at_least=2)


def test_save_and_load_round_trip(tmp_path):
    model = nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16, seed=0), 2)
    other = nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, 16, seed=1), 2)
    nn.save(model, tmp_path / "encoder.npz")
    nn.load(other, tmp_path / "encoder.npz")
    x = np.random.default_rng(0).standard_normal((4, 2, 8)).astype(np.float32)
    model.eval(), other.eval()
    assert np.array_equal(model(x).data, other(x).data)


X = np.zeros((4, 3, 8), np.float32)
LAYER = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, seed=0)
ERRORS = {
    "nhead not dividing d_model": (
        lambda: nn.TransformerEncoderLayer(8, 3),
        ValueError,
        r"nhead \(3\) must divide d_model \(8\).*\[1, 2, 4, 8\]",
    ),
    "an activation by another name": (
        lambda: nn.TransformerEncoderLayer(8, 2, activation="tanh"),
        ValueError,
        "one of 'relu', 'gelu', or a callable, got 'tanh'",
    ),
    "an activation that is no callable": (
        lambda: nn.TransformerEncoderLayer(8, 2, activation=3),
        TypeError,
        "or a callable",
    ),
    "dropout 1.5": (
        lambda: nn.TransformerEncoderLayer(8, 2, dropout=1.5),
        ValueError,
        "TransformerEncoderLayer: dropout must be",
    ),
    "layer_norm_eps -1": (
        lambda: nn.TransformerEncoderLayer(8, 2, layer_norm_eps=-1),
        ValueError,
        "layer_norm_eps must be",
    ),
    "norm_first 'yes'": (
        lambda: nn.TransformerEncoderLayer(8, 2, norm_first="yes"),
        TypeError,
        "norm_first must be True or False",
    ),
    "src of another width": (lambda: LAYER(np.zeros((4, 3, 6), np.float32)), ShapeError, r"d_model=8, got \(4, 3, 6\)"),
    "src of integers": (lambda: LAYER(np.zeros((4, 3, 8), np.int64)), TypeError, "src must be floating point"),
    "src_mask of another shape": (
        lambda: LAYER(X, src_mask=np.zeros((3, 3), bool)),
        ShapeError,
        r"src_mask must be of shape .* here \(4, 4\) or \(6, 4, 4\), got \(3, 3\)",
    ),
    "src_mask of integers": (
        lambda: LAYER(X, src_mask=np.zeros((4, 4), np.int64)),
        TypeError,
        "src_mask must be boolean",
    ),
    "src_mask of another float": (
        lambda: LAYER(X, src_mask=np.zeros((4, 4))),
        TypeError,
        r"src_mask.astype\(np.float32\)",
    ),
    "padding mask transposed": (
        lambda: LAYER(X, src_key_padding_mask=np.zeros((4, 3), bool)),
        ShapeError,
        r"src_key_padding_mask must be of shape \(N, S\), here \(3, 4\)",
    ),
    "is_causal without a mask": (
        lambda: LAYER(X, is_causal=True),
        ValueError,
        "is_causal=True is a hint that src_mask",
    ),
    "an encoder of no layer": (lambda: nn.TransformerEncoder("layer", 2), TypeError, "encoder_layer must be a Module"),
    "num_layers -1": (lambda: nn.TransformerEncoder(LAYER, -1), ValueError, "num_layers must be an int of at least 0"),
    "num_layers 2.0": (lambda: nn.TransformerEncoder(LAYER, 2.0), TypeError, "num_layers must be an int"),
    "a norm that is no Module": (lambda: nn.TransformerEncoder(LAYER, 2, norm=3), TypeError, "norm must be a Module"),
    "an encoder's is_causal without a mask": (
        lambda: nn.TransformerEncoder(LAYER, 2)(X, is_causal=True),
        ValueError,
        "hint that mask is",
    ),
}
DECODER = nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0, seed=0)
MEMORY = np.zeros((5, 3, 8), np.float32)
ERRORS |= {
    "memory of another batch": (
        lambda: DECODER(X, np.zeros((5, 2, 8), np.float32)),
        ShapeError,
        r"tgt and memory must both be batched, of one batch size \(axis 1\)",
    ),
    "memory_mask of the target's length twice": (
        lambda: DECODER(X, MEMORY, memory_mask=np.zeros((4, 4), bool)),
        ShapeError,
        r"memory_mask must be of shape .* here \(4, 5\) or \(6, 4, 5\), got \(4, 4\)",
    ),
    "memory_key_padding_mask of the target's length": (
        lambda: DECODER(X, MEMORY, memory_key_padding_mask=np.zeros((3, 4), bool)),
        ShapeError,
        r"here \(3, 5\), got \(3, 4\)",
    ),
    "tgt_is_causal without a mask": (lambda: DECODER(X, MEMORY, tgt_is_causal=True), ValueError, "tgt_mask"),
    "a custom encoder that is no Module": (
        lambda: nn.Transformer(8, 2, custom_encoder=3),
        TypeError,
        "custom_encoder must be a Module or None",
    ),
    "norm_first set later to a string": (
        lambda: setattr(nn.TransformerEncoderLayer(8, 2, 16), "norm_first", "yes"),
        TypeError,
        "TransformerEncoderLayer: norm_first must be True or False",
    ),
    "a Transformer's nhead not dividing d_model": (
        lambda: nn.Transformer(8, 3),
        ValueError,
        r"nhead \(3\) must divide",
    ),
}


@pytest.mark.parametrize("case", ERRORS)
def test_bad_arguments_are_refused_naming_the_fix(case):
    make, error, said = ERRORS[case]
    with pytest.raises(error, match=said):
        make()


@pytest.mark.parametrize("dtype", [np.float64, np.float16])
def test_the_fix_is_causal_without_a_mask_names_works_in_the_models_dtype(dtype):
    # it said give src_mask=nn.Transformer.generate_square_subsequent_mask(S): float32, which a float64 layer then
    # refused ("a float src_mask ... must be of the query's dtype float64")
    layer = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, dtype=dtype, seed=0)
    decoder = nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0, dtype=dtype, seed=0)
    src = Tensor(np.random.default_rng(0).standard_normal((4, 3, 8)), dtype=dtype)
    for call, query in ((lambda **m: layer(src, **m), "src"), (lambda **m: decoder(src, src, **m), "tgt")):
        with pytest.raises(ValueError, match=rf"generate_square_subsequent_mask\(S, dtype={query}.dtype\)"):
            call(**{f"{'' if query == 'src' else 'tgt_'}is_causal": True})
    mask = nn.Transformer.generate_square_subsequent_mask(4, dtype=src.dtype)  # the fix, as said
    said = layer(src, src_mask=mask, is_causal=True)
    assert np.array_equal(said.data, layer(src, src_mask=np.triu(np.ones((4, 4), bool), 1)).data)
    assert decoder(src, src, tgt_mask=mask, tgt_is_causal=True).dtype == dtype
