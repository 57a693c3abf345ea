"""The check that an op's keyword parameters have meaning (no NaN, no infinity but in a bound, real numbers):
`require_meaningful`, shared by the op table's entries that take parameters (activations, logit, polygamma, clip)."""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from typing import Any

import numpy as np

from .dtypes import DATA_KINDS
from .modes import is_number, too_large
from .tensor_data import array_of
from .type_names import type_name


def require_meaningful(op: str, params: Mapping[str, Any], bounds: Collection[str] = ()) -> None:
    """Refuse parameters that leave the outputs they touch without meaning, as PyTorch does not (its
    F.leaky_relu(x, nan) is NaN wherever x < 0): NaN, in a number or an array, and infinity, but
    in a bound (hardtanh's, clip's), where ±inf is no bound; and what is no real number (a complex
    number, a string: numpy would make the outputs complex, or fail halfway). None (no bound) passes."""
    for name, value in params.items():
        if value is None:
            continue
        if is_number(value):
            try:
                nan, infinite = math.isnan(value), math.isinf(value)
            except OverflowError:
                raise too_large(value, f"{op}: {name}: ") from None
        else:  # an array, or anything numpy makes one of (a Tensor that needs no gradient, a list)
            array = array_of(value, f"{op}: {name}")
            if array.dtype.kind not in DATA_KINDS:
                raise TypeError(
                    f"{op}: {name} must be a real number (or an array of them), got {type_name(value)} "
                    f"{value!r}: Tensors and Values hold real numbers; pass a float"
                )
            floats = array.dtype.kind == "f"
            nan, infinite = floats and bool(np.isnan(array).any()), floats and bool(np.isinf(array).any())
        if nan or (infinite and name not in bounds):
            allowed = "a number or ±inf (no bound)" if name in bounds else "a finite number"
            raise ValueError(
                f"{op}: {name} must be {allowed}, got {'NaN' if nan else 'infinity'} ({value!r}): "
                "the outputs it touches would be NaN or infinite"
            )
