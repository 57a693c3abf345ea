"""Layers on Tensor: Linear (and its function, linear), Sequential (built at once or step by step).
Dropout is in nn.dropout, Softmax in nn.along_axis."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from autograd import ShapeError, Tensor, guard, type_name

from .arguments import check_choice, check_count, check_flag, layer_input
from .arguments_factory import factory_dtype, renamed
from .containers import given_for_a_module
from .module import Module, check_not_holding, ported_read
from .parameter import check_parameters
from .rng import generator
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
    (the CPU only; float32 unless given); `init` and `seed` are chainrule's, by keyword. PyTorch's
    `weight` and `bias` attributes raise, saying which of W and b to use: assigned, they would be new
    attributes forward never reads, and `hasattr(m, "weight")` in a torch-style init would skip the layer."""

    ported_names: ClassVar[Mapping[str, str]] = {
        "weight": "its weight is W, of shape (in_features, out_features), PyTorch's weight transposed: read "
        "layer.W (layer.W.T is PyTorch's weight), initialise it in place with nn.init (nn.init.xavier_uniform_("
        "layer.W) reads W's fans the right way round), replace it with layer.W = nn.Parameter(weight.T); in a "
        "function for model.apply, test isinstance(m, nn.Linear) and use m.W; to tie it to another module's weight "
        "(an Embedding's, encoder.weight, of PyTorch's shape (out_features, in_features)), keep that one parameter "
        "and call F.linear(x, encoder.weight, layer.b) in forward (nn.Parameter(encoder.weight.T) would be a second "
        "parameter over the same memory, which optimizers refuse)",
        "bias": "its bias is b, of shape (out_features,) (None without one): read layer.b, initialise it in place "
        "with nn.init (nn.init.zeros_(layer.b)), replace it with layer.b = nn.Parameter(bias), drop it with "
        "layer.b = None",
    }
    parameter_slots = frozenset({"W", "b"})
    if not TYPE_CHECKING:  # for type checkers, a Linear has the attributes it sets
        __getattr__ = ported_read

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
        sizes = {"in_features": nin, "out_features": nout}
        check_parameters("Linear", sizes, [(nin, nout)] + [(nout,)] * bias, dtype)
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
        nin, nout = self.W.shape
        if x.ndim == 0 or x.shape[-1] != nin:  # not matmul's "@: shapes ... do not fit", which names no layer
            fix = f"make the layer Linear({x.shape[-1]}, {nout}), or" if x.ndim else ""
            got = f"{x.shape[-1]} features: {fix}" if x.ndim else "a 0-d input:"
            raise ShapeError(
                f"Linear({nin}, {nout}) takes inputs of {nin} features (the last axis), got an input of shape "
                f"{x.shape} ({got} give it inputs of {nin} features)"
            )
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


def _what(layer: Any) -> str:
    """What Sequential was given instead of a Module, with the fix where it is a likely slip."""
    if isinstance(layer, list | tuple):  # PyTorch's Sequential refuses a list too
        return f"a {type_name(layer)}: give the layers one by one, Sequential(*layers)"
    return given_for_a_module(layer)


class Sequential(Module):
    """Layers applied in order. Give them at once, or build it step by step as the lesson's Net
    does: `net = Sequential(); net.add(Linear(2, 10)); net.add(Tanh())`."""

    def __init__(self, *layers: Module) -> None:
        self.layers: list[Module] = []
        for layer in layers:
            self.add(layer)

    def add(self, layer: Module) -> Sequential:
        if not isinstance(layer, Module):
            raise TypeError(f"Sequential takes Modules, got {_what(layer)}")
        check_not_holding(self, "layers", layer, "a layer of Sequential")
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
