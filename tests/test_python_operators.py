"""Python's operators on Values and Tensors, each as PyTorch answers it: a result where PyTorch gives one
(with its gradient), one clear error where it refuses, never Python's bare "unsupported operand"."""

import numpy as np
import pytest

import autograd
from autograd import ShapeError, Tensor, Value


def test_unary_plus_is_the_node_itself():
    """`+x` is x, as PyTorch's `+t` (it was Python's TypeError, "bad operand type for unary +")."""
    t = Tensor(np.array([1.5, -2.5]), requires_grad=True)
    v = Value(2.0)
    assert +t is t and +v is v
    (+t * 3).sum().backward()
    (+v * 3).backward()
    assert t.grad.tolist() == [3.0, 3.0] and v.grad == 3.0
    with pytest.raises(TypeError, match="bool tensor"):
        +Tensor(np.array([True]))  # noqa: B018 (refused, as PyTorch's and numpy's)


FLOATS = np.array([1.5, -2.5, 7.0, -7.0, 1.0, 0.3, -0.0])
DIVISORS = np.array([2.0, 2.0, -2.0, 0.5, 0.1, 0.1, 3.0])


def test_floor_division_is_torchs_where_no_gradient_flows():
    """`a // b` of tensors that need no gradient: PyTorch's floor_divide to the bit, in the operands' dtype
    (it was Python's TypeError, "unsupported operand type(s) for //"), numbers on either side."""
    torch = pytest.importorskip("torch")
    for dtype in (np.float64, np.float32):
        a, b = FLOATS.astype(dtype), DIVISORS.astype(dtype)
        want = torch.floor_divide(torch.tensor(a), torch.tensor(b)).numpy()
        for got in (Tensor(a) // Tensor(b), Tensor(a).floor_divide(Tensor(b)), np.floor_divide(Tensor(a), b)):
            assert got.dtype == dtype and np.array_equal(got.data, want)
        assert np.array_equal((Tensor(a) // 2).data, torch.floor_divide(torch.tensor(a), 2).numpy())
        assert np.array_equal((3 // Tensor(b)).data, torch.floor_divide(3, torch.tensor(b)).numpy())
    ints = np.array([7, -7, 0, 5])
    assert (Tensor(ints) // 2).data.tolist() == torch.tensor(ints).floor_divide(2).tolist() == [3, -4, 0, 2]
    with pytest.raises(ZeroDivisionError, match="integers by zero"):  # numpy's 0; PyTorch raises too
        Tensor(ints) // 0
    assert (Tensor(1.0) // 0.1).item() == 1.0 // 0.1 == 9.0  # the quotient the remainder takes, not floor(10.0)


def test_floor_division_takes_a_list_and_an_empty_tensor_as_the_other_operators():
    """`t // [1, 2, 3]` was "Field elements must be 2- or 3-tuples" (np.result_type reading the list as a record
    dtype) where `t % [1, 2, 3]` computes; an empty integer tensor // 0 was a ZeroDivisionError where nothing is
    divided (PyTorch gives the empty tensor)."""
    torch = pytest.importorskip("torch")
    t, ints = Tensor(np.array([7.0, -7.0, 1.5])), Tensor(np.array([7, -7, 3]))
    assert (t // [1, 2, 3]).data.tolist() == [7.0, -4.0, 0.0] and ([1, 2, 3] // t).data.tolist() == [0.0, -1.0, 2.0]
    assert (ints // (2, 2, 2)).data.tolist() == [3, -4, 1]
    empty = Tensor(np.zeros(0, np.int64)) // 0
    assert empty.shape == tuple(torch.zeros(0, dtype=torch.int64).floor_divide(0).shape) == (0,)
    with pytest.raises(ZeroDivisionError, match="integers by zero"):
        ints // [1, 0, 2]  # noqa: B018
    with pytest.raises(ZeroDivisionError, match="integers by zero"):
        Tensor(np.ones((2, 1), np.int64)) // Tensor(np.array([1, 0]))  # noqa: B018 (broadcast: the 0 meets both rows)


def test_floor_division_refuses_an_operand_that_needs_a_gradient():
    """PyTorch's // has no derivative (its backward raises): refused when applied, never a silent 0; a
    detached tensor, no_grad and a Value's number divide."""
    t = Tensor(FLOATS, requires_grad=True)
    for call, side in [(lambda: t // 2, "left"), (lambda: 2 // t, "right"), (lambda: np.floor_divide(t, 2), "left")]:
        with pytest.raises(NotImplementedError, match=f"its {side} operand, a Tensor of shape \\(7,\\) that requires"):
            call()
    v = Value(1.0)
    with pytest.raises(NotImplementedError, match=r"left operand, Value 1.0, needs a gradient.*v.data // b"):
        v // 0.1  # noqa: B018
    with pytest.raises(NotImplementedError, match="right operand"):
        3 // v  # noqa: B018
    assert np.array_equal((t.detach() // 2).data, FLOATS // 2)
    with pytest.raises(NotImplementedError, match="left operand, Value 1.0"):
        v // t.detach()  # noqa: B018 (the Tensor's method takes the Value's number, as t // v)
    with autograd.no_grad():
        assert (v // 0.1).data == 9.0 and not (t // 2).requires_grad
        assert (v // Tensor(np.array([0.5, 0.3]))).data.tolist() == [2.0, 3.0]
    with pytest.raises(TypeError, match="unsupported operand"):
        t.detach() // "2"  # noqa: B018 (Python's own words, as for any other operator)


def test_the_floor_divide_method_is_the_operator():
    """`t.floor_divide(None)` returned NotImplemented as its quotient (the bare `__floordiv__`), and
    `v.floor_divide(t)` NotImplemented where `v // t` divides: both are `//` now, a TypeError where `//` is one."""
    t = Tensor(np.array([7.0, -7.0]))
    for node in (t, Value(7.0)):
        with pytest.raises(TypeError, match="unsupported operand type"):
            node.floor_divide(None)
    with autograd.no_grad():
        assert Value(7.0).floor_divide(t).data.tolist() == (Value(7.0) // t).data.tolist() == [1.0, -1.0]
        assert Value(7.0).floor_divide(2).data == 3.0 and t.floor_divide(other=2).data.tolist() == [3.0, -4.0]


def test_a_value_floor_divided_by_an_array_is_numpys_as_its_remainder():
    """Under no_grad `v // np.array([2.0, 3.0])` was "Value needs a real number, got ndarray" where `v % array`
    gives numpy's elementwise Values: numpy takes it, as for `%`."""
    v = Value(7.0)
    with autograd.no_grad():
        quotients, remainders = v // np.array([2.0, 3.0]), v % np.array([2.0, 3.0])
        assert type(quotients) is type(remainders) is np.ndarray and [q.data for q in quotients] == [3.0, 2.0]
        quotient, remainder = v // np.array(2.0), v % np.array(2.0)
        assert type(quotient) is type(remainder) is Value and quotient.data == 3.0
    with pytest.raises(NotImplementedError, match="left operand, Value 7.0"):
        v // np.array([2.0])  # noqa: B018 (a gradient would flow: refused, as for a number)


def test_floor_division_of_a_compiled_steps_input_is_as_eager():
    """A step's input that requires no grad divides eagerly; while recorded it requires grad as a stand-in, and
    `x // 2` was refused as needing a gradient on every compiled call."""

    def step(x, w):
        return (x * w).sum() + (x // 2).sum()

    run = autograd.compile(step)
    for i in range(3):
        x, w = Tensor(np.array([1.0 + i, 5.0])), Tensor(np.ones(2), requires_grad=True)
        assert run(x, w).item() == step(x, w).item() == [8.0, 10.0, 11.0][i]
    with pytest.raises(NotImplementedError, match="left operand"):  # one that requires grad eagerly: refused
        run(Tensor(np.array([1.0, 5.0]), requires_grad=True), w)


def test_shifts_of_integers_are_torchs_and_floats_are_refused():
    """`t << 1`, `t >> 1` of integer tensors, as PyTorch's (they were Python's TypeError); floats are
    refused, as PyTorch refuses them (a TypeError naming the operator)."""
    torch = pytest.importorskip("torch")
    ints = np.array([3, -8, 5, 0])
    assert (Tensor(ints) << 2).data.tolist() == (torch.tensor(ints) << 2).tolist()
    assert (Tensor(ints) >> 1).data.tolist() == (torch.tensor(ints) >> 1).tolist()
    assert (1 << Tensor(np.array([1, 2]))).data.tolist() == [2, 4]
    assert np.right_shift(Tensor(ints), 1).data.tolist() == [1, -4, 2, 0]
    with pytest.raises(TypeError, match="<<: no << of float64 and int64: it takes bools or integers"):
        Tensor(np.array([1.5]), requires_grad=True) << 1  # noqa: B018


@pytest.mark.parametrize(("a", "b"), [((), ()), ((), (2,)), ((2,), ())])
def test_matmul_of_a_0d_tensor_is_numpys_shape_error(a, b):
    """`t @ u` with a 0-d operand on the left was an IndexError ("tuple index out of range"); numpy's words
    now, as for a 0-d right operand (PyTorch refuses both: "need to be at least 1D")."""
    with pytest.raises(ShapeError, match=r"do not fit \(matmul: Input operand [01] does not have enough dimensions"):
        Tensor(np.ones(a), requires_grad=True) @ Tensor(np.ones(b))


def test_floor_division_in_place_changes_the_tensor_as_pytorchs():
    """`t //= 2` changed only the name (Python's fallback, t = t // 2), so another name for the tensor (a
    model's buffer) kept the old numbers; it is in place now, as PyTorch's and as `%=`."""
    torch = pytest.importorskip("torch")
    t = Tensor(FLOATS.copy())
    same = t
    t //= 2
    theirs = torch.tensor(FLOATS.copy())
    theirs //= 2
    assert same is t and np.array_equal(same.data, theirs.numpy())
    leaf = Tensor(FLOATS.copy(), requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf tensor that requires grad"):
        leaf //= 2
    v = Value(7.5)
    with autograd.no_grad():
        v //= 2
    assert v.data == 3.0


def test_mask_and_shift_operators_change_the_tensor_in_place_as_pytorchs():
    """`keep &= y > 0` rebound the name only (Python's fallback), so a module holding the mask kept it as it
    was; in place now, as PyTorch's `&=`, `|=`, `^=`, `<<=`, `>>=`."""
    torch = pytest.importorskip("torch")
    keep, theirs = Tensor(np.array([True, True, False])), torch.tensor([True, True, False])
    held = keep
    keep &= Tensor(np.array([1.0, -1.0, 1.0])) > 0
    theirs &= torch.tensor([1.0, -1.0, 1.0]) > 0
    assert held is keep and held.data.tolist() == theirs.tolist() == [True, False, False]
    counts, theirs = Tensor(np.array([1, 2, 6])), torch.tensor([1, 2, 6])
    held = counts
    for in_place, operand in [("__ilshift__", 2), ("__irshift__", 1), ("__ior__", 1), ("__ixor__", 3)]:
        assert getattr(counts, in_place)(operand) is held
        getattr(theirs, in_place)(operand)
        assert held.data.tolist() == theirs.tolist()
