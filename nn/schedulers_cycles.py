"""What the cycling schedulers (OneCycleLR, CyclicLR) share: PyTorch's numbers given one per parameter group, and
the momentum they move against the lr (cycle_momentum): SGD's and RMSprop's `momentum`, or the Adam family's beta1,
each value checked by the optimizer before anything changes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .arguments import check_number
from .optim_base import Optimizer


def one_per_group(owner: str, name: str, value: Any, wanted: str, fits: Callable[[float], bool]) -> float:
    """A number, or PyTorch's list of one per parameter group (one here)."""
    if isinstance(value, list | tuple):
        if len(value) != 1:
            raise ValueError(f"{owner}: {name} holds one number per parameter group (one here), got {value}")
        value = value[0]
    return check_number(owner, name, value, wanted, fits)


def momentum_name(owner: str, optimizer: Any) -> str:
    """The setting cycle_momentum moves: `betas` (its first) or `momentum`; ValueError for an optimizer
    with neither, as PyTorch's."""
    names = getattr(optimizer, "setting_names", ())
    if "betas" in names or "momentum" in names:
        return "betas" if "betas" in names else "momentum"
    raise ValueError(
        f"{owner}: cycle_momentum=True moves a momentum, and {type(optimizer).__name__} has none (SGD's and "
        "RMSprop's momentum, the Adam family's betas[0] have one): give cycle_momentum=False"
    )


def check_momentum(owner: str, optimizer: Optimizer, name: str, values: tuple[float, ...]) -> None:
    """The optimizer's error (ValueError) where one of `values` is not a momentum it takes (nesterov's > 0),
    before anything changes: the cycle moves between them."""
    current = {s: getattr(optimizer, s) for s in optimizer.setting_names}
    for value in values:
        given = (value, *optimizer.betas[1:]) if name == "betas" else value
        try:
            optimizer.checked_settings({**current, name: given})
        except ValueError as error:
            raise ValueError(f"{owner}: the cycle would set the momentum {value!r}, and {error}") from None


def set_momentum(optimizer: Optimizer, name: str, value: float) -> None:
    """Set the momentum `name` (momentum_name's) of `optimizer` to `value` (checked by check_momentum)."""
    if name == "betas":
        optimizer.betas = (value, *optimizer.betas[1:])
    else:
        optimizer.momentum = value
