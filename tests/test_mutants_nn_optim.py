"""Gaps a mutation run over nn/optim.py found (docs/mutation-testing.md): defaults, messages that
name the optimizer and its argument, the duplicate warning's location, Value gradients that are
Values, and the flush threshold of Adam's moments."""

import re
import warnings
from pathlib import Path

import numpy as np
import pytest

import nn
from autograd import ShapeError, Tensor, Value
from nn.optim_flush import flush_moments


def param(*values: float, dtype=np.float64) -> Tensor:
    return Tensor(np.array(values, dtype), requires_grad=True)


def test_defaults():
    sgd, adam = nn.SGD([param(1.0)]), nn.Adam([param(1.0)])
    assert (sgd.lr, sgd.momentum, sgd.weight_decay) == (0.01, 0.0, 0.0)
    assert (adam.lr, adam.betas, adam.eps, adam.weight_decay) == (1e-3, (0.9, 0.999), 1e-8, 0.0)
    w = param(1.0)
    w.grad = np.array([2.0])
    nn.SGD([w]).step()
    assert w.data[0] == pytest.approx(1.0 - 0.01 * 2.0)  # plain SGD: no momentum by default


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda w: nn.SGD(w, lr=-1), "SGD: lr must be a finite number >= 0, got -1"),
        (lambda w: nn.SGD(w, momentum=-0.5), "SGD: momentum must be a finite number >= 0, got -0.5"),
        (lambda w: nn.SGD(w, weight_decay=float("nan")), "SGD: weight_decay must be a finite number >= 0, got nan"),
        (lambda w: nn.Adam(w, lr=-1), "Adam: lr must be a finite number >= 0, got -1"),
        (lambda w: nn.Adam(w, betas=(0.9, 1.0)), "Adam: betas must be in [0, 1), got 1.0"),
        (lambda w: nn.Adam(w, eps=-1e-8), "Adam: eps must be a finite number >= 0, got -1e-08"),
        (lambda w: nn.Adam(w, weight_decay=-1), "Adam: weight_decay must be a finite number >= 0, got -1"),
    ],
)
def test_out_of_range_arguments_are_named_with_their_optimizer_and_range(make, message):
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        make([param(1.0)])


def test_type_errors_name_the_optimizer():
    w = param(1.0)
    with pytest.raises(TypeError, match="^SGD: lr must be a finite number >= 0, got str 'x'$"):
        nn.SGD([w], lr="x")
    with pytest.raises(TypeError, match=re.escape("Adam: betas must be a pair (beta1, beta2), got 0.9")):
        nn.Adam([w], betas=0.9)
    with pytest.raises(TypeError, match=re.escape("SGD takes a list of parameters, got one Tensor: write SGD([w])")):
        nn.SGD(w)
    with pytest.raises(ValueError, match="^Adam: .* is not a leaf .*; give the leaf parameters it was computed from$"):
        nn.Adam([w * 2])


def test_the_duplicate_warning_points_at_the_caller_and_distinct_parameters_raise_none():
    w = param(1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nn.SGD([w, param(2.0)])
    with pytest.warns(UserWarning, match="SGD got the same parameter twice") as caught:
        nn.SGD([w, w])
    # the caller's line, not nn's own (checked as "outside nn/": a mutation tool's wrappers add frames)
    assert not Path(caught[0].filename).resolve().is_relative_to(Path(nn.__file__).resolve().parent)


def test_a_gradient_of_another_shape_is_named_with_the_optimizer():
    w = param(1.0, 2.0)
    w.grad = np.ones(2)
    w.data = np.ones(3)  # .data replaced with another shape: the gradient no longer fits
    with pytest.raises(ShapeError, match=r"^Adam: a gradient of shape \(2,\) for a parameter of shape \(3,\)"):
        nn.Adam([w]).step()


def test_value_gradients_that_are_values_step_and_keep_momentum_under_values():
    w = Value(2.0)
    (w * w).backward(create_graph=True)  # w.grad is a Value, 4
    assert isinstance(w.grad, Value)
    opt = nn.SGD([w], lr=0.1, momentum=0.9)
    opt.step()
    assert w.data == pytest.approx(1.6) and opt.state["values"]["buffer"].tolist() == [4.0]


def test_the_momentum_buffer_has_the_parameter_dtype_whatever_the_gradient_is():
    w = param(1.0, 1.0)
    w.grad = np.array([1.0, 2.0])
    w.data = w.data.astype(np.float32)  # .data replaced: the gradient stays float64
    opt = nn.SGD([w], lr=0.1, momentum=0.9)
    opt.step()
    assert opt.state[0]["buffer"].dtype == np.float32 and w.dtype == np.float32


def test_adam_flushes_moments_below_tiny_times_1e8_and_no_others():
    limit = np.finfo(np.float64).tiny * 1e8
    m = np.array([limit * 0.999999, limit, limit * (1 + 5e-9), -limit * 0.5])
    v = np.full(4, 1.0)
    flush_moments(m, v, 1e-8, 1e-8)  # Adam's default eps: tiny * 1e8 is the lower limit in float64
    assert m.tolist() == [0.0, limit, limit * (1 + 5e-9), 0.0] and v.tolist() == [1.0] * 4  # v stays under a live m
    m, v = np.zeros(3), np.array([limit * 0.5, limit, 1.0])
    flush_moments(m, v, 1e-8, 1e-8)
    assert v.tolist() == [0.0, limit, 1.0]


def test_adam_flushes_no_moment_that_eps_does_not_make_negligible():
    m, v = np.array([1e-301, 1e-304]), np.ones(2)
    flush_moments(m, v, 1e-295, 1e-295)  # below tiny * 1e8, but beside this eps 1e-301 still steps (limit 6e-303)
    assert m.tolist() == [1e-301, 0.0]
    m, v = np.zeros(2), np.array([1e-200, 1e-300])
    flush_moments(m, v, 1e-150, 1e-150)  # v below (eps * 2**-24)**2 = 3.6e-315: neither
    assert v.tolist() == [1e-200, 1e-300]
    flush_moments(m, v, 1e-140, 1e-140)  # 3.6e-295: the smaller
    assert v.tolist() == [1e-200, 0.0]
