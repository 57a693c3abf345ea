"""F.cdist against torch.cdist: forward and gradients for p 0, 1/2, 1, 3/2, 2, 3 and inf, batched and broadcast,
in float64 and float32, every compute_mode; second derivatives against torch's norm of the differences (torch's
cdist has none); ties of the largest difference (inf), equal points (distance 0) and the refusals."""

import math

import numpy as np
import pytest
from compile_cases import OPTIMIZERS, assert_same, batches, replays, train
from torch_reference import DTYPES, check, torch  # without torch: skipped

import nn
from autograd import ShapeError, Tensor
from nn import functional as F

ORDERS = [0, 0.5, 1, 1.5, 2, 3, math.inf]
SHAPES = [((3, 4), (5, 4)), ((2, 3, 4), (1, 2, 4)), ((2, 1, 3, 2), (3, 4, 2)), ((1, 1), (2, 1))]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("p", ORDERS)
@pytest.mark.parametrize("shapes", SHAPES)
def test_cdist_matches_torch(dtype, p, shapes):
    rng = np.random.default_rng(len(shapes[0]))
    x1, x2 = (rng.uniform(-2, 2, s) for s in shapes)
    check(lambda a, b: F.cdist(a, b, p), lambda a, b: torch.cdist(a, b, p), [x1, x2], dtype, second=False)
    if p not in (0, math.inf):  # second derivatives: torch's of the norm of the differences (same first ones)
        norm = lambda a, b: torch.linalg.vector_norm(a.unsqueeze(-2) - b.unsqueeze(-3), p, dim=-1)  # noqa: E731
        check(lambda a, b: F.cdist(a, b, p), norm, [x1, x2], dtype)


@pytest.mark.parametrize(
    "mode", ["use_mm_for_euclid_dist_if_necessary", "use_mm_for_euclid_dist", "donot_use_mm_for_euclid_dist"]
)
def test_every_compute_mode_gives_torchs_distances(mode):
    rng = np.random.default_rng(3)
    x1, x2 = rng.uniform(-1, 1, (30, 3)), rng.uniform(-1, 1, (40, 3))
    ours = F.cdist(Tensor(x1), Tensor(x2), compute_mode=mode).data
    np.testing.assert_allclose(ours, torch.cdist(torch.tensor(x1), torch.tensor(x2), compute_mode=mode), 1e-12, 1e-12)
    assert F.cdist(Tensor(x1), Tensor(x1), compute_mode=mode).data.diagonal().max() == 0  # a point to itself: 0


@pytest.mark.parametrize("p", ORDERS)
def test_ties_and_equal_points_take_torchs_gradients(p):
    """Equal points (distance 0): gradient 0; p = inf with |d| tied: sign(d) at each tied entry, as torch's cdist."""
    a, b = np.array([[0.0, 1.0, 2.0], [1.0, 1.0, 1.0]]), np.array([[0.0, 1.0, 2.0], [3.0, -1.0, 0.5]])
    check(lambda a, b: F.cdist(a, b, p), lambda a, b: torch.cdist(a, b, p), [a, b], np.float64, second=False)


@pytest.mark.parametrize("p", [0, 0.5, 1, 2, 3])
def test_a_nan_entry_gives_torchs_nan_distances(p):
    """A NaN difference makes its distance NaN at every finite p, p = 0's count too (it was 2.0, counted as
    differing), as torch's; an infinite one counts as differing at p = 0."""
    a, b = np.array([[np.nan, 1.0], [0.5, 2.0]]), np.array([[0.0, 0.0], [1.0, np.inf]])
    check(lambda a, b: F.cdist(a, b, p), lambda a, b: torch.cdist(a, b, p), [a, b], np.float64, second=False)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda: F.cdist(Tensor(np.ones((2, 3))), Tensor(np.ones((2, 3))), -1.0),
            ValueError,
            "p must be a number >= 0",
        ),
        (lambda: F.cdist(Tensor(np.ones((2, 3))), Tensor(np.ones((2, 3))), math.nan), ValueError, "p must be"),
        (lambda: F.cdist(Tensor(np.ones((2, 3))), Tensor(np.ones((2, 3))), "2"), TypeError, "p must be"),
        (
            lambda: F.cdist(Tensor(np.ones((2, 3))), Tensor(np.ones((2, 3))), compute_mode="mm"),
            ValueError,
            "compute_mode",
        ),
        (lambda: F.cdist(Tensor(np.ones(3)), Tensor(np.ones((2, 3)))), ShapeError, r"x1.reshape\(1, -1\)"),
        (lambda: F.cdist(Tensor(np.ones((2, 3))), Tensor(np.ones((2, 2)))), ShapeError, "vectors of one length"),
        (lambda: F.cdist(Tensor(np.ones((2, 2, 3))), Tensor(np.ones((3, 2, 3)))), ShapeError, "do not broadcast"),
        (lambda: F.cdist(Tensor(np.ones((2, 3), int)), Tensor(np.ones((2, 3)))), TypeError, "floating-point"),
    ],
)
def test_cdist_refuses(call, error, message):
    with pytest.raises(error, match=message):
        call()


@pytest.mark.parametrize("p", [0, 1, 2, math.inf])
def test_a_compiled_step_with_cdist_replays_and_gives_eagers_numbers(p):
    """Prototype distances as logits: p=inf's gradient (to every tied entry) is an op, not a detached tensor, so
    the step replays (p 1.5 and 3 run eagerly, with a CompileWarning: their norm's scale is detached)."""

    class Prototypes(nn.Module):
        def __init__(self):
            self.linear = nn.Linear(3, 4, seed=0, dtype=np.float64)
            self.protos = Tensor(np.random.default_rng(0).standard_normal((4, 4)), requires_grad=True)

        def forward(self, x):
            return -F.cdist(self.linear(x), self.protos, p)

    (eager, _), (compiled, run) = (
        train(Prototypes, OPTIMIZERS["adam"], batches((5, 3), 4, 6), c) for c in (False, True)
    )
    assert_same(eager, compiled)
    assert replays(run) == 1


def test_pairs_no_memory_holds_are_refused_before_any_difference_naming_cdist_and_the_fix():
    """cdist holds every pair's difference, (*, P, R, M) entries: 10**5 vectors of 64 in each set ask 2.33 TiB.
    numpy's refusal came through the subtraction ("-: Unable to allocate ...", advising against expand); it is
    cdist's own now, asked before anything is computed, naming the way out."""
    x = Tensor(np.zeros((100_000, 64), np.float32))
    with pytest.raises(MemoryError, match=r"cdist: .*does not fit in memory: .*chunks"):
        F.cdist(x, x)


@pytest.mark.parametrize("shapes", [((100_000, 64), (100_000, 64)), ((2, 1, 3000, 64), (7, 4000, 64))])
def test_the_refusal_says_its_count_is_two_arrays_of_the_shape_it_names(shapes):
    """The count asked is two arrays of the differences' shape (they and their power or gradient alive at once):
    the message named the shape (100000, 100000, 64) beside 1,280,000,000,000 entries, twice its product, unsaid."""
    x1, x2 = (Tensor(np.zeros(s, np.float32)) for s in shapes)
    with pytest.raises(MemoryError) as refused:
        F.cdist(x1, x2)
    shape = np.broadcast_shapes(shapes[0][:-2], shapes[1][:-2]) + (shapes[0][-2], shapes[1][-2], shapes[0][-1])
    assert f"two arrays of shape {shape}" in str(refused.value)
    assert f"({2 * math.prod(shape):,} entries of float32)" in str(refused.value)
