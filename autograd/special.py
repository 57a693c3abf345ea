"""torch.special's names for chainrule's functions, so that code written with `torch.special.X` ports by name
(`from autograd import special`). Each member is chainrule's own function of that name (the op table's
elementwise functions and their aliases), its Tensor method for the softmax family (torch.special.softmax(x, dim)
is x.softmax(dim)), or a rename below; `multigammaln` is built from lgamma. A name of torch.special that
chainrule lacks (airy_ai, the orthogonal polynomials) is an AttributeError that says so."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from .functions import FUNCTIONS
from .graph import Node, raw
from .modes import short
from .op_table import TABLE
from .shape_args import is_int
from .tensor_class import Tensor
from .type_names import repr_of, type_name

# torch.special's functions (PyTorch 2.13): which of them chainrule has is read from the op table below
TORCH_SPECIAL = (
    "airy_ai bessel_j0 bessel_j1 bessel_y0 bessel_y1 chebyshev_polynomial_t chebyshev_polynomial_u "
    "chebyshev_polynomial_v chebyshev_polynomial_w digamma entr erf erfc erfcx erfinv exp2 expit expm1 gammainc "
    "gammaincc gammaln hermite_polynomial_h hermite_polynomial_he i0 i0e i1 i1e laguerre_polynomial_l "
    "legendre_polynomial_p log1p log_ndtr log_softmax logit logsumexp modified_bessel_i0 modified_bessel_i1 "
    "modified_bessel_k0 modified_bessel_k1 multigammaln ndtr ndtri polygamma psi round scaled_modified_bessel_k0 "
    "scaled_modified_bessel_k1 shifted_chebyshev_polynomial_t shifted_chebyshev_polynomial_u "
    "shifted_chebyshev_polynomial_v shifted_chebyshev_polynomial_w sinc softmax spherical_bessel_j0 xlog1py xlogy "
    "zeta"
).split()
# torch.special's names for functions chainrule has under another (torch's modified_bessel_i0 is its i0)
# torch.special's softmax(input, dim, *, dtype=None) and log_softmax: the input cast to dtype before the op
CAST_FIRST = {"softmax", "log_softmax"}
RENAMED = {"expit": "sigmoid", "gammaln": "lgamma", "modified_bessel_i0": "i0", "modified_bessel_i1": "i1"}


def _method(name: str) -> Callable[..., Any]:
    """torch.special's spelling of a Tensor method of the table (softmax(input, dim), logsumexp(input, dim,
    keepdim)): the method on the input, an array taken as a Tensor."""
    method = getattr(Tensor, name)

    def function(input: Any, *args: Any, **kwargs: Any) -> Any:
        tensor = input if isinstance(input, Tensor) else Tensor(input)
        dtype = kwargs.pop("dtype", None) if name in CAST_FIRST else None
        return method(tensor if dtype is None else tensor.astype(dtype), *args, **kwargs)

    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"torch.special.{name}(input, ...): Tensor.{name} of the input (a Tensor or an array)."
    return function


def multigammaln(input: Any, p: int) -> Any:
    """log of the multivariate gamma function of dimension p: p(p−1)/4·log π + Σⱼ lgamma(x − j/2), j < p
    (torch.special.multigammaln), differentiable to any order through lgamma. Every element must be above
    (p − 1)/2, where each lgamma's argument is positive (PyTorch 2.13 checks
    nothing: log|Γ| of negative arguments, 6.03 at x = 0.3, p = 3): else a ValueError."""
    if not is_int(p):
        raise TypeError(f"multigammaln: p must be an int, got {type_name(p)} {repr_of(p)}")
    if p < 1:
        raise ValueError(f"multigammaln: p must be at least 1, got {p}")
    low = np.asarray(raw(input) <= (p - 1) / 2)  # NaN passes, as PyTorch's, and gives NaN
    if low.any():
        raise ValueError(
            f"multigammaln: every element must be above (p - 1)/2 = {(p - 1) / 2}, where each lgamma(x - j/2) "
            f"is of a positive argument; {int(low.sum())} are not"
        )
    lgamma = FUNCTIONS["lgamma"]
    total = lgamma(input)
    for j in range(1, p):
        total = total + lgamma(input - j / 2)
    return total + p * (p - 1) / 4 * math.log(math.pi)


def round(input: Any, *, decimals: int = 0) -> Any:  # noqa: A001 (torch.special's name)
    """input rounded to `decimals` places, half to even (torch.special.round, torch.round's decimals): as
    round(x·10ᵈ)/10ᵈ, or round(x/10⁻ᵈ)·10⁻ᵈ below 0 (PyTorch's); its derivative is 0."""
    if not is_int(decimals):
        raise TypeError(f"round: decimals must be an int, got {type_name(decimals)} {repr_of(decimals)}")
    to_integer = FUNCTIONS["round"]
    if not isinstance(input, Node | float):
        to_integer(input)  # its refusal of what holds no numbers, naming round (not `input * scale`'s words)
    try:
        scale = 10.0 ** abs(int(decimals))
    except OverflowError:
        raise OverflowError(f"round: decimals={short(decimals)} makes 10**decimals beyond a float") from None
    if decimals >= 0:
        return to_integer(input * scale) / scale if decimals else to_integer(input)
    return to_integer(input / scale) * scale


MEMBERS: dict[str, Callable[..., Any]] = {name: FUNCTIONS[name] for name in TORCH_SPECIAL if name in FUNCTIONS}
MEMBERS |= {d.name: _method(d.name) for d in TABLE if d.name in TORCH_SPECIAL and d.api == f"Tensor.{d.name}"}
MEMBERS |= {name: FUNCTIONS[ours] for name, ours in RENAMED.items()}
MEMBERS |= {"multigammaln": multigammaln, "round": round}
globals().update(MEMBERS)
__all__ = sorted(MEMBERS)


def __getattr__(name: str) -> Any:
    if name in TORCH_SPECIAL:
        raise AttributeError(
            f"torch.special.{name} has no counterpart in chainrule yet (autograd.special has: {', '.join(__all__)})"
        )
    raise AttributeError(f"module 'autograd.special' has no attribute {name!r}")
