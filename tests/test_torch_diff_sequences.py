"""nn.utils.rnn where a differential sweep against torch 2.13 found differences (session 45): a padding_value the
sequences' dtype cannot hold, refused as torch refuses it (it was stored as infinity, numpy's warning alone), and
torch's unpad_sequence, which transposes the padded batch it is given in place (docs/edge-points.md), where
chainrule's leaves it as it was."""

import numpy as np
import pytest
from torch_reference import torch  # without torch: skipped

from autograd import Tensor
from nn.utils import rnn

SEQUENCES = [np.arange(6.0, dtype=np.float32).reshape(3, 2), np.ones((2, 2), np.float32)]


def _padded(value):
    return rnn.pad_sequence([Tensor(s) for s in SEQUENCES], padding_value=value)


def _packed_padded(value):
    packed = rnn.pack_sequence([Tensor(s) for s in SEQUENCES])
    return rnn.pad_packed_sequence(packed, padding_value=value)[0]


@pytest.mark.parametrize("pad", [_padded, _packed_padded], ids=["pad_sequence", "pad_packed_sequence"])
def test_a_padding_value_float32_cannot_hold_is_refused_as_torchs(pad):
    with pytest.raises(ValueError, match=r"1e\+40 does not fit float32"):
        pad(1e40)
    with pytest.raises(RuntimeError, match="without overflow"):  # torch's refusal
        torch.nn.utils.rnn.pad_sequence([torch.tensor(s) for s in SEQUENCES], padding_value=1e40)
    assert np.isinf(pad(np.inf).data).sum() == 2  # infinity itself is a float32, padded as given
    assert pad(3e38).data.max() == np.float32(3e38)


def test_unpad_sequence_leaves_the_padded_batch_as_it_was_where_torchs_transposes_it():
    padded = _padded(0.0)
    before = padded.data.copy()
    parts = rnn.unpad_sequence(padded, [3, 2])
    np.testing.assert_array_equal(padded.data, before)
    for part, sequence in zip(parts, SEQUENCES, strict=True):
        np.testing.assert_array_equal(part.data, sequence)
    theirs = torch.tensor(before)
    torch.nn.utils.rnn.unpad_sequence(theirs, torch.tensor([3, 2]))
    assert tuple(theirs.shape) == (2, 3, 2)  # the guard: torch's batch is now (B, T, *), transposed in place
