"""nn.utils: where PyTorch's scripts find gradient clipping (`nn.utils.clip_grad_norm_`) and the parameters as one
vector (`parameters_to_vector`, `vector_to_parameters`), so they port as written; the functions are nn's own
(nn/clip.py, nn/parameter_vectors.py)."""

from .clip import clip_grad_norm_, clip_grad_value_
from .parameter_vectors import parameters_to_vector, vector_to_parameters

__all__ = ["clip_grad_norm_", "clip_grad_value_", "parameters_to_vector", "vector_to_parameters"]
