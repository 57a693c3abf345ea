"""Function transforms at the edges a port of JAX and HIPS autograd snippets found: what a transform
hands back is the caller's own, and what it is given stays as it was."""

import math

import numpy as np
import pytest

from autograd import Tensor, Value, grad, gradients, no_grad, value_and_grad


def _writable_and_distinct(arrays):
    return all(a.flags.writeable for a in arrays) and len({id(a) for a in arrays}) == len(arrays)


def test_gradients_of_inputs_given_one_sum_are_arrays_of_their_own():
    """An add passes its gradient unchanged to both inputs: the two used to be one array, so that
    scaling one in place scaled the other; a sum's gradient (a broadcast view) was read-only."""
    X, y = np.arange(6.0).reshape(3, 2), np.ones(3)
    g = grad(lambda p: np.sum((X @ (p["w"] + p["d"]) - y) ** 2) * 2.0)({"w": np.ones(2), "d": np.zeros(2)})
    assert _writable_and_distinct([g["w"], g["d"]])
    expected = g["d"].copy()
    g["w"] /= 4
    np.testing.assert_array_equal(g["d"], expected)
    assert _writable_and_distinct(grad(lambda a, b: np.sum(a + b), argnums=(0, 1))(np.ones(2), np.ones(2)))
    a, b = Tensor(np.ones(3), requires_grad=True), Tensor(np.ones(3), requires_grad=True)
    assert _writable_and_distinct(gradients((a + b).sum(), [a, b]))
    assert _writable_and_distinct(gradients((a * 2).sum(), [a, a]))


def test_numpy_ufuncs_on_values_are_chainrules_ops():
    """A number's function traced as a Value: np.maximum kept NaN out and chose one side at a tie
    (numpy compared the objects), np.arctan found no method; now each is the op, as on Tensors."""
    value, slope = value_and_grad(lambda x: np.maximum(x, 0.0))(float("nan"))
    assert math.isnan(value) and math.isnan(slope)  # which side NaN beats is unknown: NaN (docs/edge-points.md)
    assert grad(lambda x: np.maximum(x, 1.0))(1.0) == grad(lambda x: np.maximum(0.0, x))(0.0) == 0.5
    assert grad(np.arctan)(0.4) == pytest.approx(1 / 1.16, rel=1e-15)
    for ufunc in (np.arcsin, np.arcsinh, np.fabs, np.floor, np.rint, np.square, np.reciprocal):
        assert isinstance(ufunc(Value(0.4)), Value)
    assert np.isnan(Value(1.0)) == False  # noqa: E712 (a numpy bool)
    assert isinstance(np.float64(3.0) * Value(2.0), Value)
    mixed = np.array([1.0, 3.0]) * Value(2.0)  # with an array: numpy's loop over its elements, as before
    assert mixed.dtype == object and [v.data for v in mixed] == [2.0, 6.0]


@pytest.mark.parametrize(
    "f",
    [
        lambda x: np.sum(x**2) / math.sqrt(np.sum(x**2)),  # gave [1.2 1.6] for [0.6 0.8]
        lambda x: x * float(x),  # gave 3 for 6
        lambda x: x * x.item(),
        lambda x: x * sum(x.tolist()),
        lambda x: x * int(x),
    ],
)
def test_a_number_of_what_a_transform_differentiates_is_refused(f):
    with pytest.raises(TypeError, match="would drop its gradient, making the transform's answer wrong"):
        grad(f)(np.array(3.0))


def test_numbers_of_constants_still_convert_inside_a_transform():
    w = Tensor(np.ones(2), requires_grad=True)  # a captured parameter: not what grad differentiates
    np.testing.assert_array_equal(grad(lambda x: (x * float(w.sum())).sum())(np.ones(2)), [2.0, 2.0])
    assert grad(lambda x: (x * float(x.detach())).sum())(np.array(3.0)) == 3.0
    assert float((Tensor(np.ones(2), requires_grad=True) * 2).sum()) == 4.0  # outside transforms: as PyTorch


def test_a_transform_never_writes_into_the_callers_array():
    x = np.array([1.0, 2.0])

    def f(x):
        with no_grad():
            x += 1  # what the in-place error's advice says; on the transform's own copy
        return np.sum(x**2)

    np.testing.assert_array_equal(grad(f)(x), [4.0, 6.0])
    np.testing.assert_array_equal(x, [1.0, 2.0])


def test_a_float16_argument_gets_a_float16_gradient():
    g = grad(lambda x: (x * x).sum())(np.array([1.0, 2.0], np.float16))
    assert g.dtype == np.float16 and g.tolist() == [2.0, 4.0]


def test_a_values_item_of_what_is_differentiated_is_refused():
    with pytest.raises(TypeError, match=r"a number \(.item\(\)\) of a Value computed from what a transform"):
        grad(lambda x: x * x.item())(3.0)


def test_a_values_equality_stays_identity_against_numpy():
    v = Value(0.5)
    assert not (v == np.float64(0.5)) and not (np.float64(0.5) == v) and v != np.float64(0.5)
    assert np.equal(v, v) and not np.equal(v, Value(0.5)) and v not in [np.float64(0.5)]
    assert (np.array(2.0) * v).data == 1.0  # a 0-d array: numpy's loop over objects, as before


def test_reading_numbers_of_a_growing_graph_inside_a_transform_stays_linear():
    w = Tensor(np.ones(2), requires_grad=True)

    def f(x):
        h = w
        for _ in range(3000):  # each float() walks only the nodes added since the last one
            h = h * 1.0001
            float(h.sum())
        return (x * 2).sum()

    np.testing.assert_array_equal(grad(f)(np.ones(2)), [2.0, 2.0])
