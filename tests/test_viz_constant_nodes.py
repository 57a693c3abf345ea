"""Constants (numbers an operator lifted, tensors that do not require grad) in the two places that
named only values: the first NaN or infinity, drawn red whatever it is, and `explain`, which refuses
a constant, Value or Tensor alike, as PyTorch's autograd.grad refuses a tensor without grad."""

import re

import numpy as np
import pytest
import torch

import viz
from autograd import Tensor, Value, topological_order
from tests.test_viz import svg, texts

RED_FILL = "#ff9c9c"


def test_a_tensor_constant_that_is_the_first_nan_is_drawn_red_and_named():
    x = Tensor(np.array([1.0, np.nan]), label="X")
    w = Tensor(np.ones(2), requires_grad=True, label="W")
    root = (x * w).sum()
    for drawing in (viz.draw(root), viz.draw(root, backward=True)):  # a KeyError before
        words = texts(svg(drawing))
        assert "the first NaN or infinity of the forward pass: X = 1 nan of 2; the rest min 1 mean 1 max 1" in words
        assert "(a constant given so)" in words
        constant = re.search(r'\[label="\{ X \|[^]]*\]', drawing.source).group(0)
        assert f'fillcolor="{RED_FILL}"' in constant and "color=red" in constant and "dashed" in constant


def test_a_number_given_to_an_operator_that_is_nan_is_drawn_red_by_its_value():
    root = Value(2.0, label="x") * float("nan")
    for drawing in (viz.draw(root), viz.draw(root, backward=True)):  # a KeyError before
        assert "the first NaN or infinity of the forward pass: nan (a constant given so)" in texts(svg(drawing))
        assert re.search(rf'\[label=nan [^]]*fillcolor="{RED_FILL}"', drawing.source)


def test_explain_refuses_a_tensor_that_does_not_require_grad_as_pytorch_does():
    x = Tensor(np.ones((2, 2)), label="X")
    w = Tensor(np.ones((2, 2)), requires_grad=True, label="W")
    with pytest.raises(ValueError, match=r"the tensor X does not require grad.*requires_grad=True"):
        viz.explain((x @ w).sum(), x)  # it said ∂/∂X = 0, which is not the derivative (W's row sums)
    xt, wt = torch.ones(2, 2, dtype=torch.float64), torch.ones(2, 2, dtype=torch.float64, requires_grad=True)
    with pytest.raises(RuntimeError, match="does not require grad"):
        torch.autograd.grad((xt @ wt).sum(), [xt])
    assert viz.explain((x @ w).sum(), w).count == 1  # what requires grad is explained as before


def test_explain_refuses_a_number_an_operator_lifted_as_it_refuses_a_tensor_constant():
    x = Value(3.0, label="x")
    y = x * 2.0
    (two,) = [n for n in topological_order(y) if n.is_constant]
    with pytest.raises(ValueError, match=r"2\.0 is a constant.*make it a Value of its own \(Value\(2\.0\) \* x\)"):
        viz.explain(y, two)
    w = Value(2.0, label="w")
    assert viz.explain(x * w, w).total == 3.0  # a Value of one's own is explained
