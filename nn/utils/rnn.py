"""nn.utils.rnn, as torch.nn.utils.rnn: sequences of different lengths padded (pad_sequence, unpad_sequence)
or packed (PackedSequence, pack_padded_sequence, pad_packed_sequence, pack_sequence, unpack_sequence), which
RNN, LSTM and GRU take. The functions are nn's own (nn/sequences.py); a length they refuse raises LengthError,
a ValueError and torch's RuntimeError alike."""

from ..sequences import (
    LengthError,
    PackedSequence,
    pack_padded_sequence,
    pack_sequence,
    pad_packed_sequence,
    pad_sequence,
    unpack_sequence,
    unpad_sequence,
)

__all__ = [
    "LengthError",
    "PackedSequence",
    "pack_padded_sequence",
    "pack_sequence",
    "pad_packed_sequence",
    "pad_sequence",
    "unpack_sequence",
    "unpad_sequence",
]
