"""The graph's semantics at their edges, from an audit against PyTorch: a seed that is itself a node
keeps its graph under create_graph (PyTorch's grad_outputs), a backward under no_grad does not write
into a .grad that create_graph made a node, and a Value's .grad set to None (PyTorch's zeroing) counts
as no gradient yet."""

import numpy as np
import pytest

import autograd
from autograd import ShapeError, Tensor, Value, gradients, no_grad

torch = pytest.importorskip("torch")


def test_a_seed_that_is_a_node_keeps_its_graph():
    x, s = Value(3.0), Value(2.0)
    (g,) = gradients(x * x, [x], s, create_graph=True)
    assert gradients(g, [s]) == [6.0]  # d(2 x s)/ds, as torch's grad_outputs: it gave 0
    xt = Tensor(np.array([3.0, -1.0]), requires_grad=True)
    st = Tensor(np.array([2.0, 5.0]), requires_grad=True)
    (gt,) = gradients(xt * xt, [xt], st, create_graph=True)
    (hs,) = gradients((gt * gt).sum(), [st])
    tx = torch.tensor([3.0, -1.0], dtype=torch.float64, requires_grad=True)
    ts = torch.tensor([2.0, 5.0], dtype=torch.float64, requires_grad=True)
    (tg,) = torch.autograd.grad(tx * tx, tx, ts, create_graph=True)
    (th,) = torch.autograd.grad((tg * tg).sum(), ts)
    np.testing.assert_allclose(hs, th.numpy(), rtol=1e-15)


def test_a_backward_under_no_grad_leaves_a_node_grad_alone():
    x = Value(3.0)
    (x * x).backward(create_graph=True)
    g = x.grad
    h = g * g  # 4 x² through x.grad = 2 x
    y = x * x
    with no_grad():
        y.backward()  # adds 6: before, it wrote 12 into g itself, which h is built on
    assert g.data == 6.0 and gradients(h, [x]) == [24.0] and x.grad.data == 12.0


def test_a_value_grad_set_to_none_is_no_gradient_yet():
    a, b = Value(2.0), Value(3.0)
    b.grad = None  # PyTorch's zero_grad(set_to_none=True) habit: backward raised half-way
    (a * b + a).backward()
    assert (a.grad, b.grad) == (4.0, 2.0)


def test_deepcopy_of_leaves_and_models_and_not_of_computed_tensors():
    """copy.deepcopy(model), the usual best-weights snapshot, copies its parameters; a tensor computed in
    a graph is refused, as PyTorch refuses it (its copy raised a misleading 'changed in place' later)."""
    import copy

    import nn

    model = nn.Sequential(nn.Linear(2, 3, seed=0), nn.ReLU(), nn.Linear(3, 1, seed=1))
    model(Tensor(np.ones((4, 2)))).sum().backward()
    snapshot = copy.deepcopy(model)
    w, w2 = model.layers[0].W, snapshot.layers[0].W
    assert w2.data is not w.data and np.array_equal(w2.data, w.data) and np.array_equal(w2.grad, w.grad)
    assert w2.requires_grad and snapshot(Tensor(np.ones((1, 2)))).shape == (1, 1)
    t = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    with pytest.raises(RuntimeError, match="deepcopy of a tensor computed in a graph"):
        copy.deepcopy((t * t).sum())


def test_backward_from_a_value_computed_under_no_grad_raises_as_a_tensors_does():
    """Its graph was never recorded: backward gave it .grad 1 and its inputs nothing, and gradients()
    returned 0 where d(a*a)/da = 4 (a loss computed under no_grad trained nothing, silently)."""
    a = Value(2.0)
    with no_grad():
        r = a * a
        also = Value(1.0, (a,), "by hand")
    for node in (r, also):
        with pytest.raises(RuntimeError, match="Value computed under no_grad: no graph was recorded"):
            node.backward()
        with pytest.raises(RuntimeError, match="Value computed under no_grad"):
            gradients(node, [a])
        assert node.parents == () and not a.grad_computed and not node.grad_computed
    (r * a).backward()  # used later, it is a leaf as any number is: it gets its gradient
    assert (a.grad, r.grad) == (4.0, 2.0)
    with no_grad():  # a transform differentiates whatever mode it is called in, as torch.func's do
        assert autograd.grad(lambda x: x * x)(3.0) == 6.0


def test_set_grad_enabled_and_retain_graph_as_pytorch_spells_them():
    x = Tensor(np.ones(2), requires_grad=True)
    for train in (False, True):
        with autograd.set_grad_enabled(train):
            assert (x * 2).requires_grad is train and autograd.is_grad_enabled() is train
    autograd.set_grad_enabled(False)  # a call: from now on, in this thread
    try:
        assert not (x * 2).requires_grad
        with autograd.enable_grad():
            assert (x * 2).requires_grad
        assert not autograd.is_grad_enabled()
    finally:
        autograd.set_grad_enabled(True)
    assert (x * 2).requires_grad
    with pytest.raises(TypeError, match="set_grad_enabled takes True or False"):
        autograd.set_grad_enabled("train")
    loss = (x * x).sum()
    loss.backward(retain_graph=True)
    loss.backward(retain_graph=False)  # the graph is kept either way: the second pass adds again
    assert x.grad.tolist() == [4.0, 4.0] and gradients(loss, [x], retain_graph=True)[0].tolist() == [2.0, 2.0]
    with pytest.raises(TypeError, match="retain_graph \\(True, False or None\\) takes True or False"):
        loss.backward(retain_graph="yes")
    loss.backward(retain_graph=np.True_, create_graph=np.False_)  # numpy's bools, as every flag


def test_a_held_grad_that_no_longer_fits_its_data_is_refused_before_backward_adds_into_it():
    """After `.data` was replaced with another shape, the next backward broadcast the old .grad into it
    ([[3 3 3] [3 3 3]]); PyTorch raises. Nothing is added anywhere: the check runs before the pass."""
    p, q = Tensor(np.ones(3), requires_grad=True), Tensor(np.ones(2), requires_grad=True)
    ((p * 2).sum() + q.sum()).backward()
    p.data = np.ones((2, 3))
    with pytest.raises(ShapeError, match=r"the .grad of shape \(3,\) held by a tensor whose data now has shape"):
        ((p * 1).sum() + q.sum()).backward()
    assert q.grad.tolist() == [1.0, 1.0]
    p.grad = None
    (p * 1).sum().backward()
    assert p.grad.shape == (2, 3)


def test_an_optimizer_steps_by_gradients_that_are_tensors_after_create_graph():
    import nn

    model = nn.Linear(2, 1, seed=0, dtype=np.float64)
    before = model.W.data.copy()
    model(Tensor(np.ones((3, 2)))).sum().backward(create_graph=True)
    assert isinstance(model.W.grad, Tensor)
    nn.SGD(model.parameters(), lr=0.1).step()  # numpy's "cannot turn a Tensor that requires grad into an array"
    np.testing.assert_allclose(model.W.data, before - 0.3)
