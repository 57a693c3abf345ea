"""An optimizer's parameters, checked when given (`checked_params`), and PyTorch's
`optimizer.param_groups`, for code that sets the learning rate by hand:
`for g in opt.param_groups: g["lr"] = 0.01`. chainrule's optimizers have one group: its keys are
the optimizer's settings (each read and set as the attribute of that name, checked as the
constructor checks it) and "params"."""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from typing import Any

from autograd import Node, Tensor, Value

from .arguments import as_sequence


class ParamGroup(MutableMapping):
    """A live view of an optimizer's settings as PyTorch's one parameter group."""

    def __init__(self, optimizer: Any) -> None:
        self.optimizer = optimizer

    def __getitem__(self, key: str) -> Any:
        if key == "params":
            return list(self.optimizer.params)
        if key not in self.optimizer.setting_names:
            raise KeyError(f"{type(self.optimizer).__name__}'s param group has no {key!r}: it has {', '.join(self)}")
        return getattr(self.optimizer, key)

    def __setitem__(self, key: str, value: Any) -> None:
        name = type(self.optimizer).__name__
        if key == "params":
            raise KeyError(f"{name}'s parameters are fixed when it is made: build another optimizer for others")
        if key not in self.optimizer.setting_names:
            raise KeyError(
                f"{name}'s param group has no setting {key!r} (it has {', '.join(self.optimizer.setting_names)})"
            )
        setattr(self.optimizer, key, value)  # checked as the constructor checks it: TypeError, ValueError

    def __delitem__(self, key: str) -> None:
        raise TypeError(f"a param group's entries cannot be deleted ({key!r}); set a setting to another value instead")

    def __iter__(self) -> Iterator[str]:
        return iter(("params", *self.optimizer.setting_names))

    def __len__(self) -> int:
        return 1 + len(self.optimizer.setting_names)

    def __repr__(self) -> str:
        return repr(
            {key: self[key] for key in self if key != "params"} | {"params": f"{len(self.optimizer.params)} parameters"}
        )


def checked_params(name: str, params: Iterable[Node]) -> list[Node]:
    """An optimizer's parameters, each once (a second mention warned of): leaf Values and leaf Tensors
    that require grad or are frozen. A Node given alone, a dict (PyTorch's parameter group) or
    anything else is refused, naming the fix."""
    if isinstance(params, Node):
        raise TypeError(f"{name} takes a list of parameters, got one {type(params).__name__}: write {name}([w])")
    params = as_sequence(name, "params", params, "a list of parameters (model.parameters())")
    if not params:
        raise ValueError(f"{name} got no parameters (did the model build any?)")
    for p in params:
        if isinstance(p, Mapping):
            raise TypeError(
                f"{name} got a parameter group (a dict of params and settings), which chainrule's optimizers do "
                f"not take: make one {name} per group, e.g. {name}(group['params'], lr=group['lr'])"
            )
        if not (isinstance(p, Value) or (isinstance(p, Tensor) and (p.requires_grad or p.frozen))):
            raise TypeError(f"{name} takes Values and Tensors that require grad (or frozen ones), got {p!r}")
        if p.op is not None:
            raise ValueError(
                f"{name}: {p!r} is not a leaf (the op {p.op.name!r} made it), so no gradient is kept on it; "
                "give the leaf parameters it was computed from"
            )
    unique = list({id(p): p for p in params}.values())
    if len(unique) < len(params):
        warnings.warn(f"{name} got the same parameter twice; it is updated once", UserWarning, stacklevel=4)
    return unique
