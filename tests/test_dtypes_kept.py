"""A dtype the user chose is kept where chainrule builds a Tensor for them (a helper's audit found each
of these made float16 float32 through Tensor(), which makes half precision float32, or computed a
numpy float32 number in float64), and a create_graph backward hands out nodes throughout."""

import numpy as np
import pytest
from hypothesis import given

import autograd
import nn
from autograd import Tensor, Value, grad, gradients, hessian, jacobian
from autograd.testing import tensors


def test_a_float16_model_given_float16_arrays_computes_in_float16():
    model = nn.Sequential(nn.Linear(4, 3, dtype=np.float16, seed=0), nn.ReLU(), nn.Linear(3, 2, dtype=np.float16))
    x, y = np.ones((8, 4), np.float16), np.zeros(8, np.int64)
    assert model(x).dtype == nn.predict(model, x).dtype == np.float16
    seen = []

    def loss(scores, labels):
        seen.append(scores.dtype)
        return nn.functional.cross_entropy(scores, labels)

    for compile in (False, True):
        nn.fit(
            model,
            loss,
            nn.SGD(model.parameters(), lr=0.1),
            (x, y),
            epochs=1,
            batch_size=4,
            compile=compile,
            verbose=False,
        )
    assert seen and set(seen) == {np.dtype(np.float16)}


def test_one_hot_gives_the_dtype_asked_for():
    assert autograd.one_hot(np.array([0, 1]), 3, dtype=np.float16).dtype == np.float16


@given(tensors((2,), dtype=np.float16))
def test_the_tensors_strategy_draws_the_dtype_asked_for(t):
    assert t.dtype == np.float16


@pytest.mark.parametrize("dtype", [np.float16, np.float32])
def test_a_numpy_float_is_differentiated_in_its_dtype_and_answered_as_one(dtype):
    """np.float32(0.7) went through a Value: computed in float64, answered as a Python float (JAX keeps it)."""
    x, f = dtype(0.7), lambda v: autograd.sin(v) * v
    for result, of_array in (
        (grad(f)(x), grad(f)(np.array(x))),
        (grad(grad(f))(x), grad(grad(f))(np.array(x))),
        (hessian(f)(x), hessian(f)(np.array(x))),
    ):
        assert type(result) is dtype and result.tobytes() == of_array.tobytes()
    stacked = jacobian(lambda v: autograd.stack([v, v * v]))(x)
    assert stacked.dtype == dtype and stacked.shape == (2,)


def test_an_input_no_path_reaches_gets_a_constant_node_under_create_graph():
    x, unused = (
        Tensor([1.0, 2.0], requires_grad=True),
        Tensor(np.ones(2, np.float16), requires_grad=True, dtype=np.float16),
    )
    _, zero = gradients((x * x).sum(), [x, unused], create_graph=True)
    assert isinstance(zero, Tensor) and zero.dtype == np.float16 and not zero.requires_grad and not zero.data.any()
    a, b = Value(2.0), Value(3.0)
    _, zero = gradients(a * a, [a, b], create_graph=True)
    assert isinstance(zero, Value) and zero.data == 0.0 and zero.is_constant
    assert gradients(a * a, [a, b])[1] == 0.0


def test_a_numpy_float_beside_values_is_traced_as_a_value_and_a_float64_as_a_python_float():
    """A review's find: lifted as a 0-d Tensor, a numpy float met the Values of a micrograd MLP (MixedNodes),
    and np.float64, which every element of a float64 array is, broke such code outright."""
    model = nn.micro.MLP(2, [3, 1], seed=0)
    X = np.array([[0.5, -1.0]])
    for data, kind in ((X, float), (X.astype(np.float32), np.float32)):
        a, b = grad(lambda a, b: model([a, b]), argnums=(0, 1))(data[0, 0], data[0, 1])
        assert type(a) is kind and type(b) is kind
        expected = grad(lambda a, b: model([a, b]), argnums=(0, 1))(float(data[0, 0]), float(data[0, 1]))
        assert (a, b) == tuple(kind(e) for e in expected)  # computed in float64, rounded to the dtype
    assert grad(lambda x: x * Value(2.0))(np.float32(0.7)) == np.float32(2.0)


def test_numpys_bool_is_a_number_to_a_value_as_pythons_is():
    """Value(True) was 1.0 and `v * True` a product, but numpy's bool (a mask's entry) a TypeError."""
    v = Value(2.0)
    assert Value(np.bool_(True)).data == Value(True).data == 1.0
    assert (v * np.bool_(True)).data == (np.bool_(False) + v).data == 2.0
