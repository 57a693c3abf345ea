"""gradcheck's one rule for integers and bools: in every form (a Python or numpy scalar, a 0-d or larger
array, a Tensor) a constant passed to f as it is, unchecked, as PyTorch's gradcheck treats integer
tensors. A Python int and np.int64 were points (checked as floats) while np.array(2) was a constant."""

import numpy as np
import pytest

from autograd import GradcheckError, Op, Tensor, Value, gradcheck

# x * n, its rule right in x; in n it gives 0, which only a check of n would blame
_SCALED = Op("scaled", lambda x, n: x * n, lambda g, out, x, n: (g * n, g * 0))

INTEGERS = [3, np.int64(3), np.int32(3), np.uint8(3), np.array(3), Tensor(np.array(3))]
IDS = ["int", "int64", "int32", "uint8", "0-d array", "0-d Tensor"]


@pytest.mark.parametrize("n", INTEGERS, ids=IDS)
def test_an_integer_in_every_form_reaches_f_as_it_is_and_is_not_checked(n):
    seen = []
    x = np.array([1.5, 2.0]) if isinstance(n, np.ndarray | Tensor) else 1.5  # a Tensor beside an array's
    assert gradcheck(lambda x, n: seen.append(n) or _SCALED(x, n), [x, n])
    kinds = {np.asarray(n.data if isinstance(n, Tensor) else n).dtype.kind for n in seen}
    assert kinds <= set("iu") and not any(isinstance(n, Value) or getattr(n, "requires_grad", False) for n in seen)


@pytest.mark.parametrize("n", INTEGERS, ids=IDS)
def test_an_integer_alone_is_refused_as_a_check_of_nothing_saying_to_give_a_float(n):
    with pytest.raises(ValueError, match=r"every input is a constant .*\(2\.0, not 2;"):
        gradcheck(lambda n: n * Value(2.0), [n])


@pytest.mark.parametrize("b", [True, np.bool_(True), np.array(True)], ids=["bool", "numpy bool", "0-d array"])
def test_a_bool_in_every_form_is_a_constant_too(b):
    assert gradcheck(lambda x, b: x * float(np.asarray(getattr(b, "data", b))), [1.5, b])


def test_a_failed_checks_table_names_an_unchecked_int():
    wrong = Op("scaled", lambda x, n: x * n, lambda g, out, x, n: (g * (n + 1), None))
    with pytest.raises(GradcheckError) as caught:
        gradcheck(wrong, [1.5, 3])
    assert str(caught.value).endswith("\ninput 1: not checked, passed to f as it is (integers)")


def test_floats_of_every_form_are_still_points_to_check():
    wrong = Op("square", lambda x: x * x, lambda g, out, x: (g * (x + 3),))
    for x in (2.0, np.float64(2.0), np.float32(2.0), Value(2.0)):
        with pytest.raises(GradcheckError, match=r"input 0  2         5         4"):
            gradcheck(wrong, [x])


@pytest.mark.parametrize(
    "dtype, eps, says",
    [
        (np.float32, 1e-6, r"input 0 is float32; checking in float64 \(f is given float64 copies .* off by about 6% "),
        (np.float16, 1e-3, r"input 0 is float16; .* off by about 49% of a slope of 1 at 1\.0"),
        pytest.param(
            np.longdouble,
            1e-6,
            r"checking in float64 .* digits float(128|96|80) keeps beyond float64's are dropped",
            marks=pytest.mark.skipif(np.dtype(np.longdouble) == np.float64, reason="long double is float64 here"),
        ),
    ],
)
def test_another_float_dtype_is_checked_in_float64_saying_what_that_costs(dtype, eps, says):
    # it said "checking in float64 (finite differences need its precision)", and float128 needs none
    with pytest.warns(UserWarning, match=says):
        assert gradcheck(lambda t: t.tanh(), [np.array([0.3, -0.5], dtype=dtype)], eps=eps)
