"""A user's op given arrays in a list, tuple or dict keyword argument (`ws=[w]`: kept as it is, the caller's own, which
a forward may log into) whose rule reads them: a write into such an array between the forward and the backward gave
the gradient of the new numbers, silently (x.grad [10, 20] where the forward used [1, 2]); an array given as the
keyword argument itself is the op's own copy. The backward now refuses, as for a loss's class weights; a container
that grows after the forward (a log) is no change of the arrays the forward was given."""

import tracemalloc

import numpy as np
import pytest
from user_op_logs import hashed_arrays, logging

from autograd import Op, Tensor, Value

SCALING = Op("scaling", lambda x, *, ws: x * ws[0], lambda g, out, x, *, ws: (g * ws[0],))


@pytest.mark.parametrize("hold", [lambda w: [w], lambda w: (w,), lambda w: {0: w}, lambda w: [[w]]])
def test_an_array_held_in_a_keyword_argument_written_into_after_the_forward_is_refused(hold):
    w = np.array([1.0, 2.0])
    rule = Op("held", lambda x, *, ws: x * 1.0, lambda g, out, x, *, ws: (g * np.ravel(ws[0])[0],))
    y = rule(Tensor(np.ones(2), requires_grad=True), ws=hold(w)).sum()
    w[0] = 10.0
    with pytest.raises(RuntimeError, match=r"the array of shape \(2,\) given as held's ws was changed after held used"):
        y.backward()


def test_the_same_numbers_written_back_and_a_log_grown_after_the_forward_backward_as_before():
    w = np.array([1.0, 2.0])
    ws = [w]
    x = Tensor(np.ones(2), requires_grad=True)
    y = SCALING(x, ws=ws).sum()
    w[...] = [5.0, 5.0]
    w[...] = [1.0, 2.0]
    ws.append(np.zeros(2))
    y.backward()
    assert x.grad.tolist() == [1.0, 2.0]


def test_on_values_too():
    """A Value's node keeps its op bound to the keyword arguments (no Record): the same refusal, from its rule."""
    w = np.array([2.0])
    op = Op("held", lambda x, *, ws: x * float(ws[0][0]), lambda g, out, x, *, ws: (g * float(ws[0][0]),))
    x = Value(1.0)
    y = op(x, ws=[w])
    w[0] = 10.0
    with pytest.raises(RuntimeError, match=r"the array of shape \(1,\) given as held's ws was changed after held used"):
        y.backward()
    assert not x.grad_computed
    w[0] = 2.0  # the same numbers again: as before
    y.backward()
    assert x.grad == 2.0


def test_a_log_the_forward_appends_to_costs_no_copy_of_its_arrays_per_node():
    """Each node notes every array its containers hold: noting their bytes held a copy of the whole log per node,
    quadratic in the log's length (400 ops appending 8 kB each held 668 MB, where the log itself is 3.2 MB)."""

    def logging(x, *, log):
        log.append(np.array(x))
        return x * 2.0

    op = Op("logged", logging, lambda g, out, x, *, log: (g * 2.0,))
    log: list = []
    y = Tensor(np.ones(10_000), requires_grad=True)
    tracemalloc.start()
    try:
        for _ in range(50):
            y = op(y, log=log)
        held, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    own = sum(a.nbytes for a in log) + 50 * y.data.nbytes  # the log's arrays and each node's output
    assert held < 2 * own, (held, own)  # a copy of the log per node: 50 * 51 / 2 * 80 kB = 102 MB


def test_a_tensor_held_in_a_keyword_argument_changed_in_place_after_the_forward_is_refused():
    """As an array in a list is: a Tensor there changed in place gave the new numbers' gradient (x.grad [10, 11]
    where the forward used [1, 2]); a Tensor given as the keyword argument itself was refused already."""
    op = Op("held", lambda x, *, ws: x * ws[0].numpy(), lambda g, out, x, *, ws: (g * ws[0].numpy(),))
    x, t = Tensor(np.ones(2), requires_grad=True), Tensor(np.array([1.0, 2.0]))
    y = op(x, ws=[t]).sum()
    t += 9.0
    with pytest.raises(RuntimeError, match=r"tensor of shape \(2,\) was changed in place after held used it"):
        y.backward()


def test_a_log_every_node_holds_is_hashed_at_most_twice_by_the_backward(monkeypatch):
    """Each node's check hashed every array of the log again: 400 ops appending 8 kB took 0.68 s in the backward
    (0.15 s before arrays in lists were checked), quadratic in the log's length. Hashed at the pass's start, and where
    user code ran since (each logged op's rule), once more before the first rule that reads it then; each later rule
    compares it with a copy taken then (user_rereads.PassReads: 400 ops, 79,800 compares of 1.9 us, quadratic again
    but no hash: +50 to +60% of the backward)."""
    digests = hashed_arrays(monkeypatch)
    op = Op("logged", logging, lambda g, out, x, *, log: (g * 2.0,))
    log: list = []
    x = y = Tensor(np.ones(3), requires_grad=True)
    for _ in range(20):
        y = op(y, log=log)
    digests.clear()
    y.sum().backward()
    # the last node's rule, the first to run, runs before any user code: the rest are read again from the next one on
    assert sorted(digests) == sorted([*map(id, log), *map(id, log[:-1])])
    assert x.grad.tolist() == [2.0**20] * 3
    log[0][0] = 5.0
    with pytest.raises(RuntimeError, match=r"the array of shape \(3,\) given as logged's log was changed"):
        y.sum().backward()
