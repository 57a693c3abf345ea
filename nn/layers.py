"""Layers on Tensor: Linear (and its function, linear), Softmax, Dropout (and its function, dropout),
Sequential (built at once or step by step)."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from autograd import ShapeError, Tensor, drawn, guard

from .arguments import (
    check_axis,
    check_choice,
    check_count,
    check_flag,
    check_real,
    factory_dtype,
    layer_input,
    renamed,
)
from .module import Module
from .rng import generator, kept
from .structure import STRUCTURE

INITS = {
    "lesson": lambda nin, nout: 1 / np.sqrt(nin),  # N(0, 1/sqrt(nin)), the lesson's choice
    "he": lambda nin, nout: np.sqrt(2 / nin),  # for ReLU networks
    "xavier": lambda nin, nout: np.sqrt(2 / (nin + nout)),  # for tanh and sigmoid networks
}


class Linear(Module):
    """y = x @ W + b, W of shape (in_features, out_features) (PyTorch's names; micrograd's nin and nout
    are taken too, by keyword). `init` picks the standard deviation of W's normal draw: "he" (default,
    for ReLU), "xavier", or "lesson" (1/sqrt(nin)); b starts at 0. `device` and `dtype` are PyTorch's
    (the CPU only; float32 unless given); `init` and `seed` are chainrule's, by keyword."""

    @renamed(nin="in_features", nout="out_features")
    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
        *,
        init: str = "he",
        seed: int | None = None,
    ) -> None:
        dtype = factory_dtype("Linear", device, dtype, displaced=("init", INITS))
        nin, nout = (
            check_count("Linear", "in_features", in_features),
            check_count("Linear", "out_features", out_features),
        )
        bias = check_flag("Linear", "bias", bias)
        check_choice("Linear", "init", init, INITS)
        rng = generator(seed, "Linear")
        std = INITS[init](nin, nout)
        self.W = Tensor((rng.standard_normal((nin, nout)) * std).astype(dtype), requires_grad=True, dtype=dtype)
        self.b = Tensor(np.zeros(nout, dtype), requires_grad=True, dtype=dtype) if bias else None
        self.init = init

    @property
    def in_features(self) -> int:
        """PyTorch's name of W's first axis (micrograd's nin)."""
        return self.W.shape[0]

    @property
    def out_features(self) -> int:
        """PyTorch's name of W's second axis (micrograd's nout)."""
        return self.W.shape[1]

    def forward(self, x: Tensor) -> Tensor:
        if x.__class__ is not Tensor:  # an array or a list made a Tensor; a number, None or a Value refused
            x = layer_input("Linear", x)
        return affine(x, self.W, self.b)

    def extra_repr(self) -> str:
        nin, nout = self.W.shape
        return f"{nin} -> {nout}, init={self.init!r}" + ("" if self.b is not None else ", bias=False")


def affine(x: Tensor, W: Tensor, b: Tensor | None) -> Tensor:
    """x @ W + b (b None: none), W of shape (in, out): the one computation of Linear and F.linear."""
    y = x @ W
    return y + b if b is not None else y


def linear(x: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """torch.nn.functional.linear: x @ weight.T + bias, weight of PyTorch's shape (out, in) (1-d: (in,),
    one output per row), bias of shape (out,) or None. A chainrule Linear's W is (in, out): pass layer.W.T."""
    x, weight = layer_input("linear", x), layer_input("linear", weight)
    if weight.ndim not in (1, 2) or x.ndim == 0 or x.shape[-1] != weight.shape[-1]:
        raise ShapeError(
            f"linear: weight must be of PyTorch's shape (out_features, in_features) or (in_features,), "
            f"in_features {x.shape[-1:] or '(none: a 0-d input)'} the input's last axis, got input of shape "
            f"{x.shape} and weight of shape {weight.shape}; a chainrule Linear's W is (in, out): pass layer.W.T"
        )
    if bias is not None:
        bias = layer_input("linear", bias)
        wanted = weight.shape[:1] if weight.ndim == 2 else ()  # one per output; a 1-d weight gives one output
        if bias.shape != wanted:
            raise ShapeError(f"linear: bias must be of shape {wanted}, one per output, got {bias.shape}")
    return affine(x, weight.T, bias)


def dropout(x: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """torch.nn.functional.dropout: with `training`, each element zeroed with probability p and the rest
    scaled by 1 / (1 - p), drawn from nn's default generator; else x. As PyTorch's, training is True
    unless given: in a module's forward write `dropout(x, p, self.training)`. Under autograd.compile
    the mask is drawn anew on each replay, but p is the recorded call's (nn.Dropout's is checked)."""
    return dropped("dropout", x, p, training, inplace, lambda shape: shape)


def dropped(
    owner: str,
    x: Tensor,
    p: float,
    training: bool,
    inplace: bool,
    mask_shape: Callable[[tuple[int, ...]], tuple[int, ...]],
) -> Tensor:
    """F.dropout and F.dropout2d: their arguments checked, then x times a mask of `mask_shape(x.shape)`
    drawn from the default generator (one draw per element, or per channel)."""
    check_real(owner, "p", p, 0, 1, high_included=False)
    training = check_flag(owner, "training", training)  # in a module: self.training
    check_flag(owner, "inplace", inplace)  # PyTorch's; computed out of place either way (nn.Dropout)
    if not isinstance(x, Tensor):
        raise TypeError(f"{owner} takes a Tensor, got {type(x).__name__}: Tensor(x)")
    if not training or p == 0:
        return x
    check_dropped(x, owner)
    shape, dtype = mask_shape(x.shape), x.dtype
    return x * drawn(lambda: _mask(generator(None), p, shape, dtype), dtype)  # the default generator as it is then


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


def implied_axis(name: str, x: Tensor, axis: int | None, stacklevel: int = 3) -> int:
    """The axis a softmax-like function (Softmax's, F.softmax's...) takes: `axis`, or given none, the
    last, as JAX's softmax; PyTorch's picks dim 1 of input of 4 axes and 0 of 3 (a choice it
    deprecates), so there a UserWarning asks for the axis."""
    if axis is not None:
        return axis
    if x.ndim >= 3:
        warnings.warn(
            f"{name}() was given no axis, and takes the last of input of shape {x.shape}, where PyTorch's "
            f"{name}() takes dim 1 of 4 axes (0 of 3): give {name}(dim=...) (or axis=) to say which",
            UserWarning,
            stacklevel=stacklevel,
        )
    return -1


def one_axis(name: str, dim: int | None, axis: int | None) -> int | None:
    """The axis given as `dim` (PyTorch's name) or `axis` (numpy's), refused if given as both."""
    if axis is not None and dim is not None:
        raise TypeError(f"{name}() got both dim= (PyTorch's name) and axis= (numpy's): pass one")
    return dim if axis is None else axis


class Softmax(Module):
    """Probabilities over `dim` (`axis`, numpy's name, by keyword). For training, give the logits to
    cross_entropy instead: it is the stable fused form of log(softmax). Given no axis, the last one
    (implied_axis: a UserWarning where PyTorch's would pick another)."""

    setting_checks = {
        "axis": lambda softmax, axis: None if axis is None else check_axis(type(softmax).__name__, "axis", axis)
    }

    def __init__(self, dim: int | None = None, *, axis: int | None = None) -> None:
        self.axis = one_axis(type(self).__name__, dim, axis)

    def forward(self, x: Tensor) -> Tensor:
        name = type(self).__name__
        x = layer_input(name, x)
        return self.along(x, implied_axis(f"nn.{name}", x, self.axis))

    @staticmethod
    def along(x: Tensor, axis: int) -> Tensor:
        """The layer's function along `axis` (LogSoftmax and Softmin give theirs)."""
        return x.softmax(axis=axis)

    @property
    def dim(self) -> int | None:
        """PyTorch's name of `axis`: `softmax.dim = 0` sets it too."""
        return self.axis

    @dim.setter
    def dim(self, value: int | None) -> None:
        self.axis = value

    def extra_repr(self) -> str:
        return f"axis={self.axis}"


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

    def forward(self, x: Tensor) -> Tensor:
        x = layer_input(type(self).__name__, x)
        if not self.training or guard(self, "p") == 0:  # guard: a compiled step records again if p changes
            return x
        check_dropped(x, type(self).__name__)
        shape, dtype = self.mask_shape(x.shape), x.dtype
        return x * drawn(lambda: self.mask(shape, dtype), dtype)  # dtype: a float16 mask stays float16

    def mask_shape(self, shape: tuple[int, ...]) -> tuple[int, ...]:
        """The shape of the mask for input of `shape`: one draw per element."""
        return shape

    def mask(self, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
        return _mask(self.draws(), self.p, shape, dtype)

    def draws(self) -> np.random.Generator:
        """The layer's own generator (given a seed), else the default one as it is now."""
        return generator(None) if self._rng is None else self._rng

    def extra_repr(self) -> str:
        return f"p={self.p}"


def _probability(owner: str, p: Any) -> float:
    check_real(owner, "p", p, 0, 1, high_included=False)
    return float(p)


class Sequential(Module):
    """Layers applied in order. Give them at once, or build it step by step as the lesson's Net
    does: `net = Sequential(); net.add(Linear(2, 10)); net.add(Tanh())`."""

    def __init__(self, *layers: Module) -> None:
        self.layers: list[Module] = []
        for layer in layers:
            self.add(layer)

    def add(self, layer: Module) -> Sequential:
        if not isinstance(layer, Module):
            raise TypeError(f"Sequential takes Modules, got {type(layer).__name__}")
        self.layers.append(layer)
        STRUCTURE.changed()  # a step that iterates the layers without calling the Sequential reads them too
        return self

    def forward(self, x: Tensor) -> Tensor:
        guard(self, "layer_ids")  # a compiled step records again after `model.layers[-1] = ...`
        for layer in self.layers:
            x = layer(x)
        return x

    @property
    def layer_ids(self) -> tuple[int, ...]:
        """Which modules `layers` holds now, by identity."""
        return tuple(map(id, self.layers))

    def __getitem__(self, i: int | slice) -> Module:
        """The i-th layer; a slice's layers as a Sequential (PyTorch's `model[:-1]`, the model without its head)."""
        return Sequential(*self.layers[i]) if isinstance(i, slice) else self.layers[i]

    def __len__(self) -> int:
        return len(self.layers)

    def __iter__(self) -> Iterator[Module]:
        return iter(self.layers)
