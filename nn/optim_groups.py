"""PyTorch's `optimizer.param_groups`, for code that sets the learning rate by hand:
`for g in opt.param_groups: g["lr"] = 0.01`. chainrule's optimizers have one group: its keys are
the optimizer's settings (each read and set as the attribute of that name, checked as the
constructor checks it) and "params"."""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from typing import Any


class ParamGroup(MutableMapping):
    """A live view of an optimizer's settings as PyTorch's one parameter group."""

    def __init__(self, optimizer: Any) -> None:
        self.optimizer = optimizer

    def _settings(self) -> tuple[str, ...]:
        return (*self.optimizer.hyperparameters, *self.optimizer.flags)

    def __getitem__(self, key: str) -> Any:
        if key == "params":
            return list(self.optimizer.params)
        if key not in self._settings():
            raise KeyError(f"{type(self.optimizer).__name__}'s param group has no {key!r}: it has {', '.join(self)}")
        return getattr(self.optimizer, key)

    def __setitem__(self, key: str, value: Any) -> None:
        name = type(self.optimizer).__name__
        if key == "params":
            raise KeyError(f"{name}'s parameters are fixed when it is made: build another optimizer for others")
        if key not in self._settings():
            raise KeyError(f"{name}'s param group has no setting {key!r} (it has {', '.join(self._settings())})")
        current = {s: getattr(self.optimizer, s) for s in self._settings()}
        checked = self.optimizer.checked_settings({**current, key: value})  # TypeError, ValueError: nothing set
        setattr(self.optimizer, key, checked[key])

    def __delitem__(self, key: str) -> None:
        raise TypeError(f"a param group's entries cannot be deleted ({key!r}); set a setting to another value instead")

    def __iter__(self) -> Iterator[str]:
        return iter(("params", *self._settings()))

    def __len__(self) -> int:
        return 1 + len(self._settings())

    def __repr__(self) -> str:
        return repr(
            {key: self[key] for key in self if key != "params"} | {"params": f"{len(self.optimizer.params)} parameters"}
        )
