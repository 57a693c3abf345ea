"""torch and numpy reading chainrule's objects, as they read numpy's arrays: `torch.tensor(t)`,
`torch.as_tensor(t)`, `np.from_dlpack(t)` (DLPack) and numpy 2's `__array__(copy=)` protocol; what
would drop a gradient is refused with words, never done silently."""

import numpy as np
import pytest

import autograd
from autograd import Tensor

torch = pytest.importorskip("torch")

SHAPES = [(), (3,), (2, 3)]
DTYPES = [np.float32, np.float64, np.int64, np.bool_, np.float16]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_torch_tensor_reads_a_tensor_as_an_array(shape, dtype):
    """torch.tensor(t) is torch.tensor of t's array: same numbers, dtype and shape, a copy (it failed with
    "len() of a 0-d tensor": PyTorch took the Tensor for a sequence of 0-d rows)."""
    data = (np.arange(int(np.prod(shape))).reshape(shape) % 3).astype(dtype)
    t = Tensor(data, dtype=dtype)  # float16 given as data alone would be held in float32
    assert t.dtype == dtype
    for read in (torch.tensor, torch.as_tensor):
        got, want = read(t), read(t.data)
        assert got.dtype == want.dtype and got.shape == want.shape
        assert torch.equal(got, want)
    copied = torch.tensor(t)
    copied.fill_(1)
    assert np.array_equal(t.data, data.astype(t.dtype))  # torch.tensor copies, as of an array


def test_as_tensor_and_from_dlpack_share_the_data_as_asarray_does():
    t = Tensor(np.arange(3.0))
    torch.as_tensor(t)[0] = 7.0
    assert np.from_dlpack(t)[0] == 7.0 == t.data[0]


def test_a_reversed_view_is_read_in_its_order():
    """numpy exports a reversed view's negative strides, which PyTorch 2.13's DLPack reader aborted the
    process on: such data goes as a copy (copy=False is refused, as DLPack asks)."""
    t = Tensor(np.arange(6.0)).flip(0)
    assert t.data.strides[0] < 0
    assert torch.tensor(t).tolist() == [5.0, 4.0, 3.0, 2.0, 1.0, 0.0]
    with pytest.raises(BufferError, match="reversed or read-only view"):
        t.__dlpack__(copy=False)


def test_read_only_data_goes_as_a_copy():
    """An expand's view (stride 0, read-only) PyTorch's DLPack reader took as writable, with no warning: a write
    through torch.as_tensor would have changed every row at once. It is a copy."""
    base = Tensor(np.arange(3.0))
    wide = base.expand(2, 3)
    assert not wide.data.flags.writeable
    shared = torch.as_tensor(wide)
    shared[0, 0] = 9.0
    assert wide.data.tolist() == [[0.0, 1.0, 2.0]] * 2 and base.data.tolist() == [0.0, 1.0, 2.0]


def test_torch_refuses_a_tensor_that_requires_grad_with_words():
    """torch.tensor(t) would drop t's gradient without a word: refused as np.asarray(t) is."""
    t = Tensor(np.ones(2), requires_grad=True)
    for read in (torch.tensor, torch.as_tensor, np.asarray, np.from_dlpack):
        with pytest.raises(TypeError, match="requires grad into an array"):
            read(t)
    assert torch.equal(torch.tensor(t.detach()), torch.ones(2, dtype=torch.float64))


def test_array_protocol_copy_false_refuses_a_copy():
    """numpy 2's __array__(copy=False) must not copy: a dtype change is numpy's ValueError (it gave a copy)."""
    t = Tensor(np.arange(3.0))
    assert np.shares_memory(np.asarray(t, copy=False), t.data)
    assert not np.shares_memory(np.array(t, copy=True), t.data)
    with pytest.raises(ValueError, match="copy"):
        np.asarray(t, dtype=np.float32, copy=False)
    assert np.asarray(t, dtype=np.float32).dtype == np.float32


def test_a_ufunc_writes_into_an_array_out_as_for_pytorchs_tensors():
    """np.add(t, 1, out=buffer) of a tensor that requires no grad writes its numbers into the buffer, as numpy does
    with a PyTorch tensor (it was a TypeError); one that requires grad, or out= a Tensor, is still refused."""
    data = np.array([1.0, 4.0])
    ours, theirs = np.zeros(2), np.zeros(2)
    assert np.add(Tensor(data), 1, out=ours) is ours
    np.add(torch.tensor(data), 1, out=theirs)
    assert ours.tolist() == theirs.tolist() == [2.0, 5.0]
    quotient, remainder = np.divmod(Tensor(data), 3, out=(np.zeros(2), np.zeros(2)))
    assert quotient.tolist() == [0.0, 1.0] and remainder.tolist() == [1.0, 1.0]
    with pytest.raises(TypeError, match=r"out=.*gradient through it would be lost"):
        np.sqrt(Tensor(data, requires_grad=True), out=ours)
    t = Tensor(data.copy())
    with pytest.raises(TypeError, match=r"nor into a Tensor.*\(a \+= t\)"):
        np.add(t, 1, out=t)
    assert t.data.tolist() == [1.0, 4.0]


def test_a_ufunc_into_an_array_out_takes_a_tensor_as_where():
    """np.sin(t, out=buffer, where=t > 0) was a RecursionError: the mask went to numpy as a Tensor, and numpy handed
    the call back to it. Its numbers go, as numpy takes a PyTorch tensor's."""
    data = np.array([-1.0, 0.5, 2.0])
    ours, theirs = np.full(3, 7.0), np.full(3, 7.0)
    np.sin(Tensor(data), out=ours, where=Tensor(data) > 0)
    np.sin(torch.tensor(data), out=theirs, where=torch.tensor(data) > 0)
    assert ours.tolist() == theirs.tolist() == [7.0, np.sin(0.5), np.sin(2.0)]


def test_a_compiled_step_writing_its_input_into_an_array_out_runs_as_eagerly():
    """A step's input requires grad while recorded only as a stand-in: out= takes it, and the step runs eagerly
    (numbers written into an array, which a replay would not do), giving eager's numbers."""
    buffer = np.zeros(2)

    def step(x):
        np.add(x, 1, out=buffer)
        return float(buffer.sum())

    inputs = [Tensor(np.array([1.0, float(i)])) for i in range(3)]
    run = autograd.compile(step)
    with pytest.warns(autograd.CompileWarning, match="runs eagerly"):
        compiled = [run(x) for x in inputs]
    assert compiled == [step(x) for x in inputs] == [3.0, 4.0, 5.0]
