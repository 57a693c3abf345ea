"""The values of a state dict nn.export reads, as numpy arrays: torch tensors (detached, copied to the CPU;
bfloat16 as float32) and anything numpy reads, or the error naming the key, what it holds and the fix."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

import numpy as np

from autograd import Node, type_name


def read_array(key: str, value: Any) -> np.ndarray:
    """`value` as a numpy array; a torch tensor (torch is imported if one exists) is detached and
    copied to the CPU first; a chainrule Tensor or Value gives its numbers (detached). TypeError or
    ValueError naming `key` for what holds no array of numbers that numpy can take as it is."""
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(value, torch.Tensor):
        return _tensor_array(torch, key, value.detach())
    if isinstance(value, Node):  # chainrule's own Tensor or Value: its numbers, detached, as torch reads its own
        value = value.data
    if isinstance(value, np.ma.MaskedArray) and np.ma.count_masked(value):  # np.asarray would give what it hides
        raise ValueError(
            f"{key} is a masked array with {np.ma.count_masked(value)} masked entries, whose values it hides; give "
            "every entry a value (.filled(...))"
        )
    try:
        array = np.asarray(value)
    except ValueError as e:  # a ragged list, say
        raise ValueError(f"{key} is no array: {e}") from None
    except TypeError as e:  # a list of Tensors that require grad: numpy's error names no key
        raise TypeError(f"{key} is a {type_name(value)} numpy cannot read ({e})") from None
    if array.dtype.kind not in "biufc":  # None, text, a dict: no numbers at all (bools and complex are refused later)
        raise TypeError(
            f"{key} is a {type_name(value)} holding no numbers (numpy reads it as {array.dtype}); give its tensor"
        )
    return array


def read_value(key: str, value: Any) -> Any:
    """A value of a state a load takes (Module's, an optimizer's): anything but a plain numpy array read as
    `read_array` reads it (TypeError or ValueError naming `key`): a torch tensor, chainrule's own Tensor or Value
    (its numbers, detached: `dict(model.named_parameters())`, as torch's load_state_dict takes its own), a masked
    array, and what holds no numbers (a str, None: named by its type, not by the shape () numpy gives it). A plain
    array as given, for the load's own checks to name its dtype (strings, bools and complex are refused alike)."""
    return value if type(value) is np.ndarray else read_array(key, value)


def read_values(state: Mapping[str, Any]) -> tuple[dict[str, np.ndarray], dict[str, Exception]]:
    """`state`'s values as arrays, each read by `read_value`, and by key the error of each that cannot be (a str,
    None), an empty object array in its place: a load raises it for a key it takes, and names the others unexpected,
    whatever they hold (an optimizer's, whose keys are known only from the state's)."""
    arrays, unread = {}, {}
    for key, value in state.items():
        try:
            arrays[key] = np.asarray(read_value(key, value))
        except (TypeError, ValueError) as error:
            arrays[key], unread[key] = np.empty((), object), error
    return arrays, unread


def _tensor_array(torch: Any, key: str, tensor: Any) -> np.ndarray:
    """A torch tensor's numbers as a numpy array, or the error naming `key`, what it is and the fix."""
    got = f"{key} is a {tensor.dtype} tensor"
    if tensor.is_meta:  # a model built on device="meta" (or with init_empty_weights) before its weights were read
        raise ValueError(
            f"{got} on the meta device, which holds no values; materialise the model first "
            "(torch_model.to_empty(device='cpu'), then load or initialise its weights)"
        )
    if tensor.is_nested:
        raise TypeError(f"{got} of nested layout, not one array of a shape; give a regular tensor of the entry's shape")
    if tensor.layout != torch.strided:
        raise TypeError(f"{got} of layout {tensor.layout}, which numpy cannot read; pass it .to_dense()")
    if tensor.is_quantized:  # its integers mean nothing without the scale and zero point .dequantize() applies
        raise TypeError(f"{got}, quantized; pass it .dequantize()")
    tensor = tensor.cpu().resolve_conj().resolve_neg()  # numpy() refuses the lazy conjugate and negative views
    if tensor.dtype == torch.bfloat16:  # numpy has no bfloat16; float32 holds each exactly
        return tensor.float().numpy()
    try:
        return tensor.numpy()
    except TypeError:  # a dtype numpy lacks: float8s (whose checkpoints may keep scales apart), complex32, ...
        raise TypeError(
            f"{got}, of a dtype numpy cannot read; convert it first (a float8 with .float(), applying any scale "
            "it was stored with)"
        ) from None
