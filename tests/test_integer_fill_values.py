"""An integer fill value (pad_sequence's and pad_packed_sequence's padding_value, ConstantPad*'s value) was made a
float before it was checked and filled, so int64 sequences padded with 2**53 + 1 got 2**53 (a made-up number, no
warning) and 2**63 - 1, which int64 holds, was refused as "9.223372036854776e+18 does not fit int64" (a value not
given). The integer is kept as given, as F.pad, masked_fill and full keep it."""

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor
from nn.utils import rnn

SEQUENCES = [np.arange(3, dtype=np.int64), np.ones(1, np.int64)]


def _padded(value):
    return rnn.pad_sequence([Tensor(s, dtype=np.int64) for s in SEQUENCES], padding_value=value).data


def _packed_padded(value):
    packed = rnn.pack_sequence([Tensor(s, dtype=np.int64) for s in SEQUENCES])
    return rnn.pad_packed_sequence(packed, padding_value=value, total_length=4)[0].data


@pytest.mark.parametrize("pad", [_padded, _packed_padded], ids=["pad_sequence", "pad_packed_sequence"])
@pytest.mark.parametrize("value", [2**53 + 1, 2**63 - 1, -(2**63), np.int64(2**62 + 1), np.uint64(2**63 - 1)])
def test_an_integer_padding_value_pads_int64_sequences_exactly(pad, value):
    padded = pad(value)
    assert padded.dtype == np.int64
    assert padded[1:, 1].tolist() == [int(value)] * (padded.shape[0] - 1)


@pytest.mark.parametrize("pad", [_padded, _packed_padded], ids=["pad_sequence", "pad_packed_sequence"])
def test_an_integer_beyond_the_dtype_is_refused_naming_it_as_given(pad):
    with pytest.raises(ValueError, match=r"padding_value: 9223372036854775808 does not fit int64"):
        pad(2**63)
    with pytest.raises(ValueError, match=r"padding_value: -1 does not fit uint8"):
        rnn.pad_sequence(
            [Tensor(np.ones(2, np.uint8), dtype=np.uint8), Tensor(np.ones(1, np.uint8), dtype=np.uint8)],
            padding_value=-1,
        )


def test_an_integer_into_float_sequences_is_the_floats_nearest_as_before():
    padded = rnn.pad_sequence([Tensor(np.ones(2)), Tensor(np.ones(1))], padding_value=2**53 + 1).data
    assert padded.dtype == np.float64 and padded[1, 1] == 2.0**53
    with pytest.raises(ValueError, match="does not fit float16"):
        rnn.pad_sequence(
            [Tensor(np.ones(2), dtype=np.float16), Tensor(np.ones(1), dtype=np.float16)], padding_value=70000
        )


def test_an_integer_beyond_int64_pads_boolean_sequences_as_true():
    """Any nonzero number is True (as torch's); an int past int64 kept as given must not reach numpy's fill."""
    flags = [Tensor(np.ones(2, bool), dtype=bool), Tensor(np.ones(1, bool), dtype=bool)]
    assert rnn.pad_sequence(flags, padding_value=2**70).data[1].tolist() == [True, True]
    assert rnn.pad_sequence(flags, padding_value=0).data[1].tolist() == [True, False]


@pytest.mark.parametrize("layer", [nn.ConstantPad1d, nn.ConstantPad2d, nn.ConstantPad3d])
def test_constant_pads_fill_integer_data_with_an_integer_value_exactly(layer):
    x = Tensor(np.ones((1, 1, 1, 1), np.int64), dtype=np.int64)
    pad = layer(1, 2**53 + 1)
    assert pad.value == 2**53 + 1 and isinstance(pad.value, int)
    out = pad(x).data
    assert out.dtype == np.int64 and out.max() == 2**53 + 1  # as F.pad(x, ..., value=2**53 + 1) gives it
    assert layer(1, 0.5).value == 0.5


def test_full_of_a_boolean_dtype_takes_any_integer_as_nonzero():
    """autograd.full(.., 2**70, dtype=bool) raised numpy's "Python int too large to convert to C long", naming no
    argument, where check_fits takes any value as a bool (2 is True, as torch's full)."""
    assert autograd.full((2,), 2**70, dtype=bool).data.tolist() == [True, True]
    assert autograd.full((1,), 0, dtype=bool).data.tolist() == [False]
