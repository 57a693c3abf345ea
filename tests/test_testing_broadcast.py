"""`tensor_expressions` draws inputs of shapes that broadcast to the first's, so that the steps of a
random graph broadcast and their gradients sum back to each input's shape; `broadcast=False` keeps
one shape throughout."""

import numpy as np
from hypothesis import HealthCheck, find, given, settings

from autograd.testing import KINDS, judged_gradcheck, tensor_expressions


def _broadcasts(expr) -> bool:
    """Whether a binary step of expr combines two nodes of different shapes (a broadcast)."""
    pool = list(expr.inputs)
    found = False
    for kind, args, c in expr.steps:
        out = KINDS[kind].apply(*(pool[i] for i in args), c)
        found = found or (len(args) == 2 and np.shape(pool[args[0]]) != np.shape(pool[args[1]]))
        pool.append(out)
    return found


def test_a_drawn_graph_broadcasts_one_input_against_another():
    expr = find(
        tensor_expressions(kinds=["+", "*", "-", "/", "exp"], max_side=3),
        lambda e: len({np.shape(x) for x in e.inputs}) > 1 and _broadcasts(e),
        settings=settings(max_examples=500, database=None),
    )
    assert judged_gradcheck(expr, expr.inputs)
    assert {np.shape(x) for x in expr.inputs} - {np.shape(expr.inputs[0])}  # an input of another shape


@settings(max_examples=30, suppress_health_check=[HealthCheck.too_slow])
@given(tensor_expressions(broadcast=False))
def test_without_broadcast_every_input_has_the_first_ones_shape(expr):
    assert {np.shape(x) for x in expr.inputs} == {np.shape(expr.inputs[0])}
