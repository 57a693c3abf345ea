"""Dropout, as PyTorch's: Dropout and its function dropout (each element); Dropout1d, Dropout2d, Dropout3d and
their functions dropout1d, dropout2d, dropout3d (whole channels of sequences, images and volumes)."""

from __future__ import annotations

from collections.abc import Callable
from types import FunctionType
from typing import Any

import numpy as np

from autograd import ShapeError, Tensor, drawn, guard, type_name

from .arguments import check_flag, check_real, layer_input
from .module import Module
from .rng import generator, kept


def dropout(x: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """torch.nn.functional.dropout: with `training`, each element zeroed with probability p and the rest
    scaled by 1 / (1 - p), drawn from nn's default generator; else x. As PyTorch's, training is True
    unless given: in a module's forward write `dropout(x, p, self.training)`. Under autograd.compile
    the mask is drawn anew on each replay, but p is the recorded call's (nn.Dropout's is checked)."""
    return dropped("dropout", x, p, training, inplace, lambda shape: shape)


def zeroed(x: Tensor, p: float, draws: Callable[[], np.random.Generator], shape: tuple[int, ...]) -> Tensor:
    """Dropout's masking step: x times a mask of `shape`, 1 / (1 - p) where kept and 0 where dropped, drawn from
    `draws()` at each draw (a compiled step draws anew on each replay)."""
    dtype = x.dtype  # a float16 mask stays float16; the draw holds it, not x (a recording would keep x alive)
    return x * drawn(lambda: _mask(draws(), p, shape, dtype), dtype)


def dropped(
    owner: str,
    x: Tensor,
    p: float,
    training: bool,
    inplace: bool,
    mask_shape: Callable[[tuple[int, ...]], tuple[int, ...]],
    masking: Callable[..., Tensor] = zeroed,
) -> Tensor:
    """The functions of dropout's family: their arguments checked, then x masked by `masking` (zeroed, or alpha
    dropout's mix) with a mask of `mask_shape(x.shape)` drawn from the default generator as it is then (one draw per
    element, or per channel)."""
    check_real(owner, "p", p, 0, 1, high_included=False)
    training = check_flag(owner, "training", training)  # in a module: self.training
    check_flag(owner, "inplace", inplace)  # PyTorch's; computed out of place either way (nn.Dropout)
    if not isinstance(x, Tensor):
        raise TypeError(f"{owner} takes a Tensor, got {type_name(x)}: Tensor(x)")
    if not training or p == 0:
        return x
    check_dropped(x, owner)
    return masking(x, p, lambda: generator(None), mask_shape(x.shape))


def check_dropped(x: Tensor, owner: str) -> None:
    """Refuse input that is not floating point where it would be dropped (in training, p > 0; as
    PyTorch, which passes it through otherwise): integers and bools cannot hold the kept entries' scale
    1 / (1 - p), and would be cut back to whole numbers."""
    if x.dtype.kind != "f":
        raise TypeError(f"{owner} takes floating-point input, got {x.dtype}: convert it first, x.astype(np.float32)")


def _mask(rng: np.random.Generator, p: float, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """1 / (1 - p) where kept (with probability 1 - p), exactly 0 where dropped: the mask times the scale,
    or, for a scale beyond float16 (p above about 0.999985: inf, and 0 * inf would make the dropped
    entries NaN), chosen (kept ones are then inf, as PyTorch's); the product is four times faster."""
    keep = kept(rng, p, shape)
    with np.errstate(over="ignore"):  # the float16 overflow just described, meant
        scale = np.asarray(1 / (1 - p), dtype=dtype)
    if np.isfinite(scale):
        return np.multiply(keep, scale, dtype=dtype)
    return np.where(keep, scale, np.zeros((), dtype))


class Dropout(Module):
    """In training mode, zero each element with probability p and scale the rest by 1 / (1 - p);
    in eval mode, pass x through. The mask is `autograd.drawn`, so a compiled step draws a new
    one on every replay, from the same generator, as eagerly."""

    # p, the probability of zeroing an element, in [0, 1): 1 would divide by 0 in the scale, NaN would
    # make every output NaN
    setting_checks = {"p": lambda dropout, p: _probability(type(dropout).__name__, p)}

    def __init__(self, p: float = 0.5, inplace: bool = False, *, seed: int | None = None) -> None:
        """PyTorch's `inplace` (second, as there) is accepted and changes nothing: the result is computed out
        of place either way, as the graph keeps x for the gradient. `seed` is given by keyword."""
        name = type(self).__name__
        if isinstance(inplace, int | np.integer) and not isinstance(inplace, bool | np.bool_):
            raise TypeError(f"{name}: the second argument is PyTorch's inplace; give a seed by keyword: seed={inplace}")
        check_flag(name, "inplace", inplace)
        self.p = p
        # None: the default generator, looked up at each call
        self._rng = None if seed is None else generator(seed, name)

    # how a mask is applied: zeroed here, alpha dropout's mix in AlphaDropout
    masking = staticmethod(zeroed)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Refuse a subclass defining `mask(shape, dtype)`, Dropout's hook until `masking` took its place: it
        would not be called, and the layer would drop with the standard mask, silently."""
        super().__init_subclass__(**kwargs)
        if isinstance(cls.__dict__.get("mask"), FunctionType | staticmethod | classmethod):  # not an attribute
            raise TypeError(
                f"{cls.__name__} defines mask(shape, dtype), which Dropout no longer calls: define "
                "masking(x, p, draws, shape) instead, returning the masked x (nn.dropout.zeroed is Dropout's; "
                "draws() gives the layer's generator)"
            )

    def forward(self, x: Tensor) -> Tensor:
        name = type(self).__name__
        x = layer_input(name, x)
        self.check_input(name, x)
        if not self.training or guard(self, "p") == 0:  # guard: a compiled step records again if p changes
            return x
        check_dropped(x, name)
        return self.masking(x, self.p, self.draws, self.mask_shape(x.shape))

    def check_input(self, name: str, x: Tensor) -> None:
        """Any shape: each entry is dropped on its own."""

    def mask_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        """The shape of the mask for input of `shape`: one draw per element."""
        return shape

    def draws(self) -> np.random.Generator:
        """The layer's own generator (given a seed), else the default one as it is now."""
        return generator(None) if self._rng is None else self._rng

    def extra_repr(self) -> str:
        return f"p={self.p}"


def _probability(owner: str, p: Any) -> float:
    check_real(owner, "p", p, 0, 1, high_included=False)
    return float(p)


# each channel dropout's input: its number of spatial dims, and whether it takes one sample without the batch
# axis (PyTorch's Dropout1d and Dropout3d do; its Dropout2d only warns of 3-d input, which it reads as (N, C, L))
FEATURE_MAPS = {"1d": (1, True), "2d": (2, False), "3d": (3, True)}
_AXES = {1: "L", 2: "H, W", 3: "D, H, W"}


def dropout1d(x: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """torch.nn.functional.dropout1d: with `training`, each channel of each sample of input (N, C, L) or
    (C, L) zeroed with probability p and the rest scaled by 1 / (1 - p), drawn from nn's default generator; else x."""
    return _channels_dropped("1d", x, p, training, inplace)


def dropout2d(x: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """torch.nn.functional.dropout2d: with `training`, each channel of each sample of input (N, C, H, W)
    zeroed with probability p and the rest scaled by 1 / (1 - p), drawn from nn's default generator; else x."""
    return _channels_dropped("2d", x, p, training, inplace)


def dropout3d(x: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """torch.nn.functional.dropout3d: with `training`, each channel of each sample of input (N, C, D, H, W) or
    (C, D, H, W) zeroed with probability p and the rest scaled by 1 / (1 - p), drawn from nn's default generator;
    else x."""
    return _channels_dropped("3d", x, p, training, inplace)


def _channels_dropped(kind: str, x: Tensor, p: float, training: bool, inplace: bool) -> Tensor:
    owner, spatial = f"dropout{kind}", FEATURE_MAPS[kind][0]
    if isinstance(x, Tensor):
        check_feature_maps(owner, x, kind)
    return dropped(owner, x, p, training, inplace, lambda shape: channel_mask_shape(shape, spatial))


def channel_mask_shape(shape: tuple[int, ...], spatial: int = 2) -> tuple[int, ...]:
    """One draw per channel of each sample: the shape with its `spatial` last dims 1 ((N, C, 1, 1) for images)."""
    return (*shape[: len(shape) - spatial], *(1,) * spatial)


def check_feature_maps(owner: str, x: Tensor, kind: str) -> None:
    """ShapeError unless x is a batch of channels of `kind`'s spatial dims (or, where PyTorch takes one, a sample)."""
    spatial, unbatched = FEATURE_MAPS[kind]
    axes = _AXES[spatial]
    if x.ndim == spatial + 2 or (unbatched and x.ndim == spatial + 1):
        return
    shapes = f"(N, C, {axes})" + f" or (C, {axes})" * unbatched
    hint = "; for one image (C, H, W) add the batch axis, x.unsqueeze(0)" if kind == "2d" and x.ndim == 3 else ""
    raise ShapeError(f"{owner} takes input of shape {shapes}, got shape {x.shape}{hint}")


class Dropout2d(Dropout):
    """In training mode, zero each channel of each sample (x[n, c], of input (N, C, H, W)) with
    probability p and scale the rest by 1 / (1 - p); in eval mode, pass x through. Neighbouring
    pixels are alike, so dropping single ones regularises little: dropping a channel does.
    `seed` makes the draws repeatable."""

    kind = "2d"

    def check_input(self, name: str, x: Tensor) -> None:
        check_feature_maps(name, x, self.kind)

    def mask_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        return channel_mask_shape(shape, FEATURE_MAPS[self.kind][0])


class Dropout1d(Dropout2d):
    """Dropout2d's channels for sequences: each channel x[n, c] of input (N, C, L), or x[c] of (C, L), zeroed
    with probability p in training, the rest scaled by 1 / (1 - p); in eval mode x passes through."""

    kind = "1d"


class Dropout3d(Dropout2d):
    """Dropout2d's channels for volumes: each channel x[n, c] of input (N, C, D, H, W), or x[c] of (C, D, H, W),
    zeroed with probability p in training, the rest scaled by 1 / (1 - p); in eval mode x passes through."""

    kind = "3d"
