"""Tensor(x) or autograd.tensor(x) of an array it casts (float16 becomes float32 unless told; dtype= another
float) in a compiled step: the cast was data made outside the graph from the input, so the step ran eagerly ('node 1
(constant) is data computed outside the graph that changed'). It is now the table's astype op on the array itself:
each replay casts that call's input, or the caller's array as it is then, bit for bit as eagerly; autograd.tensor's
copy of an input is that call's input's copy."""

import warnings

import numpy as np
import pytest

import autograd
from autograd import Tensor


@autograd.unguarded
class _Calls:
    """How many times the step's Python ran (a replay runs none of it)."""

    count = 0


_HELD = np.linspace(-2, 2, 3).astype(np.float16)  # the caller's float16 weights, changed in place between calls

CASES = {
    "a float16 input": (np.float16, lambda x: Tensor(x)),
    "a float32 input as float16": (np.float32, lambda x: Tensor(x, dtype=np.float16)),
    "a float16 input as float64": (np.float16, lambda x: Tensor(x, dtype=np.float64)),
    "the caller's float16 array": (np.float32, lambda x: Tensor(x) * Tensor(_HELD)),
    "a float32 input as bools": (np.float32, lambda x: Tensor(x) * Tensor(x, dtype=bool)),
    # autograd.tensor's copy of an input and its casts: nn's layers and losses make their arrays Tensors by it
    "autograd.tensor of a float32 input": (np.float32, lambda x: autograd.tensor(x)),
    "autograd.tensor of a float32 input as float16": (np.float32, lambda x: autograd.tensor(x, dtype=np.float16)),
    "autograd.tensor of the caller's float16 array": (np.float32, lambda x: Tensor(x) * autograd.tensor(_HELD)),
}


def _run(compiled, dtype, make):
    """Losses, gradients and weights over 6 calls, with the step's Python runs counted."""
    _Calls.count = 0
    w = Tensor(np.array([0.5, -1.25, 3.0], np.float32), requires_grad=True)

    def step(x):
        _Calls.count += 1
        loss = (make(x) * w).sum() ** 2
        loss.backward()
        return loss.item()

    run = autograd.compile(step) if compiled else step
    rng, out = np.random.default_rng(0), []
    for i in range(6):
        _HELD[:] = np.float16(i) / 4
        w.grad = None
        out.append((run(rng.standard_normal(3).astype(dtype)), w.grad.copy()))
    return out, _Calls.count


@pytest.mark.parametrize("case", CASES)
def test_a_cast_made_by_tensor_replays_bit_for_bit(case):
    dtype, make = CASES[case]
    eager, _ = _run(False, dtype, make)
    with warnings.catch_warnings():
        warnings.simplefilter("error", autograd.CompileWarning)
        compiled, ran = _run(True, dtype, make)
    assert ran == 2  # the two recordings; four replays
    for (a, ga), (b, gb) in zip(eager, compiled):
        assert a == b
        assert ga.dtype == gb.dtype
        np.testing.assert_array_equal(ga, gb)


def test_a_cast_to_integers_still_runs_eagerly_since_it_checks_each_value_fits():
    """Tensor(x, dtype=np.int8) refuses a value outside -128..127 (numpy would wrap it): astype would not check."""
    eager, _ = _run(False, np.float32, lambda x: Tensor(x, dtype=np.int8) * 1.0)
    with pytest.warns(autograd.CompileWarning, match="outside the graph"):
        compiled, _ = _run(True, np.float32, lambda x: Tensor(x, dtype=np.int8) * 1.0)
    assert [a for a, _ in eager] == [b for b, _ in compiled]


@pytest.mark.parametrize("dtype", [object, np.complex128])
def test_a_cast_of_an_object_or_complex_array_runs_as_eagerly(dtype):
    """Tensor(x, dtype=np.float32) of an object or complex array (numbers Tensor() casts, as numpy does) was recorded
    as astype on a leaf over x itself, which Tensor() refuses: the compiled step raised a TypeError where eager ran."""

    def make(x):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", np.exceptions.ComplexWarning)  # eager's too: the imaginary part dropped
            return Tensor(x.astype(dtype), dtype=np.float32)

    eager, _ = _run(False, np.float32, make)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", autograd.CompileWarning)  # data made outside the graph: runs eagerly
        compiled, _ = _run(True, np.float32, make)
    assert [a for a, _ in eager] == [b for b, _ in compiled]
