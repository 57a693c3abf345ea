"""The softmax family's float16 rule (OpDef.half_in_float32) costs float32 and float64 one dtype test per
call, as half_precision says: its forward and cross_entropy's saving forward reach the table's own function
through one wrapper. After 6a063cc they went through three Python calls (a lambda taking `floats` of the
input, `floats` itself, then forward_in_float32's wrapper), where the table's forward takes `floats` again.
The float16 and integer paths keep their numbers: uint8, int8 and bool logits computed as float16 ones."""

import sys

import numpy as np
import pytest

from autograd import tensor_ops
from autograd.op_table import BY_NAME

LOGITS = np.random.default_rng(0).standard_normal((4, 5))
CALLS = {  # the engine's op and the table's function, called alike
    "softmax": lambda f, x: f(x, axis=1),
    "log_softmax": lambda f, x: f(x, axis=1),
    "logsumexp": lambda f, x: f(x, axis=1, keepdims=False),
    "cross_entropy saving": lambda f, x: f(x, labels=np.array([0, 1, 2, 3])),
}


def _python_calls(call) -> int:
    """How many Python functions `call()` enters."""
    entered = []
    sys.setprofile(lambda frame, event, arg: entered.append(1) if event == "call" else None)
    try:
        call()
    finally:
        sys.setprofile(None)
    return len(entered)


def _functions(name: str):
    if name == "cross_entropy saving":
        return tensor_ops.OPS["cross_entropy"].saving, BY_NAME["cross_entropy"].saving
    return tensor_ops.OPS[name].forward, BY_NAME[name].tensor


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", CALLS)
def test_a_float32_or_float64_call_goes_through_one_wrapper(name, dtype):
    engine, table = _functions(name)
    x = LOGITS.astype(dtype)
    assert _python_calls(lambda: CALLS[name](engine, x)) - _python_calls(lambda: CALLS[name](table, x)) == 1


@pytest.mark.parametrize("dtype", [np.uint8, np.int8, np.bool_])
@pytest.mark.parametrize("name", CALLS)
def test_small_integer_and_bool_logits_compute_as_float16_ones(name, dtype):
    """numpy's ufuncs give them float16 results, so they compute in float32 and round once, bit for bit as
    the same logits given as float16 do."""
    engine, _ = _functions(name)
    x = (LOGITS * 3 > 0) if dtype is np.bool_ else np.abs(LOGITS * 40).astype(dtype)
    got, want = CALLS[name](engine, x), CALLS[name](engine, x.astype(np.float16))
    got, want = (got[0], want[0]) if name == "cross_entropy saving" else (got, want)
    assert got.dtype == want.dtype == np.float16
    np.testing.assert_array_equal(got, want)
