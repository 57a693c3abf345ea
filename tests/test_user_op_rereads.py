"""A user's op declares the keyword arguments its rule reads again (`Op(..., rereads=(...))`, the op table's
`OpDef.rereads`): backward checks those alone for a change since the forward. Running statistics the caller
updates after each forward, which the rule never reads, were refused (the engine could not tell), where before
the check they worked (x.grad [2, 2, 2]); a log the forward appends to was hashed whole at every node."""

import numpy as np
import pytest
from user_op_logs import hashed_arrays, logging

from autograd import Op, Tensor, Value


def _norm(**declared):
    """x * 2 given running statistics it does not read (a BatchNorm's, updated by the caller) and weights it does."""
    return Op(
        "norm",
        lambda x, *, stats, ws=(1.0,): x * 2.0 * float(np.sum(ws[0])),
        lambda g, out, x, *, stats, ws=(1.0,): (g * 2.0 * float(np.sum(ws[0])),),
        **declared,
    )


@pytest.mark.parametrize("x", [Tensor(np.array([1.0, 2.0, 4.0]), requires_grad=True), Value(1.0)], ids=type)
def test_statistics_the_rule_does_not_read_updated_after_the_forward(x):
    running = np.zeros(3)
    y = _norm(rereads=())(x, stats=[running])
    running += 0.1  # the caller's update after each forward
    (y.sum() if isinstance(y, Tensor) else y).backward()
    assert np.array_equal(np.asarray(x.grad), np.full(np.shape(x.data), 2.0))


@pytest.mark.parametrize("x", [Tensor(np.array([1.0, 2.0, 4.0]), requires_grad=True), Value(1.0)], ids=type)
def test_a_declared_argument_changed_is_refused_and_the_others_are_not(x):
    running, w = np.zeros(3), np.array([3.0])
    y = _norm(rereads=("ws",))(x, stats=[running], ws=[w])
    y = y.sum() if isinstance(y, Tensor) else y
    running += 0.1
    w[0] = 5.0
    with pytest.raises(RuntimeError, match=r"given as norm's ws was changed after norm used it .* changing it$"):
        y.backward()
    w[0] = 3.0
    y.backward()
    assert np.array_equal(np.asarray(x.grad), np.full(np.shape(x.data), 6.0))


def test_undeclared_every_argument_is_checked_and_the_refusal_names_rereads():
    """The default stays safe: an op that declares nothing has every array and Tensor of its keyword arguments
    checked, and the refusal says how to declare (a Tensor's too, refused with the tensor's message)."""
    for stats in (np.zeros(3), Tensor(np.zeros(3))):
        for x in (Tensor(np.array([1.0, 2.0, 4.0]), requires_grad=True), Value(1.0)):
            if isinstance(x, Value) and isinstance(stats, Tensor):
                continue  # a Value's op takes no Tensors
            y = _norm()(x, stats=[stats])
            y = y.sum() if isinstance(y, Tensor) else y
            stats += 0.1
            with pytest.raises(RuntimeError, match=r"if its rule does not read stats .* Op\('norm', forward, vjp, "):
                y.backward()


def test_declared_names_are_checked_when_the_op_is_made():
    with pytest.raises(TypeError, match="rereads names 'weight', which is no keyword argument of its rule"):
        _norm(rereads=("weight",))
    with pytest.raises(TypeError, match=r"rereads is a tuple of keyword argument names \(rereads=\('weight',\)\), got"):
        _norm(rereads="ws")


def test_a_declared_name_a_call_does_not_give_is_refused_where_the_rule_takes_any_keyword():
    """A rule taking **params cannot be checked when made: each call must give the names it declares (one the rule
    lists with a default, `ws=(1.0,)` above, may be left out: the rule reads its own default)."""
    op = Op("scaled", lambda x, **p: x * p["w"][0], lambda g, out, x, **p: (g * p["w"][0],), rereads=("w",))
    x = Tensor(np.ones(2), requires_grad=True)
    with pytest.raises(TypeError, match=r"op 'scaled' declares rereads=\('w',\), but this call gives no keyword "):
        op(x, v=[np.ones(1)])
    y = op(x, w=[np.array([2.0])]).sum()
    y.backward()
    assert x.grad.tolist() == [2.0, 2.0]
    _norm(rereads=("ws",))(Tensor(np.ones(2), requires_grad=True), stats=[]).sum().backward()


def test_a_log_the_forward_appends_to_is_never_hashed_where_the_op_declares_it_does_not_read_it(monkeypatch):
    """Undeclared, each node must note what the log holds at its forward, as the caller may write into it between
    any two forwards (400 ops appending 8 kB: forward 0.75 s, 0.10 s before arrays in lists were checked); an op
    declaring rereads=() hashes none: 0.10 s again, the rest the read-only lock of each array for each call."""
    digests = hashed_arrays(monkeypatch)
    # backward: each of the log's arrays at the pass's start, and again before the rule reading it last (node i reads
    # log[i] last), but for the first node's, whose rule runs before any user's code (user_rereads.PassReads)
    for declared, forward, backward in (({}, 20 * 21 // 2, 20 + 19), ({"rereads": ()}, 0, 0)):
        op = Op("logged", logging, lambda g, out, x, *, log: (g * 2.0,), **declared)
        log: list = []
        x = y = Tensor(np.ones(3), requires_grad=True)
        for _ in range(20):
            y = op(y, log=log)
        assert len(digests) == forward
        digests.clear()
        y.sum().backward()
        assert len(digests) == backward
        assert x.grad.tolist() == [2.0**20] * 3
        digests.clear()
