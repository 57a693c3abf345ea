"""The creation functions never store a number the dtype cannot hold, count ranges as PyTorch does
whatever numpy scalars they are given, and say what is wrong in their own name; nn's unseeded data
follows autograd.manual_seed; float16 dropout near p = 1 gives zeros, not NaN."""

import tracemalloc

import numpy as np
import pytest
import torch

import autograd
import nn

MISFITS = [
    (lambda: autograd.full((2,), 1e5, dtype=np.float16), "full: 100000.0 does not fit float16"),
    (lambda: autograd.full((2,), 1e40), "does not fit float32"),
    (lambda: autograd.full((2,), 300.0, dtype=np.int8), "300.0 does not fit int8"),
    (lambda: autograd.full((2,), np.int64(300), dtype=np.int8), "300 does not fit int8"),
    (lambda: autograd.full((2,), 127.9, dtype=np.int8), "does not fit int8"),  # PyTorch's rule too
    (lambda: autograd.full((2,), float("nan"), dtype=np.int64), "integers have no NaN"),
    (lambda: autograd.full((2,), 1e10, dtype=np.int32), "does not fit int32"),
    (lambda: autograd.full((2,), -1, dtype=np.uint8), "does not fit uint8"),
    (lambda: autograd.full((2,), 10**400, dtype=np.float64), "integer of 401 digits does not fit float64"),
    (lambda: autograd.full_like(np.zeros(2, np.int8), 300), "full_like: 300 does not fit int8"),
    (lambda: autograd.linspace(0, 1e5, 3, dtype=np.float16), "linspace: 100000.0 does not fit float16"),
    (lambda: autograd.linspace(0, 300, 4, dtype=np.int8), "linspace: 300.0 does not fit int8"),
    (lambda: autograd.arange(2**63 - 2, 2**63 + 2, dtype=np.int64), "arange: 9223372036854775809 does not fit"),
    (lambda: autograd.arange(0, 300, dtype=np.int8), "arange: 299 does not fit int8"),
    (lambda: autograd.arange(0, 1e6, 1e5, dtype=np.float16), "arange: 900000.0 does not fit float16"),
]


@pytest.mark.parametrize("make, message", MISFITS)
def test_a_value_the_dtype_cannot_hold_is_refused(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_values_that_fit_are_stored_as_pytorch_stores_them():
    assert autograd.full((2,), 2.7, dtype=np.int8).data.tolist() == [2, 2]  # truncated toward zero
    assert autograd.full((2,), -2.7, dtype=np.int8).data.tolist() == [-2, -2]
    assert np.isinf(autograd.full((1,), float("inf"), dtype=np.float16).data).all()  # inf is a float
    assert autograd.full((1,), 2**64 - 1, dtype=np.uint64).data.tolist() == [2**64 - 1]  # exact
    assert autograd.full((1,), 2.5, dtype=bool).data.tolist() == [True]
    assert autograd.linspace(0, 10, 4, dtype=np.int64).data.tolist() == [0, 3, 6, 10]
    assert autograd.arange(2**64 - 3, 2**64, dtype=np.uint64).data.tolist() == [2**64 - 3, 2**64 - 2, 2**64 - 1]


RANDINT_MISFITS = [
    (0, 1000, np.int8, r"\[0, 1000\) does not fit int8"),
    (-5, 5, np.uint8, r"\[-5, 5\) does not fit uint8"),
    (0, 10**6, np.float16, "does not fit float16, which holds every integer from -2048 to 2048"),
    (0, 3, bool, r"\[0, 3\) does not fit bool"),
]


@pytest.mark.parametrize("low, high, dtype, message", RANDINT_MISFITS)
def test_randint_refuses_bounds_its_dtype_cannot_hold(low, high, dtype, message):
    with pytest.raises(ValueError, match=message):
        autograd.randint(low, high, (8,), dtype=dtype)


def test_randint_draws_in_its_dtype_across_the_whole_range():
    k = autograd.randint(-128, 128, (4000,), dtype=np.int8, generator=0).data
    assert k.dtype == np.int8 and k.min() == -128 and k.max() == 127
    b = autograd.randint(0, 2, (100,), dtype=bool, generator=0).data
    assert b.dtype == bool and 0 < b.sum() < 100
    h = autograd.randint(-2048, 2049, (4000,), dtype=np.float16, generator=0).data
    assert h.dtype == np.float16 and np.array_equal(h, np.round(h)) and h.min() >= -2048 and h.max() <= 2048


def test_randint_checks_its_dtype_as_the_other_creation_functions():
    assert autograd.randint(0, 3, (2,), dtype=torch.int32, generator=0).dtype == np.int32
    with pytest.raises(TypeError, match="randint: 'nonsense' is not a dtype"):
        autograd.randint(0, 3, (2,), dtype="nonsense")


def test_numpy_float_arguments_are_computed_in_float64_as_pytorch():
    a = autograd.arange(np.float32(89.72989), np.float32(252.76094), np.float32(0.942376))
    assert len(a) == len(torch.arange(np.float32(89.72989).item(), np.float32(252.76094).item(), 0.942376)) == 174
    assert len(autograd.arange(0, np.float16(1), np.float16(0.1))) == 11
    third = autograd.linspace(np.float32(0.1), np.float32(0.7), 4, dtype=np.float64).data[1]
    start, stop = float(np.float32(0.1)), float(np.float32(0.7))
    assert third == torch.linspace(start, stop, 4, dtype=torch.float64)[1].item()


def test_numpy_integer_arguments_are_counted_exactly():
    assert autograd.arange(np.uint8(5), np.uint8(0), -1, dtype=np.int64).data.tolist() == [5, 4, 3, 2, 1]
    assert autograd.arange(np.uint64(5), 0, -2, dtype=np.int64).data.tolist() == [5, 3, 1]
    assert autograd.arange(np.int8(120), 200, 20, dtype=np.int64).data.tolist() == [120, 140, 160, 180]


@pytest.mark.parametrize("args", [(0, 5, 1.5), (-2.5, 2.5, 1.5), (0.5, 3.2), (-0.5, 3, 1)])
def test_arange_of_an_integer_dtype_truncates_its_arguments_as_pytorch(args):
    expected = torch.arange(*args, dtype=torch.int64).tolist()
    assert autograd.arange(*args, dtype=np.int64).data.tolist() == expected


REFUSED = [
    (lambda: autograd.arange(0, 1, 0.3, dtype=np.int64), ValueError, r"step must not be 0 \(0.3 truncates to 0"),
    (lambda: autograd.arange(0, 3, dtype=bool), TypeError, "arange: bool has no ranges"),
    (lambda: autograd.linspace(0, float("inf"), 3), ValueError, "linspace: start and stop are finite"),
    (lambda: autograd.linspace(float("nan"), 1, 3), ValueError, "linspace: start and stop are finite"),
    (lambda: autograd.linspace(-1e308, 1e308, 3), ValueError, "less than 1.8e308 apart"),
    (lambda: autograd.linspace(0, 1, -1), ValueError, "at least 0"),
    (lambda: autograd.arange(10**400), ValueError, "arange: too many values"),
    (lambda: autograd.arange(0, 1e308, 1e-308), ValueError, "arange: too many values"),
    (lambda: autograd.arange(0.5, 10**400), ValueError, "arange: start, stop and step must fit float64"),
    (lambda: autograd.manual_seed(1.0), TypeError, "manual_seed: the seed is a non-negative int"),
    (lambda: autograd.manual_seed(None), TypeError, "manual_seed: the seed is a non-negative int"),
    (lambda: autograd.zeros(2, dtype=torch.bfloat16), TypeError, "zeros: torch.bfloat16 is not a dtype numpy has"),
]


@pytest.mark.parametrize("make, error, message", REFUSED)
def test_bad_ranges_and_seeds_raise_one_clear_error_in_the_function_s_name(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_linspace_of_no_steps_is_empty_and_torch_dtypes_are_taken_by_name():
    assert autograd.linspace(0, 1, 0).shape == (0,) == tuple(torch.linspace(0, 1, 0).shape)
    assert autograd.zeros(2, dtype=torch.float64).dtype == np.float64


def test_unseeded_batches_follow_a_later_manual_seed():
    batches = nn.data.Batches(np.arange(20.0), np.arange(20), batch_size=20, seed=None)
    autograd.manual_seed(3)
    first = next(iter(batches))[1]
    autograd.manual_seed(3)
    assert np.array_equal(first, next(iter(batches))[1])


@pytest.mark.parametrize("make", [nn.data.moons, nn.data.blobs, nn.data.spirals])
def test_unseeded_toy_data_follows_manual_seed(make):
    autograd.manual_seed(4)
    first = make(seed=None)[0]
    autograd.manual_seed(4)
    assert np.array_equal(first, make(seed=None)[0])


def test_unseeded_train_val_split_follows_manual_seed():
    X, y = np.arange(10.0), np.arange(10)
    autograd.manual_seed(5)
    first = nn.data.train_val_split(X, y, seed=None)[1][1]
    autograd.manual_seed(5)
    assert np.array_equal(first, nn.data.train_val_split(X, y, seed=None)[1][1])


def test_float16_dropout_near_one_drops_to_zero_not_nan():
    dropped = nn.Dropout(0.99999, seed=0)(autograd.ones(100_000, dtype=np.float16)).data
    assert not np.isnan(dropped).any() and np.all((dropped == 0) | np.isinf(dropped))  # kept: inf, as PyTorch's
    assert (dropped == 0).sum() > 99_900


@pytest.mark.parametrize(
    "make, most",
    [
        (lambda: autograd.randint(0, 100, (200_000,), dtype=np.int8, generator=0), 1.5),  # was 9: an int64 copy
        (lambda: autograd.randint(0, 2, (200_000,), dtype=bool, generator=0), 1.5),
        (lambda: autograd.rand(200_000, dtype=np.float16, generator=0), 3.5),  # float32 draws, rounded: was 5
    ],
)
def test_small_dtypes_are_drawn_without_a_wide_copy(make, most):
    tracemalloc.start()
    try:
        made = make()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak <= most * made.data.nbytes


def test_tensor_copies_its_data_as_torch_tensor_does():
    """`autograd.tensor` is PyTorch's `torch.tensor`: a copy, where `Tensor(array)` holds the array
    (it was the module tensor.py, and calling it said only "'module' object is not callable")."""
    array = np.array([1.0, 2.0, 3.0])
    copied, held = autograd.tensor(array), autograd.Tensor(array)
    array[0] = 7.0
    assert copied.data.tolist() == [1.0, 2.0, 3.0] and held.data[0] == 7.0
    assert copied.dtype == np.float64 and autograd.tensor([1, 2]).dtype == np.float32  # Tensor's dtypes
    assert autograd.tensor(array[::2], dtype=np.float32).data.tolist() == [7.0, 3.0]
    leaf = autograd.tensor([2.0], requires_grad=True)
    (leaf * leaf).sum().backward()
    assert leaf.grad.tolist() == [4.0]
    with pytest.raises(TypeError, match=r"tensor\(\) needs array data, got a Tensor; use .detach\(\)"):
        autograd.tensor(leaf)


class _Wrapped:
    """An object that numpy reads through `__array__`, which gives the array it holds."""

    def __init__(self) -> None:
        self.held = np.array([1.0, 2.0, 3.0])

    def __array__(self, dtype=None, copy=None):
        return self.held


@pytest.mark.parametrize(
    "make, write",
    [
        (lambda: torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64), lambda t: t.__setitem__(0, 7.0)),
        (lambda: memoryview(np.array([1.0, 2.0, 3.0])), lambda m: m.__setitem__(0, 7.0)),
        (lambda: _Wrapped(), lambda w: w.held.__setitem__(0, 7.0)),
    ],
    ids=["a torch tensor", "a memoryview", "an object's __array__"],
)
def test_tensor_copies_what_numpy_reads_in_place(make, write):
    """numpy reads a torch tensor, a buffer and an `__array__` in place, and only a numpy array given was
    copied: autograd.tensor(t) of a torch tensor shared its memory, so `t[0] = 7` made the Tensor [7, 2, 3]."""
    given = make()
    made = autograd.tensor(given)
    write(given)
    assert made.data.tolist() == [1.0, 2.0, 3.0] and made.dtype == np.float64


@pytest.mark.parametrize(
    "make",
    [
        lambda: autograd.arange(2**24 - 2, 2**24 + 4),
        lambda: autograd.arange(-(2**24) - 3, 0, 2**20),
        lambda: autograd.full((2,), 2**24 + 1),
        lambda: autograd.arange(2**24 + 1, 0, -(2**70)),  # one value; the step past int64 was an OverflowError
        lambda: autograd.arange(2**64, 2**64 + 2**41 + 1, 2**40),  # past int64: both ends fit, the middle rounded
        lambda: autograd.arange(2**65 - 2**41 * (2**16 + 2), 2**65 + 2**43, 2**41),  # rounds past the first block
    ],
    ids=["arange past 2**24", "arange below -2**24", "full of 2**24 + 1", "a step past int64", "past int64", "late"],
)
def test_integers_that_float32_would_round_are_refused_where_no_dtype_was_given(make):
    """arange(2**24 - 2, 2**24 + 4) gave 16777216 twice (float32, chainrule's default, where torch's arange of
    integers is int64) and full((2,), 2**24 + 1) gave 16777216: silently, where Tensor() refuses such a list."""
    with pytest.raises(ValueError, match=r"integers beyond 2\*\*24 do not fit float32.*dtype=np\.int64"):
        make()


def test_integers_float32_holds_and_a_dtype_given_are_made_as_asked():
    assert autograd.arange(2**24 - 2, 2**24 + 1).data.tolist() == [2**24 - 2, 2**24 - 1, 2**24]
    assert autograd.arange(2**24, 2**25 + 1, 2**23).data.tolist() == [2**24, 2**24 + 2**23, 2**25]
    assert autograd.arange(2**25, 2**25 + 1, 2**70).data.tolist() == [2**25]  # a step past int64, one value
    # across int64's end: the values after 2**63 - 1 wrapped to -9.2e18, in float64 asked for and float32 not
    assert autograd.arange(2**63 - 2, 2**63 + 2, dtype=np.float64).data.tolist() == [2.0**63] * 4
    assert autograd.arange(2**63 - 2**40, 2**63 + 2**41, 2**40).data.tolist() == [2**63 - 2**40, 2**63, 2**63 + 2**40]
    assert autograd.arange(2**64, 2**64 + 2**42 + 1, 2**41).data.tolist() == [2**64, 2**64 + 2**41, 2**64 + 2**42]
    assert autograd.arange(2**24 + 1, 2**24 + 3, dtype=np.int64).data.tolist() == [2**24 + 1, 2**24 + 2]
    assert autograd.full((1,), 2**24 + 1, dtype=np.float64).data.tolist() == [2**24 + 1]
    assert autograd.full((1,), 2**24 + 1, dtype=np.float32).data.tolist() == [2**24]  # asked for: float32's rounding
    assert autograd.arange(0.0, 3.0).dtype == np.float32 and autograd.full((1,), 0.1).dtype == np.float32
