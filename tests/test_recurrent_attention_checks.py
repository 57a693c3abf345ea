"""Bad arguments to the recurrent layers, their cells, MultiheadAttention and scaled_dot_product_attention:
one error of the right type naming the problem (and the fix), raised before anything is computed or
changed: no parameter, setting or random draw moves."""

import numpy as np
import pytest

import autograd
import nn
import nn.functional as F
from autograd import ShapeError, Tensor

X = np.zeros((4, 2, 3), np.float32)  # (seq_len, batch, input_size)
QKV = [np.zeros((3, 2, 4), np.float32)] * 3  # (length, batch, embed_dim)


def _zeros(*shape):
    return np.zeros(shape, np.float32)


BAD = {
    "input_size 0": (lambda: nn.RNN(0, 5), ValueError, "input_size must be at least 1"),
    "a float size": (lambda: nn.LSTM(3.0, 5), TypeError, "input_size must be an int"),
    "nonlinearity": (
        lambda: nn.RNN(3, 5, nonlinearity="sigmoid"),
        ValueError,
        "RNN: nonlinearity must be one of 'tanh', 'relu'",
    ),
    "cell nonlinearity": (
        lambda: nn.RNNCell(3, 5, nonlinearity="gelu"),
        ValueError,
        "RNNCell: nonlinearity must be one of",
    ),
    "nonlinearity not a name": (lambda: nn.RNN(3, 5, nonlinearity=["tanh"]), TypeError, "must be a name"),
    "dropout 1": (lambda: nn.GRU(3, 5, 2, dropout=1), ValueError, "dropout must be at least 0 and below 1"),
    "proj_size = hidden_size": (lambda: nn.LSTM(3, 5, proj_size=5), ValueError, "smaller than hidden_size"),
    "proj_size < 0": (lambda: nn.LSTM(3, 5, proj_size=-1), ValueError, "proj_size must be an int >= 0"),
    "bidirectional text": (lambda: nn.GRU(3, 5, bidirectional="yes"), TypeError, "True or False"),
    "a GPU": (lambda: nn.GRU(3, 5, device="cuda"), ValueError, "device 'cuda' is not available"),
    "4-d input": (lambda: nn.GRU(3, 5)(np.zeros((1, 4, 2, 3))), ShapeError, "(seq_len, batch, input_size)"),
    "input width": (lambda: nn.GRU(3, 5)(np.zeros((4, 2, 2))), ShapeError, "build the layer with input_size=2"),
    "h0 of one layer, two wanted": (lambda: nn.GRU(3, 5, 2)(X, _zeros(1, 2, 5)), ShapeError, "(2, 2, 5)"),
    "h0 of another batch": (lambda: nn.RNN(3, 5)(X, _zeros(1, 3, 5)), ShapeError, "(1, 2, 5)"),
    "h0 of a bidirectional layer": (
        lambda: nn.RNN(3, 5, bidirectional=True)(X, _zeros(1, 2, 5)),
        ShapeError,
        "(2, 2, 5)",
    ),
    "LSTM given h alone": (lambda: nn.LSTM(3, 5)(X, _zeros(1, 2, 5)), TypeError, "a pair (h0, c0)"),
    "c0 projected": (
        lambda: nn.LSTM(3, 5, proj_size=2)(X, (_zeros(1, 2, 2), _zeros(1, 2, 2))),
        ShapeError,
        "c0 must be of shape (1, 2, 5)",
    ),
    "unbatched input, batched h0": (lambda: nn.RNN(3, 5)(X[:, 0], _zeros(1, 1, 5)), ShapeError, "input is unbatched"),
    "integer h0": (lambda: nn.RNN(3, 5)(X, np.zeros((1, 2, 5), int)), TypeError, "hx must be floating point"),
    "empty sequence": (lambda: nn.RNN(3, 5)(np.zeros((0, 2, 3))), ValueError, "seq_len 0"),
    "integer input": (lambda: nn.RNN(3, 5)(np.zeros((4, 2, 3), int)), TypeError, "floating-point input"),
    "a sequence into a cell": (lambda: nn.GRUCell(3, 5)(X), ShapeError, "(batch, input_size)"),
    "cell state width": (
        lambda: nn.LSTMCell(3, 5)(X[0], (_zeros(2, 4), _zeros(2, 5))),
        ShapeError,
        "hx[0] must be of shape (2, 5)",
    ),
    "num_heads not dividing embed_dim": (lambda: nn.MultiheadAttention(10, 3), ValueError, "num_heads (3) must divide"),
    "attention dropout 1": (lambda: nn.MultiheadAttention(4, 2, dropout=1.0), ValueError, "below 1"),
    "query width": (
        lambda: nn.MultiheadAttention(4, 2)(_zeros(3, 2, 5), *QKV[1:]),
        ShapeError,
        "embed_dim, kdim, vdim = (4, 4, 4)",
    ),
    "key and value lengths": (
        lambda: nn.MultiheadAttention(4, 2)(*QKV[:2], _zeros(2, 2, 4)),
        ShapeError,
        "the same length",
    ),
    "batched query, unbatched key": (
        lambda: nn.MultiheadAttention(4, 2)(QKV[0], _zeros(3, 4), _zeros(3, 4)),
        ShapeError,
        "must all be 3-d",
    ),
    "key_padding_mask (S, N)": (
        lambda: nn.MultiheadAttention(4, 2)(*QKV, key_padding_mask=np.zeros((3, 2), bool)),
        ShapeError,
        "(batch, S)",
    ),
    "integer attn_mask": (
        lambda: nn.MultiheadAttention(4, 2)(*QKV, attn_mask=np.zeros((3, 3), int)),
        TypeError,
        "boolean (True: masked out)",
    ),
    "attn_mask of other heads": (
        lambda: nn.MultiheadAttention(4, 2)(*QKV, attn_mask=np.zeros((2, 3, 3), bool)),
        ShapeError,
        "here (4, 3, 3)",
    ),
    "is_causal without a mask": (lambda: nn.MultiheadAttention(4, 2)(*QKV, is_causal=True), ValueError, "needs it"),
    "SDPA feature widths": (
        lambda: F.scaled_dot_product_attention(_zeros(2, 3, 4), _zeros(2, 5, 3), _zeros(2, 5, 3)),
        ShapeError,
        "last axis",
    ),
    "SDPA mask and is_causal": (
        lambda: F.scaled_dot_product_attention(*QKV, attn_mask=np.ones((2, 2), bool), is_causal=True),
        ValueError,
        "not both",
    ),
    "SDPA dropout_p 1": (lambda: F.scaled_dot_product_attention(*QKV, dropout_p=1), ValueError, "below 1"),
    "SDPA heads not grouped": (
        lambda: F.scaled_dot_product_attention(_zeros(1, 4, 2, 4), _zeros(1, 2, 2, 4), _zeros(1, 2, 2, 4)),
        ShapeError,
        "enable_gqa=True",
    ),
    "SDPA heads not a multiple": (
        lambda: F.scaled_dot_product_attention(_zeros(1, 3, 2, 4), *[_zeros(1, 2, 2, 4)] * 2, enable_gqa=True),
        ShapeError,
        "multiple of key's",
    ),
    "SDPA mask shape": (
        lambda: F.scaled_dot_product_attention(*QKV, attn_mask=np.ones((4, 3), bool)),
        ShapeError,
        "does not broadcast",
    ),
    # a float mask is added to the scores: a float64 one (numpy's default) made a float32 model's output float64;
    # refused as torch 2.13 refuses it, naming the fix
    "MultiheadAttention float64 key_padding_mask": (
        lambda: nn.MultiheadAttention(4, 2)(*QKV, key_padding_mask=np.zeros((2, 3))),
        TypeError,
        "key_padding_mask.astype(np.float32)",
    ),
    "MultiheadAttention float64 attn_mask": (
        lambda: nn.MultiheadAttention(4, 2)(*QKV, attn_mask=np.zeros((3, 3))),
        TypeError,
        "must be of the query's dtype float32, got float64",
    ),
    "SDPA float64 attn_mask": (
        lambda: F.scaled_dot_product_attention(*QKV, attn_mask=np.zeros((3, 2, 2))),
        TypeError,
        "attn_mask.astype(np.float32)",
    ),
    "SDPA float16 attn_mask": (
        lambda: F.scaled_dot_product_attention(*QKV, attn_mask=np.zeros((2, 2), np.float16)),
        TypeError,
        "or give a boolean mask (True: may look)",
    ),
    "SDPA dtypes": (
        lambda: F.scaled_dot_product_attention(np.zeros((2, 3, 4)), *QKV[1:]),
        TypeError,
        "one floating-point dtype",
    ),
}


@pytest.mark.parametrize("case", BAD)
def test_one_clear_error(case):
    make, error, words = BAD[case]
    with pytest.raises(error, match=None) as raised:
        make()
    assert words in str(raised.value), str(raised.value)


def test_a_refused_setting_leaves_the_layer_as_it_was():
    gru, mha = nn.GRU(3, 5, 2, dropout=0.25), nn.MultiheadAttention(4, 2, dropout=0.1)
    for module, name, value in ((gru, "dropout", 2), (gru, "batch_first", "yes"), (mha, "dropout", -1)):
        before = getattr(module, name)
        with pytest.raises((ValueError, TypeError)):
            setattr(module, name, value)
        assert getattr(module, name) == before
    with pytest.raises(AttributeError):
        gru.num_layers = 3  # the parameters are made for 2: read-only, as the sizes are


def test_a_refused_call_changes_no_parameter_and_draws_nothing():
    lstm = nn.LSTM(3, 5, 2, dropout=0.5, seed=0)
    before = {name: p.data.copy() for name, p in lstm.named_parameters()}
    state = autograd.default_generator().bit_generator.state
    with pytest.raises(ShapeError):
        lstm(X, (_zeros(2, 2, 5), _zeros(1, 2, 5)))
    assert autograd.default_generator().bit_generator.state == state
    assert all(np.array_equal(p.data, before[name]) and p.grad is None for name, p in lstm.named_parameters())


def test_dropout_on_one_layer_warns_that_it_changes_nothing():
    with pytest.warns(UserWarning, match="num_layers > 1"):
        nn.GRU(3, 5, dropout=0.5)


def test_input_of_another_dtype_is_taken_as_a_linear_layer_takes_it():
    out, h = nn.GRU(3, 5, dtype=np.float64)(Tensor(X))
    assert out.dtype == h.dtype == np.float64


def test_masks_of_the_querys_dtype_or_boolean_keep_the_output_dtype():
    """A boolean mask, or a float one of the query's dtype, leaves a float32 model's output float32."""
    mha = nn.MultiheadAttention(4, 2)
    for masks in [
        {"key_padding_mask": np.zeros((2, 3), np.float32), "attn_mask": np.zeros((3, 3), bool)},
        {"key_padding_mask": np.zeros((2, 3), bool), "attn_mask": np.zeros((3, 3), np.float32)},
    ]:
        out, weights = mha(*QKV, **masks)
        assert out.dtype == weights.dtype == np.float32
    for mask in (np.ones((2, 2), bool), np.zeros((2, 2), np.float32)):
        assert F.scaled_dot_product_attention(*QKV, attn_mask=mask).dtype == np.float32
