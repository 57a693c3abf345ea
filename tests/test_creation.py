"""The creation functions: values against numpy and PyTorch, dtypes, requires_grad, both ways of
giving a shape, the errors for bad arguments, and for the random ones: seeded repeatability,
ranges, the default generator and manual_seed, and rough distribution checks."""

import threading

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import autograd
from autograd import Tensor, grad

torch = pytest.importorskip("torch", reason="PyTorch is the reference of the value checks")

SHAPES = st.lists(st.integers(0, 4), max_size=3).map(tuple)


@pytest.mark.parametrize("name", ["zeros", "ones"])
@given(shape=SHAPES)
def test_zeros_and_ones_in_both_spellings(name, shape):
    spread, packed = getattr(autograd, name)(*shape) if shape else None, getattr(autograd, name)(shape)
    expected = getattr(torch, name)(shape).numpy()
    assert packed.dtype == np.float32 and np.array_equal(packed.data, expected)
    if shape:
        assert np.array_equal(spread.data, expected) and spread.shape == shape


def test_full_eye_and_likes():
    assert np.array_equal(autograd.full((2, 3), 1.5).data, torch.full((2, 3), 1.5).numpy())
    assert autograd.full(3, 2).dtype == np.float32  # float32 even for an int fill value
    for n, m, k in [(3, None, 0), (2, 4, 1), (4, 2, -1), (0, None, 0)]:
        assert np.array_equal(autograd.eye(n, m, k).data, np.eye(n, m, k, dtype=np.float32))
    assert np.array_equal(autograd.eye(3, 2).data, torch.eye(3, 2).numpy())
    x = Tensor(np.arange(6.0).reshape(2, 3))
    for like, value in [(autograd.zeros_like, 0.0), (autograd.ones_like, 1.0)]:
        out = like(x)
        assert out.shape == (2, 3) and out.dtype == np.float64 and np.all(out.data == value)
    assert autograd.full_like(x, 7, dtype=np.int32).data.tolist() == [[7, 7, 7], [7, 7, 7]]
    assert autograd.zeros_like(np.ones((2,), np.float32)).dtype == np.float32  # arrays too


ARANGES = [(5,), (1, 4), (0, 1, 0.1), (2.5, -1.0, -0.75), (-3, 3, 2), (1, 1)]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("args", ARANGES)
def test_arange_matches_torch(args, dtype):
    """Computed in float64 and cast, as torch: the same float32 values, not numpy's float32 steps."""
    expected = torch.arange(*args, dtype=getattr(torch, np.dtype(dtype).name)).numpy()
    out = autograd.arange(*args, dtype=dtype)
    assert out.dtype == dtype and np.array_equal(out.data, expected)


def test_arange_of_integers():
    assert autograd.arange(5).dtype == np.float32  # the default
    assert autograd.arange(3, 0).shape == (0,)  # empty, as numpy and range(3, 0) (PyTorch raises)
    out = autograd.arange(2**60, 2**60 + 3, dtype=np.int64)
    assert out.data.tolist() == [2**60, 2**60 + 1, 2**60 + 2]  # exact, not through float64


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("args", [(0, 1, 5), (-1.3, 2.7, 7), (2, -2, 1), (0.5, 0.5, 3)])
def test_linspace_matches_numpy_and_torch(args, dtype):
    out = autograd.linspace(*args, dtype=dtype)
    assert out.dtype == dtype and np.array_equal(out.data, np.linspace(*args).astype(dtype))
    expected = torch.linspace(*args, dtype=getattr(torch, np.dtype(dtype).name)).numpy()
    assert np.allclose(out.data, expected, rtol=2 * np.finfo(dtype).eps, atol=2 * np.finfo(dtype).eps)


def test_linspace_spellings():
    assert autograd.linspace(0, 1).shape == (50,)  # numpy's default count
    assert np.array_equal(autograd.linspace(0, 1, num=3).data, autograd.linspace(0, 1, 3).data)
    with pytest.raises(TypeError, match="steps=.*num="):
        autograd.linspace(0, 1, 3, num=3)


def test_requires_grad_and_dtype():
    w = autograd.zeros(2, 3, dtype=np.float64, requires_grad=True)
    assert w.requires_grad and w.dtype == np.float64 and w.grad is None
    assert grad(lambda t: (t * autograd.ones(2, 3)).sum())(w.data).tolist() == [[1.0] * 3] * 2
    for make in (autograd.zeros, autograd.ones, autograd.rand, autograd.randn):
        assert not make(2).requires_grad
        assert make(2, requires_grad=True).requires_grad
    assert autograd.ones(2, dtype=bool).dtype == np.bool_
    with pytest.raises(TypeError, match="floating-point"):
        autograd.zeros(2, dtype=np.int64, requires_grad=True)


BAD = [
    (lambda: autograd.zeros(2, -1), ValueError, "non-negative"),
    (lambda: autograd.ones((2, 1.5)), TypeError, "sizes are ints"),
    (lambda: autograd.zeros("ab"), TypeError, "sizes are ints"),
    (lambda: autograd.zeros(), TypeError, "needs a shape"),
    (lambda: autograd.full((2,), "x"), TypeError, "real number"),
    (lambda: autograd.eye(-2), ValueError, "non-negative"),
    (lambda: autograd.eye(2, k=0.5), TypeError, "an int"),
    (lambda: autograd.arange(0, 1, 0), ValueError, "step must not be 0"),
    (lambda: autograd.arange(0, float("inf")), ValueError, "finite"),
    (lambda: autograd.linspace(0, 1, -1), ValueError, "at least 0"),
    (lambda: autograd.linspace(0, 1, 2.5), TypeError, "an int"),
    (lambda: autograd.zeros(2, dtype=np.complex64), TypeError, "not dtype complex64"),
    (lambda: autograd.zeros(2, dtype="nonsense"), TypeError, "not a dtype"),
    (lambda: autograd.randint(5, 5, (2,)), ValueError, "low 5 must be below high 5"),
    (lambda: autograd.randint(0.5, 3), TypeError, "ints"),
    (lambda: autograd.rand(2, dtype=np.int32), TypeError, "floating-point dtype"),
    (lambda: autograd.randn(2, generator="seed"), TypeError, "Generator or an int seed"),
    (lambda: autograd.rand(2, generator=-1), ValueError, "non-negative"),
    (lambda: autograd.rand_like(np.arange(3)), TypeError, "floating-point dtype"),
]


@pytest.mark.parametrize("make, error, message", BAD)
def test_bad_arguments_raise_one_clear_error(make, error, message):
    with pytest.raises(error, match=message):
        make()


# ---- random tensors ----


@pytest.mark.parametrize("name", ["rand", "randn"])
def test_a_seed_repeats_and_a_generator_advances(name):
    make = getattr(autograd, name)
    assert np.array_equal(make(3, 4, generator=7).data, make((3, 4), generator=7).data)
    rng = np.random.default_rng(7)
    first, second = make(3, generator=rng), make(3, generator=rng)
    assert not np.array_equal(first.data, second.data)
    assert make(3, 4).dtype == np.float32 and make(2, dtype=np.float64).dtype == np.float64


def test_manual_seed_makes_unseeded_calls_repeat():
    autograd.manual_seed(123)
    a = (autograd.rand(5), autograd.randn(2, 2), autograd.randint(0, 10, (4,)))
    assert autograd.default_generator() is not None
    autograd.manual_seed(123)
    b = (autograd.rand(5), autograd.randn(2, 2), autograd.randint(0, 10, (4,)))
    assert all(np.array_equal(x.data, y.data) for x, y in zip(a, b))
    generator = autograd.manual_seed(5)
    assert autograd.default_generator() is generator  # what nn's initialisation draws from
    assert np.array_equal(generator.random(3), np.random.default_rng(5).random(3))


def test_the_default_generator_is_shared_safely_between_threads():
    autograd.manual_seed(0)
    draws = []
    threads = [threading.Thread(target=lambda: draws.append(autograd.rand(1000).data)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    values = np.concatenate(draws)
    assert len(values) == 4000 and len(np.unique(values)) == 4000  # no draw handed out twice


def test_distributions():
    u = autograd.rand(100_000, generator=1, dtype=np.float64).data
    assert u.min() >= 0 and u.max() < 1 and abs(u.mean() - 0.5) < 0.01 and abs(u.var() - 1 / 12) < 0.005
    z = autograd.randn(100_000, generator=2, dtype=np.float64).data
    assert abs(z.mean()) < 0.02 and abs(z.std() - 1) < 0.02
    assert autograd.rand(50_000, dtype=np.float16, generator=3).data.max() < 1  # rounding stays below 1
    k = autograd.randint(-2, 3, (50_000,), generator=4)
    assert k.dtype == np.int64 and set(np.unique(k.data)) == {-2, -1, 0, 1, 2} and not k.requires_grad


def test_randint_spellings():
    assert autograd.randint(10, (2, 3), generator=0).shape == (2, 3)  # PyTorch: randint(high, size)
    assert np.all(autograd.randint(4, generator=0).data < 4)  # numpy: randint(high), 0-d
    assert autograd.randint(3, 5, size=(2,), generator=0).data.tolist() in ([3, 3], [3, 4], [4, 3], [4, 4])
    assert autograd.randint(0, 2, (3,), dtype=np.float32).dtype == np.float32


def test_random_likes():
    x = Tensor(np.zeros((2, 3), np.float64))
    assert autograd.rand_like(x).shape == (2, 3) and autograd.rand_like(x).dtype == np.float64
    assert np.array_equal(autograd.randn_like(x, generator=3).data, autograd.randn(2, 3, generator=3, dtype=float).data)


def test_the_names_are_exported():
    names = "zeros ones full eye arange linspace zeros_like ones_like full_like rand randn randint"
    for name in (names + " rand_like randn_like manual_seed default_generator").split():
        assert name in autograd.__all__ and callable(getattr(autograd, name))
