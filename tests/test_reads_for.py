"""Inputs a `skips` rule reads per gradient it forms (OpDef.reads_for: mul's a's is g·b): an input no needed
gradient reads may change in place after the forward (`y = v * 2.0; v.add_(1)`: the constant's gradient, g·v, is
never formed), as PyTorch lets it; one a needed gradient reads is still refused. It was refused as any input's."""

import re

import numpy as np
import pytest
from torch_reference import torch

from autograd import Tensor, no_grad
from autograd.op_table import TABLE

_RNG = np.random.default_rng(7)
_A, _B = _RNG.uniform(1, 2, size=(2, 3)), _RNG.uniform(1, 2, size=(2, 3))
MARKED = [d for d in TABLE if d.reads_for]


def test_the_marked_ops_are_the_ones_checked():
    assert sorted(d.name for d in MARKED) == ["div", "mul"]


@pytest.mark.parametrize("wanted", [0, 1])
@pytest.mark.parametrize("d", MARKED, ids=lambda d: d.name)
def test_a_gradient_is_the_same_whatever_the_inputs_it_does_not_read_hold(d, wanted):
    needs = tuple(k == wanted for k in range(2))
    g = _RNG.normal(size=_A.shape)
    before = d.vjp(g, d.tensor(_A, _B), _A, _B, needs=needs)[wanted]
    changed = [x if k in d.reads_for[wanted] else x * 3.0 + 1.0 for k, x in enumerate((_A, _B))]
    after = d.vjp(g, d.tensor(_A, _B), *changed, needs=needs)[wanted]  # out as the forward made it
    np.testing.assert_array_equal(after, before)


CONSTANT_SIDE = {"v * 2.0": lambda v: v * 2.0, "2.0 * v": lambda v: 2.0 * v, "v / 2.0": lambda v: v / 2.0}


@pytest.mark.parametrize("name", sorted(CONSTANT_SIDE))
def test_an_input_only_the_constants_unformed_gradient_reads_may_change_in_place(name):
    f = CONSTANT_SIDE[name]
    v = Tensor(_A.copy(), requires_grad=True)
    y = f(v)
    with no_grad():
        v.add_(1)
    y.sum().backward()
    tv = torch.tensor(_A.copy(), requires_grad=True)
    ty = f(tv)
    with torch.no_grad():
        tv.add_(1)
    ty.sum().backward()
    np.testing.assert_allclose(v.grad, tv.grad.numpy(), rtol=0, atol=0)


READ = {
    "v * v": lambda v, w: v * v,
    "v * w": lambda v, w: v * w,
    "w * v": lambda v, w: w * v,
    "2.0 / v": lambda v, w: 2.0 / v,
    "w / v": lambda v, w: w / v,
}


@pytest.mark.parametrize("name", sorted(READ))
def test_an_input_a_needed_gradient_reads_is_still_refused_after_a_change_in_place(name):
    v, w = Tensor(_A.copy(), requires_grad=True), Tensor(_B.copy(), requires_grad=True)
    y = READ[name](v, w)
    with no_grad():
        v.add_(1)
    with pytest.raises(RuntimeError, match="changed in place"):
        y.sum().backward()
    if name == "2.0 / v":  # PyTorch's 1/v saves its output, not v, and passes; div's rule of v reads v (g / v)
        return
    tv, tw = torch.tensor(_A.copy(), requires_grad=True), torch.tensor(_B.copy(), requires_grad=True)
    ty = READ[name](tv, tw)
    with torch.no_grad():
        tv.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        ty.sum().backward()


REPLACED = {
    "shape (2,) -> (1, 2)": lambda a: a.reshape(1, 2),
    "dtype float64 -> float32": lambda a: a.astype(np.float32),
    "shape (2,) -> (3,) and dtype float64 -> float32": lambda a: np.ones(3, np.float32),
}


@pytest.mark.parametrize("what", sorted(REPLACED))
def test_a_data_replaced_by_another_shape_or_dtype_is_named_with_the_fix(what):
    x, w = Tensor(np.ones(2), requires_grad=True), Tensor(np.ones(2), requires_grad=True)
    s = x + w
    w.data = REPLACED[what](w.data)
    with pytest.raises(
        RuntimeError,
        match=rf"changed in place after \+ used it \({re.escape(what)}: \.data replaced.*t\.data\[\.\.\.\]",
    ):
        s.sum().backward()


def test_a_data_replaced_by_a_hook_during_backward_is_named_with_the_hooks_fix():
    x, w = Tensor(np.ones(2), requires_grad=True), Tensor(np.ones(2), requires_grad=True)
    s = x * w

    def hook(g):
        w.data = w.data.astype(np.float32)
        return g

    s.register_hook(hook)
    with pytest.raises(
        RuntimeError, match=r"during backward \(by a gradient hook.*dtype float64 -> float32.*after backward returns"
    ):
        (s * 3.0).sum().backward()
