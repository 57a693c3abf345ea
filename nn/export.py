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
    any other Module            its submodules, parameters and buffers keep their attribute names, as
                                torch.nn.Module names children, nn.Parameters and buffers (lists
                                and dicts of modules, and nn.ModuleList and nn.ModuleDict, as
                                torch's ModuleList and ModuleDict); so the norm layers and Embedding
                                give `weight`, `bias`, `running_mean`, `running_var` and
                                `num_batches_tracked`, as PyTorch's
    a loss module               its class weights, `weight` and `pos_weight` where given: buffers of PyTorch's
                                loss, chainrule's loss keeps them as options (a model holding its weighted loss);
                                one that is a parameter or buffer (a Tensor weight with requires_grad, the
                                loss's; `weight=self.cw`, the model's) is that tensor, tied, as in PyTorch.
                                They are not in chainrule's `state_dict()` nor `nn.save`'s files: see README
Values become float64 arrays; Tensors and buffers keep their dtype. Importing this module does not
import torch.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

import numpy as np

from autograd import Value, type_name

from .arguments import check_flag
from .export_hints import hint as _hint
from .export_read import read_array
from .export_writes import Option, Source, checked_writes, is_option, sources, write_options
from .layers import Linear, Sequential
from .loss_modules import ARRAY_OPTIONS, Loss
from .micro import MLP, Layer, Neuron
from .module import Module
from .module_state import buffer_slots
from .state_checks import conform, model_entry, unique


def to_torch_state_dict(model: Module, *, as_tensors: bool = False) -> dict[str, Any]:
    """`model`'s parameters and buffers (and its loss modules' class weights, PyTorch's buffers, which
    chainrule's own state_dict() leaves out) by PyTorch's names and in its layouts (see the module's
    docstring), as a torch.nn.Module of the same architecture would give them from `state_dict()`: numpy
    arrays (copies), or torch tensors with `as_tensors=True` (which needs torch). The arrays suit
    `safetensors.numpy.save_file`, whose files torch loads with `safetensors.torch.load_file`;
    torch's `load_state_dict` wants the tensors."""
    _check_model(model, "to_torch_state_dict")
    as_tensors = check_flag("to_torch_state_dict", "as_tensors", as_tensors)
    state = {entry.name: entry.value() for entry in _entries_of(model)}
    if not as_tensors:
        return state
    try:
        import torch
    except ImportError:
        raise ImportError("as_tensors=True needs PyTorch (pip install torch); without it, take the arrays") from None
    return {name: torch.from_numpy(array) for name, array in state.items()}


def from_torch_state_dict(model: Module, state: Mapping[str, Any]) -> Module:
    """Set `model`'s parameters, buffers and loss modules' class weights from a state dict in PyTorch's
    names and layouts (torch tensors, chainrule's Tensors, numpy arrays, or anything numpy reads; bfloat16, which
    numpy lacks, is read as float32), as `to_torch_state_dict` gives them. Every entry is checked before anything
    changes, as nn.load checks a file's: one ValueError naming the missing and unexpected keys, or the key
    and its problem (a shape, a dtype of the wrong kind, NaN or infinite values; a buffer outside its
    range, such as a negative running_var; a meta tensor, which has no values;
    the two keys of a module shared under two names, tied weights, where they differ, bitwise; two keys over
    shared memory, a loss's weight that views a parameter, given values that differ there);
    TypeError for a `state` that is not a dict, or an entry it takes that is no tensor or array of numbers or
    that numpy cannot read (sparse, nested, quantized, float8), naming the key and the fix. Values
    are cast to each one's dtype and written into the array it holds (torch's copy_; a loss's weight given as
    a Tensor stays that Tensor, and takes the values). Returns `model`."""
    _check_model(model, "from_torch_state_dict")
    if not isinstance(state, Mapping):  # as Module.load_state_dict says it
        raise TypeError(
            "from_torch_state_dict takes a dict of tensors or arrays (torch_model.state_dict()), "
            f"got {type_name(state)}"
        )
    entries = _entries_of(model)
    cannot = f"cannot load this PyTorch state dict into {type_name(model)}"
    read = {}
    for key, value in state.items():
        try:
            read[key] = read_array(key, value)
        except (TypeError, ValueError) as e:  # read_array's own, naming a key it takes; any other is unexpected
            if any(entry.name == key for entry in entries):
                raise type(e)(f"{cannot}: {e.args[0]}") from None
            read[key] = np.empty((), object)  # for conform to name it unexpected, as load_state_dict does
    try:
        weights = {e.name for e in entries if is_option(e)}
        arrays = conform(
            {e.name: (e.shape, e.dtype) for e in entries},
            read,
            _ranges(model, entries),
            what=lambda name: "a loss's class weights" if name in weights else model_entry(name),
        )
    except (KeyError, ValueError) as e:
        names = {entry.name for entry in entries}
        hint = _hint(names, read, _modules(model, ""), ARRAY_OPTIONS) if isinstance(e, KeyError) else ""
        raise ValueError(f"{cannot}: {e.args[0]}{hint}") from None
    try:
        values, options = checked_writes(model, entries, arrays)
    except ValueError as e:
        raise ValueError(f"{cannot}: {e.args[0]}") from None
    names = {id(source): name for name, source in model.named_buffers()}
    held = [(e.option, names[id(e.sources[0])]) for e in entries if e.option and id(e.sources[0]) in names]
    model.load_state_dict(values)  # its own checks too, before anything changes
    buffers = dict(model.named_buffers())  # a buffer read-only, replaced: a loss's weight that was it is set to it
    for option, name in held:
        setattr(option.loss, option.name, buffers[name])
    write_options(options)  # cannot fail: checked above
    return model


def _ranges(model: Module, entries: list[_Entry]) -> dict[str, tuple[float, float]]:
    """The range of each buffer's entry that has one (running_var, num_batches_tracked: [0, inf]) by its
    PyTorch name, so that a value outside it is named by the key the state dict holds, not by chainrule's."""
    by_id = {id(getattr(module, attribute)): module.buffer_ranges[attribute] for _, module, attribute in
             buffer_slots(model, "", True) if attribute in module.buffer_ranges}  # fmt: skip
    return {e.name: by_id[id(e.sources[0])] for e in entries if id(e.sources[0]) in by_id}


def _check_model(model: object, does: str) -> None:
    if not isinstance(model, Module):
        raise TypeError(f"{does} takes a chainrule Module first, got {type_name(model)} {model!r:.60}")


class _Entry(NamedTuple):
    """One entry of the PyTorch state dict and what of chainrule's is behind it: one Tensor
    (transposed for a Linear's weight), Values in row-major order, or one buffer."""

    name: str
    sources: tuple[Source, ...]
    shape: tuple[int, ...]
    dtype: np.dtype
    transposed: bool = False
    option: Option | None = None  # the loss's weight that is this parameter or buffer of the model (tied to it)

    def value(self) -> np.ndarray:
        first = self.sources[0]
        if isinstance(first, Value):
            return np.array([v.data for v in self.sources], np.float64).reshape(self.shape)
        data = first if isinstance(first, np.ndarray) else first.data
        return np.array(data.T if self.transposed else data, order="C")

    def parts(self, array: np.ndarray) -> Iterator[tuple[Source, np.ndarray]]:
        """Each source with its part of `array`, an array of this entry's shape."""
        if isinstance(self.sources[0], Value):
            return zip(self.sources, array.reshape(-1))
        return iter([(self.sources[0], array.T if self.transposed else array)])


def _entries_of(model: Module) -> list[_Entry]:
    """The PyTorch entries of `model`, refusing a model with parameters or buffers they do not
    cover (those of a subclass of Linear that adds its own, say), which PyTorch's layer would not have,
    or whose PyTorch names clash (a child named as a Sequential's index)."""
    held = {id(source): source for _, source in sources(model)}
    listed = {(e.name, *map(id, e.sources)): e for e in (_tied(entry, held) for entry in _entries(model))}
    entries = [entry for _, entry in unique((entry.name, entry) for entry in listed.values())]
    covered = {id(s) for entry in entries for s in entry.sources}
    left = [name for name, s in sources(model) if id(s) not in covered]
    if left:
        raise ValueError(f"{type_name(model)}'s parameters {left} have no PyTorch counterpart")
    return entries


def _tied(entry: _Entry, held: dict[int, Source]) -> _Entry:
    """A loss's weight that is a parameter or buffer of the model (a Tensor weight with requires_grad, the
    loss's own; `weight=self.cw`, a buffer) as that one source, as torch's loss registers that tensor: its
    keys then must agree, and a load leaves the loss holding it; any other entry as it is."""
    option = entry.sources[0] if is_option(entry) else None
    source = held.get(id(getattr(option.loss, option.name))) if option else None
    if source is None or isinstance(source, Value):
        return entry
    return _Entry(entry.name, (source,), np.shape(source.data), source.dtype, option=option)


def _entries(model: Module) -> Iterator[_Entry]:
    for prefix, module in _modules(model, ""):
        yield from _own_entries(module, prefix)


def _modules(module: Module, prefix: str) -> Iterator[tuple[str, Module]]:
    """`module` and its submodules (a shared one under each name, as PyTorch) with their PyTorch prefixes, but
    for what lies inside the layers PyTorch has as one Linear."""
    yield prefix, module
    if not isinstance(module, (Linear, Layer, Neuron)):
        for name, child in module.named_children(remove_duplicate=False):
            yield from _modules(child, f"{prefix}{_torch_name(module, name)}.")


def _own_entries(module: Module, prefix: str) -> Iterator[_Entry]:
    """The entries of `module`'s own parameters, buffers and loss weights, not its children's."""
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
        children = [child for child, _ in module.named_children(remove_duplicate=False)]
        for name, p in module.named_parameters():
            if not any(name.startswith(f"{child}.") for child in children):  # its own, not a child's
                dtype = np.dtype(np.float64) if isinstance(p, Value) else p.dtype
                yield _Entry(prefix + name, (p,), np.shape(p.data), dtype)
        for name, b in module.named_buffers(recurse=False):
            yield _Entry(prefix + name, (b,), b.shape, b.dtype)
        for name in ARRAY_OPTIONS if isinstance(module, Loss) else ():
            if getattr(module, name, None) is not None:
                option = Option(module, name)
                yield _Entry(prefix + name, (option,), option.data.shape, option.data.dtype)


def _torch_name(module: Module, child: str) -> str:
    """What PyTorch calls `module`'s submodule `child`: an index for a Sequential's layers, twice the
    index for an MLP's when activations sit between them, otherwise the same name."""
    if not (isinstance(module, (Sequential, MLP)) and child.startswith("layers.")):
        return child
    index = int(child.removeprefix("layers."))
    return str(2 * index if isinstance(module, MLP) and _has_activations(module) else index)


def _has_activations(mlp: MLP) -> bool:
    return len(mlp.layers) > 1 and mlp.layers[0].neurons[0].nonlin
