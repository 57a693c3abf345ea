"""The op table's `flat_pieces` kept true, for every op that says it (autograd.FLAT_PIECES, derived from the table):
where such an op's rule gives an input 0, the op is exactly flat there, so that a small move of that input alone
leaves every output as it was, bit for bit. viz's check=True takes a stop at such an op as exact on this word
(viz/move_stops.py): an op marked flat whose rule gave 0 where it is not flat would turn a right rule red."""

import numpy as np
import pytest

import autograd
from autograd import Tensor
from autograd.op_table import TABLE

# the tensor-only ops called with what they need besides their input (elementwise ones take their inputs alone)
CALLS = {
    "clip": lambda x: autograd.clip(x, -1.0, 1.0),
    "max_pool2d": lambda x: autograd.max_pool2d(x.reshape(1, 1, 4, 4), 2),
    "max_pool3d": lambda x: autograd.max_pool3d(x.reshape(1, 1, 2, 2, 4), 2),
}
FLAT = [d for d in TABLE if d.flat_pieces]


def _draw(rng, domain, size):
    """`size` numbers inside domain (its range within ±6) and clear of its kinks, as the table's own tests draw."""
    lo, hi = max(domain.lo, -6.0), min(domain.hi, 6.0)
    x = rng.uniform(lo, hi, 8 * size)
    return x[[domain(v) for v in x]][:size]


def test_every_op_said_flat_in_pieces_is_named_here_or_elementwise():
    assert {d.symbol or d.name for d in FLAT} == autograd.FLAT_PIECES
    assert all(d.scalar is not None or d.name in CALLS or d.name in ("max", "min", "median") for d in FLAT)


@pytest.mark.parametrize("op", FLAT, ids=[d.name for d in FLAT])
def test_where_the_rule_gives_0_a_move_of_that_input_changes_nothing(op):
    rng = np.random.default_rng(7)
    call = CALLS.get(op.name) or getattr(autograd, op.name)
    zeros = 0
    for _ in range(5):
        xs = [Tensor(_draw(rng, domain, 16), requires_grad=True) for domain in op.safe]
        out = call(*xs)
        out.sum().backward()
        for i, x in enumerate(xs):
            for j in np.flatnonzero(x.grad == 0):
                zeros += 1
                for step in (1e-7, -1e-7, 1e-4, -1e-4):
                    moved = [t.data.copy() for t in xs]
                    moved[i][j] += step * max(1.0, abs(moved[i][j]))
                    again = call(*(Tensor(m) for m in moved))
                    assert np.array_equal(again.data, out.data), (op.name, i, j, step)
    assert zeros > 0  # each op met its flat pieces in the draws


UNMARKED = [d for d in TABLE if not d.flat_pieces and d.scalar is not None and hasattr(autograd, d.name)]


@pytest.mark.parametrize("op", UNMARKED, ids=[d.name for d in UNMARKED])
def test_an_elementwise_op_whose_rule_gives_0_in_its_domain_says_it_is_flat_in_pieces(op):
    """The other way: an op whose rule gives an input 0 on part of its domain (hardswish below -3, fmod's divisor
    beyond the dividend) is flat there, and says so, so that check=True knows it as it knows relu."""
    rng = np.random.default_rng(7)
    xs = [Tensor(_draw(rng, d, 64), requires_grad=k not in op.no_derivative) for k, d in enumerate(op.safe)]
    getattr(autograd, op.name)(*xs).sum().backward()
    assert not any(np.any(x.grad == 0) for x in xs if x.grad is not None)


@pytest.mark.parametrize("op", FLAT, ids=[d.name for d in FLAT])
def test_where_the_rule_is_not_0_it_is_at_least_a_sixth_but_where_the_table_says_slower(op):
    """viz's check=True tells a flat piece by a short move that shows any other piece rising at least 1/6 as fast as
    its input (hardsigmoid's); where a piece rises slower, the table says so (`OpDef.slow_between`): hardswish's
    middle piece, its slope x/3 + 1/2, is 0 at −1.5, and a rule of 0 beside it was drawn green."""
    rng = np.random.default_rng(7)
    call = CALLS.get(op.name) or getattr(autograd, op.name)
    for _ in range(5):
        xs = [Tensor(_draw(rng, domain, 16), requires_grad=True) for domain in op.safe]
        call(*xs).sum().backward()
        for x in xs:
            slow = np.zeros(x.shape, dtype=bool)
            if op.slow_between is not None:
                slow = (x.data > op.slow_between[0]) & (x.data < op.slow_between[1])
            rising = (x.grad != 0) & ~slow
            assert np.all(np.abs(x.grad[rising]) >= (1 - 1e-12) / 6), op.name
    if op.slow_between is not None:  # and it is slower there
        lo, hi = op.slow_between
        x = Tensor(np.linspace(lo, hi, 9)[1:-1], requires_grad=True)
        call(x).sum().backward()
        assert np.all(np.abs(x.grad) < 1 / 6)


@pytest.mark.parametrize("name", ["FLAT_PIECES", "SLOW_PIECES", "DECIMAL_FORWARDS"])
def test_the_tables_facts_viz_judges_by_cannot_be_changed_from_outside(name):
    """SLOW_PIECES and DECIMAL_FORWARDS were plain dicts: a user's `autograd.SLOW_PIECES["hardswish"] = ...` changed
    every later verdict of viz's check (FLAT_PIECES, a frozenset, could not be)."""
    facts = getattr(autograd, name, None) or getattr(autograd.op_table, name)
    with pytest.raises((TypeError, AttributeError)):
        facts["hardswish"] = (-3.0, 3.0)
