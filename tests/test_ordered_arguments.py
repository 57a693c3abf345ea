"""A set where order counts is refused, naming the fix (a list): it iterates in its hashes' order, not
the order written, and a set of tensors (hashed by address) in another order each run. Before, each of
these took the set silently: LayerNorm({4, 3}) normalised shape (3, 4), t.reshape({3, 2}) gave (2, 3),
gradcheck(f, {x, y}) called f(y, x) or f(x, y) by chance, SGD({w, b}) saved state a later run would
load onto the other parameter. PyTorch's add_param_group refuses a set of parameters for that reason."""

import itertools
import math

import numpy as np
import pytest
import torch

import autograd
import nn
from autograd import Tensor
from nn.train_checks import _callbacks

UNORDERED = r"must be in order, but a (set|frozenset) has none .*; give a list$"
W = Tensor(np.ones(2), requires_grad=True)
B = Tensor(np.zeros(2), requires_grad=True)
T = Tensor(np.zeros((2, 3)))

CALLS = {
    "LayerNorm": lambda s: nn.LayerNorm(s),
    "MLP": lambda s: nn.MLP(2, s),
    "Unflatten": lambda s: nn.Unflatten(1, s),
    "affine_grid": lambda s: nn.functional.affine_grid(Tensor(np.zeros((1, 2, 3))), s),
    "interpolate": lambda s: nn.functional.interpolate(Tensor(np.zeros((1, 1, 2, 2))), scale_factor=s),
    "reshape": lambda s: T.reshape(s),
    "permute": lambda s: T.permute(s),
    "zeros": lambda s: autograd.zeros(s),
    "pad": lambda s: nn.functional.pad(Tensor(np.zeros((1, 1, 4, 6))), s),
    "ones": lambda s: autograd.ones(s),
}
NODE_CALLS = {
    "SGD": lambda s: nn.SGD(s),
    "Adam": lambda s: nn.Adam(s),
    "ModuleList": lambda s: nn.ModuleList(s),
    "fit callbacks": lambda s: _callbacks(s),
    "stack": lambda s: autograd.stack(s),
    "concatenate": lambda s: autograd.concatenate(s),
    "np.concatenate": lambda s: np.concatenate(s),  # was joined in the order of the tensors' addresses
    "einsum": lambda s: autograd.einsum("i,i->", s),  # was a TypeError about Tensor() of an object array
    "gradients": lambda s: autograd.gradients((W * B).sum(), s),
    "gradcheck": lambda s: autograd.gradcheck(lambda x, y: x - y, s),
    "gradcheck_params": lambda s: autograd.gradcheck_params(lambda: (W * B).sum(), s),
}


@pytest.mark.parametrize("kind", [set, frozenset])
@pytest.mark.parametrize("name", CALLS)
def test_a_set_of_sizes_or_dims_is_refused(name, kind):
    with pytest.raises(TypeError, match=UNORDERED):
        CALLS[name](kind({1, 2, 4}))


@pytest.mark.parametrize("kind", [set, frozenset])
@pytest.mark.parametrize("name", NODE_CALLS)
def test_a_set_of_parameters_tensors_or_modules_is_refused(name, kind):
    items = {"ModuleList": (nn.ReLU(), nn.Tanh()), "fit callbacks": (print, repr)}.get(name, (W, B))
    with pytest.raises(TypeError, match=UNORDERED):
        NODE_CALLS[name](kind(items))


def test_the_orders_written_are_still_taken_as_pytorch_takes_them():
    """A list, a tuple, a generator and a dict's views keep the order written: taken, as PyTorch takes them."""
    assert nn.LayerNorm([4, 3]).normalized_shape == tuple(torch.nn.LayerNorm([4, 3]).normalized_shape) == (4, 3)
    assert nn.LayerNorm({4: "a", 3: "b"}.keys()).normalized_shape == (4, 3)
    assert nn.SGD({"w": W, "b": B}.values()).params == [W, B]
    assert nn.SGD(p for p in (B, W)).params == [B, W]
    assert T.reshape((3, 2)).shape == (3, 2)
    assert autograd.stack([W, B]).shape == (2, 2)


def test_a_set_is_still_taken_where_its_order_does_not_count_as_pytorch_takes_it():
    """MultiStepLR sorts its milestones and clip_grad_value_ clips each gradient alone: PyTorch takes a set
    for either, and so did chainrule before sets were refused where order counts (then a TypeError)."""
    w = Tensor(np.ones(1), requires_grad=True)
    scheduler = nn.schedulers.MultiStepLR(nn.SGD([w], lr=1.0), milestones={3, 1}, gamma=0.5)
    tw = torch.ones(1, requires_grad=True)
    torch_optimizer = torch.optim.SGD([tw], lr=1.0)
    torch_scheduler = torch.optim.lr_scheduler.MultiStepLR(torch_optimizer, milestones={3, 1}, gamma=0.5)
    ours, theirs = [], []
    for _ in range(5):
        ours.append(scheduler.get_last_lr()[0])
        theirs.append(torch_scheduler.get_last_lr()[0])
        scheduler.step()
        torch_optimizer.step()
        torch_scheduler.step()
    assert ours == theirs == [1.0, 0.5, 0.5, 0.25, 0.25]
    w.grad = np.array([3.0])
    nn.utils.clip_grad_value_({w}, 1.0)
    assert w.grad.tolist() == [1.0]


def test_flip_takes_a_set_of_dims_as_np_flip_does():
    """The dims flip reverses are the same in any order: t.flip({0, 1}) was refused where np.flip(t, {0, 1})
    was taken (numpy's np.flip takes a set; PyTorch's flip refuses any but a tuple or list)."""
    t = Tensor(np.arange(6.0).reshape(2, 3))
    want = np.flip(t.data, (0, 1)).tolist()
    assert t.flip({0, 1}).data.tolist() == t.flip(dims=frozenset({1, 0})).data.tolist() == want
    assert np.flip(t, {0, 1}).data.tolist() == want and t.flip({1}).data.tolist() == np.flip(t.data, 1).tolist()


# gradients whose norm numpy's sum of them joined rounded by their order: 0.014212859872421523 for one order of
# the three, 0.01421285987242152 for the five others
ORDER_ROUNDED = [[-0.0012883614637495544], [0.00042986369482223, 0.0006960427239628685], [-0.006617025720390349,
    -0.004364352471432213, -0.011698019077728642]]  # fmt: skip


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.5, math.inf])
def test_clip_grad_norm_takes_a_set_as_pytorch_does_its_total_the_same_in_any_order(norm_type):
    """clip_grad_norm_ refused a set, as its total rounded by the parameters' order; each parameter's sum is now
    added exactly, so any order (a set's too) gives the same total to the bit, PyTorch's to 1e-15."""
    params = [Tensor(np.zeros(len(g)), requires_grad=True) for g in ORDER_ROUNDED]
    totals = []
    for order in [*itertools.permutations(params), set(params), frozenset(params)]:
        for p, g in zip(params, ORDER_ROUNDED):
            p.grad = np.array(g)
        totals.append(nn.utils.clip_grad_norm_(order, 1.0, norm_type))
    leaves = [torch.tensor(g, dtype=torch.float64, requires_grad=True) for g in ORDER_ROUNDED]
    for leaf, g in zip(leaves, ORDER_ROUNDED):
        leaf.grad = torch.tensor(g, dtype=torch.float64)
    theirs = torch.nn.utils.clip_grad_norm_(set(leaves), 1.0, norm_type).item()
    assert len(set(totals)) == 1 and totals[0] == pytest.approx(theirs, rel=1e-15)


def test_tensordots_dims_in_a_set_are_refused_as_by_pytorch():
    """tensordot(a, b, ([1, 0], [0, 1])) pairs a's dim 1 with b's 0; in sets ({1, 0}, {0, 1}) it paired them in
    their hashes' order, a's 0 with b's 0: 96 where the lists give 144 (numpy takes the sets so; PyTorch refuses)."""
    a = np.arange(9.0).reshape(3, 3)
    b = a[::-1].copy()
    assert autograd.tensordot(Tensor(a), Tensor(b), ([1, 0], [0, 1])).item() == np.tensordot(a, b, ([1, 0], [0, 1]))
    for dims in (({1, 0}, {0, 1}), ([1, 0], frozenset({0, 1})), {1, 0}):
        with pytest.raises(TypeError, match=r"^tensordot: dims " + UNORDERED):
            autograd.tensordot(Tensor(a), Tensor(b), dims)
        with pytest.raises((TypeError, RuntimeError), match=r"must be tuple of ints|expects dims to be int or tuple"):
            torch.tensordot(torch.tensor(a), torch.tensor(b), dims=dims)
