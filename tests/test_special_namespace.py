"""autograd.special: torch.special's names for chainrule's functions, so that torch.special code ports by name.
Checked against torch.special itself: every name it lists is either a member that gives torch's numbers and
gradients, or an AttributeError that says chainrule lacks it; and the members are the op table's functions."""

import math

import numpy as np
import pytest
from torch_bessel import STAND_INS as BESSEL_STAND_INS
from torch_reference import torch  # without torch: skipped

import autograd
from autograd import Tensor, Value, special
from autograd.op_table import ELEMENTWISE

# torch.special's arguments for each member: the input, then the rest positionally (as torch.special's call)
POINTS = np.array([0.3, 0.7, 1.9])
EXTRA = {"polygamma": (2,), "softmax": (0,), "log_softmax": (0,), "logsumexp": (0,), "multigammaln": (3,)}
BINARY = {d.name for d in ELEMENTWISE if d.arity == 2}  # xlogy, gammainc, zeta, ...
# inputs without a derivative (gammainc's a, zeta's x): constants on both sides (OpDef.no_derivative)
HELD = {d.name: d.no_derivative for d in ELEMENTWISE}
# round's gradient is 0; torch's trigamma, digamma's derivative, is 2.6e-10 off (docs/edge-points.md: chainrule's
# is checked against mpmath in tests/test_elementwise_gamma.py)
NO_GRADIENT_REFERENCE = {"round", "digamma", "psi"}
NO_TORCH_BACKWARD = {"modified_bessel_i0", "modified_bessel_i1"}  # torch.special's have no derivative


def test_the_list_is_torch_s():
    listed = {n for n in dir(torch.special) if not n.startswith("_") and callable(getattr(torch.special, n))}
    assert set(special.TORCH_SPECIAL) == listed - {"Tensor"}


@pytest.mark.parametrize("name", special.TORCH_SPECIAL)
def test_each_name_is_a_member_or_says_it_is_missing(name):
    if name not in special.__all__:
        with pytest.raises(AttributeError, match=f"torch.special.{name} has no counterpart in chainrule"):
            getattr(special, name)
        assert not hasattr(autograd, name)  # chainrule would have it under torch's name: the namespace would too
        return
    ours, theirs = getattr(special, name), getattr(torch.special, name)
    extra = EXTRA.get(name, ())
    x = POINTS + 2.0 if name == "multigammaln" else POINTS / 2 if name in ("logit", "ndtri", "erfinv") else POINTS
    inputs = [x, x[::-1].copy()] if name in BINARY else [x]
    held = HELD.get(name, ())
    tensors = [Tensor(a, requires_grad=k not in held) for k, a in enumerate(inputs)]
    if name == "polygamma":  # torch's order: polygamma(n, input)
        out = ours(*extra, *tensors)
        t_out = theirs(*extra, *(torch.tensor(a, requires_grad=True) for a in inputs))
    else:
        out = ours(*tensors, *extra)
        t_out = theirs(*(torch.tensor(a, requires_grad=True) for a in inputs), *extra)
    np.testing.assert_allclose(out.data, t_out.detach().numpy(), rtol=1e-12, atol=1e-300)
    if name in NO_GRADIENT_REFERENCE:
        return
    if name in NO_TORCH_BACKWARD:  # the same function as torch's i0 and i1, which have one
        theirs = getattr(torch.special, special.RENAMED[name])
    theirs = BESSEL_STAND_INS.get(name, theirs)  # torch's J, Y and K have no derivative: their family's stands in
    w = np.array([1.0, -2.0, 0.5])[: out.data.size].reshape(out.shape)
    (out * w).sum().backward()
    t_inputs = [torch.tensor(a, requires_grad=k not in held) for k, a in enumerate(inputs)]
    t_out = theirs(*extra, *t_inputs) if name == "polygamma" else theirs(*t_inputs, *extra)
    t_grads = torch.autograd.grad((t_out * torch.tensor(w)).sum(), [t for t in t_inputs if t.requires_grad])
    for t, g in zip([t for t in tensors if t.requires_grad], t_grads):
        np.testing.assert_allclose(t.grad, g.numpy(), rtol=1e-10)


def test_members_are_the_table_s_own_functions():
    assert special.expit is autograd.sigmoid and special.gammaln is autograd.lgamma
    assert special.i0e is autograd.i0e and special.psi is autograd.digamma
    assert special.modified_bessel_i0 is autograd.i0


def test_members_take_values_and_numbers():
    assert special.expit(0.0) == 0.5
    v = Value(2.5)
    special.multigammaln(v, 2).backward()
    assert v.grad == pytest.approx(float(autograd.digamma(2.5) + autograd.digamma(2.0)), rel=1e-15)
    assert special.multigammaln(2.5, 1) == pytest.approx(math.lgamma(2.5), rel=1e-15)


@pytest.mark.parametrize(
    "p, x, error, match",
    [
        (0, 3.0, ValueError, "p must be at least 1"),
        (2.0, 3.0, TypeError, "p must be an int"),
        (True, 3.0, TypeError, "p must be an int"),
        (3, np.array([1.5, 0.9]), ValueError, r"above \(p - 1\)/2 = 1.0"),
    ],
)
def test_multigammaln_refuses_what_torch_refuses(p, x, error, match):
    with pytest.raises(error, match=match):
        special.multigammaln(x, p)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_s_dtype_casts_the_input_first(name):
    """torch.special.softmax(input, dim, *, dtype=None): the input cast to dtype, then the op (a TypeError before)."""
    x = np.array([[0.3, 1.2, 2.5], [0.7, 0.1, 3.0]])
    ours = getattr(special, name)
    t = Tensor(x, requires_grad=True)
    out = ours(t, 1, dtype=np.float32)
    expected = getattr(torch.special, name)(torch.tensor(x), 1, dtype=torch.float32).numpy()
    assert out.data.dtype == np.float32
    np.testing.assert_allclose(out.data, expected, rtol=2**-23)  # an ulp of float32
    out.sum().backward()
    assert t.grad.dtype == np.float64 and t.grad.shape == x.shape
    np.testing.assert_array_equal(ours(x, dim=0, dtype=None).data, ours(x, 0).data)


@pytest.mark.parametrize("decimals", [0, 1, 3, -1, -2])
def test_round_takes_torch_s_decimals(decimals):
    """torch.special.round(input, decimals=d) rounds to d places, as torch.round (a TypeError before)."""
    x = np.random.default_rng(5).uniform(-300.0, 300.0, 50)
    t = Tensor(x, requires_grad=True)
    out = special.round(t, decimals=decimals)
    np.testing.assert_array_equal(out.data, torch.special.round(torch.tensor(x), decimals=decimals).numpy())
    out.sum().backward()
    assert not t.grad.any()
    expected = torch.round(torch.tensor(2.345, dtype=torch.float64), decimals=2).item()
    assert special.round(Value(2.345), decimals=2).data == expected
