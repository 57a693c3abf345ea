"""What carries a dtype keeps it in a Tensor: a torch tensor, an array.array, a memoryview, an object with
`__array__` or `__array_interface__`, numpy scalars and lists of them (torch.as_tensor keeps torch's and
numpy's too). Only Python's own numbers and lists of them become float32. Before, anything not a numpy
array was made float32: a float64 torch tensor [1/3, 16777217] became [0.33333334, 16777216], and torch's
int64 labels float32 ones that cross_entropy refuses."""

import array
import collections
import enum

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor

torch = pytest.importorskip("torch")

EXACT = np.array([1 / 3, 16777217.0])  # neither is a float32


class Label(enum.IntEnum):
    A = 0
    B = 1


class WithArray:  # an object numpy reads through __array__ (a pandas Series, an xarray)
    def __array__(self, dtype=None, copy=None):
        return EXACT if dtype is None else EXACT.astype(dtype)


class WithInterface:  # an object numpy reads through __array_interface__
    @property
    def __array_interface__(self):
        return EXACT.__array_interface__


FOREIGN = {
    "torch float64": lambda: torch.from_numpy(EXACT.copy()),
    "array.array('d')": lambda: array.array("d", EXACT),
    "memoryview": lambda: memoryview(EXACT.copy()),
    "__array__": WithArray,
    "__array_interface__": WithInterface,
    "list of numpy float64": lambda: [np.float64(v) for v in EXACT],
    "list of numpy float64 arrays": lambda: [EXACT.copy(), EXACT.copy()],
    "list of float64 torch tensors": lambda: [torch.tensor(v, dtype=torch.float64) for v in EXACT],
}


@pytest.mark.parametrize("make", FOREIGN.values(), ids=FOREIGN.keys())
@pytest.mark.parametrize("build", [Tensor, autograd.tensor], ids=["Tensor", "tensor"])
def test_float64_data_that_carries_its_dtype_stays_float64(make, build):
    t = build(make())
    assert t.dtype == np.float64
    assert np.array_equal(t.data.reshape(-1, 2)[0], EXACT)


@pytest.mark.parametrize(
    "make, dtype",
    [
        (lambda: torch.tensor([0, 1, 2]), np.int64),
        (lambda: torch.tensor([0, 1, 2], dtype=torch.int32), np.int32),
        (lambda: array.array("i", [0, 1, 2]), np.int32),
        (lambda: [np.int64(0), np.int64(2)], np.int64),
        (lambda: torch.tensor([2**40 + 1]), np.int64),  # was refused: "integers beyond 2**24 do not fit float32"
        (lambda: torch.tensor(1 / 3, dtype=torch.float64), np.float64),
        (lambda: torch.tensor([0.5], dtype=torch.float32), np.float32),
    ],
)
def test_integers_stay_integers_and_each_dtype_its_own(make, dtype):
    data = make()
    t = Tensor(data)
    assert t.dtype == dtype
    assert np.array_equal(t.data, np.asarray(data))
    if not isinstance(data, array.array):  # PyTorch reads an array.array as a list of Python numbers
        assert str(torch.as_tensor(data).dtype) == f"torch.{np.dtype(dtype)}"  # what PyTorch keeps too


def test_python_numbers_and_lists_of_them_are_still_float32():
    point = collections.namedtuple("point", "x y")
    for data in ([1 / 3, 2.0], [[1, 2], [3, 4]], 1 / 3, 3, (0.5, 1.5), [[0.5], [1.0]], point(0.5, 1.5), [(0.5, 1)]):
        assert Tensor(data).dtype == np.float32
    assert Tensor([True, False]).dtype == np.bool_
    # half precision is too coarse to differentiate in, whoever gives it
    assert Tensor(torch.tensor([0.1], dtype=torch.float16)).dtype == np.float32


class Ratio(float):  # a user's float (a unit, a tagged number): Python's own number, no dtype of numpy's
    pass


def test_ranges_and_subclasses_of_pythons_numbers_are_python_numbers():
    # a range and an int or float subclass carry no dtype: they became int64 and float64 (so that
    # Tensor(range(5), requires_grad=True) was refused as an integer tensor) where they were float32
    for data in (range(5), [range(2), range(2)], Ratio(1 / 3), [Ratio(1 / 3), 0.5], Label.B, [Label.A, Label.B]):
        assert Tensor(data).dtype == np.float32, data
    assert Tensor(range(3), requires_grad=True).data.tolist() == [0.0, 1.0, 2.0]
    with pytest.raises(ValueError, match="2\\*\\*24"):  # a range past float32's integers, refused as a list's
        Tensor(range(2**24, 2**24 + 2))


def test_assigning_data_keeps_its_dtype_and_digits():
    layer = nn.Linear(2, 1, dtype=np.float64, seed=0)
    layer.W.data = torch.from_numpy(EXACT.reshape(2, 1).copy())
    assert layer.W.dtype == np.float64
    assert np.array_equal(layer.W.data.ravel(), EXACT)


def test_torch_labels_feed_cross_entropy():
    scores = Tensor(np.zeros((3, 4)), requires_grad=True)
    loss = nn.functional.cross_entropy(scores, Tensor(torch.tensor([0, 1, 3])))
    assert loss.item() == pytest.approx(np.log(4))


DTYPE_TAKERS = {
    "Tensor": lambda d: Tensor([1 / 3], dtype=d),
    "tensor": lambda d: autograd.tensor([1 / 3], dtype=d),
    "Tensor of an array": lambda d: Tensor(np.array([1 / 3]), dtype=d),
    "astype": lambda d: Tensor([1 / 3]).astype(d),
    "to": lambda d: Tensor([1 / 3]).to(d),
    "zeros": lambda d: autograd.zeros(1, dtype=d),
    "full": lambda d: autograd.full(1, 1 / 3, dtype=d),
    "one_hot": lambda d: autograd.one_hot(np.array([0]), 2, dtype=d),
}


@pytest.mark.parametrize("take", DTYPE_TAKERS.values(), ids=DTYPE_TAKERS.keys())
def test_every_dtype_argument_takes_torchs_dtypes_as_numpys(take):
    # Tensor([...], dtype=torch.float64) was refused, blaming the list; astype too, where zeros and to took it
    assert take(torch.float64).dtype == take(np.float64).dtype == np.float64


@pytest.mark.parametrize("take", DTYPE_TAKERS.values(), ids=DTYPE_TAKERS.keys())
def test_a_dtype_numpy_lacks_is_refused_as_the_dtype_not_the_data(take):
    # Tensor([1/3], dtype=torch.bfloat16) said "needs numbers, got list that numpy cannot make an array of", and
    # astype and one_hot numpy's bare "data type 'bfloat16' not understood", where zeros named the dtype
    for dtype in (torch.bfloat16, torch.float8_e4m3fn):
        with pytest.raises(TypeError, match=f"{dtype!r} is not a dtype numpy has: give one such as np.float64"):
            take(dtype)


@pytest.mark.parametrize("build", [Tensor, autograd.tensor], ids=["Tensor", "tensor"])
def test_a_dtype_that_holds_no_real_numbers_is_refused_as_the_dtype_not_the_data(build):
    # "needs numbers, got list of dtype complex64" blamed the list of floats for the dtype= asked for
    with pytest.raises(TypeError, match="hold bool, integer or floating-point numbers, not dtype complex64"):
        build([1 / 3], dtype=torch.complex64)
    with pytest.raises(TypeError, match="'flaot32' is not a dtype numpy has"):  # "got list that numpy cannot ..."
        build([1 / 3], dtype="flaot32")


@pytest.mark.parametrize("build", [Tensor, autograd.tensor], ids=["Tensor", "tensor"])
def test_pythons_numbers_beside_float32_ones_take_their_dtype(build):
    # Python's numbers carry no dtype: beside numpy's float32 ones (w.data[0] of a float32 weight) they take
    # float32, as NumPy 2's promotion and PyTorch's tensor() read them; numpy's array of the list made it float64,
    # so `W.data = [[w[0, 0]], [0.5]]` turned a float32 model's weight float64 (and its Adam refused the next step)
    one = np.float32(1 / 3)
    for data in (
        [one, 0.5],
        [[one], [2]],
        [[0.5], [one]],
        [np.float16(1), 0.25],
        [one, True],
        [torch.tensor(one), 0.5],
    ):
        t = build(data)
        theirs = torch.tensor(data).numpy()
        assert t.dtype == np.float32 == theirs.dtype and np.array_equal(t.data, theirs), data
    layer = nn.Linear(2, 1, seed=0)
    layer.W.data = [[layer.W.data[0, 0]], [0.5]]
    assert layer.W.dtype == np.float32
    # what carries a wider dtype, or integers, keeps numpy's reading: no digit is lost
    assert build([np.float64(1 / 3), 0.5]).dtype == build([one, np.float64(0.5)]).dtype == np.float64
    assert build([np.int64(2**40), 1]).dtype == np.int64
    for data in ([one, 2**24 + 1], [one, 2**53 + 1], [2**53 + 1], [[2**62 + 1]]):  # a Python int float32 would
        with pytest.raises(ValueError, match="2\\*\\*24"):  # round, refused as in a list (2**53 + 1 was not: its
            build(data)  # check compared in float64, where it is 2**53, float32's too)


def test_a_bfloat16_torch_tensor_is_half_precision_made_float32():
    # numpy has no bfloat16: Tensor(t) said "numpy cannot make an array of (Got unsupported ScalarType BFloat16)"
    # with the fix t.detach().numpy(), which fails the same way; its numbers are float32's, exactly
    t = torch.tensor([0.1, 3e38, -7.5], dtype=torch.bfloat16)
    assert np.array_equal(Tensor(t).data, t.float().numpy()) and Tensor(t).dtype == np.float32
    assert autograd.tensor(t, dtype=np.float64).dtype == np.float64
