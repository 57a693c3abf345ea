"""nn.functional.ctc_loss and nn.CTCLoss against torch 2.13 in float64 (loss and gradient through log_softmax,
1e-10) over random shapes, repeated labels, the blank at other indices, both layouts of the targets, every
reduction and zero_infinity; the gradient with respect to log_probs themselves against finite differences
(torch's there is exp(log_probs) - q, the gradient through log_softmax folded in, not the loss's own slope);
and the refusals."""

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import ShapeError, Tensor
from nn.sequences import LengthError

torch = pytest.importorskip("torch", reason="PyTorch is the reference")


def _case(seed: int):
    rng = np.random.default_rng(seed)
    steps, batch, classes = int(rng.integers(1, 12)), int(rng.integers(1, 5)), int(rng.integers(2, 6))
    blank, longest = int(rng.integers(0, classes)), int(rng.integers(0, 6))
    labels = [c for c in range(classes) if c != blank]
    targets = rng.choice(labels, (batch, max(longest, 1)))
    if seed % 3 == 0:  # repeats: each label twice
        targets = np.repeat(targets[:, : (targets.shape[1] + 1) // 2], 2, 1)[:, : targets.shape[1]]
    target_lengths = rng.integers(0, longest + 1, batch)
    input_lengths = rng.integers(0, steps + 1, batch)
    if seed % 4 == 1:  # concatenated
        targets = np.concatenate([targets[n, : target_lengths[n]] for n in range(batch)])
    return rng.normal(size=(steps, batch, classes)) * 2, targets, input_lengths, target_lengths, blank, rng


@pytest.mark.parametrize("seed", range(40))
@pytest.mark.parametrize("reduction", ["none", "mean", "sum"])
@pytest.mark.parametrize("zero_infinity", [False, True])
def test_loss_and_gradient_are_torchs(seed, reduction, zero_infinity):
    x0, targets, input_lengths, target_lengths, blank, rng = _case(seed)
    options = {"blank": blank, "reduction": reduction, "zero_infinity": zero_infinity}
    xt = torch.tensor(x0, requires_grad=True)
    given = [torch.tensor(targets), torch.tensor(input_lengths), torch.tensor(target_lengths)]
    want = torch.nn.functional.ctc_loss(xt.log_softmax(2), *given, **options)
    weights = rng.normal(size=want.shape)
    (want * torch.tensor(weights)).sum().backward()
    x = Tensor(x0, requires_grad=True)
    got = F.ctc_loss(x.log_softmax(2), targets, input_lengths, target_lengths, **options)
    (got * Tensor(weights)).sum().backward()
    np.testing.assert_allclose(got.data, want.detach().numpy(), rtol=0, atol=1e-10)
    np.testing.assert_allclose(x.grad, xt.grad.numpy(), rtol=0, atol=1e-10)  # NaN where torch's is


def test_an_alignment_too_long_is_inf_with_a_nan_gradient_or_zero_with_zero_infinity():
    x0 = np.random.default_rng(1).normal(size=(3, 2, 4))
    targets, input_lengths, target_lengths = np.array([[1, 1, 2], [1, 2, 3]]), [3, 3], [3, 3]  # 1, 1 needs 4 steps
    for zero_infinity, loss, grad in ((False, np.inf, np.nan), (True, 0.0, 0.0)):
        x = Tensor(x0, requires_grad=True)
        out = F.ctc_loss(x, targets, input_lengths, target_lengths, reduction="none", zero_infinity=zero_infinity)
        out.sum().backward()
        assert out.data[0] == loss and np.isfinite(out.data[1])
        np.testing.assert_array_equal(x.grad[:, 0], np.full((3, 4), grad))
        assert np.isfinite(x.grad[:, 1]).all() and np.abs(x.grad[:, 1]).sum() > 0


def test_the_gradient_with_respect_to_log_probs_is_the_losss_own_slope():
    rng = np.random.default_rng(2)
    x0 = np.log(rng.dirichlet(np.ones(5), (6, 2)))
    args = (np.array([[1, 3, 3], [2, 4, 1]]), [6, 5], [3, 2])
    x = Tensor(x0, requires_grad=True)
    F.ctc_loss(x, *args, reduction="sum").backward()
    h, numeric = 1e-6, np.zeros_like(x0)
    for i in np.ndindex(x0.shape):
        up, down = x0.copy(), x0.copy()
        up[i] += h
        down[i] -= h
        numeric[i] = (
            F.ctc_loss(Tensor(up), *args, reduction="sum").data - F.ctc_loss(Tensor(down), *args, reduction="sum").data
        ) / (2 * h)
    np.testing.assert_allclose(x.grad, numeric, atol=1e-8)


def test_long_sequences_stay_finite_in_log_space():
    rng = np.random.default_rng(3)
    x0 = rng.normal(size=(400, 1, 6)) * 30  # probabilities down to e^-300 a step: no product of them is a float
    targets = rng.integers(1, 6, (1, 60))
    xt = torch.tensor(x0, requires_grad=True)
    want = torch.nn.functional.ctc_loss(
        xt.log_softmax(2), torch.tensor(targets), torch.tensor([400]), torch.tensor([60])
    )
    want.backward()
    x = Tensor(x0, requires_grad=True)
    got = F.ctc_loss(x.log_softmax(2), targets, [400], [60])
    got.backward()
    assert np.isfinite(got.data) and got.data > 1
    np.testing.assert_allclose(got.data, want.item(), rtol=1e-12)
    np.testing.assert_allclose(x.grad, xt.grad.numpy(), rtol=0, atol=1e-10)


def test_unbatched_input_and_the_module():
    rng = np.random.default_rng(4)
    x0 = rng.normal(size=(5, 4))
    want = torch.nn.functional.ctc_loss(
        torch.tensor(x0).log_softmax(1), torch.tensor([1, 2]), torch.tensor(5), torch.tensor(2), blank=3
    )
    got = nn.CTCLoss(3)(Tensor(x0).log_softmax(1), [1, 2], 5, 2)
    assert got.shape == () and abs(got.data - want.item()) < 1e-12
    assert repr(nn.CTCLoss(blank=2, zero_infinity=True)) == "CTCLoss(blank=2, zero_infinity=True)"


@pytest.mark.parametrize(
    ("change", "error", "words"),
    [
        ({"input_lengths": [6, 5]}, LengthError, "at most the input's length T=5"),
        ({"target_lengths": [4, 1]}, ShapeError, "pad the targets"),
        ({"target_lengths": [-1, 1]}, LengthError, "target_lengths must be >= 0"),
        ({"targets": np.array([[1, 7, 2], [1, 1, 1]])}, IndexError, "outside the 4 classes"),
        ({"targets": np.array([[1, 0, 2], [1, 1, 1]])}, ValueError, "is the blank (0)"),
        ({"targets": np.array([1, 2, 3])}, ShapeError, "sum(target_lengths)=4"),
        ({"targets": np.array([[1.0, 2.0, 3.0], [1, 1, 1]])}, TypeError, "targets must hold integers"),
        ({"blank": 4}, ValueError, "blank must be a class index in [0, 4)"),
        ({"input_lengths": [5]}, ShapeError, "one length per sequence (2)"),
        ({"reduction": "avg"}, ValueError, "reduction"),
    ],
)
def test_refusals_name_the_argument_and_the_fix(change, error, words):
    args = {"targets": np.array([[1, 2, 3], [1, 1, 1]]), "input_lengths": [5, 4], "target_lengths": [3, 1]}
    args |= change
    lp = Tensor(np.zeros((5, 2, 4)))
    with pytest.raises(error, match="ctc_loss") as caught:
        F.ctc_loss(lp, **args)
    assert words in str(caught.value)


def test_memory_is_checked_before_the_recursion():
    steps, longest = 10**5, 10**6  # 2 * 10**11 states of float64 a copy: no machine holds them
    with pytest.raises(MemoryError, match="ctc_loss.*T=100000, N=1, S=1000000"):
        F.ctc_loss(Tensor(np.zeros((steps, 1, 2))), np.ones((1, longest), np.int64), [steps], [longest])


def test_second_derivatives_come_with_autograds_ops():
    """A Hessian-vector product through log_softmax and ctc_loss against finite differences of the gradient
    (torch 2.13's ctc_loss has no second derivative)."""
    from autograd.functional import grad

    rng = np.random.default_rng(5)
    x0, v = rng.normal(size=(5, 2, 4)), rng.normal(size=(5, 2, 4))
    args = (np.array([[1, 2, 2], [3, 1, 0]]), [5, 4], [3, 2])
    gradient = grad(lambda x: F.ctc_loss(x.log_softmax(2), *args, reduction="sum"))
    product = grad(lambda x: (gradient(x) * Tensor(v)).sum())(Tensor(x0))
    h = 1e-5
    numeric = (np.asarray(gradient(Tensor(x0 + h * v)).data) - np.asarray(gradient(Tensor(x0 - h * v)).data)) / (2 * h)
    np.testing.assert_allclose(np.asarray(product.data), numeric, atol=1e-9)


def test_an_infeasible_target_and_huge_log_probs_warn_nothing():
    """The NaN gradient of an inf loss, and log-probabilities of -1e35 in float32 over 2000 steps, came with
    numpy RuntimeWarnings from inside chainrule (divide by zero and invalid value in backward, overflow in cast
    in forward): a user saw numpy's words, not chainrule's. Both are quiet now, with the same numbers."""
    import warnings

    x0 = np.random.default_rng(1).normal(size=(3, 2, 4))
    targets = np.array([[1, 1, 2], [1, 2, 3]])  # 1, 1, 2 needs 4 steps
    lp = np.full((2000, 1, 3), -1e35, np.float32)
    lp[:, :, 0] = 0.0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        x = Tensor(x0, requires_grad=True)
        F.ctc_loss(x.log_softmax(2), targets, [3, 3], [3, 3], reduction="sum").backward()
        huge = Tensor(lp, requires_grad=True)
        loss = F.ctc_loss(huge, np.array([[1, 2]]), [2000], [2])
        loss.backward()
        beyond = Tensor(np.full((2000, 1, 3), -1e36, np.float32), requires_grad=True)  # -2e39: past float32
        past = F.ctc_loss(beyond, np.array([[1, 2]]), [2000], [2])
        past.backward()
    assert np.isnan(x.grad[:, 0]).all() and np.isfinite(x.grad[:, 1]).all()
    assert loss.data == np.float32(1e35) and np.isfinite(huge.grad).all()
    assert past.data == np.inf and np.isnan(beyond.grad).all()  # torch's inf


@pytest.mark.parametrize("level", [-1e34, -2e34, -1e35])
def test_a_reachable_alignment_is_scored_however_unlikely(level):
    """Every class at -1e34 (float32) for 2000 steps: the one alignment of [1, 2] scores 2000 * -1e34, below
    -max/16, the stand-in that marked an unreachable state, so the target was called infeasible (inf, NaN
    gradient) where torch gives 2.00004e37. Reachability is worked out from the lengths and the -inf entries
    now, and a reachable state is never clamped: torch's loss, to float32's rounding."""
    lp = np.full((2000, 1, 3), level, np.float32)
    args = ([[1, 2]], [2000], [2])
    want = torch.nn.functional.ctc_loss(torch.tensor(lp), *map(torch.tensor, args), reduction="sum")
    x = Tensor(lp, requires_grad=True)
    got = F.ctc_loss(x, *args, reduction="sum")
    got.backward()
    np.testing.assert_allclose(got.data, want.item(), rtol=1e-6)
    assert np.isfinite(x.grad).all()


def test_minus_inf_log_probs_close_their_states_with_a_zero_gradient():
    """A log-probability of -inf: the alignments through it count for nothing and its gradient is 0 (torch's
    NaN); the loss is torch's. A target every alignment of which meets one is inf with gradient 0 (0 with
    zero_infinity), as docs/edge-points.md says."""
    rng = np.random.default_rng(6)
    lp = np.log(rng.dirichlet(np.ones(4), (6, 2)))
    lp[2, 0, 1] = -np.inf  # one alignment of [1, 2] closed
    lp[:, 1, 3] = -np.inf  # label 3 never emitted: [3, 1] has no alignment
    args = (np.array([[1, 2], [3, 1]]), [6, 6], [2, 2])
    want = torch.nn.functional.ctc_loss(torch.tensor(lp), *map(torch.tensor, args), reduction="none")
    for zero_infinity in (False, True):
        x = Tensor(lp, requires_grad=True)
        got = F.ctc_loss(x, *args, reduction="none", zero_infinity=zero_infinity)
        got.sum().backward()
        np.testing.assert_allclose(got.data[0], want[0].item(), rtol=1e-12)
        assert got.data[1] == (0.0 if zero_infinity else np.inf)
        assert x.grad[2, 0, 1] == 0 and np.isfinite(x.grad[:, 0]).all() and np.abs(x.grad[:, 0]).sum() > 0
        np.testing.assert_array_equal(x.grad[:, 1], 0.0)


def test_the_memory_check_counts_what_the_recursion_holds():
    """check_room asked for 8 entries a state (T * N * (2S + 1) of them) where forward and backward hold 28 at
    their peak (T=300, N=4, S=50: 27.8 MB against 7.8 MB asked; 33.7 MB with the reachability masks): a recursion
    the check passed could take 4 times the memory it was checked for. The count asked for covers the peak."""
    import tracemalloc

    from nn import losses_ctc_args

    steps, batch, longest, classes = 300, 4, 50, 20
    rng = np.random.default_rng(8)
    x = Tensor(rng.normal(size=(steps, batch, classes)), requires_grad=True)
    targets = rng.integers(1, classes, (batch, longest))
    tracemalloc.start()
    try:
        F.ctc_loss(x, targets, [steps] * batch, [longest] * batch).backward()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    asked = losses_ctc_args.recursion_entries(steps, batch, longest) * 8
    assert peak <= asked, (peak, asked)
