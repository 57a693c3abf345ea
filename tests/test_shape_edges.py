"""Shape, index and reduction ops at their edges, from an audit against PyTorch: a tensor that
requires grad written into a plain one (refused: its gradient would be lost), einsum with a letter
of length 1 that broadcasts, empty axes (var, logsumexp, softmax, argmax, dot), +inf in the softmax
family, flips of nothing and of 0-d tensors, and einsum's interleaved form."""

import numpy as np
import pytest
from torch_reference import F, check, torch  # without torch: skipped

import autograd
from autograd import Tensor, Value, no_grad


def test_writing_a_tensor_that_requires_grad_into_a_plain_one_is_refused():
    """It dropped w's gradient through t without a word (w.grad [5, 5] where PyTorch gives [10, 10])."""
    w, t = Tensor(np.array([2.0, 3.0]), requires_grad=True), Tensor(np.zeros(4))
    for value in (w, w * 2, Value(1.5)):
        with pytest.raises(RuntimeError, match="its gradient would be lost"):
            t[1:3] = value
    assert np.array_equal(t.data, np.zeros(4)) and t._version == 0  # nothing half-done
    with no_grad():
        t[1:3] = w  # no graph: a plain copy of the numbers
    t[0] = Tensor(5.0)  # a constant: as before
    assert t.data.tolist() == [5.0, 2.0, 3.0, 0.0]


@pytest.mark.parametrize(
    "subscripts, shapes",
    [
        ("i,i->", [(3,), (1,)]),
        ("ba,da->bd", [(2, 1), (4, 3)]),
        ("ij,jk->ik", [(2, 1), (3, 4)]),
        ("i,i->i", [(1,), (0,)]),
    ],
)
def test_einsum_with_a_letter_that_broadcasts_from_length_one(subscripts, shapes):
    rng = np.random.default_rng(0)
    arrays = [rng.normal(size=s) for s in shapes]
    check(
        lambda *ts: autograd.einsum(subscripts, *ts),
        lambda *ts: torch.einsum(subscripts, *ts),
        arrays,
        np.float64,
    )


@pytest.mark.filterwarnings("ignore:divide by zero:RuntimeWarning")  # log(0) = -inf, numpy's warning (a Tensor's)
def test_reductions_over_empty_axes_as_torch():
    x = Tensor(np.zeros((1, 0)), requires_grad=True)
    y = x.var(axis=0)
    y.backward(np.ones(y.shape))  # ZeroDivisionError "infinite derivative" before
    assert x.grad.shape == (1, 0)
    assert Tensor(np.zeros((2, 0))).logsumexp(axis=1).data.tolist() == [-np.inf, -np.inf]
    assert Tensor(np.zeros(0)).softmax(0).shape == (0,) and Tensor(np.zeros((2, 0))).log_softmax(1).shape == (2, 0)
    assert Tensor(np.zeros((0, 3))).argmax(axis=1).shape == (0,)
    with pytest.raises(ValueError, match="argmax\\(\\) over an empty axis 0"):
        Tensor(np.zeros((0, 3))).argmax(axis=0)
    assert Tensor(np.zeros(0)).dot(np.zeros(0)).item() == 0.0
    assert autograd.tensordot(Tensor(np.zeros((2, 0))), np.zeros((0, 3)), 1).data.tolist() == [[0.0] * 3] * 2


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("shape, axis", [((2, 0), 1), ((0, 3), 0), ((0,), 0)])
def test_softmax_and_log_softmax_over_an_empty_axis_are_empty_without_a_warning(shape, axis):
    """log_softmax took the log of each row's empty sum (0) on the way: numpy's divide-by-zero warning."""
    for name in ("softmax", "log_softmax"):
        x = Tensor(np.zeros(shape), requires_grad=True)
        getattr(x, name)(axis=axis).sum().backward()
        assert x.grad.shape == shape


@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning", "ignore:divide by zero:RuntimeWarning")
@pytest.mark.parametrize("row", [[np.inf, 1.0], [-np.inf, -np.inf], [np.inf, np.nan], [np.inf, -np.inf]])
def test_the_softmax_family_with_infinite_logits_as_torch(row):
    """A +inf logit makes its row's softmax and log_softmax NaN, as PyTorch's (the finite entries
    came out 0 or -inf beside it); its logsumexp is +inf; a row of -inf has logsumexp -inf."""
    x = np.array([row])
    for ours, theirs in (
        (Tensor(x).softmax(1), torch.from_numpy(x).softmax(1)),
        (Tensor(x).log_softmax(1), torch.from_numpy(x).log_softmax(1)),
        (Tensor(x).logsumexp(axis=1), torch.from_numpy(x).logsumexp(1)),
    ):
        np.testing.assert_array_equal(ours.data, theirs.numpy())
    ce = autograd.cross_entropy(Tensor(x), np.array([1])).item()
    assert np.isnan(ce) == np.isnan(F.cross_entropy(torch.from_numpy(x), torch.tensor([1])).item())


def test_flips_of_nothing_and_of_a_0d_tensor():
    assert np.flip(Tensor(np.arange(3.0)), ()).data.tolist() == [0.0, 1.0, 2.0]  # numpy's: no axis flipped
    assert Tensor(np.array(2.0)).flip(0).item() == 2.0


def test_einsums_interleaved_form_is_a_clear_type_error():
    with pytest.raises(TypeError, match="subscripts first, as a string"):
        autograd.einsum(Tensor(np.ones((2, 2))), [0, 1], [1, 0])


@pytest.mark.parametrize(
    "subscripts, shape",
    [("ii->i", (3, 3)), ("ii->", (3, 3)), ("iij->ij", (2, 2, 3)), ("iii->i", (2, 2, 2)), ("ijj->ji", (2, 3, 3))],
)
@pytest.mark.parametrize("create_graph", [False, True])
def test_einsum_diagonal_sends_nothing_off_it_under_an_infinite_gradient(subscripts, shape, create_graph):
    """A letter repeated in an operand (a diagonal) took its gradient through a product with an identity matrix:
    an infinite or NaN gradient from above made NaN off the diagonal, entries the result does not depend on
    (einsum("ii->i") of a 3x3 under g = [nan, 1, inf]: 4 NaN off it, where PyTorch gives 0 there)."""
    x = np.arange(np.prod(shape), dtype=np.float64).reshape(shape)
    out_shape = np.einsum(subscripts, x).shape
    g = np.resize(np.array([np.nan, 1.0, np.inf, -np.inf, 2.0]), out_shape)
    ours = Tensor(x, requires_grad=True)
    (got,) = autograd.gradients(
        (autograd.einsum(subscripts, ours) * Tensor(g)).sum(), [ours], create_graph=create_graph
    )
    theirs = torch.tensor(x, requires_grad=True)
    (expected,) = torch.autograd.grad((torch.einsum(subscripts, theirs) * torch.from_numpy(g)).sum(), [theirs])
    np.testing.assert_array_equal(np.asarray(autograd.raw(got)), expected.numpy())
