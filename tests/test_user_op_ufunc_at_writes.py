"""numpy's ufunc.at (np.add.at) writes into a read-only view regardless, so a user's op whose forward or
rule uses it on what it was given changed a leaf's data (or a g other rules read) without a word, where
any other write is refused. Under detect_anomaly each array given is fingerprinted before the call and
compared after, and the op is refused naming it; gradcheck finds it too. Outside both it goes unseen
(checking would cost every call), as autograd.user_writes says."""

import numpy as np
import pytest

import autograd
from autograd import GradcheckError, Op, Tensor, Value, gradcheck
from autograd.user_writes import WroteIntoInput


def bumped(x):
    np.add.at(x, [0], 5.0)
    return x * 2


BUMPING_FORWARD = Op("bumping", bumped, lambda g, out, x: (2 * g,))
BUMPING_RULE = Op("bumping_rule", lambda x: x * 2, lambda g, out, x: (bumped(g),))


@pytest.mark.parametrize("x", [np.array([1.0, 2.0, 3.0]), np.arange(6.0).reshape(2, 3).T], ids=["array", "view"])
def test_a_forward_writing_with_ufunc_at_is_refused_under_detect_anomaly(x):
    t = Tensor(x, requires_grad=True)
    with autograd.detect_anomaly(), pytest.raises(WroteIntoInput, match=r"forward of op 'bumping' wrote into an input"):
        BUMPING_FORWARD(t)


def test_a_rule_writing_into_g_with_ufunc_at_is_refused_under_detect_anomaly():
    t = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    with autograd.detect_anomaly():
        y = BUMPING_RULE(t)
        with pytest.raises(WroteIntoInput, match=r"derivative rule of op 'bumping_rule' wrote .*np\.add\.at"):
            y.backward(np.ones(2))


def test_a_values_op_writing_into_its_array_argument_with_ufunc_at_is_refused_under_detect_anomaly():
    def scaled(x, *, w):
        np.add.at(w, [0], 1.0)
        return x * float(w[0])

    op = Op("scaled", scaled, lambda g, out, x, *, w: (g * float(w[0]),))
    w = np.array([2.0, 3.0])
    with autograd.detect_anomaly(), pytest.raises(WroteIntoInput, match=r"forward of op 'scaled' wrote .*np\.add\.at"):
        op(Value(1.5), w=w)


def test_an_op_that_writes_nothing_passes_under_detect_anomaly():
    t = Tensor(np.arange(6.0).reshape(2, 3).T, requires_grad=True)
    with autograd.detect_anomaly():
        y = Op("twice", lambda x: x * 2, lambda g, out, x: (2 * g,))(t)
        y.backward(np.ones((3, 2)))
    assert np.array_equal(t.grad, np.full((3, 2), 2.0))


def test_outside_detect_anomaly_gradcheck_finds_it_and_a_plain_call_does_not():
    with pytest.raises(GradcheckError, match=r"f changed input 0 in place"):
        gradcheck(BUMPING_FORWARD, [np.array([1.0, 2.0])])
    t = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    BUMPING_FORWARD(t)  # unseen, as documented: fingerprinting every call would cost every call
    assert t.data.tolist() == [6.0, 2.0]
