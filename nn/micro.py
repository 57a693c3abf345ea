"""micrograd's modules on Value, as its users know them: Neuron, Layer, MLP."""

from __future__ import annotations

import itertools
import numbers
import random
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from autograd import Node, Tensor, Value, type_name

from .arguments import TEXT, as_sequence, check_choice, check_count, shown
from .module import Module
from .rng import check_seed

NONLINEARITIES: dict[str, Callable[[Value], Value]] = {
    "relu": Value.relu,
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
    "linear": lambda v: v,
}

# The most scalar parameters (weights and biases, one Value each) a Neuron, Layer or MLP is built with.
# Each Value takes about 100 bytes and 3 microseconds to make: 10 million are a gigabyte and half a
# minute, and a forward pass over them one Python call each; a model that large is no micrograd lesson
# (nn.Linear holds the same in one array). Checked before any is made, so that MLP(10**8, [1]) is
# refused at once rather than filling the memory for minutes (ints beyond a list's length too).
MAX_SCALAR_PARAMETERS = 10_000_000


def check_scalar_parameters(owner: str, sizes: Sequence[int]) -> None:
    """Refuse (ValueError) layer sizes nin -> sizes[1] -> ... whose weights and biases would be more
    than MAX_SCALAR_PARAMETERS Values; the sizes are counts, already checked."""
    count = sum((nin + 1) * nout for nin, nout in zip(sizes, sizes[1:]))
    if count > MAX_SCALAR_PARAMETERS:
        raise ValueError(
            f"{owner}: sizes {shown(list(sizes))} make {shown(count)} scalar parameters, more than the "
            f"{MAX_SCALAR_PARAMETERS:,} Values a micrograd model is built with (each a Python object); for a "
            "model this large use Tensor layers: nn.Sequential(nn.Linear(...), ...)"
        )


class Neuron(Module):
    """sum(w * x) + b, then a nonlinearity; weights uniform in [-1, 1] and bias 0, as micrograd.

    `nonlin` is micrograd's: True (ReLU) or False (linear), or the name of another (`"tanh"`,
    `"sigmoid"`). `.nonlin` stays micrograd's bool, whether a nonlinearity is applied (code that tests it,
    `act.relu() if self.nonlin else act`, reads it as micrograd's), and `.activation` names it.
    The weights come from `rng`, else from the `random` module as micrograd draws them, so that
    after the same `random.seed` they are micrograd's."""

    def __init__(self, nin: int, nonlin: str | bool = "relu", rng: random.Random | None = None) -> None:
        nin = check_count("Neuron", "nin", nin)
        check_scalar_parameters("Neuron", [nin, 1])
        uniform = _uniform("Neuron", rng)
        self.w = [Value(uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(0.0)
        self.activation = _nonlinearity("Neuron", nonlin)
        self.nonlin = self.activation != "linear"

    def forward(self, x: Iterable[Value | float]) -> Value:
        x = _example(x, len(self.w), "Neuron")
        try:
            act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        except TypeError:
            _refuse_non_numbers(x, len(self.w))
            raise
        if not isinstance(act, Value):  # a row of a batch times a weight is an array of Values, not an error
            _refuse_non_numbers(x, len(self.w))
        return NONLINEARITIES[self.activation](act) if self.nonlin else act

    def extra_repr(self) -> str:
        return f"{len(self.w)}, {self.activation if self.nonlin else 'linear'}"


def _uniform(owner: str, rng: Any) -> Any:
    """The draw of `rng` (a random.Random, or None: the `random` module's), refused up front naming `owner`:
    a seed or a numpy Generator given as rng was AttributeError "'int' object has no attribute 'uniform'"."""
    if rng is None:
        return random.uniform
    if not isinstance(rng, random.Random):
        raise TypeError(
            f"{owner}: rng must be a random.Random (or None: the random module's draws), got {type_name(rng)} "
            f"{shown(rng)}; for a seed use nn.MLP(..., seed=0)"
        )
    return rng.uniform


class Layer(Module):
    """`nout` neurons over the same inputs; returns a list, or one Value when nout is 1."""

    def __init__(self, nin: int, nout: int, nonlin: str | bool = "relu", rng: random.Random | None = None) -> None:
        nin, nout = check_count("Layer", "nin", nin), check_count("Layer", "nout", nout)
        check_scalar_parameters("Layer", [nin, nout])
        _uniform("Layer", rng)  # before any neuron is made
        nonlin = _nonlinearity("Layer", nonlin)
        self.neurons = [Neuron(nin, nonlin, rng) for _ in range(nout)]

    def forward(self, x: Iterable[Value | float]) -> Value | list[Value]:
        x = _example(x, len(self.neurons[0].w), "Layer")
        try:
            out = [n(x) for n in self.neurons]
        except TypeError:  # a neuron refused an element: said of the model called
            _refuse_non_numbers(x, len(x), "Layer")
            raise
        return out[0] if len(out) == 1 else out

    def __repr__(self) -> str:
        n = self.neurons[0]
        return f"Layer({len(n.w)} -> {len(self.neurons)}, {n.activation if n.nonlin else 'linear'})"


class MLP(Module):
    """Layers of sizes nin -> nouts[0] -> ... -> nouts[-1]; `nonlin` between them, the last linear.

    `seed` makes the initial weights repeatable with a generator of their own; without it they come
    from the `random` module in micrograd's order: after `random.seed(1337)`, micrograd's weights."""

    def __init__(self, nin: int, nouts: Sequence[int], nonlin: str | bool = "relu", seed: int | None = None) -> None:
        nin = check_count("MLP", "nin", nin)
        # a tuple or a numpy array of sizes serves too; a set's order is its hashes' ({1, 16} is [16, 1]): refused
        nouts = as_sequence("MLP", "nouts", nouts, "a list of layer sizes (MLP(2, [16, 16, 1]))")
        if not nouts:
            raise ValueError("MLP: nouts is empty; give the size of each layer, the last one the outputs: [16, 16, 1]")
        nouts = [check_count("MLP", f"nouts[{i}]", n) for i, n in enumerate(nouts)]
        sizes = [nin, *nouts]
        check_scalar_parameters("MLP", sizes)
        nonlin = _nonlinearity("MLP", nonlin)
        rng = _random(seed)
        self.layers = [
            Layer(sizes[i], sizes[i + 1], nonlin if i < len(nouts) - 1 else "linear", rng) for i in range(len(nouts))
        ]

    def forward(self, x: Iterable[Value | float]) -> Value | list[Value]:
        x = example = _example(x, len(self.layers[0].neurons[0].w), "MLP")
        try:
            for layer in self.layers:
                x = layer(x)
                x = [x] if isinstance(x, Value) and layer is not self.layers[-1] else x
        except TypeError:  # the first layer refused an element: said of the model called
            _refuse_non_numbers(example, len(example), "MLP")
            raise
        return x


def _one_at_a_time(nin: int) -> str:
    return f": one example, of {nin} numbers, at a time ([model(list(row)) for row in X])"


def _not_an_example(owner: str, got: str, hint: str = "") -> TypeError:
    """The refusal of what is not one example of Values or numbers: `got` says what came instead."""
    return TypeError(f"{owner} takes a list of Values or numbers, got {got}{hint}")


def _example(x: Any, nin: int, owner: str) -> Sequence[Any]:
    """One example for a model of `nin` inputs as a sequence: a list, a tuple, a range or a 1-d array as it
    is; any other iterable of an order micrograd's `zip` would read (a generator, a map, dict.values()) as
    a list of its first nin + 1 items at most, so that each neuron of a layer reads them all (a generator
    shared by micrograd's neurons gives its numbers to the first alone, a silently wrong output), and an
    endless one costs nothing (dict.keys() too). Refused: a set (no order), a dict (its keys or values?), a
    learner's batch, a bare number, text (bytes would be taken as the numbers of their codes) and a Tensor.
    What is cheap to see is checked here; the elements only where the sum failed (_refuse_non_numbers)."""
    if x.__class__ is list and len(x) == nin:  # the common case, a layer's outputs: at the cost of one test
        return x
    one_at_a_time = _one_at_a_time(nin)
    if isinstance(x, TEXT):
        raise _not_an_example(owner, f"{type_name(x)} {shown(x)}")
    if isinstance(x, Tensor):
        raise _not_an_example(
            owner,
            "a Tensor: micrograd's Neuron, Layer and MLP compute with Values, one a number; a model of Tensors "
            "is built from nn.Linear",
        )
    if isinstance(x, np.ndarray) and x.ndim != 1:
        raise _not_an_example(owner, f"an array of shape {x.shape}", one_at_a_time)
    if isinstance(x, set | frozenset):  # its order is its hashes': 3.0 may meet the first weight
        raise _not_an_example(owner, f"{type_name(x)} {shown(x)}, whose order is not the one written; give a list")
    if isinstance(x, Mapping):  # micrograd's zip would read the keys: a learner means the values as often
        raise _not_an_example(owner, f"{type_name(x)} {shown(x)}; give list(d.values()) or list(d.keys())")
    more = ""
    if not isinstance(x, Sequence | np.ndarray):
        if not isinstance(x, Iterable):
            raise _not_an_example(owner, f"{type_name(x)} {shown(x)}", one_at_a_time)
        x, more = list(itertools.islice(x, nin + 1)), " or more"
    if len(x) != nin:
        raise ValueError(f"{owner} of {nin} inputs got {len(x)}{more if len(x) > nin else ''}")
    return x


def _refuse_non_numbers(x: Sequence[Any], nin: int, owner: str = "Neuron") -> None:
    """Raise a TypeError naming the first element of `x` that is neither a node nor a real number (a row of a
    batch, text, None); return if there is none. A Tensor among Values is left to the op's own error, which
    says so, and which the function transforms catch to trace again (a numpy float32 given to grad)."""
    for i, v in enumerate(x):
        if not isinstance(v, Node | numbers.Real):
            batch = _one_at_a_time(nin) if isinstance(v, Sequence | np.ndarray) and not isinstance(v, TEXT) else ""
            held = f"a {type_name(x)} holding {type_name(v)} {shown(v)} at [{i}]"
            raise _not_an_example(owner, held, batch) from None


def _random(seed: int | np.random.Generator | None) -> random.Random | None:
    """The `random.Random` MLP draws from, by nn's one rule for seeds (`check_seed`: a non-negative int,
    a numpy Generator, or None for the `random` module's draws, micrograd's); a Generator gives its seed."""
    check_seed("MLP", seed)
    if isinstance(seed, np.random.Generator):
        seed = int(seed.integers(2**63))
    return None if seed is None else random.Random(int(seed))


def _nonlinearity(owner: str, nonlin: str | bool) -> str:
    if isinstance(nonlin, bool | np.bool_):  # micrograd's flag
        return "relu" if nonlin else "linear"
    if nonlin is None:
        return "linear"
    return check_choice(owner, "nonlin", nonlin, NONLINEARITIES, "a flag, True or False")
