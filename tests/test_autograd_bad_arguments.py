"""Bad arguments to autograd's shape methods, reductions, flags, graph utilities and transforms: one
clear error of the right type, naming the argument, raised before anything changes (never a guess
from a bool's or a string's truth, bytes read as ints, or numpy's and Python's words)."""

from __future__ import annotations

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor, Value

AxisError = np.exceptions.AxisError
HUGE = 10**400  # beyond a C long: numpy's "Python int too large to convert to C long"


def matrix() -> Tensor:
    return Tensor(np.arange(6.0).reshape(2, 3))


# ---- axes, dims, shifts and sizes: ints only (shape_args' one rule) ----


@pytest.mark.parametrize(
    "call",
    [
        lambda t: t.roll(1, "a"),  # was a ValueError from int("a")
        lambda t: t.roll(1, True),
        lambda t: t.roll(True, 0),
        lambda t: t.roll(1.5, 0),
        lambda t: t.roll(1.5),
        lambda t: t.softmax(dim="a"),
        lambda t: t.log_softmax(dim=2.0),
        lambda t: t.softmax(dim=True),
        lambda t: t.sum(axis=(True,)),
        lambda t: t.cumsum(axis=1.0),
        lambda t: t.squeeze(2.5),  # was "'float' object is not iterable"
        lambda t: t.split(3.0, 1),
        lambda t: t.chunk(2.0, 1),  # was a ValueError
        lambda t: t.chunk(True, 1),
        lambda t: t.max(dim=1.0),
    ],
)
def test_an_axis_shift_or_size_that_is_no_int_is_a_type_error(call) -> None:
    t = matrix()
    with pytest.raises(TypeError, match=r"roll|softmax|sum|cumsum|squeeze|split|chunk|max"):
        call(t)


@pytest.mark.parametrize(
    "call",
    [
        lambda t: t.sum(axis=HUGE),
        lambda t: t.sum(axis=(0, HUGE)),
        lambda t: t.mean(dim=-HUGE),
        lambda t: t.max(axis=HUGE),
        lambda t: t.max(dim=HUGE),
        lambda t: t.var(axis=HUGE),
        lambda t: t.norm(dim=HUGE),
        lambda t: t.softmax(dim=HUGE),  # was numpy's OverflowError
        lambda t: t.log_softmax(dim=5),
        lambda t: t.cumsum(HUGE),
        lambda t: t.argmax(axis=5),  # was an IndexError: tuple index out of range
        lambda t: t.argmin(axis=-3),
        lambda t: t.argmax(axis=HUGE),
        lambda t: t.any(axis=2),
        lambda t: t.roll(1, HUGE),
        lambda t: t.squeeze(HUGE),
    ],
)
def test_an_axis_the_tensor_has_not_is_an_axis_error_naming_its_dims_shortly(call) -> None:
    with pytest.raises(AxisError, match="for a 2-d tensor") as caught:
        call(matrix())
    assert len(str(caught.value)) < 200  # a 400-digit int is shown by its ends


def test_a_huge_shift_rolls_as_its_remainder() -> None:
    t = matrix()
    assert t.roll(3 * HUGE + 1, 1).tolist() == t.roll(1, 1).tolist() == np.roll(t.data, 1, 1).tolist()
    assert t.roll((1, 2), (0, 1)).tolist() == np.roll(t.data, (1, 2), (0, 1)).tolist()
    assert t.roll(1, (0, 1)).tolist() == np.roll(t.data, 1, (0, 1)).tolist()  # one shift for both


def test_split_and_chunk_of_a_0d_tensor_say_so() -> None:
    for call in (lambda s: s.split(1), lambda s: s.chunk(1), lambda s: autograd.split(3.0, 1)):
        with pytest.raises(autograd.ShapeError, match="at least 1 dim"):  # was an IndexError
            call(Tensor(3.0))
    with pytest.raises(ValueError, match="positive int, got 0"):
        matrix().chunk(0)


def test_norm_takes_a_bool_order_as_pytorch_does() -> None:
    x = Tensor([1.0, -2.0])
    assert x.norm(ord=True).item() == x.norm(ord=1).item() == 3.0  # torch's norm(p=True) is its 1-norm


# ---- bytes are no sequence of sizes ----


@pytest.mark.parametrize(
    "call",
    [
        lambda t: t.reshape(b"\x03\x02"),  # was shape (3, 2)
        lambda t: t.view(bytearray(b"\x03\x02")),
        lambda t: t.tile(b"\x02"),
        lambda t: t.permute(b"\x01\x00"),
        lambda t: t.transpose(b"\x01\x00"),
        lambda t: t.flip(dims=b"\x00"),
        lambda t: t.squeeze(b"\x00"),
        lambda t: t.split(b"\x01\x02", 1),
        lambda t: t.roll(b"\x01\x01", (0, 1)),
        lambda t: t.unflatten(1, b"\x03\x01"),
        lambda t: t.broadcast_to(b"\x02\x02\x03"),
    ],
)
def test_bytes_are_not_read_as_sizes(call) -> None:
    with pytest.raises(TypeError, match="must be ints .*got b"):
        call(matrix())


# ---- flags: True or False (numpy's too), one rule (modes.flag) ----


def test_keepdims_is_true_or_false() -> None:
    t = matrix()
    for call in (
        lambda: t.sum(axis=0, keepdims="no"),  # kept the dims
        lambda: t.mean(dim=0, keepdim=0),
        lambda: t.max(axis=0, keepdims=None or "False"),
        lambda: t.var(axis=0, keepdims=np.array([1, 0])),  # numpy's ambiguous truth value
        lambda: t.argmax(axis=0, keepdims=1),
        lambda: t.any(keepdims="yes"),
    ):
        with pytest.raises(TypeError, match=r"keepdims? takes True or False"):
            call()
    assert t.sum(axis=0, keepdims=np.True_).shape == (1, 3)
    assert t.max(dim=1, keepdim=np.False_).values.shape == (2,)


def test_create_graph_is_true_or_false_and_nothing_is_accumulated_first() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    with pytest.raises(TypeError, match="backward: create_graph takes True or False, got str 'no'"):
        y.backward(create_graph="no")  # built a graph
    assert x.grad is None
    with pytest.raises(TypeError, match="gradients: create_graph takes True or False"):
        autograd.gradients(y, [x], create_graph="no")
    (g,) = autograd.gradients(y, [x], create_graph=np.False_)
    assert g.tolist() == [2.0, 4.0]


def test_has_aux_strict_and_modes_are_true_or_false() -> None:
    def f(x):
        return x * x, "aux"

    for transform in (autograd.grad, autograd.value_and_grad, autograd.jacobian, autograd.hessian):
        with pytest.raises(TypeError, match=f"{transform.__name__}: has_aux takes True or False, got int 0"):
            transform(f, has_aux=0)
    with pytest.raises(TypeError, match="vjp: has_aux takes True or False"):
        autograd.vjp(f, 2.0, has_aux="yes")
    with pytest.raises(TypeError, match="autograd.compile: strict takes True or False"):
        autograd.compile(lambda: None, strict="no")
    with pytest.raises(TypeError, match="inference_mode: mode takes True or False"):
        autograd.inference_mode(0)
    assert autograd.grad(f, has_aux=np.True_)(3.0) == (6.0, "aux")
    with autograd.set_grad_enabled(np.False_):  # numpy's bool, as requires_grad_ takes it
        assert not autograd.is_grad_enabled()
    assert autograd.is_grad_enabled()


def test_a_refused_mode_shows_a_huge_int_shortly() -> None:
    with pytest.raises(TypeError, match=r"set_grad_enabled takes True or False, got int 1000.*characters\)") as caught:
        autograd.set_grad_enabled(HUGE)
    assert len(str(caught.value)) < 200


# ---- graph utilities take nodes ----


def test_graph_utilities_given_no_node_say_which_argument() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    for call, message in (
        (lambda: autograd.gradients(2.0, [x]), "gradients: root must be a Value or a Tensor, got float"),
        (lambda: autograd.gradients(y, ["x"]), r"gradients: inputs\[0\] must be a Value or a Tensor, got str"),
        (lambda: autograd.gradients(y, x), "gradients: inputs must be a list .* got one Tensor: write \\[x\\]"),
        (lambda: autograd.gradients(y, None), "gradients: inputs must be a list"),
        (lambda: autograd.pullback(None, 1.0), "pullback: node must be a Value or a Tensor, got NoneType"),
        (lambda: autograd.pullback(y, 1 + 2j), "pullback: grad must be real numbers"),
        (lambda: autograd.pullback(y, None), "pullback: grad must be real numbers"),
        (lambda: autograd.topological_order(None), "topological_order: root must be a Value or a Tensor"),
        (lambda: autograd.backward_order("y"), "backward_order: root must be a Value or a Tensor"),
        (lambda: autograd.zero_grad(None), "zero_grad: nodes must be a list"),
        (lambda: autograd.zero_grad(["a"]), r"zero_grad: nodes\[0\] must be a Value or a Tensor"),
    ):
        with pytest.raises(TypeError, match=message):
            call()
    assert autograd.pullback(Value(1.0) * 3.0, 2.0)[0] == 6.0  # a number still pulls back


def test_zero_grad_checks_every_node_before_resetting_any() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    with pytest.raises(TypeError, match=r"nodes\[1\]"):
        autograd.zero_grad([x, "a"])
    assert x.grad.tolist() == [2.0, 4.0]


def test_guard_refuses_a_plain_owner_or_a_name_that_is_no_str() -> None:
    layer = nn.Linear(2, 2, seed=0)
    with pytest.raises(TypeError, match="guard: owner must be the module or optimizer .* got NoneType None"):
        autograd.guard(None, "training")
    with pytest.raises(TypeError, match="guard: name must be the attribute's name"):
        autograd.guard(layer, 3)
    with pytest.raises(AttributeError, match="'abc'"):
        autograd.guard(layer, "abc")
    assert autograd.guard(layer, "training") is True


# ---- a transform of a non-function fails when it is made ----


@pytest.mark.parametrize(
    "make, name",
    [
        (lambda: autograd.grad(None), "grad: f"),
        (lambda: autograd.value_and_grad(3), "value_and_grad: f"),
        (lambda: autograd.elementwise_grad("f"), "elementwise_grad: f"),
        (lambda: autograd.jacobian(None), "jacobian: f"),
        (lambda: autograd.hessian(None), "hessian: f"),
        (lambda: autograd.hvp(None, 1.0, 1.0), "hvp: f"),
        (lambda: autograd.vjp(None, 1.0), "vjp: f"),
        (lambda: autograd.jvp(None, (1.0,), (1.0,)), "jvp: f"),
        (lambda: autograd.gradcheck(None, [1.0]), "gradcheck: f"),
        (lambda: autograd.gradcheck_params(None, [Value(1.0)]), "gradcheck_params: loss"),
        (lambda: autograd.validate(None, np.zeros(2)), "validate: check"),
        (lambda: autograd.compile(lambda: None, check=3), "autograd.compile: check"),
    ],
)
def test_a_function_argument_that_is_not_callable_is_refused_at_once(make, name) -> None:
    with pytest.raises(TypeError, match=f"{name} must be a function"):
        make()


def test_a_zero_d_integer_array_is_an_int_argument_as_numpy_takes_it():
    t = Tensor(np.ones((4, 3)))
    assert t.softmax(np.array(1)).shape == (4, 3) and t.sum(axis=np.array(0)).shape == (3,)
    assert autograd.cat([t, t], np.array(1)).shape == (4, 6) and t.triu(np.array(1)).shape == (4, 3)
    with pytest.raises(TypeError):
        t.sum(axis=np.array(True))
