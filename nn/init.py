"""nn.init: PyTorch's initialisers, writing into a Tensor in place (outside any graph) and returning it.

The fans follow chainrule's layouts, which is the one place this differs from PyTorch's rule by
shape: a 2-D weight is (fan_in, fan_out), as `x @ W` reads it (nn.Linear's W; PyTorch's Linear
stores the transpose, (out, in), and so reads its second axis as fan_in); a weight of 3 or more
axes is a convolution's (out, in/groups, *kernel), as PyTorch's, its fans times the kernel's size.
So `kaiming_normal_(layer.W)` gives std sqrt(2 / nin) here, as `kaiming_normal_(layer.weight)`
there. nn.Embedding's weight keeps PyTorch's (num, dim), which this rule reads as fan_in = num where
PyTorch reads dim: give it mode="fan_out" for PyTorch's kaiming std (xavier's is the same either way).
The draws come from `generator` (a numpy Generator or an int seed) or else from autograd's default
generator, which `autograd.manual_seed` seeds."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import Tensor, repr_of, type_name

from .arguments import check_choice, check_real, read_only
from .rng import generator as generator_of
from .state_checks import check_array_fits, check_fits

GAINS = {  # calculate_gain: the factor that keeps the variance of activations through a nonlinearity
    "linear": 1.0,
    "conv1d": 1.0,
    "conv2d": 1.0,
    "conv3d": 1.0,
    "conv_transpose1d": 1.0,
    "conv_transpose2d": 1.0,
    "conv_transpose3d": 1.0,
    "sigmoid": 1.0,
    "tanh": 5.0 / 3,
    "relu": math.sqrt(2.0),
    "selu": 3.0 / 4,  # PyTorch's choice for self-normalising networks
}
MODES = ("fan_in", "fan_out")
TRUNCATED_MASS = 1e-4  # trunc_normal_ draws until inside [a, b]: below this share, that would not end


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """The recommended gain for `nonlinearity`; `param` is leaky_relu's negative slope (0.01 without)."""
    check_choice("calculate_gain", "nonlinearity", nonlinearity, [*GAINS, "leaky_relu"])
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else param
        check_real("calculate_gain", "param (the negative slope)", slope)
        return math.sqrt(2.0 / (1 + slope**2))
    return GAINS[nonlinearity]


def fans(tensor: Tensor) -> tuple[int, int]:
    """(fan_in, fan_out) of a weight in chainrule's layouts (the module's docstring says which)."""
    shape = _tensor(tensor, "fans").shape
    if len(shape) < 2:
        raise ValueError(f"nn.init: fans need a weight of at least 2 axes, got shape {shape} (a bias has none)")
    if len(shape) == 2:
        return shape[0], shape[1]
    kernel = math.prod(shape[2:])
    return shape[1] * kernel, shape[0] * kernel


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, generator: Any = None) -> Tensor:
    """Fill with draws from U(a, b), bounds the tensor's dtype holds (PyTorch's rule: -1e5 is no float16)."""
    check_real("uniform_", "a", a)
    check_real("uniform_", "b", b, low=a)
    if _tensor(tensor, "uniform_").dtype.kind == "f":  # else _fill names the dtype
        for bound in (a, b):  # refused whatever the draw, not where one fell beyond
            check_fits("nn.init.uniform_", bound, tensor.dtype)
    return _fill(tensor, "uniform_", lambda rng, shape: rng.uniform(a, b, shape), generator)


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, generator: Any = None) -> Tensor:
    """Fill with draws from N(mean, std^2)."""
    check_real("normal_", "mean", mean)
    check_real("normal_", "std", std, low=0)
    return _fill(tensor, "normal_", lambda rng, shape: rng.normal(mean, std, shape), generator)


def trunc_normal_(
    tensor: Tensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0, b: float = 2.0, generator: Any = None
) -> Tensor:
    """Fill with draws from N(mean, std^2) kept inside [a, b] (others drawn again)."""
    for name, x in (("mean", mean), ("a", a)):
        check_real("trunc_normal_", name, x)
    check_real("trunc_normal_", "std", std, low=0)
    check_real("trunc_normal_", "b", b, low=a)
    mass = _normal_mass(mean, std, a, b)
    if mass < TRUNCATED_MASS:
        raise ValueError(
            f"trunc_normal_: [a, b] = [{a}, {b}] holds a share {mass:.2g} of N({mean}, {std}^2): put the "
            "interval near the mean, or widen std"
        )

    def draw(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
        out = rng.normal(mean, std, shape)
        outside = (out < a) | (out > b)
        while outside.any():
            out[outside] = rng.normal(mean, std, int(outside.sum()))
            outside = (out < a) | (out > b)
        return out

    return _fill(tensor, "trunc_normal_", draw, generator)


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill with `val`, a value the tensor's dtype holds (NaN and infinity in a float one; a float truncated toward
    zero into integers, 2.7 is 2), by autograd's one rule (`full`'s): 300.5 into int8, 1e5 into float16 are refused."""
    if isinstance(val, bool) or not isinstance(val, int | float | np.integer | np.floating):
        raise TypeError(f"constant_: val must be a number, got {type_name(val)} {repr_of(val)}")
    kind = _tensor(tensor, "constant_").dtype
    check_fits("nn.init.constant_", val, kind)
    return _write(tensor, np.full(tensor.shape, int(val) if kind.kind in "iu" else val, kind), "constant_")


def zeros_(tensor: Tensor) -> Tensor:
    """Fill with 0."""
    return constant_(tensor, 0.0)


def ones_(tensor: Tensor) -> Tensor:
    """Fill with 1."""
    return constant_(tensor, 1.0)


def eye_(tensor: Tensor) -> Tensor:
    """The identity (ones on the diagonal) in a 2-D tensor."""
    if _tensor(tensor, "eye_").ndim != 2:
        raise ValueError(f"eye_: needs a 2-D tensor, got shape {tensor.shape}")
    return _write(tensor, np.eye(*tensor.shape), "eye_")


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, generator: Any = None) -> Tensor:
    """Glorot's: U(-bound, bound), bound = gain * sqrt(6 / (fan_in + fan_out))."""
    bound = _gain("xavier_uniform_", gain) * math.sqrt(6.0 / max(sum(fans(tensor)), 1))
    return _fill(tensor, "xavier_uniform_", lambda rng, shape: rng.uniform(-bound, bound, shape), generator)


def xavier_normal_(tensor: Tensor, gain: float = 1.0, generator: Any = None) -> Tensor:
    """Glorot's: N(0, std^2), std = gain * sqrt(2 / (fan_in + fan_out))."""
    std = _gain("xavier_normal_", gain) * math.sqrt(2.0 / max(sum(fans(tensor)), 1))
    return _fill(tensor, "xavier_normal_", lambda rng, shape: rng.normal(0.0, std, shape), generator)


def kaiming_uniform_(
    tensor: Tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu", generator: Any = None
) -> Tensor:
    """He's: U(-bound, bound), bound = gain * sqrt(3 / fan): fan the `mode`'s, gain the `nonlinearity`'s
    (`a`: leaky_relu's negative slope)."""
    bound = math.sqrt(3.0) * _he_std("kaiming_uniform_", tensor, a, mode, nonlinearity)
    return _fill(tensor, "kaiming_uniform_", lambda rng, shape: rng.uniform(-bound, bound, shape), generator)


def kaiming_normal_(
    tensor: Tensor, a: float = 0.0, mode: str = "fan_in", nonlinearity: str = "leaky_relu", generator: Any = None
) -> Tensor:
    """He's: N(0, std^2), std = gain / sqrt(fan): fan the `mode`'s, gain the `nonlinearity`'s
    (`a`: leaky_relu's negative slope)."""
    std = _he_std("kaiming_normal_", tensor, a, mode, nonlinearity)
    return _fill(tensor, "kaiming_normal_", lambda rng, shape: rng.normal(0.0, std, shape), generator)


def orthogonal_(tensor: Tensor, gain: float = 1.0, generator: Any = None) -> Tensor:
    """gain times a (semi-)orthogonal matrix: the first axis against the others flattened, orthonormal
    rows where there are fewer rows than columns, orthonormal columns otherwise."""
    if _tensor(tensor, "orthogonal_").ndim < 2:
        raise ValueError(f"orthogonal_: needs a tensor of at least 2 axes, got shape {tensor.shape}")
    scale = _gain("orthogonal_", gain)

    def draw(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
        rows, cols = shape[0], math.prod(shape[1:])
        tall = rng.standard_normal((max(rows, cols), min(rows, cols)))
        q, r = np.linalg.qr(tall)
        q *= np.where(np.diag(r) < 0, -1.0, 1.0)  # signs from R's diagonal: uniform over orthogonal matrices
        return scale * (q if rows >= cols else q.T).reshape(shape)

    return _fill(tensor, "orthogonal_", draw, generator)


def _he_std(owner: str, tensor: Tensor, a: float, mode: str, nonlinearity: str) -> float:
    fan = fans(tensor)[MODES.index(check_choice(owner, "mode", mode, MODES))]
    return calculate_gain(nonlinearity, a) / math.sqrt(max(fan, 1))


def _gain(owner: str, gain: Any) -> float:
    check_real(owner, "gain", gain, low=0)
    return float(gain)


def _normal_mass(mean: float, std: float, a: float, b: float) -> float:
    """The share of N(mean, std^2) inside [a, b]."""
    if std == 0:
        return 1.0 if a <= mean <= b else 0.0
    cdf = [0.5 * math.erfc(-(x - mean) / (std * math.sqrt(2))) for x in (a, b)]
    return cdf[1] - cdf[0]


def _tensor(tensor: Any, owner: str) -> Tensor:
    if not isinstance(tensor, Tensor):
        raise TypeError(
            f"nn.init.{owner}: needs a Tensor, got {type_name(tensor)} (micrograd's Value modules draw "
            "their own weights; make a Tensor layer, or assign p.data)"
        )
    return tensor


def _fill(tensor: Tensor, owner: str, draw: Any, generator: Any) -> Tensor:
    """Write `draw(rng, shape)` into `tensor`: a floating-point tensor, the draws in float64 then cast."""
    if _tensor(tensor, owner).dtype.kind != "f":
        raise TypeError(f"nn.init.{owner}: draws need a floating-point tensor, got dtype {tensor.dtype}")
    rng = generator_of(generator, f"nn.init.{owner}", argument="generator")
    try:
        with np.errstate(over="ignore", invalid="ignore"):
            drawn = draw(rng, tensor.shape)
    except OverflowError:  # numpy's for U(-1e308, 1e308), whose width overflows float64
        drawn = np.array(np.inf)
    if not np.isfinite(drawn).all():
        raise ValueError(f"nn.init.{owner}: the arguments are too large to draw from in float64")
    return _write(tensor, drawn, owner)


def _write(tensor: Tensor, values: np.ndarray, owner: str) -> Tensor:
    """Write `values` into the tensor's own array: its version counts the change, so a graph that
    used the old values can no longer backward (as in PyTorch). ValueError, nothing written, where a
    value does not fit the tensor's dtype (a draw of 1e5 into float16: constant_'s value is checked before),
    as PyTorch's fill_ refuses it, or where its data is read-only."""
    check_array_fits(f"nn.init.{owner}", values, tensor.dtype)
    data = tensor.data
    if not data.flags.writeable:
        raise read_only(f"nn.init: the data of the tensor of shape {tensor.shape}", "nothing written; copy it first")
    data[...] = values  # every value fits: a float's rounding, or the dtype's own
    tensor.data = data
    return tensor
