"""`t += x` and friends: on Tensors in place outside the graph, a new node inside it, refused on a
leaf being recorded (PyTorch's rules); on Values in place under no_grad, a new node otherwise.
Never a silent rebinding that leaves parameters as they were."""

import numpy as np
import pytest

import autograd
import nn
from autograd import ShapeError, Tensor, Value
from autograd.in_place import IN_PLACE

X = np.array([[0.5, -1.25, 2.0], [3.0, -0.75, 1.5]])
SYMBOLS = [symbol for _, symbol in IN_PLACE.values()]


def _apply(t, symbol, x):
    """`t op= x` run as written (what `t` is bound to afterwards)."""
    namespace = {"t": t, "x": x}
    exec(f"t {symbol} x", namespace)
    return namespace["t"]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("symbol", SYMBOLS)
def test_outside_the_graph_the_array_changes_in_place_as_the_operator_rounds(symbol, dtype):
    t = Tensor(X.astype(dtype))
    data, other = t.data, np.array([1.5, -2.0, 0.25])
    expected = _apply(Tensor(X.astype(dtype)), f"= t {symbol[:-1]}", other).data  # t = t op x
    result = _apply(t, symbol, other)
    assert result is t and t.data is data and t.dtype == dtype
    np.testing.assert_array_equal(t.data, expected.astype(dtype))


def test_pytorchs_update_loop_moves_the_models_own_parameters():
    model = nn.Linear(3, 2, seed=0)
    before = [p.data.copy() for p in model.parameters()]
    loss = (model(Tensor(X.astype(np.float32))) ** 2).mean()
    loss.backward()
    with autograd.no_grad():
        for p in model.parameters():
            p -= 0.1 * p.grad
    for p, old in zip(model.parameters(), before):
        np.testing.assert_array_equal(p.data, old - 0.1 * p.grad)
        assert p.requires_grad and p.op is None  # still the model's leaf


def test_a_leaf_that_requires_grad_is_refused_while_recording_and_left_as_it_was():
    w = Tensor(X.copy(), requires_grad=True)
    for symbol in SYMBOLS:
        with pytest.raises(RuntimeError, match=r"leaf tensor that requires grad.*autograd\.no_grad"):
            _apply(w, symbol, 2.0)
    np.testing.assert_array_equal(w.data, X)


def test_a_tensor_made_in_the_graph_gives_a_new_node():
    w = Tensor(X.copy(), requires_grad=True)
    loss = (w * 2).sum()
    first = loss
    loss += (w**2).sum()
    assert loss is not first and loss.op.name == "+"
    loss.backward()
    np.testing.assert_array_equal(w.grad, 2 + 2 * X)


def test_a_constant_operand_with_a_gradient_gives_a_new_node_too():
    w = Tensor(X.copy(), requires_grad=True)
    c = Tensor(np.ones_like(X))
    held = c
    c *= w
    assert c is not held and c.requires_grad and np.array_equal(held.data, np.ones_like(X))
    c.sum().backward()
    np.testing.assert_array_equal(w.grad, np.ones_like(X))


def test_a_graph_that_used_a_tensor_changed_in_place_refuses_backward():
    w = Tensor(X.copy(), requires_grad=True)
    x = Tensor(np.ones_like(X))
    y = (x * w).sum()
    x += 1.0
    with pytest.raises(RuntimeError, match="changed in place"):
        y.backward()


def test_a_result_of_another_shape_or_dtype_is_refused_and_nothing_changes():
    t = Tensor(X[0].copy())
    with pytest.raises(ShapeError, match=r"t \+= x: t has shape \(3,\) and the result \(2, 3\)"):
        t += X
    labels = Tensor(np.arange(3))
    with pytest.raises(TypeError, match=r"t \*= x: the result is float64.*int64 cannot hold"):
        labels *= 0.5
    np.testing.assert_array_equal(t.data, X[0])
    np.testing.assert_array_equal(labels.data, np.arange(3))


@pytest.mark.parametrize("symbol", SYMBOLS)
def test_a_value_changes_in_place_under_no_grad_as_the_operator_computes(symbol):
    v = Value(1.75)
    with autograd.no_grad():  # the operator's number (`//` is refused where a gradient would flow)
        expected = _apply(Value(1.75), f"= t {symbol[:-1]}", 0.5).data
        assert _apply(v, symbol, 0.5) is v
    assert v.data == expected and v.op is None


def test_pytorchs_update_loop_moves_a_micrograd_mlps_own_parameters():
    model = nn.MLP(2, [3, 1], seed=0)
    loss = model([0.5, -1.0]) ** 2
    loss.backward()
    before = [(p.data, p.grad) for p in model.parameters()]
    with autograd.no_grad():
        for p in model.parameters():
            p -= 0.1 * p.grad
    assert [p.data for p in model.parameters()] == [data - 0.1 * grad for data, grad in before]


def test_while_recording_a_value_gives_a_new_node_even_a_leaf():
    """A Value leaf may be a running total (`total = Value(0.0); total += loss`): not refused."""
    w = Value(2.0)
    total = Value(0.0)
    start = total
    total += w * w
    total += w
    assert total is not start and start.data == 0.0 and total.data == 6.0
    total.backward()
    assert w.grad == 5.0


def test_pytorchs_update_of_a_value_parameter_outside_no_grad_is_refused():
    # it made a new node and trained nothing, without a word: the loop's p was rebound, the model's kept
    model = nn.MLP(2, [3, 1], seed=0)
    (model([0.5, -1.0]) ** 2).backward()
    p = model.parameters()[0]
    before = p.data
    with pytest.raises(RuntimeError, match=r"v -= x on a Value that holds a gradient .* through v\.data"):
        p -= 0.1 * p.grad
    assert p.data == before


def test_a_view_taken_before_keeps_its_values_and_views_only_a_graph_holds_change_nothing():
    # documented: chainrule's h += 1 in the graph is h = h + 1; a view taken before keeps the old values
    # (PyTorch's would change), and views only the graph holds (a reshape inside an expression, tile's
    # broadcast, compile's record of a detach()) neither refuse nor change any number
    x = Tensor(np.array([1.0, 2.0, 3.0]), requires_grad=True)
    h = x * 2
    first = h[0:2]
    total = h.reshape(3, 1).sum() + h.repeat(2).sum()
    h += 1
    assert np.array_equal(first.data, [2.0, 4.0]) and np.array_equal(h.data, [3.0, 5.0, 7.0])
    (h.sum() + total).backward()
    assert np.array_equal(x.grad, [8.0, 8.0, 8.0])  # 2 through h, 2 through the reshape, 4 through repeat
    out = (x * 2).reshape(3, 1)  # a view whose base only its record holds
    out += 1
    assert np.array_equal(out.data.ravel(), [3.0, 5.0, 7.0])


def test_in_place_arithmetic_on_read_only_data_names_the_problem():
    a = Tensor(np.ones(3)).expand(2, 3)
    with pytest.raises(ValueError, match="read-only .*expand"):
        a -= Tensor(np.ones(3))
    assert np.array_equal(a.data, np.ones((2, 3)))


def test_assigning_into_read_only_data_names_the_problem():
    """numpy's bare "assignment destination is read-only" before."""
    frozen = np.ones(3)
    frozen.flags.writeable = False
    for t in (Tensor(np.ones(3)).expand(2, 3), Tensor(frozen)):
        with pytest.raises(ValueError, match=r"t\[i\] = v: t's data is read-only"):
            t[0] = 5.0
        assert np.all(t.data == 1) and t._version == 0
