"""What a backward pass checks of the gradients a tensor op's rule gives: every shape for a user's
op, and for a built-in one under detect_anomaly; every dtype always (an input's gradient has its
dtype, whatever the rule returned: an array, a numpy scalar or a Python number)."""

import numpy as np
import pytest

from autograd import Op, ShapeError, Tensor, detect_anomaly, gradients, tensor_ops

F32 = np.float32


def test_every_op_the_engine_applies_is_built_in_and_a_users_op_is_not():
    assert tensor_ops.OPS["exp"].built_in and tensor_ops.power_const.built_in
    assert not Op("mine", np.exp, lambda g, out, x: (g * out,)).built_in


def test_a_users_op_with_a_gradient_of_the_wrong_shape_is_named_outside_detect_anomaly():
    halved = Op("halved", lambda x: x * 2, lambda g, out, x: (g[: len(g) // 2],))
    with pytest.raises(ShapeError, match=r"op 'halved' gave a gradient of shape \(2,\) for input 0 of shape \(4,\)"):
        halved(Tensor(np.ones(4), requires_grad=True)).sum().backward()


def test_detect_anomaly_checks_the_shapes_of_built_in_rules_too(monkeypatch):
    exp = tensor_ops.OPS["exp"]
    monkeypatch.setattr(exp, "vjp", lambda g, out, x: (g[:1] * out[:1],))  # a rule gone wrong
    x = Tensor(np.ones(3), requires_grad=True)
    with detect_anomaly(), pytest.raises(ShapeError, match=r"op 'exp' gave a gradient of shape \(1,\) for input 0"):
        x.exp().sum().backward()


def test_a_built_in_rule_is_called_once_per_node_and_its_gradient_kept_as_it_is():
    x = Tensor(np.arange(3.0), requires_grad=True)
    y = x.exp()
    (g,) = y._made_by.vjp(np.ones(3), y.data, x.data)
    assert np.array_equal(g, np.exp(np.arange(3.0)))


@pytest.mark.parametrize("anomaly", [False, True])
def test_gradients_take_their_inputs_dtype_whatever_the_rule_returned(anomaly):
    a, b = Tensor(np.float32(2.0), requires_grad=True), Tensor(np.float64(3.0), requires_grad=True)
    with detect_anomaly() if anomaly else np.errstate():
        (a * b).backward()  # 0-d arithmetic: the rule returns numpy scalars, float64 for a's
    assert a.grad.dtype == F32 and a.grad == 3.0 and b.grad.dtype == np.float64 and b.grad == 2.0
    number = Op("number", lambda x: x * 2, lambda g, out, x: (2.0,))  # a Python float, for a float32 input
    x = Tensor(np.float32(1.0), requires_grad=True)
    with detect_anomaly() if anomaly else np.errstate():
        (gx,) = gradients(number(x), [x])
    assert gx.dtype == F32 and gx == 2.0
    half = Tensor(np.ones(3, F32), requires_grad=True).astype(np.float16)
    with detect_anomaly() if anomaly else np.errstate():
        (gh,) = gradients((half * np.float64(0.5)).sum(), [half])  # a float64 product of float16
    assert gh.dtype == np.float16 and gh.tolist() == [0.5] * 3


def test_a_users_rule_gives_each_leaf_an_array_of_its_own_in_the_same_layout():
    """A rule may return a constant it keeps, or an input's own data: a leaf's .grad changed in place
    (clipping, an optimizer) would change those too. PyTorch clones such a gradient too."""
    kept = np.asfortranarray(np.ones((2, 3), F32))
    same = Op("same", lambda x: x * 1, lambda g, out, x: (kept,))
    x = Tensor(np.zeros((2, 3), F32), requires_grad=True)
    y = same(x)
    g = y._made_by.vjp(np.ones((2, 3), F32), y.data, x.data)[0]
    assert g is not kept and np.array_equal(g, kept) and g.flags.f_contiguous  # the layout orders later sums
    w = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    Op("half_square", lambda x: 0.5 * (x * x).sum(), lambda g, out, x: (x,))(w).backward()
    w.grad *= 0.5
    assert w.data.tolist() == [1.0, 2.0]
