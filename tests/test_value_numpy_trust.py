"""numpy on Values: each call is chainrule's op (its numbers and gradients) or a TypeError naming
Values and the fix, never numpy's loop over objects, which compares Values (NaN lost, a tie's
gradient not split), drops the graph (a plain int from np.clip) or finds no method (np.arcsin).
The numbers in the comments marked torch are PyTorch 2.13's, on 0-d float64 tensors."""

import contextlib
import math
import re

import numpy as np
import pytest

from autograd import Tensor, Value, grad, gradients, value_and_grad
from autograd.value_numpy import OBJECT_LOOP_METHODS

nan = float("nan")


def test_an_array_of_values_equals_a_value_elementwise_by_identity():
    v, w = Value(1.0), Value(2.0)
    arr = np.array([v, w, v], dtype=object)
    assert (arr == v).tolist() == [True, False, True] and (arr == v).dtype == bool  # was np.False_
    assert (arr != v).tolist() == [False, True, False] and np.equal(arr, w).tolist() == [False, True, False]
    assert v in arr and Value(1.0) not in arr  # identity, as a Value's `==`
    assert np.count_nonzero(arr == v) == 2 and (np.array([1.0]) == v).tolist() == [False]


def test_a_value_meeting_an_array_is_chainrules_op_on_each_element():
    out = np.maximum(np.array([nan, 0.5]), Value(0.0))  # was [Value(0.0), ...]: NaN lost by comparing
    assert math.isnan(out[0].data) and out[1].data == 0.5
    assert isinstance(np.maximum(Value(0.0), np.array([nan]))[0], Value)  # was a plain nan: the graph gone
    x = Value(1.0)
    tied = np.maximum(np.array([1.0, 2.0]), x)
    assert gradients(tied[0] + tied[1], [x]) == [0.5]  # torch: 0.5, a tie split (was 0.0)
    assert np.arctan(np.array([1.0, 2.0]) * x)[1].data == math.atan(2.0)  # numpy found no arctan method
    assert (np.array([0.5, 1.0]) > x).tolist() == [False, False] and (np.array([2.0]) * x).dtype == object
    with pytest.raises(TypeError, match=r"np.add.outer\(...\) of a Value and an array is not supported"):
        np.add.outer(np.array([1.0]), x)  # numpy's loop over the objects again
    with pytest.raises(TypeError, match=r"np.add\(...\) of a Value and an array is not supported.*\['out'\]"):
        np.add(np.array([1.0]), x, out=np.empty(1, object))


@pytest.mark.parametrize(
    ("f", "at", "expected"),
    [  # torch's value and gradient; the number met an array, or np.clip, so it was traced as a 0-d Tensor
        (lambda x: np.clip(x, -1, 1), nan, (nan, nan)),  # was (-1, 0.0); NaN at NaN (docs/edge-points.md)
        (lambda x: np.clip(x, -1, 1), 5.0, (1.0, 0.0)),  # was a plain int 1: the graph gone
        (lambda x: np.clip(x, -1, 1), 1.0, (1.0, 1.0)),
        (lambda x: np.maximum(np.array([1.0, 2.0]) * x, 0).sum(), nan, (nan, nan)),  # was (0, 0.0); NaN at NaN
        (lambda x: np.maximum(np.array([1.0, 2.0]), x).sum(), 1.0, (3.0, 0.5)),  # was (3.0, 0.0)
        (lambda x: np.where(x > 0, x, 0.0), 2.0, (2.0, 1.0)),
    ],
)
def test_inside_a_transform_numpys_functions_of_a_number_are_chainrules(f, at, expected):
    value, slope = value_and_grad(f)(at)
    np.testing.assert_array_equal([float(value), float(slope)], expected)


def test_reductions_of_one_value_are_that_value():
    x = Value(-0.5)
    for reduce in (np.sum, np.prod, np.max, np.amax, np.min, np.amin, np.mean, np.median):
        out = reduce(x)
        assert isinstance(out, Value) and out is not x and out.data == -0.5 and gradients(out, [x]) == [1.0]
    assert math.isnan(np.max(Value(nan)).data)
    # README's numpy pattern, on a float: np.add.reduce refused a dtype no one passed
    value, slope = value_and_grad(lambda x: np.sum(np.tanh(x) ** 2))(0.5)
    t_value, t_slope = value_and_grad(lambda x: np.sum(np.tanh(x) ** 2))(np.array(0.5))
    assert (value, slope) == (float(t_value), float(t_slope))
    assert np.round(Value(2.5)).data == 2.0 and np.around(Value(-1.5)).data == -2.0  # half to even, as numpy
    with pytest.raises(TypeError, match=r"np.sum of a Value takes the Value alone \(axis=None\).*got axis=0"):
        np.sum(x, axis=0)
    with pytest.raises(TypeError, match=r"np.max of a Value takes the Value alone.*got initial=0.0"):
        np.max(x, initial=0.0)
    with pytest.raises(TypeError, match=r"np.round\(x, decimals=2\) of a Value: write \(x \* 10\*\*d\).round\(\)"):
        np.round(x, 2)
    assert np.isclose(x, -0.5) and np.shape(x) == () and np.ndim(x) == 0  # of the number: no gradient to lose


@pytest.mark.parametrize(
    ("call", "named"),
    [
        (lambda v: np.clip(v, -1, 1), "np.clip is not supported on Values.*autograd.minimum"),
        (lambda v: np.sinc(v), "np.sinc is not supported on Values"),  # AttributeError 'dtype'
        (lambda v: np.where(True, v, 0.0), "np.where is not supported on Values.*x if cond else y"),
        (lambda v: np.sort(v), "np.sort is not supported on Values"),
        (lambda v: np.cbrt(v), "np.cbrt has no chainrule op.*not supported on Values. A Value's own ops"),
        (lambda v: np.fmax(v, 0.0), "np.fmax has no chainrule op.*not supported on Values"),  # said Tensors
        (lambda v: np.divmod(v, 2.0), "np.divmod has no chainrule op.*on Values"),
        (lambda v: np.nextafter(v, 1.0), "np.nextafter has no chainrule op.*on Values"),
        (lambda v: np.exp(v, dtype=object), "np.exp on a Value takes no keyword arguments"),
        (lambda v: np.add.reduce(v), "np.add.reduce of a Value: a Value is one number"),
        # a Value has no @: these were AttributeError "'Value' object has no attribute '__matmul__'"
        (lambda v: np.matmul(v, 2.0), "np.matmul is not supported on Values: a Value is one number"),
        (lambda v: np.matmul(2.0, v), "np.matmul is not supported on Values"),
        (lambda v: np.matmul(v, v), "np.matmul is not supported on Values"),
    ],
)
def test_what_chainrule_has_no_op_for_on_a_value_is_a_type_error_naming_values(call, named):
    with pytest.raises(TypeError, match=named):
        call(Value(0.5))


def test_inside_a_transform_numpys_matmul_of_a_number_is_a_0d_tensors_refusal():
    """np.matmul of a traced number is refused as on a 0-d Tensor, a ShapeError (numpy's ValueError), where the
    Value's AttributeError escaped the transform."""
    with pytest.raises(ValueError, match="does not have enough dimensions"):
        grad(lambda x: np.matmul(x, 2.0))(1.0)


def test_numpys_loops_over_arrays_of_values_find_chainrules_ops_by_numpys_names():
    values = [Value(0.5), Value(-2.5)]
    arr = np.array(values, dtype=object)
    assert [v.data for v in np.arcsin(arr[:1])] == [math.asin(0.5)]  # "no callable arcsin method"
    assert [v.data for v in np.arctanh(arr[:1])] == [math.atanh(0.5)]
    assert [v.data for v in np.rint(arr)] == [0.0, -2.0] and [v.data for v in np.round(arr)] == [0.0, -2.0]
    assert [v.data for v in np.floor(arr)] == [0.0, -3.0]  # "must be real number, not Value"
    assert [v.data for v in np.trunc(arr)] == [0.0, -2.0] and [v.data for v in np.ceil(arr)] == [1.0, -2.0]
    assert [v.data for v in np.deg2rad(arr)] == np.deg2rad([0.5, -2.5]).tolist()
    angle = np.arctan(arr)[0]
    assert gradients(angle, [values[0]]) == [pytest.approx(1 / 1.25, rel=1e-15)]
    with pytest.raises(TypeError, match="np.cbrt has no chainrule op.*on Values"):
        np.cbrt(arr)


def test_every_method_numpys_object_loops_call_is_a_values():
    """numpy's loop over objects calls a method named after the ufunc: find each name it asks for."""
    asked = []

    class Recorder:
        def __getattr__(self, name):
            asked.append(name)
            raise AttributeError(name)

    probe = np.array([Recorder()], dtype=object)
    for name in dir(np):
        ufunc = getattr(np, name)
        if isinstance(ufunc, np.ufunc) and ufunc.__name__ == name and ufunc.signature is None:  # not matvec
            with contextlib.suppress(TypeError, AttributeError):
                ufunc(*[probe] * ufunc.nin)
    wanted = {n for n in asked if not n.startswith("__") and n != "bit_count"}  # bitwise_count: ints only
    assert wanted - set(dir(Value)) == set() and set(OBJECT_LOOP_METHODS) <= wanted


def test_degrees_and_radians_are_numpys_to_the_bit():
    data = np.linspace(-720.0, 720.0, 97)
    for ufunc in (np.deg2rad, np.radians, np.rad2deg, np.degrees):
        np.testing.assert_array_equal(ufunc(Tensor(data)).data, ufunc(data))
        assert ufunc(Value(1.7)).data == ufunc(1.7)


@pytest.mark.parametrize(
    "convert, named",
    [
        (float, "float()"),
        (math.sqrt, "the math module"),
        (math.exp, "the math module"),
        (int, "int()"),
        (complex, "complex()"),
        (np.float64, "float()"),
    ],
)
def test_a_values_conversion_to_a_number_is_refused_naming_its_number_and_the_ops(convert, named):
    """A Value is not a number: float(v) and math.sqrt(v) named neither v.data nor the ops (Python's own
    'must be real number, not Value'), and int(v) went through __trunc__ to 'returned non-Integral' with a
    DeprecationWarning. Inside a transform, the same refusal."""
    for v in (Value(2.25), Value(2.25) * 1.0):
        with pytest.raises(TypeError, match=r"(?s)" + re.escape(named) + ".*not a number.*v\\.data.*v\\.sqrt\\(\\)"):
            convert(v)
    with pytest.raises(TypeError, match="not a number"):
        grad(convert)(2.25)


def test_round_of_a_value_is_the_round_op_as_math_floor_is_the_floor_op():
    v = Value(2.5)
    for f, op in ((round, Value.round), (math.floor, Value.floor), (math.ceil, Value.ceil), (math.trunc, Value.trunc)):
        out = f(v)
        assert isinstance(out, Value) and out.data == op(v).data and out.op is op(v).op
    assert round(Value(2.5)).data == 2.0 and round(Value(3.5)).data == 4.0  # ties to even, as round(2.5) == 2
    with pytest.raises(TypeError, match=r"round\(v, 2\).*round\(v\.data, ndigits\)"):
        round(v, 2)
