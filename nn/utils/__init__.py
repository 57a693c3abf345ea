"""nn.utils: where PyTorch's scripts find gradient clipping (`nn.utils.clip_grad_norm_`), the parameters as one
vector (`parameters_to_vector`, `vector_to_parameters`) and the padding and packing of sequences (`nn.utils.rnn`,
`from nn.utils.rnn import pack_padded_sequence`), so they port as written; the functions are nn's own
(nn/clip.py, nn/parameter_vectors.py, nn/sequences.py)."""

from ..clip import clip_grad_norm_, clip_grad_value_
from ..parameter_vectors import parameters_to_vector, vector_to_parameters
from . import rnn

__all__ = ["clip_grad_norm_", "clip_grad_value_", "parameters_to_vector", "rnn", "vector_to_parameters"]
