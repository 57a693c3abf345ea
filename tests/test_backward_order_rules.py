"""`backward_order` of a Value's graph is the first sweep's list taken in reverse (scalar_reach.reach): the order
a backward takes the nodes in, which no rule's number changes, so asking for it runs no rule."""

import pytest

from autograd import Value, backward_order, topological_order


def test_the_order_where_a_rule_would_raise() -> None:
    """sqrt's rule at 0 raises in a backward (infinite derivative); the order was refused with that error
    (ZeroDivisionError), though backward takes the nodes in one order whatever the rules give."""
    x = Value(0.0)
    y = x.sqrt() + x
    order = backward_order(y)
    assert order[0] is y and {id(n) for n in order} == {id(n) for n in topological_order(y)}
    with pytest.raises(ZeroDivisionError):
        y.backward()


def test_the_order_runs_no_rule_of_the_user_s() -> None:
    """A node built by hand: its `_backward` was called to find the order (once per backward_order)."""
    calls = []
    a = Value(2.0)
    out = Value(4.0, (a, a), "h")
    out._backward = lambda: calls.append(1)
    z = out * 3.0 + a
    assert [n.data for n in backward_order(z)] == [14.0, 12.0, 3.0, 4.0, 2.0]
    assert calls == []
    z.backward()
    assert calls == [1]
