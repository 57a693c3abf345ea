"""Transforms pulling several outputs back at once. A function of a number and an array may return a Value
beside a Tensor (a tree output): the two are separate graphs, each pulled back on its own. vjp's pullback,
jvp and elementwise_grad summed their products into one root and raised MixedNodes ("+: cannot combine a
Value with Tensor"), where jacobian, which takes one output at a time, gave the answer; checked against
torch.func on 0-d tensors. And that root, which the caller never computes, is no anomaly where it overflows."""

import functools

import numpy as np
import pytest
import torch

from autograd import AnomalyError, Tensor, detect_anomaly
from autograd.functional import elementwise_grad
from autograd.transforms import hessian, hvp, jacobian, jvp, vjp
from autograd.trees import flatten

tf = torch.func
pytestmark = pytest.mark.filterwarnings("ignore:`torch.jit.script` is deprecated:DeprecationWarning")


def f(a, b):
    return {"number": a * a * 3.0, "array": b * b + 1.0}


A, B = 2.0, np.array([0.5, -1.0])
TA, TB = torch.tensor(A, dtype=torch.float64), torch.tensor(B)


def test_vjp_pulls_a_value_and_a_tensor_output_back_each_in_its_graph():
    out, pullback = vjp(f, A, B)
    assert out["number"] == 12.0 and out["array"].tolist() == [1.25, 2.0]
    ours = pullback({"number": 0.5, "array": np.array([1.0, 2.0])})
    theirs = tf.vjp(f, TA, TB)[1]({"number": torch.tensor(0.5, dtype=torch.float64), "array": torch.tensor([1.0, 2.0])})
    assert type(ours[0]) is float and ours[0] == theirs[0].item() == 6.0
    np.testing.assert_array_equal(ours[1], theirs[1].numpy())


def test_jvp_and_elementwise_grad_of_a_value_and_a_tensor_output():
    (out, tangent) = jvp(f, (A, B), (0.5, np.array([1.0, 2.0])))
    _, theirs = tf.jvp(f, (TA, TB), (torch.tensor(0.5, dtype=torch.float64), torch.tensor([1.0, 2.0])))
    assert tangent["number"] == theirs["number"].item() == 6.0
    np.testing.assert_array_equal(tangent["array"], theirs["array"].numpy())
    ga, gb = elementwise_grad(f, argnums=(0, 1))(A, B)
    assert ga == 12.0 and gb.tolist() == (2 * B).tolist()
    ja, jb = jacobian(lambda a, b: a * a * 3.0 + 0.0, argnums=(0, 1))(A, B)
    assert ja == 12.0 and jb.tolist() == [0.0, 0.0]


def test_several_outputs_under_detect_anomaly_are_no_anomaly_of_the_sum_pulled_back():
    """Several outputs are pulled back as one root, sum <out_k, u_k>, which the caller never computes: in
    float16 it overflowed (1000 outputs of 100: 1e5) and detect_anomaly raised at it, where every gradient
    is finite (1 each)."""
    x = np.full(1000, 100.0, np.float16)
    with detect_anomaly():
        a, b = elementwise_grad(lambda x: (x, x * 2), argnums=0)(x), vjp(lambda x: (x, x), x)[1]((x, x))[0]
    assert a.dtype == np.float16 and a.tolist() == [3.0] * 1000 and b.tolist() == [200.0] * 1000
    with detect_anomaly():  # hvp's <grad f(x), v>: 1000 entries of 100
        hv = hvp(lambda x: (x * x * 50.0).sum(), np.ones(1000, np.float16), np.ones(1000, np.float16))
    assert hv.dtype == np.float16 and hv.tolist() == [100.0] * 1000
    u = np.full(1000, 1e4, np.float16)  # an infinite gradient is still one: 10 * 1e4 past float16's 65504
    with detect_anomaly(), np.errstate(over="ignore"), pytest.raises(AnomalyError, match="backward of"):
        vjp(lambda x: (x, x * 10), np.ones(1000, np.float16))[1]((u, u))


def test_jacobian_of_a_tensor_output_in_a_number_is_zeros_where_f_closes_over_a_tensor():
    """A Tensor output computed from a Tensor f closes over, not from the number it is differentiated in: its
    rows (constants 0.0 of the number, nodes as f closes over a variable) were stacked as Values, MixedNodes
    ("stack: cannot combine a Tensor with a Value"), a stack the caller never wrote; torch.func gives zeros."""
    w, tw = Tensor(B.copy(), requires_grad=True), torch.tensor(B, requires_grad=True)
    for g in (lambda a, w: w * w, lambda a, w: (w * w).sum().reshape(1), lambda a, w: (a * a, w * w)):
        ours = flatten(jacobian(functools.partial(g, w=w))(A))[0][-1]
        theirs = flatten(tf.jacrev(functools.partial(g, w=tw))(TA))[0][-1]
        assert type(ours) is np.ndarray and ours.shape == tuple(theirs.shape)
        np.testing.assert_array_equal(ours, theirs.detach().numpy())
    h = hessian(lambda a: w * w)(A)  # the Jacobian of those zeros
    assert h.shape == (2,) and h.tolist() == [0.0, 0.0]
