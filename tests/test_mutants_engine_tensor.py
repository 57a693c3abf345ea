"""Tests that kill mutants the engine suite let live (docs/mutation-testing.md): Tensor and the
tensor rule table. Each pins behaviour a user can see."""

import operator

import numpy as np
import pytest

from autograd import (
    Op,
    ShapeError,
    Tensor,
    Value,
    concatenate,
    cross_entropy,
    detect_anomaly,
    gradients,
    no_grad,
    op_table,
    stack,
    tensor_ops,
    where,
)

F32 = np.float32


def test_repr_is_numpy_like_and_summarises_long_tensors():
    w = Tensor([[1, 2], [3, 4]], requires_grad=True, label="w")
    assert repr(w) == "Tensor([[1., 2.],\n        [3., 4.]], dtype=float32, requires_grad=True, label='w')"
    assert repr(Tensor(np.arange(21.0))) == "Tensor([ 0.,  1.,  2., ..., 18., 19., 20.], dtype=float64)"
    assert "..." not in repr(Tensor(np.arange(20.0)))
    y = w * 2
    assert y.label == "" and repr(y).endswith(", dtype=float32, op='*')")


def test_array_protocol_copies_only_when_asked():
    a = np.arange(3, dtype=F32)
    t = Tensor(a)
    assert np.shares_memory(t.data, a) and np.shares_memory(np.asarray(t), a)  # float32 arrays are wrapped
    copy = np.array(t)
    copy[0] = 9.0
    assert t.data[0] == 0.0
    assert np.asarray(t, dtype=np.float64).dtype == np.float64 and t.__array__(np.float64).dtype == np.float64


def test_truth_length_and_comparisons():
    assert bool(Tensor([2.0])) and not bool(Tensor(0.0))
    with pytest.raises(ValueError, match="ambiguous"):
        bool(Tensor([1.0, 2.0]))
    with pytest.raises(TypeError, match=r"^len\(\) of a 0-d tensor$"):
        len(Tensor(1.0))
    t, u = Tensor([1.0, 2.0, 3.0]), Tensor([2.0, 2.0, 2.0])
    assert (t < u).data.tolist() == [True, False, False] and (t <= 2.0).data.tolist() == [True, True, False]
    assert (t > u).data.tolist() == [False, False, True] and (t >= 2.0).data.tolist() == [False, True, True]


def test_default_axes_and_keepdims():
    t = Tensor(np.arange(24.0).reshape(2, 3, 4))
    assert np.array_equal(t.swapaxes(0, 1).data, np.swapaxes(t.data, 0, 1))
    assert t.mean().shape == t.max().shape == t.min().shape == ()
    a, b = Tensor(np.ones((2, 3))), Tensor(np.zeros((1, 3)))
    assert concatenate([a, b]).shape == (3, 3) and stack([a, a]).shape == (2, 2, 3)
    assert type(Tensor([1.0, 2.0]).sum().data) is np.ndarray  # never a numpy scalar


def test_where_picks_values_by_the_condition():
    x, y = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0, 4.0])
    assert where(np.array([True, False]), x, y).data.tolist() == [1.0, 4.0]
    assert where(Tensor([1.0, 0.0]) > 0.5, x, y).data.tolist() == [1.0, 4.0]


def test_ops_of_three_inputs_differentiate_every_input_twice():
    a, b, c = (Tensor(np.full(2, v), requires_grad=True) for v in (1.0, 2.0, 3.0))
    (stack([a, b, c]) * np.array([[1.0], [2.0], [3.0]])).sum().backward()
    assert [a.grad.tolist(), b.grad.tolist(), c.grad.tolist()] == [[1.0, 1.0], [2.0, 2.0], [3.0, 3.0]]
    (ga,) = gradients((concatenate([a, b, c]) ** 3).sum(), [c], create_graph=True)  # 3 c**2
    assert ga.data.tolist() == [27.0, 27.0] and gradients(ga.sum(), [c])[0].tolist() == [18.0, 18.0]


def test_python_numbers_stay_exact_constants_and_nodes_do_not_mix():
    x = Tensor(np.zeros(2))
    assert (x + 0.1).data.tolist() == [0.1, 0.1]  # a float64 tensor plus 0.1 is the double 0.1
    assert (Tensor([1.0], requires_grad=True) * 2.0).parents[1].requires_grad is False
    with pytest.raises(TypeError, match=r"^\*: cannot combine a Tensor with a Value: a graph is of Values"):
        Tensor([1.0]) * Value(2.0)


def test_construction_errors_say_what_is_wrong():
    with pytest.raises(TypeError, match=r"got a Tensor; use .detach\(\)"):
        Tensor(Tensor([1.0]))
    with pytest.raises(TypeError) as e:
        Tensor(["a", "b"])
    assert str(e.value) == (
        "Tensor() needs numbers, got list of dtype <U1: "
        "the supported dtypes are bool, integer and floating point (real numbers)"
    )
    with pytest.raises(TypeError, match=r"dtype object \(is there a None, or a list of another length\?\): the"):
        Tensor([1.0, None])


def test_backward_seeds_say_what_is_wrong_and_keep_the_dtype():
    with pytest.raises(RuntimeError, match=r"^backward\(\) on a tensor that does not require grad: no graph was "):
        Tensor([1.0]).sum().backward()
    with pytest.raises(RuntimeError, match=r"\(give its inputs requires_grad=True, outside no_grad\); a gradient "):
        Tensor([1.0]).sum().backward()
    with pytest.raises(RuntimeError, match=r"its derivative is 0, which autograd\.hvp and autograd\.hessian give$"):
        Tensor([1.0]).sum().backward()
    x = Tensor([1.0, 2.0], requires_grad=True)
    message = r"of that shape, e\.g\. t\.backward\(np\.ones\(t\.shape\)\); or reduce it to one number first"
    with pytest.raises(ShapeError, match=message + r" \(t\.sum\(\), t\.mean\(\)\)$"):
        (x * 2.0).backward()
    y = x * 2.0
    g, gy = gradients(y, [x, y], seed=np.ones(2))  # a float64 seed for float32 tensors
    assert g.dtype == gy.dtype == F32
    x.backward(np.ones(2))
    assert x.grad.dtype == F32
    x.sum().backward(create_graph=True)
    assert isinstance(x.grad, Tensor)


def test_gradients_keep_float32_through_every_rule():
    x = Tensor(np.array([[1.0, 3.0], [3.0, 2.0]], dtype=F32), requires_grad=True)
    unused = Tensor([1.0, 2.0], requires_grad=True)
    g, gu = gradients(x.max(), [x, unused])
    assert g.tolist() == [[0.0, 0.5], [0.5, 0.0]] and gu.tolist() == [0.0, 0.0]  # ties share
    outs = [x.min(axis=1).sum(), x[0].sum(), x[np.array([0, 0])].sum(), cross_entropy(x, [1, 0])]
    for out in [x.max(), *outs]:
        assert {a.dtype for a in gradients(out, [x, unused])} == {np.dtype(F32)}


@pytest.mark.parametrize("name", ["+", "-", "*", "/", "@"])
def test_gradients_reach_only_tensors_that_require_them(name):
    op = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv, "@": operator.matmul}[name]
    x, c = Tensor(np.full((2, 2), 2.0), requires_grad=True), Tensor(np.full((2, 2), 3.0))
    for left, right in ((x, c), (c, x)):
        gx, gc = gradients(op(left, right).sum(), [x, c])
        assert np.all(gx != 0) and gc.tolist() == [[0.0, 0.0], [0.0, 0.0]]
    plain = Op("plain", np.multiply, lambda g, o, a, b: (g * b, g * a))  # a rule that ignores `needs`
    assert gradients(plain(x, c).sum(), [c])[0].tolist() == [[0.0, 0.0], [0.0, 0.0]]


def test_a_rule_told_which_inputs_need_gradients_gets_its_keyword_arguments():
    calls = []

    def vjp(g, o, a, b, *, k, needs):
        calls.append(tuple(needs))
        return (g * k if needs[0] else None, g * k if needs[1] else None)

    x = Tensor([1.0, 2.0], requires_grad=True)
    op = Op("scaled_sum", lambda a, b, *, k: (a + b) * k, vjp, takes_needs=True)
    op(x, Tensor([3.0, 4.0]), k=2.0).sum().backward()
    assert calls == [(True, False)] and x.grad.tolist() == [2.0, 2.0]


def test_every_gradient_a_rule_returns_is_checked_and_cast():
    c, x = Tensor([1.0, 2.0]), Tensor(np.array([3.0, 4.0]), requires_grad=True)  # c: no gradient (None)
    wrong = Op("wrong", lambda a, b: a * b, lambda g, o, a, b: (g, g[:1]))
    with pytest.raises(ShapeError, match=r"op 'wrong' gave a gradient of shape \(1,\) for input 1 of shape \(2,\)"):
        wrong(c, x).sum().backward()
    narrow = Op("narrow", lambda a, b: a * b, lambda g, o, a, b: (g, (g * a).astype(F32)))
    assert gradients(narrow(c, x).sum(), [x])[0].dtype == np.float64  # in the input's own dtype


def test_leaf_gradients_never_share_memory():
    a, b = Tensor(np.zeros(6), requires_grad=True), Tensor(np.zeros(6), requires_grad=True)
    c = Tensor(np.zeros((2, 3)), requires_grad=True)
    ((a + b + c.reshape(6)) * Tensor(np.arange(6.0))).sum().backward()  # one array reaches all three
    assert all(not np.shares_memory(p, q) for p, q in ((a.grad, b.grad), (a.grad, c.grad), (b.grad, c.grad)))
    assert a.grad.tolist() == b.grad.tolist() == c.grad.reshape(6).tolist() == list(range(6))
    stop = Op("stop", lambda v: v * 1.0, lambda g, o, v: (None,))  # no gradient flows through
    stop(a).sum().backward()
    assert a.grad.tolist() == list(range(6)) and a.grad.dtype == np.float64


def test_in_place_changes_are_caught_whatever_the_order():
    x, w = Tensor([1.0], requires_grad=True), Tensor([2.0], requires_grad=True)
    message = r"^tensor of shape \(1,\) was changed in place after \* used it \(through itself or a tensor sharing "
    message += r"its memory: a slice, \.T, a reshape, detach\(\)\), so backward would give wrong "
    for make in (lambda c: x + w * c, lambda c: w * c + x):
        c = Tensor([3.0])
        y = make(c).sum()
        c.data = np.array([4.0], c.dtype)  # its dtype: another is named (test_reads_for)
        with pytest.raises(RuntimeError, match=message + r"gradients: run the forward again after changing it$"):
            y.backward()
    c = Tensor([1.0, 2.0])
    c[0] = 3.0
    y = (x * c).sum()
    c[1] = 4.0  # a second assignment counts too
    with pytest.raises(RuntimeError, match="changed in place"):
        y.backward()
    y = (x * c).sum()
    c.data, c[0] = c.data * 2, 5.0
    with pytest.raises(RuntimeError, match="changed in place"):
        y.backward()
    with pytest.raises(
        RuntimeError, match=r"^t\[i\] = v: cannot assign into a tensor that requires grad .*concatenate\)$"
    ):
        x[0] = 5.0
    with no_grad():
        x[0] = 5.0
    assert x.data.tolist() == [5.0]


@pytest.mark.parametrize("word", ["shape", "broadcast", "dimension", "size"])
def test_a_built_in_ops_forward_errors_about_shapes_become_shape_errors(word, monkeypatch):
    """numpy's words in a built-in op; a user's op may use them of anything ("window size must be
    positive"): its error is named as any other domain error."""

    def forward(x):
        raise ValueError(f"the {word} is wrong")

    bad = Op("bad", forward, lambda g, o, x: (g,))
    with pytest.raises(
        ValueError, match=rf"^bad\(array of shape \(2,\)\) is undefined: the {word} is wrong$"
    ) as caught:
        bad(Tensor([1.0, 2.0]))
    assert not isinstance(caught.value, ShapeError)
    monkeypatch.setattr(bad, "built_in", True)
    with pytest.raises(ShapeError, match=rf"^bad: shapes \(2,\) do not fit \(the {word} is wrong\)$"):
        bad(Tensor([1.0, 2.0]))


def test_forward_errors_of_their_own_kind_pass_unchanged():
    class Custom(ValueError):
        pass

    def forward(x):
        raise Custom("kept as is")

    with pytest.raises(Custom, match="^kept as is$"):
        Op("own", forward, lambda g, o, x: (g,))(Tensor([1.0]))


def test_cross_entropy_label_errors_say_how_to_fix_them():
    logits = Tensor(np.zeros((2, 3)))
    with pytest.raises(ShapeError, match=r"needs logits of shape \(classes,\), \(batch, classes\) or .*, got \(\)$"):
        cross_entropy(Tensor(np.float64(0.0)), 0)
    with pytest.raises(
        ShapeError, match=r"one label per example of shape \(classes,\): labels of shape \(\), got \(1,\)$"
    ):
        cross_entropy(Tensor(np.zeros(3)), [0])  # one example takes one label of shape (), PyTorch's unbatched input
    fix = {
        "index": r"pass class indices 0, 1, \.\.\., classes - 1$",
        "cast": r"convert them with labels\.astype\(int\)$",
    }
    for labels, how in (([0.5, 1.0], "index"), ([0.0, 1.0], "cast"), ([True, False], "index")):
        with pytest.raises(TypeError, match=rf"labels of dtype {np.asarray(labels).dtype}: {fix[how]}"):
            cross_entropy(logits, np.array(labels))
    with pytest.raises(ShapeError, match=r"labels of shape \(2,\), got \(3,\)$"):
        cross_entropy(logits, [0, 1, 2])


def test_elementwise_tensor_ops_made_at_test_time():
    # the module's are made at import; these pin how `_elementwise` turns a table entry into an Op
    mul, exp, power = (tensor_ops._elementwise(op_table.BY_NAME[n]) for n in ("mul", "exp", "power"))
    assert (mul.name, exp.name, power.name, exp.domain) == ("*", "exp", "**", "the result is too large for a float")
    assert tensor_ops._elementwise(op_table.BY_NAME["div"]).domain == "division by zero"
    x, c = Tensor(np.full((2, 3), 2.0), requires_grad=True), Tensor([1.0, 2.0, 3.0])  # c broadcasts
    for left, right in ((x, c), (c, x)):
        gx, gc = gradients(mul(left, right).sum(), [x, c])
        assert gx.tolist() == [[1.0, 2.0, 3.0]] * 2 and gc.tolist() == [0.0, 0.0, 0.0]
    c.requires_grad = True
    assert gradients(mul(x, c).sum(), [c])[0].tolist() == [4.0, 4.0, 4.0]
    assert np.allclose(gradients(exp(x).sum(), [x])[0], np.exp(2.0))
    div = tensor_ops._elementwise(op_table.BY_NAME["div"])
    assert gradients(div(c, x).sum(), [x])[0].tolist() == [[-0.25, -0.5, -0.75]] * 2  # -c / x**2
    b = Tensor([1.0, 2.0], requires_grad=True)
    (gb,) = gradients(power(Tensor([2.0, 2.0]), b).sum(), [b])
    assert np.allclose(gb, [2.0 * np.log(2.0), 4.0 * np.log(2.0)])
    base = Tensor([-2.0, 3.0], requires_grad=True)
    with detect_anomaly():  # the constant exponent's log(base) term, NaN here, is never formed
        (g,) = gradients(power(base, Tensor([2.0, 2.0])).sum(), [base], create_graph=True)
    assert g.data.tolist() == [-4.0, 6.0]


def test_astype_casts_forward_and_back():
    x = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = x.astype(np.float32)
    assert y.dtype == F32 and y.op.name == "astype"
    (y * 2.0).sum().backward()
    assert x.grad.dtype == np.float64 and x.grad.tolist() == [2.0, 2.0]
