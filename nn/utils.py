"""nn.utils: where PyTorch's scripts find gradient clipping (`nn.utils.clip_grad_norm_`), so they port as
written; the functions are nn's own (nn/clip.py)."""

from .clip import clip_grad_norm_, clip_grad_value_

__all__ = ["clip_grad_norm_", "clip_grad_value_"]
