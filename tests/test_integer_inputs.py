"""Integer and bool tensors given to an op that makes floats of them (exp, sigmoid, gelu, softmax) give
the op of those numbers as floats, in the float numpy's ufuncs compute them in (uint8 and bool: float16),
whatever steps the op's forward takes: sigmoid's −|x| and softmax's x − max wrapped around in unsigned
integers. So do nn's losses given integer predictions. And fmod and % of integers by zero raise, as
Python's and PyTorch's; ops numpy refuses for bools, and contractions of bools (an OR of ANDs, not a
count), raise naming the op and the way on."""

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor
from autograd.op_table import ELEMENTWISE

DTYPES = [np.uint8, np.uint16, np.uint32, np.uint64, np.int8, np.int16, np.int32, np.int64, np.bool_]


def makes_floats(name):
    with np.errstate(all="ignore"):  # atanh(1)
        return getattr(autograd, name)(Tensor(np.ones(1, np.int8))).dtype.kind == "f"


MAKE_FLOATS = [d.name for d in ELEMENTWISE if d.arity == 1 and makes_floats(d.name)]


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("name", MAKE_FLOATS)
def test_a_float_op_of_integers_is_the_op_of_them_as_floats(name, dtype):
    data = np.array([1, 0, 1, 1] if dtype is np.bool_ else [2, 0, 1, 3]).astype(dtype)
    floats = data.astype(np.result_type(dtype, np.float16))
    op = getattr(autograd, name)
    with np.errstate(all="ignore"):  # log(0), acosh(0): the op's own domain
        out, expected = op(Tensor(data)).data, op(Tensor(floats, dtype=floats.dtype)).data
    assert out.dtype == floats.dtype
    np.testing.assert_array_equal(out, expected)


@pytest.mark.parametrize("dtype", [np.int64, np.uint8, np.bool_], ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("name", ["fmod", "remainder"])
def test_an_integer_zero_divisor_is_refused_as_pythons(name, dtype):
    """numpy makes 0 of it, with a warning; PyTorch raises, as Python's % does. Floats give NaN, as both."""
    op = getattr(autograd, name)
    with pytest.raises(ZeroDivisionError, match=f"{name}.*is undefined"):
        op(Tensor(np.array([3, 1], dtype)), Tensor(np.array([1, 0], dtype)))
    with pytest.raises(ZeroDivisionError):
        op(Tensor(np.array([3, 1], dtype)), 0)
    assert (
        op(Tensor(np.array([3, 4], dtype)), Tensor(np.array([2, 3], dtype))).data.tolist() == [1, 1]
        or dtype is np.bool_
    )
    with np.errstate(invalid="ignore"):
        assert np.isnan(op(Tensor(np.array([3.0])), 0).data).all()


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
def test_the_softmax_family_of_integers_is_of_them_as_floats(dtype):
    """x - max wrapped around in unsigned integers: softmax of uint8 logits was NaN, cross_entropy inf."""
    data = np.array([[1, 0, 1], [0, 1, 1]] if dtype is np.bool_ else [[2, 0, 1], [3, 1, 5]]).astype(dtype)
    floats = data.astype(np.result_type(dtype, np.float16))
    for f in (
        lambda t: t.softmax(axis=1),
        lambda t: t.log_softmax(axis=0),
        lambda t: t.logsumexp(axis=1),
        lambda t: autograd.cross_entropy(t, np.array([0, 2])),
    ):
        out, expected = f(Tensor(data)).data, f(Tensor(floats, dtype=floats.dtype)).data
        assert out.dtype == floats.dtype
        np.testing.assert_array_equal(out, expected)


TARGETS = np.array([[1.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
LOSSES = {
    "mse_loss": lambda p: nn.functional.mse_loss(p, TARGETS),
    "l1_loss": lambda p: nn.functional.l1_loss(p, TARGETS),
    "huber_loss": lambda p: nn.functional.huber_loss(p, TARGETS, reduction="none"),
    "smooth_l1_loss": lambda p: nn.functional.smooth_l1_loss(p, TARGETS),
    "binary_cross_entropy": lambda p: nn.functional.binary_cross_entropy(p, TARGETS, reduction="sum"),
    "binary_cross_entropy_with_logits": lambda p: nn.functional.binary_cross_entropy_with_logits(p, TARGETS),
    "kl_div": lambda p: nn.functional.kl_div(p, TARGETS / 2),
    "cross_entropy": lambda p: nn.functional.cross_entropy(p, np.array([0, 2]), label_smoothing=0.1),
    "nll_loss": lambda p: nn.functional.nll_loss(p, np.array([0, 2])),
}


@pytest.mark.parametrize("dtype", [np.uint8, np.int64, np.bool_], ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("name", LOSSES)
def test_a_loss_of_integer_predictions_is_of_them_as_floats(name, dtype):
    """The target cast to the predictions' dtype and p - t in it: l1_loss of uint8 predictions was 42.8
    for 0.5, kl_div of int64 ones 0 (targets truncated), and bools raised numpy's TypeError."""
    data = np.array([[1, 0, 1], [0, 1, 1]]).astype(dtype)
    beside = TARGETS.dtype if name not in ("cross_entropy", "nll_loss") else np.float16  # labels: no float
    floats = data.astype(np.result_type(dtype, np.float16, beside))  # as numpy's p - t promotes
    out, expected = LOSSES[name](Tensor(data)).data, LOSSES[name](Tensor(floats, dtype=floats.dtype)).data
    assert out.dtype == floats.dtype
    np.testing.assert_array_equal(out, expected)


def test_integer_predictions_beside_float64_targets_are_computed_in_float64():
    """As numpy's p - t promotes: uint8 predictions were taken in float16 whatever the targets, so a target
    of 200.3 was 200.25 and a sum of squares of 255s overflowed float16's 65504 to inf."""
    p = Tensor(np.zeros(4, np.uint8))
    got = nn.functional.mse_loss(p, np.full(4, 255.0), reduction="sum")
    assert got.dtype == np.float64 and got.item() == 4 * 255.0**2
    assert nn.functional.l1_loss(Tensor(np.array([200], np.uint8)), np.array([200.3])).item() == pytest.approx(0.3)


@pytest.mark.parametrize("d", ELEMENTWISE, ids=lambda d: d.name)
def test_an_op_numpy_refuses_for_bools_names_itself_and_the_way_on(d):
    """`-mask`, `mask - mask`, `sign(mask)`: numpy's refusal was all, in its words (a ufunc 'loop')."""
    mask = Tensor(np.array([True, True]))  # no zero divisor (fmod's refusal of it is its own)
    try:
        with np.errstate(all="ignore"):
            getattr(autograd, d.name)(*[mask] * d.arity)
    except TypeError as e:
        assert str(e).startswith(f"{d.symbol or d.name} of a bool tensor is not defined"), e
        assert "astype(int)" in str(e)


@pytest.mark.parametrize(
    "contract",
    [
        lambda m: autograd.einsum("i->", m),
        lambda m: autograd.einsum("i,i->", m, m),
        lambda m: m @ m,
        lambda m: np.dot(m, m),
    ],
    ids=["einsum sum", "einsum product", "matmul", "np.dot"],
)
def test_a_contraction_of_bools_is_refused_not_a_logical_or(contract):
    """numpy's sum of products of bools is their OR of ANDs: einsum("i->", mask) was True where
    mask.sum() is 2. PyTorch refuses them; integers count."""
    mask = Tensor(np.array([True, True, False]))
    with pytest.raises(TypeError, match=r"of bool tensors would be a logical OR of ANDs.*astype\(int\)"):
        contract(mask)
    assert contract(mask.astype(int)).item() == 2


@pytest.mark.parametrize(
    "contract",
    [lambda m, w: m @ w, lambda m, w: autograd.einsum("i,i->", m, w), lambda m, w: autograd.einsum("i,i,i->", m, m, w)],
    ids=["matmul", "einsum", "einsum of three"],
)
def test_a_contraction_of_bools_beside_numbers_is_their_count(contract):
    """mask @ w sums w where mask holds, in w's dtype, as it did before bools alone were refused."""
    mask, w = Tensor(np.array([True, True, False])), Tensor(np.array([1.5, 2.0, 4.0]), requires_grad=True)
    out = contract(mask, w)
    out.backward()
    assert out.item() == 3.5 and w.grad.tolist() == [1.0, 1.0, 0.0]
