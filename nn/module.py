"""`Module`: parameters found from attributes, buffers registered by name, train/eval, state dicts,
a readable repr; and the checks every state passes before it is loaded (`check_entries`, `conform`:
nn.load and nn.export use them too)."""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np

from autograd import Node, Tensor, Value, guard, is_grad_enabled, zero_grad

RECORDED_CALLS = 256  # the calls a module remembers for drawings (`recorded_calls`): enough for a batch of samples

# A call as recorded: when it started and ended (ticks of one clock shared by every module), and its output
# nodes (id -> ids of their parents, to recognise them). Ids only: a record keeps no graph alive.
Call = tuple[int, int, dict[int, tuple[int, ...]]]
_clock = itertools.count()

# What a state must match: each parameter's and buffer's (shape, dtype) by dotted name.
Layout = Mapping[str, tuple[tuple[int, ...], Any]]


class Module:
    """Base of every layer and model. Its parameters are the Values and the Tensors that require
    grad found in its attributes, in lists, tuples and dicts among them, and in its submodules.
    Its buffers are arrays it registers by name (`register_buffer`): state that is saved with the
    parameters but is not trained, such as BatchNorm's running statistics."""

    training = True
    _buffer_names: tuple[str, ...] = ()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Run `forward`; while graphs are recorded, remember when the call ran and what it returned."""
        if not is_grad_enabled():
            return self.forward(*args, **kwargs)
        guard(self, "training")  # a compiled step records again after train() / eval()
        start = next(_clock)
        out = self.forward(*args, **kwargs)
        calls = self.__dict__.get("_calls")
        if calls is None:
            calls = self._calls = deque(maxlen=RECORDED_CALLS)
        nodes = (out,) if isinstance(out, Node) else _nodes(out)
        calls.append((start, next(_clock), {id(n): tuple(map(id, n.parents)) for n in nodes}))
        return out

    def recorded_calls(self) -> list[Call]:
        """This module's latest calls (at most RECORDED_CALLS), oldest first, each as (start, end,
        outputs): outputs maps the id of each node it returned to the ids of that node's parents.
        What a call computed lies between its outputs and what existed when it started (the outputs
        of calls ended before); drawings (viz, `modules=model`) group nodes by module with it."""
        return list(self.__dict__.get("_calls", ()))

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Node]]:
        """(dotted name, parameter) pairs in attribute order; a shared parameter appears once."""
        seen: set[int] = set()
        for name, p in _walk(vars(self), prefix):
            if id(p) not in seen:
                seen.add(id(p))
                yield name, p

    def parameters(self) -> list[Node]:
        return [p for _, p in self.named_parameters()]

    def register_buffer(self, name: str, value: Any) -> None:
        """Keep a copy of `value` as the array attribute `name`, saved in the state dict beside the
        parameters (nn.save, nn.export too) but not one of them: no gradient, no optimizer step.
        Assign the attribute or write into it to change it."""
        if not isinstance(name, str) or not name.isidentifier() or name.startswith("_"):
            raise ValueError(f"a buffer's name must be an identifier not starting with '_', got {name!r}")
        if name not in self._buffer_names and hasattr(self, name):
            raise ValueError(f"{type(self).__name__} already has an attribute {name!r}; give the buffer another name")
        setattr(self, name, np.array(value))
        if name not in self._buffer_names:
            self._buffer_names = (*self._buffer_names, name)

    def named_buffers(self, prefix: str = "", recurse: bool = True) -> Iterator[tuple[str, np.ndarray]]:
        """(dotted name, array) for each buffer of this module and, with `recurse`, of its submodules
        (a shared submodule's once)."""
        for name, module, attribute in _buffer_slots(self, prefix, recurse):
            yield name, getattr(module, attribute)

    def buffers(self) -> list[np.ndarray]:
        return [b for _, b in self.named_buffers()]

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """(name, module) for each module held directly by this one: an attribute (`fc1`) or an
        item of a list, tuple or dict attribute (`layers.0`), in attribute order."""
        return _named_children(vars(self))

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """(dotted path, module) for this module ("" or prefix) and every module inside it."""
        yield prefix, self
        for name, child in self.named_children():
            yield from child.named_modules(f"{prefix}.{name}" if prefix else name)

    def modules(self) -> Iterator[Module]:
        """This module and every module inside it."""
        return (m for _, m in self.named_modules())

    def zero_grad(self) -> None:
        zero_grad(self.parameters())

    def train(self, mode: bool = True) -> Module:
        """Training mode (Dropout drops); `eval()` switches it off. Returns self."""
        for m in self.modules():
            m.training = mode
        return self

    def eval(self) -> Module:
        return self.train(False)

    def state_dict(self) -> dict[str, np.ndarray]:
        """A copy of every parameter, then of every buffer, as a numpy array, by dotted name."""
        state = {name: np.array(p.data) for name, p in self.named_parameters()}
        return state | {name: np.array(b) for name, b in self.named_buffers()}

    def check_state(self, entries: Layout) -> None:
        """Refuse a state from its entries' (shape, dtype) alone, before any data is read: KeyError
        for missing or unexpected names, ValueError for a wrong shape or a dtype of the wrong kind:
        parameters take real floating point (ints, bools, complex, strings and objects are refused,
        not cast), integer buffers (counters) take integers."""
        check_entries(layout(self), entries)

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Set every parameter and buffer from `state` (arrays by dotted name), cast to its dtype.
        Every entry is checked first (`check_state`, then the values), so a bad one changes nothing.
        NaN and infinite values are refused, also where the cast overflows: no trained model holds
        them, so they mean a diverged run or a corrupt file; so are integers that the cast would
        change. Raises KeyError or ValueError."""
        try:
            new = conform(layout(self), state)
        except (KeyError, ValueError) as e:
            raise type(e)(f"cannot load this state into {type(self).__name__}: {e.args[0]}") from None
        for name, p in self.named_parameters():
            p.data = float(new[name]) if isinstance(p, Value) else new[name]
        for name, module, attribute in _buffer_slots(self, "", True):
            setattr(module, attribute, new[name])

    def count_parameters(self) -> int:
        return sum(int(np.size(p.data)) for p in self.parameters())

    def extra_repr(self) -> str:
        """What this module shows in its repr besides its submodules."""
        return ""

    def __repr__(self) -> str:
        children = list(_named_children(vars(self)))
        head = f"{type(self).__name__}({self.extra_repr()}"
        if not children:
            return head + ")"
        lines = [head]
        for name, child in children:
            lines.append(f"  ({name}): " + repr(child).replace("\n", "\n  "))
        lines.append(f")  # {self.count_parameters():,} parameters")
        return "\n".join(lines)


def _nodes(obj: Any) -> Iterator[Node]:
    """The nodes in a call's result: a node, or nodes in lists, tuples and dicts."""
    if isinstance(obj, Node):
        yield obj
    elif isinstance(obj, (list, tuple)):
        for item in obj:
            yield from _nodes(item)
    elif isinstance(obj, dict):
        for item in obj.values():
            yield from _nodes(item)


def _walk(obj: Any, prefix: str) -> Iterator[tuple[str, Node]]:
    if isinstance(obj, Value) or (isinstance(obj, Tensor) and obj.requires_grad):
        yield prefix, obj
    elif isinstance(obj, Module):
        yield from _walk(vars(obj), prefix)
    elif isinstance(obj, dict):
        for key, value in obj.items():
            if not str(key).startswith("_"):
                yield from _walk(value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(obj, (list, tuple)):
        for i, value in enumerate(obj):
            yield from _walk(value, f"{prefix}.{i}" if prefix else str(i))


def _named_children(attributes: dict[str, Any]) -> Iterator[tuple[str, Module]]:
    for key, value in attributes.items():
        if key.startswith("_"):
            continue
        if isinstance(value, Module):
            yield key, value
        elif isinstance(value, (list, tuple, dict)):
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for i, item in items:
                if isinstance(item, Module):
                    yield f"{key}.{i}", item


def _buffer_slots(module: Module, prefix: str, recurse: bool) -> Iterator[tuple[str, Module, str]]:
    """(dotted name, owning module, attribute) of each buffer; a module held twice counts once."""
    seen: set[int] = set()
    for path, owner in module.named_modules(prefix) if recurse else [(prefix, module)]:
        if id(owner) not in seen:
            seen.add(id(owner))
            for attribute in owner._buffer_names:
                yield (f"{path}.{attribute}" if path else attribute), owner, attribute


def layout(module: Module) -> dict[str, tuple[tuple[int, ...], np.dtype]]:
    """(shape, dtype) of each parameter and buffer by dotted name: what a state for `module` must
    match. A Value is a 0-d float64."""
    own = {
        name: (np.shape(p.data), np.dtype(np.float64) if isinstance(p, Value) else p.dtype)
        for name, p in module.named_parameters()
    }
    return own | {name: (np.shape(b), np.asarray(b).dtype) for name, b in module.named_buffers()}


def check_entries(own: Layout, entries: Layout) -> None:
    """Refuse `entries` ((shape, dtype) by name) that do not match the layout `own`: KeyError
    naming missing and unexpected names, ValueError naming a wrong shape or a dtype of the wrong
    kind (real floating point, or integers where `own` has integers: a buffer that counts).
    Module.check_state, nn.load and nn.export all check states with it."""
    missing, unexpected = sorted(own.keys() - entries.keys()), sorted(entries.keys() - own.keys())
    if missing or unexpected:
        raise KeyError(f"missing {_few(missing)}, unexpected {_few(unexpected)}")
    for name, (need, need_dtype) in own.items():
        shape, dtype = entries[name]
        if tuple(shape) != tuple(need):
            raise ValueError(f"{name} has shape {tuple(shape)}, needs {tuple(need)}")
        if _counts(need_dtype):
            if not _counts(dtype):
                raise ValueError(f"{name} has dtype {dtype}; it counts, so it takes integers")
        elif np.dtype(dtype).kind != "f":
            raise ValueError(f"{name} has dtype {dtype}; parameters are floating point, and nothing else is cast")


def conform(own: Layout, state: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """`state`'s arrays checked against the layout `own` (`check_entries`, then their values) and
    cast to its dtypes, every entry before any is returned. Raises KeyError or ValueError."""
    arrays = {name: np.asarray(value) for name, value in state.items()}
    check_entries(own, {name: (a.shape, a.dtype) for name, a in arrays.items()})
    return {
        name: (_exact if _counts(dtype) else _finite)(name, arrays[name], dtype) for name, (_, dtype) in own.items()
    }


def _counts(dtype: Any) -> bool:
    """Whether `dtype` is an integer one, as a buffer that counts (BatchNorm's num_batches_tracked) has."""
    return np.dtype(dtype).kind in "iu"


def _exact(name: str, array: np.ndarray, dtype: Any) -> np.ndarray:
    """`array` cast to the integer `dtype` (a copy), or ValueError if the cast changes a value."""
    cast = array.astype(dtype)
    if not np.array_equal(cast, array):
        raise ValueError(f"{name} holds values that {np.dtype(dtype)} cannot hold")
    return cast


def _finite(name: str, array: np.ndarray, dtype: Any) -> np.ndarray:
    """`array` cast to `dtype` (a copy), or ValueError if any of it is NaN or infinite there."""
    with np.errstate(over="ignore", invalid="ignore"):
        cast = array.astype(dtype)
    bad = cast.size - int(np.count_nonzero(np.isfinite(cast)))
    if bad:
        raise ValueError(f"{name} holds {bad} NaN or infinite value(s) as {np.dtype(dtype)}; parameters must be finite")
    return cast


def _few(names: list[str], shown: int = 5) -> str:
    """A list of names for a message, cut after `shown` so a file of thousands stays one line."""
    if not names:
        return "nothing"
    more = f" and {len(names) - shown} more" if len(names) > shown else ""
    return f"{names[:shown]}{more}"
