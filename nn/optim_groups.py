"""An optimizer's parameters, checked when given (`checked_params`), and PyTorch's
`optimizer.param_groups`, for code that sets the learning rate by hand
(`for g in opt.param_groups: g["lr"] = 0.01`), logs it, or copies a group. Each group (one, or several:
nn.optim_param_groups) has the keys of torch.optim 2.13's group for the same optimizer: "params", "param_names"
where it was given named parameters (model.named_parameters()), its settings (with one group, the optimizer's
attributes of those names; each checked as the constructor checks it), PyTorch's options
of how a step is computed (foreach, fused, capturable, differentiable: as given to the constructor, set
only to the values chainrule computes, nn.optim_options), AdamW's decoupled_weight_decay (True, its own),
"initial_lr" once a scheduler has set it (as PyTorch's schedulers add it), and the user's own keys it was given."""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from typing import Any

import numpy as np
from numpy.lib.array_utils import byte_bounds

from autograd import Node, Tensor, Value, guard, repr_of, type_name

from .arguments import as_sequence, shown
from .optim_group_keys import group_key


class ReadOnlyList(list):
    """A list an optimizer gives out (its param_groups, a group's "params"): a copy, so a change made to it in place
    would be lost without a word, where PyTorch's changes the optimizer (a parameter appended to a group's params
    is trained there); refused, naming add_param_group. Reading, iterating and copying it are a list's."""

    def _refuse(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError(
            "this list is a copy of an optimizer's param groups (or of a group's params): a change to it would change "
            "nothing the optimizer steps; add parameters with optimizer.add_param_group({'params': [...]}), or edit "
            "a list of your own, list(...)"
        )

    append = extend = insert = pop = remove = clear = sort = reverse = _refuse
    __setitem__ = __delitem__ = __iadd__ = __imul__ = _refuse  # type: ignore[assignment]

    def __reduce_ex__(self, protocol: Any) -> Any:  # copy, deepcopy and pickle make a plain list, theirs to change
        return (list, (list(self),))


class ReadOnlyDict(dict):
    """An optimizer's `defaults`: a copy, so a change made to it in place (PyTorch's `opt.defaults["lr"] = 0.5`,
    which the next add_param_group takes) would be lost without a word; refused, naming the group's own settings."""

    def _refuse(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError(
            "an optimizer's defaults are the constructor's settings, a copy here: a change to them would change "
            "nothing; give a group added its own, optimizer.add_param_group({'params': [...], 'lr': 0.5})"
        )

    __setitem__ = __delitem__ = update = pop = popitem = clear = setdefault = __ior__ = _refuse  # type: ignore[assignment]

    def __reduce_ex__(self, protocol: Any) -> Any:  # copy, deepcopy and pickle make a plain dict, theirs to change
        return (dict, (dict(self),))


def changed_in_the_step(what: str, or_else: str) -> str:
    """Why a compiled step runs eagerly that read `what` (a group's setting, a scheduler's lr for a group) and
    changed it while it ran, by a scheduler's step or `or_else`."""
    return (
        f"the step reads {what} and changed it while it ran (a scheduler stepped inside the step, or {or_else}): a "
        "replay would read it as it was when recorded. Step schedulers and set settings outside the compiled step, "
        "or read the value outside and pass it as an argument (a 0-d array)"
    )


class GroupSettings:
    """Param group `k`'s settings as attributes (`.lr`), as they are when read: what autograd.guard checks of a
    group's setting that a compiled step's code reads (with one group, the optimizer's own attributes are)."""

    __slots__ = ("optimizer", "k")

    def __init__(self, optimizer: Any, k: int) -> None:
        self.optimizer, self.k = optimizer, k

    @classmethod
    def of(cls, optimizer: Any, k: int) -> GroupSettings:
        """The one view of `optimizer`'s group `k` (kept on it: a compiled step meets the same object each call)."""
        views = vars(optimizer).setdefault("_group_views", [])
        views += [cls(optimizer, j) for j in range(len(views), k + 1)]
        return views[k]

    def changed_while_running(self, name: str) -> str:
        """Why a compiled step runs eagerly that read this group's setting `name` and changed it (autograd's
        compile asks the owners of what it guards)."""
        return changed_in_the_step(f"param group {self.k}'s {name}", f"param_groups[{self.k}][{name!r}] set there")

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name in GroupSettings.__slots__:  # copy's probes of an object not yet filled
            raise AttributeError(name)
        settings = self.optimizer.groups[self.k].settings
        if settings is None or name not in settings:
            raise AttributeError(f"param group {self.k} has no setting {name!r}")
        return settings[name]


class ParamGroup(MutableMapping):
    """A live view of an optimizer's param group `k` as PyTorch's dict: its parameters, its settings (with one
    group, the optimizer's own attributes), PyTorch's options, and the keys of the user's own it was given."""

    def __init__(self, optimizer: Any, k: int = 0) -> None:
        self.optimizer, self.k = optimizer, k

    def _group(self) -> Any:
        return self.optimizer.groups[self.k]

    def _settings(self) -> dict[str, Any]:
        return self.optimizer.group_settings()[self.k]

    def _initial_lr(self) -> float | None:
        """The group's lr before any scheduler changed it (the first scheduler sets it), or None."""
        return self.optimizer.initial_lr if len(self.optimizer.groups) == 1 else self._group().initial_lr

    def __getitem__(self, key: str) -> Any:
        opt, group = self.optimizer, self._group()
        if key == "params":
            return ReadOnlyList(group.params)
        if key == "param_names" and group.names is not None:
            return list(group.names)
        if key in opt.setting_names:
            if len(opt.groups) > 1:  # read by a compiled step's code: a replay checks it first, as `opt.lr` is
                return guard(GroupSettings.of(opt, self.k), key)
            return self._settings()[key]
        if key in opt.fixed_settings:
            return opt.fixed_settings[key]
        if key == "initial_lr" and self._initial_lr() is not None:
            return self._initial_lr()
        if key in opt.torch_settings:
            return group.torch.get(key, opt.torch_settings[key])
        if key in group.own:
            return group.own[key]
        raise KeyError(f"{type_name(opt)}'s param group has no {key!r}: it has {', '.join(self)}")

    def __setitem__(self, key: str, value: Any) -> None:
        opt, group = self.optimizer, self._group()
        kind, value = group_key(opt, self.k, key, value, self._settings())  # the one table of a group's keys
        if kind == "setting":
            opt.set_in_group(self.k, key, value)  # checked as the constructor checks it: TypeError, ValueError
        elif kind == "torch":
            (opt.torch_settings if len(opt.groups) == 1 else group.torch)[key] = value
        elif kind == "initial_lr":  # what a PyTorch scheduler resumed with last_epoch reads: checked as an lr
            checked = opt.checked_settings({**self._settings(), "lr": value})["lr"]
            if len(opt.groups) == 1:
                opt.initial_lr = checked
            else:
                group.initial_lr = checked
        elif kind == "own":
            group.own[key] = value  # the user's own key, as PyTorch keeps it

    def __delitem__(self, key: str) -> None:
        """A key of the user's own deleted, as from PyTorch's dict; the others (its parameters, settings, options)
        are the optimizer's, and refused (TypeError)."""
        own = self._group().own
        if key not in own:
            raise TypeError(
                f"a param group's entries cannot be deleted ({key!r}), but for keys of your own; set a setting to "
                "another value instead"
            )
        del own[key]

    def __iter__(self) -> Iterator[str]:
        opt, group = self.optimizer, self._group()
        scheduled = ("initial_lr",) if self._initial_lr() is not None else ()
        named = ("param_names",) if group.names is not None else ()
        own = tuple(group.own)
        return iter(("params", *named, *opt.setting_names, *opt.fixed_settings, *opt.torch_settings, *scheduled, *own))

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __repr__(self) -> str:
        return repr(
            {key: self[key] for key in self if key not in ("params", "param_names")}
            | {"params": f"{len(self._group().params)} parameters"}
        )


def checked_params(name: str, params: Iterable[Any]) -> tuple[list[Node], list[str] | None]:
    """An optimizer's parameters, each once (a second mention warned of): leaf Values and leaf Tensors
    that require grad or are frozen; and their names where given as PyTorch 2.13 takes them, (name, parameter)
    pairs (`model.named_parameters()`), else None. A Node given alone, a dict (PyTorch's parameter group),
    named and unnamed parameters mixed, a name that is not a str, and a parameter or a name given twice under
    names are refused, naming the fix."""
    if isinstance(params, Node):
        raise TypeError(f"{name} takes a list of parameters, got one {type_name(params)}: write {name}([w])")
    params = as_sequence(name, "params", params, "a list of parameters (model.parameters())")
    if not params:
        raise ValueError(f"{name} got no parameters (did the model build any?)")
    params, names = _split_names(name, params)
    for p in params:
        if isinstance(p, Mapping):
            raise TypeError(
                f"{name} got parameters and a parameter group (a dict of params and settings) mixed: give every "
                f"group as a dict, {name}([{{'params': first}}, {{'params': second, 'lr': 0.1}}], lr=0.01)"
            )
        if not (isinstance(p, Value) or (isinstance(p, Tensor) and (p.requires_grad or p.frozen))):
            got = (
                repr(p) if isinstance(p, Node) else f"{type_name(p)} {repr_of(p)}"
            )  # a Tensor that needs no grad: its repr
            raise TypeError(f"{name} takes Values and Tensors that require grad (or frozen ones), got {got}")
        if p.op is not None:
            raise ValueError(
                f"{name}: {p!r} is not a leaf (the op {p.op.name!r} made it), so no gradient is kept on it; "
                "give the leaf parameters it was computed from"
            )
    unique = list({id(p): p for p in params}.values())
    if len(unique) < len(params):
        warnings.warn(f"{name} got the same parameter twice; it is updated once", UserWarning, stacklevel=4)
    refuse_shared_memory(name, params, names)
    return unique, names


def refuse_shared_memory(name: str, params: list[Node], names: list[str] | None) -> None:
    """ValueError where two of the parameters (not one given twice) have an entry in common, one made over the
    other (nn.Parameter(encoder.weight.T)) or both over one array (nn.Parameter(init) twice): each would be
    stepped with its own gradient and state into the one array, which is neither a tied weight (Adam: 0.29 off
    the tied model's in 3 steps) nor two weights."""
    first = {id(p): k for k, p in reversed(list(enumerate(params)))}
    arrays = sorted(
        (byte_bounds(p.data), k, p.data)
        for k, p in enumerate(params)
        if isinstance(p, Tensor) and p.size and first[id(p)] == k
    )
    for i, ((_, high), k, a) in enumerate(arrays):
        for (low, _), j, b in arrays[i + 1 :]:
            if low >= high:  # sorted by where they start: none further on reaches into a
                break
            if np.shares_memory(a, b):
                both = f"{names[min(k, j)]!r} and {names[max(k, j)]!r}" if names else f"{min(k, j)} and {max(k, j)}"
                raise ValueError(
                    f"{name}: parameters {both} share memory (one made over the other, as nn.Parameter(w.T) of a "
                    "parameter w is, or both over one array, as nn.Parameter(init) twice is): each would be stepped "
                    "with its own gradient and state into the same numbers. To tie them, give the optimizer one and "
                    "use it in both places (a Linear tied to an Embedding: F.linear(h, encoder.weight, decoder.b) in "
                    "forward); to keep them apart, give each its own copy (init.copy(), or t.clone() of a Tensor)"
                )


def _is_named(item: Any) -> bool:
    """Whether `item` is a (name, parameter) pair, as model.named_parameters() yields them."""
    return isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], Node)


def _split_names(name: str, items: list[Any]) -> tuple[list[Any], list[str] | None]:
    """`items` as parameters and their names (None when none is named); refused, before any is kept, where
    some are named and some not, a name is not a str (a position or a module for a name would name nothing),
    or, among named ones, a parameter or a name comes twice (which name would a message or a file give?)."""
    named = [_is_named(item) for item in items]
    if not any(named):
        return items, None
    if not all(named):
        k = named.index(False)
        raise ValueError(
            f"{name} got named parameters ((name, parameter) pairs) and unnamed ones (item {k}, {shown(items[k])}): "
            "give all of them names (model.named_parameters()) or none (model.parameters())"
        )
    seen_names: dict[str, int] = {}
    seen_params: dict[int, str] = {}
    for k, (label, p) in enumerate(items):
        if not isinstance(label, str) or not label:
            raise TypeError(
                f"{name}: the name of parameter {k} is {type_name(label)} {shown(label)}, not a non-empty str: "
                "give (name, parameter) pairs as model.named_parameters() yields them"
            )
        if label in seen_names or id(p) in seen_params:
            twice = (
                f"the name {label!r}"
                if label in seen_names
                else f"the parameter {label!r} (also {seen_params[id(p)]!r})"
            )
            raise ValueError(
                f"{name} got {twice} twice among its named parameters: give each parameter once, under one name"
            )
        seen_names[label], seen_params[id(p)] = k, label
    return [p for _, p in items], [label for label, _ in items]
