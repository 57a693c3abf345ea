"""The padding layers of torch.nn, each autograd.pad with its widths and mode bound: ZeroPad1d/2d/3d,
ConstantPad1d/2d/3d, ReflectionPad1d/2d/3d, ReplicationPad1d/2d/3d, CircularPad1d/2d/3d. `padding` is an int
(every side) or PyTorch's flat tuple, last axis first: (left, right) for 1d, (left, right, top, bottom) for 2d,
(left, right, top, bottom, front, back) for 3d; a negative width crops (where the mode allows it, as in
PyTorch)."""

from __future__ import annotations

from typing import Any

from autograd import Tensor, pad

from .arguments import check_fill, is_int, layer_input, shown
from .module import Module


class Pad(Module):
    """What the padding layers share: `padding` checked when set (setting_checks), the mode's pad at each call."""

    MODE = "constant"
    AXES = 1  # how many of the last axes it pads

    setting_checks = {"padding": lambda layer, padding: layer.widths(padding)}

    def __init__(self, padding: Any) -> None:
        self.padding = padding

    def widths(self, padding: Any) -> tuple[int, ...]:
        """`padding` as PyTorch's flat tuple of 2 * AXES ints: an int for every side, or such a tuple."""
        name, sides = type(self).__name__, 2 * self.AXES
        if is_int(padding):
            return (int(padding),) * sides
        if isinstance(padding, tuple | list) and len(padding) == sides and all(is_int(p) for p in padding):
            return tuple(int(p) for p in padding)
        raise TypeError(f"{name}: padding must be an int or a tuple of {sides} ints, got {shown(padding)}")

    def forward(self, x: Tensor) -> Tensor:
        return pad(layer_input(type(self).__name__, x), self.padding, self.MODE, self.fill())

    def fill(self) -> float:
        return 0.0

    def extra_repr(self) -> str:
        return str(self.padding)


class _ConstantPad(Pad):
    setting_checks = {
        **Pad.setting_checks,
        "value": lambda layer, value: check_fill(type(layer).__name__, "value", value),
    }

    def __init__(self, padding: Any, value: float) -> None:
        super().__init__(padding)
        self.value = value

    def fill(self) -> float:
        return self.value

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class ZeroPad1d(Pad):
    """Zeros before and after the last axis."""


class ZeroPad2d(Pad):
    """Zeros around the last two axes."""

    AXES = 2


class ZeroPad3d(Pad):
    """Zeros around the last three axes."""

    AXES = 3


class ConstantPad1d(_ConstantPad):
    """`value` before and after the last axis."""


class ConstantPad2d(_ConstantPad):
    """`value` around the last two axes."""

    AXES = 2


class ConstantPad3d(_ConstantPad):
    """`value` around the last three axes."""

    AXES = 3


class ReflectionPad1d(Pad):
    """The last axis's entries mirrored about its ends (the end entries not repeated)."""

    MODE = "reflect"


class ReflectionPad2d(ReflectionPad1d):
    """The last two axes' entries mirrored about their edges."""

    AXES = 2


class ReflectionPad3d(ReflectionPad1d):
    """The last three axes' entries mirrored about their faces."""

    AXES = 3


class ReplicationPad1d(Pad):
    """The last axis's end entries repeated."""

    MODE = "replicate"


class ReplicationPad2d(ReplicationPad1d):
    """The last two axes' edge entries repeated."""

    AXES = 2


class ReplicationPad3d(ReplicationPad1d):
    """The last three axes' face entries repeated."""

    AXES = 3


class CircularPad1d(Pad):
    """The last axis wrapped around: its other end's entries."""

    MODE = "circular"


class CircularPad2d(CircularPad1d):
    """The last two axes wrapped around."""

    AXES = 2


class CircularPad3d(CircularPad1d):
    """The last three axes wrapped around."""

    AXES = 3


PADS = (
    ZeroPad1d, ZeroPad2d, ZeroPad3d, ConstantPad1d, ConstantPad2d, ConstantPad3d, ReflectionPad1d,
    ReflectionPad2d, ReflectionPad3d, ReplicationPad1d, ReplicationPad2d, ReplicationPad3d, CircularPad1d,
    CircularPad2d, CircularPad3d,
)  # fmt: skip
