"""A function of a number and an array may return a Value beside a Tensor (a tree output): the two are
separate graphs, each pulled back on its own. vjp's pullback, jvp and elementwise_grad summed their
products into one root and raised MixedNodes ("+: cannot combine a Value with Tensor"), where jacobian,
which takes one output at a time, gave the answer; checked against torch.func on 0-d tensors."""

import numpy as np
import pytest
import torch

from autograd.functional import elementwise_grad
from autograd.transforms import jacobian, jvp, vjp

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
