"""An array a user's op reads again (`ws=[w]`) written during backward by user code (a hook, a user's rule) where a rule
reads it next: each rule that runs after user code ran reads it as it was at the pass's start, or the backward is
refused before that rule; a write no rule reads after (the rules reading it all ran, or the rest get no gradient and
do not run) is let pass."""

import numpy as np
import pytest

from autograd import Op, Tensor

SCALE = Op("scale", lambda x, *, ws: x * ws[0], lambda g, out, x, *, ws: (g * ws[0],))


def _writing(ws, value, gives=True):
    """An op passing its input on whose rule writes `value` into ws[0][0] (and gives its input None unless `gives`)."""
    return Op(
        "writing",
        lambda a: a * 1.0,
        lambda g, out, a: (ws[0].__setitem__(0, value) or (g if gives else None),),
    )


def test_a_write_undone_before_the_last_reader_is_refused_at_the_rule_that_read_it():
    """A hook on y writes 10 into w, the top scale's rule reads it, a user's rule writes 2 back before the bottom
    scale's, the last reader: the pass read w again before that one only and found it as it was, x.grad [20.] for
    [4.] without a word. Now it is read again before the top scale's rule, which user code ran before."""
    ws = [np.array([2.0])]
    x = Tensor(np.array([1.0]), requires_grad=True)
    y = SCALE(_writing(ws, 2.0)(SCALE(x, ws=ws)), ws=ws)
    y.register_hook(lambda g: ws[0].__setitem__(0, 10.0))
    with pytest.raises(RuntimeError, match=r"scale's ws was changed during backward .* after scale used it"):
        y.sum().backward()
    assert x.grad is None


def test_a_write_after_every_rule_that_runs_and_reads_the_array_is_not_refused():
    """The bottom scale, the last to read w, gets no gradient (the op above it gives None), so its rule does not run:
    a write into w after the top scale's rule changes no gradient. It was refused, in words saying a rule still to
    run reads it. PyTorch 2.13 refuses it: it runs such a Function's backward on a gradient of zeros, which unpacks
    the changed w; x.grad is 2 either way."""
    ws = [np.array([2.0])]
    x = Tensor(np.array([1.0]), requires_grad=True)
    y = SCALE(_writing(ws, 10.0, gives=False)(SCALE(x, ws=ws)) + x, ws=ws)
    y.sum().backward()
    assert x.grad.tolist() == [2.0]


def test_a_row_replaced_in_an_array_of_objects_after_it_was_read_again_is_refused():
    """rows, an array of objects (ragged rows) in ws, is read again before the middle rule (unchanged), then a user's
    rule replaces its row 0 before the bottom rule reads it: the compare before that one read a copy of its addresses
    taken at the first, not the array (x.grad [80.] for [8.], without a word)."""
    rows = np.empty(2, dtype=object)
    rows[0], rows[1] = np.array([2.0]), np.array([1.0, 1.0])
    row = Op("row", lambda x, *, ws: x * ws[0][0], lambda g, out, x, *, ws: (g * ws[0][0],))
    replacing = Op("replacing", lambda a: a * 1.0, lambda g, out, a: (rows.__setitem__(0, np.array([20.0])) or g,))
    x = Tensor(np.array([1.0]), requires_grad=True)
    ws = [rows]
    y = row(row(replacing(row(x, ws=ws)), ws=ws), ws=ws)
    with pytest.raises(RuntimeError, match=r"row's ws was changed during backward"):
        y.sum().backward()
    assert x.grad is None
