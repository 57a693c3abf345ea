"""A number (autograd.dtype_fits.check_fits: creation, fills) and a loss's constant array (nn.losses_fits) are
refused by one rule, dtype_fits.made_infinite: a finite number the cast makes infinity, rounded to nearest as
numpy's cast (65519 is float16's 65504, 65520 its infinity)."""

import numpy as np
import pytest

from autograd.dtype_fits import check_fits
from nn.losses_fits import constant_fits

EDGES = {
    "float16": [65504.0, 65519.0, 65519.99, 65520.0, 1e5, -65520.0, np.inf, np.nan, 6e-8, 1e-9],
    "float32": [3.4028235e38, 3.4028235677973366e38, 3.402823669209385e38, 1e39, -1e39, np.inf, 1e-46],
}


def _refused(check, *args) -> bool:
    try:
        check(*args)
    except ValueError:
        return True
    return False


@pytest.mark.parametrize("dtype", EDGES)
def test_numbers_and_constant_arrays_are_refused_alike(dtype):
    kind = np.dtype(dtype)
    for value in EDGES[dtype]:
        number = _refused(check_fits, value, kind, "full")
        array = _refused(constant_fits, np.array([value, 1.0]), kind, "mse_loss", "the target", True, None)
        with np.errstate(over="ignore"):
            cast = bool(np.isfinite(value) and np.isinf(np.float64(value).astype(kind)))
        assert number == array == cast, (value, number, array, cast)


def test_an_int_beyond_every_float_is_refused_as_a_number():
    """10**400 has no float64 (numpy's cast raises OverflowError): beyond any float dtype."""
    with pytest.raises(ValueError, match="an integer of 401 digits does not fit float64"):
        check_fits(10**400, np.dtype(np.float64), "full")
