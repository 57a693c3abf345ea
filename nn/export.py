"""A model's parameters in PyTorch's names and layouts, and back: the way out to torch.nn.

How chainrule's modules map to PyTorch's:
    nn.Linear(nin, nout)        torch.nn.Linear(nin, nout): `weight` is W transposed, (nout, nin); `bias`
    nn.Sequential(a, b, ...)    torch.nn.Sequential: layer i's entries under `i.`; layers without
                                parameters (ReLU, Dropout, ...) keep their index, as in PyTorch
    nn.MLP(nin, [h, ..., out], nonlin)
                                torch.nn.Sequential(Linear(nin, h), Act(), ..., Linear(., out)),
                                Act = ReLU, Tanh or Sigmoid as `nonlin` says: its layer i is entry
                                2i (`0.weight`, `2.weight`, ...); with nonlin="linear", entry i
    nn.Layer(nin, nout)         torch.nn.Linear(nin, nout) (its activation has no parameters)
    nn.Neuron(nin)              torch.nn.Linear(nin, 1)
    any other Module            its submodules and parameters keep their attribute names, as
                                torch.nn.Module names children and nn.Parameters (lists and dicts
                                of modules as nn.ModuleList and nn.ModuleDict)
Values become float64 arrays; Tensors keep their dtype. Importing this module does not import torch.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

import numpy as np

from autograd import Node, Value

from .layers import Linear, Sequential
from .micro import MLP, Layer, Neuron
from .module import Module, conform


def to_torch_state_dict(model: Module, *, as_tensors: bool = False) -> dict[str, Any]:
    """`model`'s parameters by PyTorch's names and in its layouts (see the module's docstring), as
    a torch.nn.Module of the same architecture would give them from `state_dict()`: numpy arrays
    (copies), or torch tensors with `as_tensors=True` (which needs torch). The arrays suit
    `safetensors.numpy.save_file`, whose files torch loads with `safetensors.torch.load_file`;
    torch's `load_state_dict` wants the tensors."""
    state = {entry.name: entry.value() for entry in _entries_of(model)}
    if not as_tensors:
        return state
    try:
        import torch
    except ImportError:
        raise ImportError("as_tensors=True needs PyTorch (pip install torch); without it, take the arrays") from None
    return {name: torch.from_numpy(array) for name, array in state.items()}


def from_torch_state_dict(model: Module, state: Mapping[str, Any]) -> Module:
    """Set `model`'s parameters from a state dict in PyTorch's names and layouts (torch tensors,
    numpy arrays, or anything numpy reads; bfloat16, which numpy lacks, is read as float32), as
    `to_torch_state_dict` gives them. Every entry is checked before any parameter changes, as
    nn.load checks a file's: one ValueError naming the missing and unexpected keys, or the key
    and its problem (a shape, a dtype that is not floating point, NaN or infinite values).
    Values are cast to each parameter's dtype. Returns `model`."""
    entries = _entries_of(model)
    try:
        arrays = conform({e.name: (e.shape, e.dtype) for e in entries}, {k: _array(v) for k, v in state.items()})
    except (KeyError, ValueError) as e:
        raise ValueError(f"cannot load this PyTorch state dict into {type(model).__name__}: {e.args[0]}") from None
    names = {id(p): name for name, p in model.named_parameters()}
    model.load_state_dict({names[id(p)]: part for e in entries for p, part in e.parts(arrays[e.name])})
    return model


class _Entry(NamedTuple):
    """One entry of the PyTorch state dict and the chainrule parameters behind it: one Tensor
    (transposed for a Linear's weight), or Values in row-major order."""

    name: str
    params: tuple[Node, ...]
    shape: tuple[int, ...]
    dtype: np.dtype
    transposed: bool = False

    def value(self) -> np.ndarray:
        if isinstance(self.params[0], Value):
            return np.array([v.data for v in self.params], np.float64).reshape(self.shape)
        data = self.params[0].data
        return np.array(data.T if self.transposed else data, order="C")

    def parts(self, array: np.ndarray) -> Iterator[tuple[Node, np.ndarray]]:
        """Each parameter with its part of `array`, an array of this entry's shape."""
        if isinstance(self.params[0], Value):
            return zip(self.params, array.reshape(-1))
        return iter([(self.params[0], array.T if self.transposed else array)])


def _entries_of(model: Module) -> list[_Entry]:
    """The PyTorch entries of `model`, refusing a model with parameters they do not cover (those
    of a subclass of Linear that adds its own, say), which PyTorch's layer would not have."""
    entries = list(_entries(model, ""))
    covered = {id(p) for entry in entries for p in entry.params}
    left = [name for name, p in model.named_parameters() if id(p) not in covered]
    if left:
        raise ValueError(f"{type(model).__name__}'s parameters {left} have no PyTorch counterpart")
    return entries


def _entries(module: Module, prefix: str) -> Iterator[_Entry]:
    if isinstance(module, Linear):
        yield _Entry(f"{prefix}weight", (module.W,), module.W.shape[::-1], module.W.dtype, transposed=True)
        if module.b is not None:
            yield _Entry(f"{prefix}bias", (module.b,), module.b.shape, module.b.dtype)
    elif isinstance(module, (Layer, Neuron)):
        neurons = module.neurons if isinstance(module, Layer) else [module]
        weights = tuple(w for neuron in neurons for w in neuron.w)
        yield _Entry(f"{prefix}weight", weights, (len(neurons), len(neurons[0].w)), np.dtype(np.float64))
        yield _Entry(f"{prefix}bias", tuple(n.b for n in neurons), (len(neurons),), np.dtype(np.float64))
    else:
        children = list(module.named_children())
        for name, p in module.named_parameters():
            if not any(name.startswith(f"{child}.") for child, _ in children):  # its own, not a child's
                dtype = np.dtype(np.float64) if isinstance(p, Value) else p.dtype
                yield _Entry(prefix + name, (p,), np.shape(p.data), dtype)
        for name, child in children:
            yield from _entries(child, f"{prefix}{_torch_name(module, name)}.")


def _torch_name(module: Module, child: str) -> str:
    """What PyTorch calls `module`'s submodule `child`: an index for a Sequential's layers, twice the
    index for an MLP's when activations sit between them, otherwise the same name."""
    if not (isinstance(module, (Sequential, MLP)) and child.startswith("layers.")):
        return child
    index = int(child.removeprefix("layers."))
    return str(2 * index if isinstance(module, MLP) and _has_activations(module) else index)


def _has_activations(mlp: MLP) -> bool:
    return len(mlp.layers) > 1 and mlp.layers[0].neurons[0].nonlin != "linear"


def _array(value: Any) -> np.ndarray:
    """`value` as a numpy array; a torch tensor (torch is imported if one exists) is detached and
    copied to the CPU first."""
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(value, torch.Tensor):
        value = value.detach().cpu()
        return (value.float() if value.dtype == torch.bfloat16 else value).numpy()
    return np.asarray(value)
