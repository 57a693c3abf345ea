"""micrograd's modules on Value, as its users know them: Neuron, Layer, MLP."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Sequence

from autograd import Value

from .arguments import check_count
from .module import Module

NONLINEARITIES: dict[str, Callable[[Value], Value]] = {
    "relu": Value.relu,
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
    "linear": lambda v: v,
}


class Neuron(Module):
    """sum(w * x) + b, then a nonlinearity; weights uniform in [-1, 1] and bias 0, as micrograd.

    `nonlin` is micrograd's: True (ReLU) or False (linear), or the name of another (`"tanh"`,
    `"sigmoid"`). `.nonlin` stays micrograd's bool, whether a nonlinearity is applied (code that tests it,
    `act.relu() if self.nonlin else act`, reads it as micrograd's), and `.activation` names it.
    The weights come from `rng`, else from the `random` module as micrograd draws them, so that
    after the same `random.seed` they are micrograd's."""

    def __init__(self, nin: int, nonlin: str | bool = "relu", rng: random.Random | None = None) -> None:
        check_count("Neuron", "nin", nin)
        uniform = rng.uniform if rng is not None else random.uniform
        self.w = [Value(uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(0.0)
        self.activation = _nonlinearity(nonlin)
        self.nonlin = self.activation != "linear"

    def forward(self, x: Sequence[Value | float]) -> Value:
        if len(x) != len(self.w):
            raise ValueError(f"Neuron of {len(self.w)} inputs got {len(x)}")
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return NONLINEARITIES[self.activation](act) if self.nonlin else act

    def extra_repr(self) -> str:
        return f"{len(self.w)}, {self.activation if self.nonlin else 'linear'}"


class Layer(Module):
    """`nout` neurons over the same inputs; returns a list, or one Value when nout is 1."""

    def __init__(self, nin: int, nout: int, nonlin: str | bool = "relu", rng: random.Random | None = None) -> None:
        check_count("Layer", "nin", nin)
        check_count("Layer", "nout", nout)
        self.neurons = [Neuron(nin, nonlin, rng) for _ in range(nout)]

    def forward(self, x: Sequence[Value | float]) -> Value | list[Value]:
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def __repr__(self) -> str:
        n = self.neurons[0]
        return f"Layer({len(n.w)} -> {len(self.neurons)}, {n.activation if n.nonlin else 'linear'})"


class MLP(Module):
    """Layers of sizes nin -> nouts[0] -> ... -> nouts[-1]; `nonlin` between them, the last linear.

    `seed` makes the initial weights repeatable with a generator of their own; without it they come
    from the `random` module in micrograd's order: after `random.seed(1337)`, micrograd's weights."""

    def __init__(self, nin: int, nouts: Sequence[int], nonlin: str | bool = "relu", seed: int | None = None) -> None:
        check_count("MLP", "nin", nin)
        if not isinstance(nouts, Iterable) or isinstance(nouts, str):
            raise TypeError(
                f"MLP: nouts must be a list of layer sizes (MLP(2, [16, 16, 1])), got {type(nouts).__name__} {nouts!r}"
            )
        nouts = list(nouts)  # a tuple or a numpy array of sizes serves too
        if not nouts:
            raise ValueError("MLP: nouts is empty; give the size of each layer, the last one the outputs: [16, 16, 1]")
        for i, n in enumerate(nouts):
            check_count("MLP", f"nouts[{i}]", n)
        rng = random.Random(seed) if seed is not None else None
        nonlin = _nonlinearity(nonlin)
        sizes = [nin, *nouts]
        self.layers = [
            Layer(sizes[i], sizes[i + 1], nonlin if i < len(nouts) - 1 else "linear", rng) for i in range(len(nouts))
        ]

    def forward(self, x: Sequence[Value | float]) -> Value | list[Value]:
        for layer in self.layers:
            x = layer(x)
            x = [x] if isinstance(x, Value) and layer is not self.layers[-1] else x
        return x


def _nonlinearity(nonlin: str | bool) -> str:
    if nonlin is True:
        return "relu"
    if nonlin is False or nonlin is None:
        return "linear"
    if nonlin not in NONLINEARITIES:
        raise ValueError(f"nonlin must be one of {sorted(NONLINEARITIES)} (or True/False), got {nonlin!r}")
    return nonlin
