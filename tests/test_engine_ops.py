"""The engine's own ops (Op.built_in, marked by `engine_ops`): the op table's in each engine and the ops its rules
record (power's and atan2's partials). One mark read by the backward's per-call checks, compile's replay and
gradcheck's probe of rounding inside a user's op (check_scales); an op missing it was taken for a user's."""

import numpy as np
import pytest

import autograd
from autograd import Op, Tensor, Value, scalar_ops, tensor_ops
from autograd.graph_order import topological_order
from autograd.op import engine_forward
from autograd.op_table import ELEMENTWISE


def _graph_ops(roots):
    return {node.op for root in roots if root is not None for node in topological_order(root) if node.op is not None}


def _point(domain, i):
    """A point inside `domain` (OpDef.safe's), another for each input i."""
    return next(c - 0.1 * i for c in (0.6, 1.6, 2.6, -0.6) if domain(c - 0.1 * i))


def _first_and_second_derivative_ops(d, engine):
    """The ops in the graphs of the first and second derivatives of op-table entry d at one point."""
    point = [_point(domain, i) for i, domain in enumerate(d.safe)]
    if engine == "value":
        xs = [Value(x) for x in point]
        out = scalar_ops.OPS[d.name](*xs)
    else:
        xs = [Tensor(np.array([x]), requires_grad=True) for x in point]
        out = tensor_ops.OPS[d.name](*xs).sum()
    firsts = [g for g in autograd.gradients(out, xs, create_graph=True) if not g.is_constant]
    seconds = [autograd.gradients(g.sum() if engine == "tensor" else g, xs, create_graph=True) for g in firsts]
    return _graph_ops([*firsts, *(g for gs in seconds for g in gs)])


@pytest.mark.parametrize("engine", ["value", "tensor"])
def test_every_op_a_derivative_of_a_table_op_records_is_the_engines_own(engine):
    """atan2's partial (recorded by its rule) was unmarked, and so, on Values, was every op bound to its keyword
    arguments (polygamma's n in digamma's and lgamma's rules, softplus's beta in mish's: their forwards' ids were
    not the registered ones), so gradcheck took them for a user's ops. A future op a rule records without the mark
    fails here."""
    unmarked = set()
    with np.errstate(all="ignore"):
        for d in (d for d in ELEMENTWISE if not d.no_derivative):  # those refuse a gradient in an input
            ops = _first_and_second_derivative_ops(d, engine)
            unmarked |= {(d.name, op.name) for op in ops if not (op.built_in and engine_forward(op))}
    assert unmarked == set()


def test_a_users_op_and_its_bound_form_are_not_the_engines():
    mine = Op("mine", lambda x, *, k: x * k, lambda g, out, x, *, k: (g * k,))
    assert not mine.built_in and not mine.bind({"k": 2.0}).built_in and not engine_forward(mine.bind({"k": 2.0}))
    assert tensor_ops.OPS["exp"].built_in and scalar_ops.OPS["polygamma"].bind({"n": 1}).built_in
    # the table's forward with a rule of one's own: its rounding is the table's (gradcheck checks the rule)
    assert engine_forward(Op("log", tensor_ops.OPS["log"].forward, lambda g, out, x: (g / x,)))


def test_gradcheck_of_a_second_derivative_through_atan2_does_not_take_its_partial_for_a_users_op():
    """Its partial, unmarked, was probed as a user's op: at 4 of 40 points drawn at scales 1e-4..10 gradcheck
    said "cannot judge: an op of yours steps within 256 eps" of atan2's own rule (here one of them)."""
    a = np.array([3.903497348226388e-06, 7.508530624910671e-05, -0.00010114426036147044, -2.237397617327045e-05])
    b = np.array([-6.621404123850904e-05, 8.224525916312847e-05, 5.455415690051206e-06, -4.016587359099779e-05])

    def f(x, y):
        gx, gy = autograd.grad(lambda x, y: autograd.atan2(x, y).sum(), (0, 1))(x, y)
        return gx * gy + gx * gx

    assert autograd.gradcheck(f, [a, b])
