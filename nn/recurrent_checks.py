"""The checks of recurrent layers' and cells' input and initial state, all made before anything is
computed: one ShapeError naming the argument, the shape wanted and the shape given."""

from __future__ import annotations

from typing import Any

from autograd import ShapeError, Tensor, type_name

from .arguments import check_count, check_flag, layer_input, shown
from .arguments_factory import factory_dtype

# What a layer and a cell take, by the axes of batched input
INPUTS = {
    3: "(seq_len, batch, input_size), (batch, seq_len, input_size) with batch_first=True, or (seq_len, input_size)",
    2: "(batch, input_size), or (input_size,) for one example",
}
STATES = {3: "(num_layers * num_directions, batch, hidden_size)", 2: "(batch, hidden_size)"}


def checked_sizes(owner: str, sizes: tuple[Any, Any, Any], device: Any, dtype: Any) -> tuple[int, int, bool, Any]:
    """What a recurrent layer and a cell both check as they are made: (input_size, hidden_size, bias) counts
    and a flag, and the device and dtype their parameters are made in: (input_size, hidden_size, bias, dtype)."""
    input_size, hidden_size, bias = sizes
    dtype = factory_dtype(owner, device, dtype)
    input_size, hidden_size = (
        check_count(owner, n, s) for n, s in (("input_size", input_size), ("hidden_size", hidden_size))
    )
    return input_size, hidden_size, check_flag(owner, "bias", bias), dtype


def checked_input(owner: str, x: Any, input_size: int, batched_dims: int) -> tuple[Tensor, bool]:
    """The input as a Tensor, and whether it is batched: it has `batched_dims` axes (a layer's 3, a cell's 2),
    or one fewer for a single sequence or example; its last axis holds input_size features."""
    x = layer_input(owner, x)
    if x.ndim not in (batched_dims - 1, batched_dims):
        raise ShapeError(f"{owner}: input must be {INPUTS[batched_dims]}, got shape {x.shape}")
    if x.shape[-1] != input_size:
        raise ShapeError(
            f"{owner}: input's last axis must hold input_size={input_size} features, got shape {x.shape}; "
            f"build the layer with input_size={x.shape[-1]}, or reshape the input"
        )
    if x.dtype.kind != "f":
        raise TypeError(f"{owner} takes floating-point input, got {x.dtype}: convert it first, x.astype(np.float32)")
    return x, x.ndim == batched_dims


def checked_state(owner: str, name: str, given: Any, shape: tuple[int, ...], unbatched: bool) -> Tensor:
    """An initial state given (h0, c0, hx) as a Tensor of `shape` (the batched one; unbatched input takes it
    without the batch axis, which is then added), refused in words naming it otherwise."""
    wanted = shape[:-2] + shape[-1:] if unbatched else shape
    given = layer_input(f"{owner}: {name}", given)
    if given.shape != wanted:
        raise ShapeError(
            f"{owner}: {name} must be of shape {wanted}, {STATES[len(shape)]}"
            + (" without the batch axis, as the input is unbatched" if unbatched else "")
            + f", got {given.shape}"
        )
    if given.dtype.kind != "f":
        raise TypeError(f"{owner}: {name} must be floating point, got {given.dtype}: convert it first")
    return given.unsqueeze(-2) if unbatched else given


def state_pair(owner: str, hx: Any) -> tuple[Any, Any]:
    """An LSTM's (h, c), refused unless hx is a pair (a Tensor there would be taken for h alone)."""
    if not isinstance(hx, tuple | list) or len(hx) != 2:
        raise TypeError(f"{owner}: hx must be a pair (h0, c0) of Tensors, got {type_name(hx)} {shown(hx)}")
    return hx[0], hx[1]
