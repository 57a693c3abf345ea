"""Inputs whose numbers an op's rule does not read, only their shape and dtype (OpDef.shape_only: add's, sum's x,
reshape's): a change in place to one after the forward, before backward or by a hook during it, changes no gradient,
and backward lets it pass, as PyTorch's does (its rules save no such input). It was refused as any input's change.
The coverage test checks each op's mark against its rule: the rule's gradients with those inputs' numbers changed."""

import numpy as np
import pytest
from torch_reference import torch

from autograd import Tensor, no_grad
from autograd.op_table import TABLE

_RNG = np.random.default_rng(5)
_X, _Y = _RNG.normal(size=(2, 3)), _RNG.normal(size=(2, 3))
# per op marked shape_only: its inputs and keyword parameters (the entry's defaults fill the rest)
EXAMPLES = {
    "add": ((_X, _Y[:1]), {}),
    "sub": ((_X, _Y), {}),
    "neg": ((_X,), {}),
    "sum": ((_X,), {"axis": 1, "keepdims": False}),
    "mean": ((_X,), {"axis": 0, "keepdims": True}),
    "astype": ((_X,), {"dtype": np.float32}),
    "reshape": ((_X,), {"shape": (3, 2)}),
    "transpose": ((_X,), {"axes": (1, 0)}),
    "getitem": ((_X,), {"index": (np.array([1, 1, 0]), slice(None))}),
    "concatenate": ((_X, _Y), {"axis": 1}),
    "stack": ((_X, _Y), {"axis": 0}),
    "where": ((_X, _Y), {"cond": _X > 0}),
    "sum_to": ((_X,), {"shape": (1, 3)}),
    "broadcast_to": ((_X[:1],), {"shape": (4, 3)}),
    "index_add": ((_X,), {"index": (np.array([0, 2]),), "shape": (3, 3)}),
}


def _gradients(d, xs, params, g, on_nodes=False):
    """The rule's gradients of entry d at xs, on arrays, or `on_nodes` as create_graph runs it (their numbers)."""
    out = d.with_defaults(d.tensor)(*xs, **params)
    if on_nodes:
        g, out, *xs = (Tensor(np.asarray(a), requires_grad=True) for a in (g, out, *xs))
    grads = d.with_defaults(d.vjp)(g, out, *xs, **params, **({"needs": (True,) * len(xs)} if d.skips else {}))
    return [np.asarray(x.data if on_nodes else x) for x in grads]


CHANGES = {  # what a marked input is changed to: its output changes with it
    "scaled": lambda x: x * 3.0 + 1.0,
    "negated": np.negative,
    "zeros": np.zeros_like,
    "nan": lambda x: np.full_like(x, np.nan),
    "inf": lambda x: np.full_like(x, np.inf),
}


@pytest.mark.parametrize("on_nodes", [False, True], ids=["arrays", "create_graph"])
@pytest.mark.parametrize("change", sorted(CHANGES))
@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_a_rule_marked_shape_only_gives_the_same_gradients_whatever_those_inputs_hold(name, change, on_nodes):
    d = next(d for d in TABLE if d.name == name)
    xs, params = EXAMPLES[name]
    g = _RNG.normal(size=np.shape(d.with_defaults(d.tensor)(*xs, **params)))
    changed = [CHANGES[change](x) if k in d.shape_only else x for k, x in enumerate(xs)]
    with np.errstate(invalid="ignore"):  # inf - inf in sub's forward: the output's numbers, which no rule reads
        now, then = _gradients(d, changed, params, g, on_nodes), _gradients(d, xs, params, g, on_nodes)
    for a, b in zip(now, then, strict=True):
        assert a.dtype == b.dtype and np.array_equal(a, b)


def test_every_op_marked_shape_only_has_an_example_and_the_check_tells_a_rule_that_reads_them():
    assert {d.name for d in TABLE if d.shape_only} == set(EXAMPLES)
    mul = next(d for d in TABLE if d.name == "mul")  # marked (0, 1), its rule's gradients would change
    g = np.ones((2, 3))
    assert not np.array_equal(_gradients(mul, (_X * 3.0, _Y), {}, g)[1], _gradients(mul, (_X, _Y), {}, g)[1])


def _both(engine, during):
    """x + w with w changed in place by 10 after the forward (`during`: by a hook on the sum), then backward of
    (x + w) * 2; each leaf's gradient."""
    tensor = engine.tensor if engine is torch else lambda a, **k: Tensor(np.array(a), **k)
    x, w = tensor([1.0, 2.0], requires_grad=True), tensor([3.0, 4.0], requires_grad=True)
    s = x + w
    grad_off = torch.no_grad if engine is torch else no_grad

    def change(*_):
        with grad_off():
            w.add_(10.0)

    if during:
        s.register_hook(change)
    else:
        change()
    (s * 2.0).sum().backward()
    return np.asarray(x.grad), np.asarray(w.grad)


@pytest.mark.parametrize("during", [False, True], ids=["before backward", "by a hook"])
def test_an_input_of_add_changed_in_place_is_let_pass_as_torch_does(during):
    ours, theirs = _both(None, during), _both(torch, during)
    assert [g.tolist() for g in ours] == [g.tolist() for g in theirs] == [[2.0, 2.0]] * 2


def test_an_input_of_add_given_another_shape_is_refused():
    """Its rule reads w's shape (its gradient is summed back to it): a w of another shape would get g summed."""
    x, w = Tensor(np.array([1.0, 2.0]), requires_grad=True), Tensor(np.array([3.0, 4.0]), requires_grad=True)
    s = x + w
    w.data = np.array([5.0])
    with pytest.raises(RuntimeError, match=r"was changed in place after \+ used it"):
        s.sum().backward()


def test_an_input_of_mul_changed_in_place_is_still_refused():
    x, w = Tensor(np.array([1.0, 2.0]), requires_grad=True), Tensor(np.array([3.0, 4.0]), requires_grad=True)
    s = x * w
    with no_grad():
        w.add_(10.0)
    with pytest.raises(RuntimeError, match=r"was changed in place after \* used it"):
        s.sum().backward()


VIEWS = {  # a view of w made by an op marked shape_only: it shares w's version count
    "reshape": lambda w: w.reshape((2, 2)),
    "transpose": lambda w: w.reshape((2, 2)).T,
    "slice": lambda w: w[1:],
    "broadcast_to": lambda w: w.broadcast_to((3, 4)),
}  # each written alike for torch's tensors


def _view_grad(engine, view):
    tensor = engine.tensor if engine is torch else lambda a, **k: Tensor(np.array(a), **k)
    w = tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    v = VIEWS[view](w)
    with torch.no_grad() if engine is torch else no_grad():
        w.add_(10.0)
    (v * 2.0).sum().backward()
    return np.asarray(w.grad).tolist()


@pytest.mark.parametrize("view", sorted(VIEWS))
def test_a_view_made_by_an_op_marked_shape_only_lets_its_base_change_as_torch_does(view):
    """v = w.reshape(2, 2), then w.add_(10) under no_grad: v's count, w's, moved, and the reshape node refused its
    own output as changed since it made it (its rule reads no output's numbers), where PyTorch gives w.grad 2."""
    assert _view_grad(None, view) == _view_grad(torch, view)


def test_a_view_whose_numbers_a_rule_reads_is_still_refused_when_its_base_changes():
    w, x = Tensor(np.array([1.0, 2.0, 3.0, 4.0]), requires_grad=True), Tensor(np.ones((2, 2)), requires_grad=True)
    y = w.reshape((2, 2)) * x  # * reads the view
    with no_grad():
        w.add_(10.0)
    with pytest.raises(RuntimeError, match=r"was changed in place after \* used it"):
        y.sum().backward()


def test_a_view_given_another_shape_over_the_same_memory_is_refused():
    """v.data = v.data.reshape(4) keeps v's count (the same memory) and changes its shape: sum's rule would spread
    g over the new shape."""
    w = Tensor(np.array([1.0, 2.0, 3.0, 4.0]), requires_grad=True)
    v = w.reshape((2, 2))
    s = v.sum()
    v.data = v.data.reshape(4)
    with pytest.raises(RuntimeError, match=r"was changed in place after sum used it"):
        s.backward()
