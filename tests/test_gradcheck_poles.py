"""gradcheck beside a pole, an overflow or a domain's edge within eps of the point: a difference across it
measures nothing, and no step bounds its error. 1 / x at eps / 2 (inf at x - eps / 2, where the refinement
stopped) failed its right rule against the difference at eps (2 / eps**2 for -4 / eps**2); log and sqrt at
eps / 2 (NaN at x - eps) said "<- fails" of a right rule. Both now cannot be judged, naming where f is not
finite and the fix, a smaller eps (which judges them) or a point farther away; wrong rules never pass."""

import math
import re

import numpy as np
import pytest

import autograd
from autograd import GradcheckError, Op, gradcheck, tensor_ops

EPS = 1e-6


def _table_op(name: str, times: float) -> Op:
    """The op table's `name` (its forward, so its inside is seen) with a rule `times` the right one."""
    op = tensor_ops.OPS[name]
    return Op(name, op.forward, lambda g, out, x: tuple(times * r for r in op.vjp(g, out, x)))


POLES = [
    ("reciprocal", lambda op: op, "x +- eps / 2"),
    ("reciprocal", lambda op: lambda t: op(t) * op(t), "x +- eps / 2"),
    ("log", lambda op: op, "x +- eps"),
    ("sqrt", lambda op: op, "x +- eps"),
]


@pytest.mark.parametrize(("name", "f", "where"), POLES)
@pytest.mark.filterwarnings("ignore:(divide by zero|invalid value) encountered")
def test_a_pole_or_an_edge_within_eps_cannot_be_judged_and_a_smaller_eps_judges_it(name, f, where):
    point = [np.array([0.5 * EPS])]
    with pytest.raises(GradcheckError, match=rf"<- cannot judge: f is not finite at {re.escape(where)} \(a pole") as e:
        gradcheck(f(_table_op(name, 1.0)), point)
    assert e.value.undecided and "check with a smaller eps" in str(e.value)
    assert gradcheck(f(_table_op(name, 1.0)), point, eps=1e-8)
    for times in (1.1, -1.0, 0.0):
        with pytest.raises(GradcheckError) as e:  # never passes
            gradcheck(f(_table_op(name, times)), point)
        with pytest.raises(GradcheckError, match="<- fails") as e:
            gradcheck(f(_table_op(name, times)), point, eps=1e-8)
        assert not e.value.undecided


@pytest.mark.parametrize("distance", [1 / 3, 0.7, 1.5])
def test_a_pole_within_eps_not_reached_by_a_step_is_stepped_past(distance):
    # 1 / x and tan beside their poles, no step landing on them: their slopes at smaller steps judge them
    for f, x in ((autograd.reciprocal, distance * EPS), (autograd.tan, math.pi / 2 - distance * EPS)):
        assert gradcheck(f, [np.array([x])])
