"""A Value's `.grad` is 0.0 until a backward reaches it and backward adds into it, as micrograd's `+=` from 0.0
does: a gradient of -0.0 reads 0.0 there (micrograd's MLP demo: 126 zero gradients, none -0.0; chainrule's had 7
of -0.0, and stepping `_backward()` by hand printed x1.grad = -0.0). The functional `gradients`, like
`torch.autograd.grad`, and a Tensor's `.grad`, like PyTorch's, keep the -0.0."""

import math
import random

import numpy as np
import pytest
from micrograd.engine import Value as MicroValue
from micrograd.nn import MLP as MicroMLP

import nn
from autograd import Tensor, Value, detect_anomaly, gradients


def sign(x: float) -> float:
    return math.copysign(1.0, float(x))


def product_at_minus_zero(kind=Value):
    a, b = kind(-0.0), kind(2.0)  # d(a*b)/db = a = -0.0
    return a * b, b


@pytest.mark.parametrize("how", ["plain", "create_graph", "anomaly", "hooked"])
def test_a_minus_zero_gradient_reads_0_in_grad_as_micrograds(how):
    out, b = product_at_minus_zero()
    micro_out, micro_b = product_at_minus_zero(MicroValue)
    micro_out.backward()
    assert sign(micro_b.grad) == 1.0  # 0.0 + -0.0
    if how == "hooked":
        b.register_hook(lambda g: g)
    if how == "anomaly":
        with detect_anomaly():
            out.backward()
    else:
        out.backward(create_graph=how == "create_graph")
    held = b.grad.data if how == "create_graph" else b.grad
    assert held == 0.0 and sign(held) == 1.0


def test_gradients_and_tensors_keep_minus_zero_as_pytorch():
    out, b = product_at_minus_zero()
    assert sign(gradients(out, [b])[0]) == -1.0  # torch.autograd.grad's
    t_out, t = product_at_minus_zero(lambda x: Tensor(np.array(x), requires_grad=True))
    t_out.backward()
    assert sign(t.grad) == -1.0  # PyTorch's .grad


def test_stepping_backward_by_hand_adds_into_0():
    out, b = product_at_minus_zero()
    out.grad = 1.0
    out._backward()
    assert sign(b.grad) == 1.0


def test_micrograds_mlp_demo_has_no_minus_zero_gradient():
    random.seed(1337)
    micro = MicroMLP(2, [16, 16, 1])
    random.seed(1337)
    ours = nn.MLP(2, [16, 16, 1])
    for model, kind in ((micro, MicroValue), (ours, Value)):
        loss = sum((model([kind(a) for a in x]) - 1.0) ** 2 for x in ([0.5, -1.0], [-2.0, 0.3]))
        loss.backward()
    theirs, mine = [p.grad for p in micro.parameters()], [p.grad for p in ours.parameters()]
    assert sum(g == 0 for g in mine) == 126
    assert mine == pytest.approx(theirs, rel=1e-12) and [sign(g) for g in mine] == [sign(g) for g in theirs]
