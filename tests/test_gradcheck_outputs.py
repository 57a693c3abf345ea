"""gradcheck's promise in the number of f's outputs: a rule off by more than 2 * 32 times an output entry's
tolerance, in its gradient in any one input element, fails that element's row of the entry's block of 32,
however many entries f gives; right rules pass. One sum over every entry let an error of 15% in one
entry of 100,000 pass (its tolerance grew like the square root of the entries' count)."""

import re

import numpy as np
import pytest

import autograd
import nn
from autograd import GradcheckError, Op, Tensor, gradcheck
from autograd.check_blocks import BLOCK
from autograd.check_weights import SPREAD
from nn import functional as F

ATOL, RTOL, EPS = 1e-5, 1e-3, 1e-6


def _trials(seeds: range, default: int) -> list:
    """The seeds, all but the first `default` marked slow: the default run draws a few, `-m slow` the sweep."""
    return [pytest.param(s, marks=[pytest.mark.slow] if k >= default else []) for k, s in enumerate(seeds)]


def _thousands(trial: int) -> tuple[int, int]:
    """Trial's numbers of outputs (1,000 to 30,000, in multiples of 8) and inputs (1 to 4), and its generator."""
    rng = np.random.default_rng(trial)
    return int(8 * round(10 ** rng.uniform(3, 4.5) / 8)), int(rng.integers(1, 5)), rng


def _product(A: np.ndarray, wrong: np.ndarray | None = None) -> Op:
    """x -> A @ x (x a vector, A of shape (*out_shape, n)), its rule's Jacobian A + `wrong`."""
    J = (A if wrong is None else A + wrong).reshape(-1, A.shape[-1])
    # einsum's own loop, not BLAS: whose threads, on a busy machine, stalled a pass of 20,000 entries for
    # 20 to 80 ms (one pass per block of 32: 24 s for one check)

    def rule(g, out, x):
        return (np.einsum("k,kj->j", np.reshape(g, -1), J),)

    return Op("product", lambda x: np.einsum("...j,j->...", A, x), rule)


def _failing_labels(message: str) -> list[str]:
    rows = [line for line in message.splitlines() if "<- fails" in line or "<- cannot judge" in line]
    return [re.split(r"\s{2,}", line)[0] for line in rows]  # a table's cells are two spaces apart


def _draw(rng: np.random.Generator, outputs: int, inputs: int) -> tuple[np.ndarray, np.ndarray, tuple]:
    """A dense Jacobian whose output entries' slopes lie over 5 orders of magnitude (1e-2 to 1e3), a
    point, and an output shape (flat or 2-d)."""
    A = rng.uniform(-1, 1, (outputs, inputs)) * 10 ** rng.uniform(-2, 3, (outputs, 1))
    shape = (outputs,) if rng.random() < 0.5 or outputs % 8 else (outputs // 8, 8)
    return A.reshape(*shape, inputs), rng.uniform(-1, 1, inputs), shape


def _block(shape: tuple, lo: int, hi: int) -> str:
    """The label of f's entries lo to hi - 1 (ravel's order) in f's shape, flat or (n, 8): whole rows of 8."""
    return f"f[{lo}:{hi}]" if len(shape) == 1 else f"f[{lo // 8}:{hi // 8}, :]"


def _tolerance(A: np.ndarray, x: np.ndarray, k: int) -> float:
    """Output entry k's tolerance as the promise reads it: atol + rtol * its largest slope + 1e4 times that
    slope's rounding (its size at x and x +- eps, generously)."""
    row = A.reshape(-1, A.shape[-1])[k]
    size = abs(row @ x) + EPS * np.abs(row).max()
    return ATOL + RTOL * np.abs(row).max() + 1e4 * np.finfo(np.float64).eps * size / EPS


# the default run: the draws of at most 10,000 outputs times inputs (16 of the 40)
SMALL_DRAWS = [
    pytest.param(t, marks=[] if _thousands(t)[0] * _thousands(t)[1] <= 10_000 else [pytest.mark.slow])
    for t in range(40)
]


@pytest.mark.parametrize("trial", SMALL_DRAWS)
def test_a_rule_off_by_a_tenth_to_a_fifth_in_one_entry_of_thousands_fails_every_time(trial):
    """1,000 to 30,000 outputs, each moved by every input element; the wrong entry's slope at least 0.05."""
    outputs, inputs, rng = _thousands(trial)
    A, x, shape = _draw(rng, outputs, inputs)
    flat = A.reshape(outputs, inputs)
    k = int(rng.integers(outputs))
    flat[k] = rng.uniform(-1, 1, inputs) * 10 ** rng.uniform(-1, 3)
    flat[k, np.argmax(abs(flat[k]))] += np.sign(flat[k].max()) * 0.05  # a slope of 0.05 at least
    wrong = np.zeros_like(flat)
    wrong[k] = flat[k] * rng.choice([-1, 1]) * rng.uniform(0.1, 0.2)
    with pytest.raises(GradcheckError) as caught:
        gradcheck(_product(A, wrong.reshape(A.shape)), [x])
    lo = k // BLOCK * BLOCK
    block = _block(shape, lo, min(lo + BLOCK, outputs))
    assert any(label.endswith(f"→{block}") for label in _failing_labels(str(caught.value)))
    assert not caught.value.undecided
    assert gradcheck(_product(A), [x])


@pytest.mark.slow  # 3,125 blocks: 5 s each
@pytest.mark.parametrize("trial", range(2))
def test_one_entry_of_a_hundred_thousand_off_by_a_seventh_fails(trial):
    """It passed in 1 of 5 draws: the sum over 100,000 entries had a tolerance of about 0.3."""
    rng = np.random.default_rng(100 + trial)
    A = rng.uniform(-1, 1, (100_000, 4))
    x, k = rng.uniform(-1, 1, 4), int(rng.integers(100_000))
    wrong = np.zeros_like(A)
    wrong[k] = A[k] * 0.15
    with pytest.raises(GradcheckError, match=r"→f\[\d+:\d+\]  "):
        gradcheck(_product(A, wrong), [x])


@pytest.mark.parametrize("trial", _trials(range(30), 6))
def test_an_error_just_beyond_the_promise_fails_and_names_its_block(trial):
    """One Jacobian entry off by 1.01 * SPREAD * BLOCK times its output entry's tolerance, every other exact."""
    rng = np.random.default_rng(1000 + trial)
    outputs, inputs = int(rng.integers(BLOCK + 1, 3000)), int(rng.integers(1, 4))
    A, x, shape = _draw(rng, outputs, inputs)
    k, j = int(rng.integers(outputs)), int(rng.integers(inputs))
    wrong = np.zeros((outputs, inputs))
    wrong[k, j] = rng.choice([-1, 1]) * 1.01 * SPREAD * BLOCK * _tolerance(A, x, k)
    with pytest.raises(GradcheckError) as caught:
        gradcheck(_product(A, wrong.reshape(A.shape)), [x])
    lo = k // BLOCK * BLOCK
    assert f"input 0[{j}]→{_block(shape, lo, min(lo + BLOCK, outputs))}" in _failing_labels(str(caught.value))
    assert "over the entries f[...] indexes" in str(caught.value)


@pytest.mark.parametrize(
    "shape, k, label",
    [
        ((4, 32), 2 * 32 + 5, "input 0[1]→f[2, :]"),  # was →f[64:96]
        ((2, 3, 16), 10, "input 0[1]→f[0, 0:2, :]"),  # was →f[0:32]
        ((5, 20), 40, "input 0[1]→f[1, 12] to f[3, 3]"),  # no slice: its first and last entries; was →f[32:64]
    ],
)
def test_a_block_of_fs_output_is_named_in_fs_own_index_form(shape, k, label):
    """f's entries j to k - 1 (ravel's order) were a row's name, x[i]→f[64:96], where f's shape says which."""
    A = np.random.default_rng(5).uniform(0.5, 1.5, (*shape, 3))
    wrong = np.zeros((np.prod(shape), 3))
    wrong[k, 1] = 0.5
    with pytest.raises(GradcheckError) as caught:
        gradcheck(_product(A, wrong.reshape(A.shape)), [np.array([0.3, -0.6, 0.9])])
    assert label in _failing_labels(str(caught.value)), str(caught.value)


@pytest.mark.parametrize("seed", _trials(range(6), 2))
def test_right_rules_of_many_outputs_pass(seed):
    """A model's outputs in its inputs (a batch through an MLP), a convolution, a softmax and an outer
    product: dense Jacobians of 300 to 3,000 entries, checked block by block."""
    rng = np.random.default_rng(seed)
    hidden = int(rng.integers(4, 16))
    model = nn.Sequential(nn.Linear(6, hidden, seed=seed), nn.Tanh(), nn.Linear(hidden, 10, seed=seed + 1))
    assert gradcheck(lambda X: model(X), [rng.normal(size=(int(rng.integers(30, 300)), 6))])
    image, kernel = rng.normal(size=(1, 2, 9, 9)), rng.normal(size=(4, 2, 3, 3))
    assert gradcheck(lambda a, k: F.conv2d(a, k), [image, kernel])
    assert gradcheck(lambda z: z.softmax(axis=-1), [rng.normal(size=(20, 40))])
    assert gradcheck(lambda u, v: u.reshape(-1, 1) * v, [rng.normal(size=30), rng.normal(size=50)])
    A, x, _ = _draw(rng, 2000, 3)
    assert gradcheck(_product(A), [x])


def test_the_rows_of_a_small_output_are_one_per_input_element():
    """Up to 32 entries, one block: the table as it was."""
    wrong = np.zeros((32, 3))
    wrong[5, 1] = 0.5
    with pytest.raises(GradcheckError, match=r"1 of 3 gradients disagree(.|\n)*input 0\[1\]  ") as caught:
        gradcheck(_product(np.ones((32, 3)), wrong), [np.ones(3)])
    assert "→f[" not in str(caught.value)


def _matvec(W: np.ndarray, rule_W: np.ndarray) -> Op:
    """x -> W @ x, its rule's Jacobian `rule_W`."""
    return Op("matvec", lambda x: W @ x, lambda g, out, x: (rule_W.T @ g,))


@pytest.mark.parametrize("n", [8, 32, 100])
def test_a_small_entry_off_beside_large_ones_fails_by_its_own_tolerance(n):
    """A matvec whose rule gave 0.025 for W[3, 5] = 0.01 (beside entries up to 2.4 in its row) passed over 100:
    its block's row allowed 64 times atol + rtol * 2.4; each entry is now judged alone, as the criterion reads."""
    rng = np.random.default_rng(n)
    W, x = rng.normal(size=(n, n)), rng.normal(size=n)
    W[3] /= np.abs(W[3]).max()  # the row's largest slope is 1
    for entry, off in [(0.01, 0.015), (1e-3, 1.5e-3), (1e-3, -1.5e-3), (0.5, 0.002)]:
        W[3, 5] = entry
        wrong = W.copy()
        wrong[3, 5] += off
        with pytest.raises(GradcheckError) as caught:
            gradcheck(_matvec(W, wrong), [x])
        assert not caught.value.undecided
        # its own row, or (where its block's row fails too) the entries that row is off in, name it
        assert "input 0[5]→f[3]" in _failing_labels(str(caught.value)) or ": f[3] analytic" in str(caught.value)
        assert gradcheck(_matvec(W, W), [x])


def test_an_entry_off_within_its_own_tolerance_passes():
    """The criterion per entry: |analytic - numeric| <= atol + rtol * |numeric| passes (1e-3 off by 0.9e-5)."""
    rng = np.random.default_rng(0)
    W, x = rng.normal(size=(40, 40)), rng.normal(size=40)
    W[3, 5] = 1e-3
    wrong = W.copy()
    wrong[3, 5] += 0.9e-5
    assert gradcheck(_matvec(W, wrong), [x])


def test_an_entry_off_in_a_row_refined_below_eps_never_passes():
    """sin(3e6 x) beside sin(c x) over 40 entries (the table's forward, one's own rule): the block's row bends within
    eps and is refined, and a rule 0.2% off in one entry (0.84) passed inside it; judged alone it cannot be judged
    (never passes), and the right rule still passes."""
    ops = autograd.tensor_ops.OPS
    c = Tensor(np.random.default_rng(0).uniform(0.5, 1.0, 40))

    def f_with(off: float):
        k = np.ones(40)
        k[7] += off
        sinx = Op("sinx", ops["sin"].forward, lambda g, out, x: (g * np.cos(x) * k,))
        return lambda t: autograd.concatenate([(3e6 * t).sin(), sinx(t * c)])

    assert gradcheck(f_with(0.0), [np.array([0.3])])
    with pytest.raises(GradcheckError) as caught:
        gradcheck(f_with(0.002), [np.array([0.3])])
    assert "input 0[0]→f[8]" in _failing_labels(str(caught.value))


def test_an_entry_extrapolated_to_its_slope_passes_where_its_smaller_step_bends():
    """tanh(x @ w) @ w.T at eps = 0.02 (a right rule): an entry's difference at eps parts from its slope by f's
    bending, and its extrapolation from eps and eps / 2 agreed within 2e-7, but was read as 'cannot judge' for
    the bend left at eps / 2 (3.5e-4 beside a tolerance of 3.1e-4), where the blocks alone passed; a third step
    says how far the extrapolation itself may be off. A rule 1% off in one entry's row does not pass."""
    rng = np.random.default_rng(5)
    x, W = rng.normal(size=(6, 5)), Tensor(np.random.default_rng(6).normal(size=(5, 7)))
    assert gradcheck(lambda x: (x @ W).tanh() @ W.T, [x], eps=0.02)
    J = np.ones((6, 5))
    J[4, 1] = 1.01  # f[4, 1]'s slopes, 0.03 in x[4, 4], 1% off
    off = Op("scaled", lambda y: y, lambda g, out, y: (g * J,))
    with pytest.raises(GradcheckError):
        gradcheck(lambda x: off((x @ W).tanh() @ W.T), [x], eps=0.02)


def test_an_entry_on_a_coarse_grid_inside_f_is_not_blamed_on_the_rule():
    """sin computed in float32 inside an op of one's own (a right rule), of A @ x over 40 at eps = 1e-3: the
    block rows said f's output lies on a grid far coarser than its dtype's, and where one agreed, its entry f[39]
    (slope 0.0137, its difference 0.0141, moved 3.9e-4 by that grid) failed: the rows' grid is each entry's too."""
    sin32 = Op(
        "sin32", lambda x: np.sin(np.asarray(x, np.float32)).astype(np.float64), lambda g, out, x: (g * np.cos(x),)
    )
    rng = np.random.default_rng(0)
    A, x = Tensor(rng.normal(size=(40, 40))), rng.uniform(-1.5, 1.5, 40)
    with pytest.raises(GradcheckError) as caught:
        gradcheck(lambda t: sin32(A @ t), [x], eps=1e-3)
    assert caught.value.undecided


@pytest.mark.parametrize("k, seed, decided", [(1e3, 0, True), (1e4, 2, False), (1e3, 3, False), (1e4, 9, False)])
def test_an_entry_of_an_op_of_ones_own_is_not_failed_on_its_extrapolation(k, seed, decided):
    """((x + 1e6) - 1e6) + sin(k x) / k in an op of one's own, of A @ x over 12 (a right rule): the op keeps x to
    steps of 1.2e-10, which no number f gives shows, moving an entry's difference by up to 6e-5; at k = 1e3 f[1]'s
    (slope -0.032292) differed by -0.032338 at eps, was extrapolated to -0.032416 and failed. As a row's, an entry's
    extrapolation only excuses where an op of one's own is reached; in the others the grid moved eps's and eps / 2's
    differences alike by chance (3.2e-5 off, tolerance 2.4e-5): its differences at 0.6 eps and eps / 2 are not a
    smooth f's, and it cannot be judged. A rule off by 10% in f[1] never
    passes, and fails where it did (`decided`; the others' grids leave it unjudged, as before this check)."""
    rng = np.random.default_rng(seed)
    A, x = Tensor(rng.normal(size=(12, 12))), rng.uniform(0, 0.1, 12)

    def own(off: float) -> Op:
        def rule(g, out, y):
            slope = 1.0 + np.cos(k * y)
            slope[1] *= 1 + off
            return (g * slope,)

        return Op("grid", lambda y: ((y + 1e6) - 1e6) + np.sin(k * y) / k, rule)

    with pytest.raises(GradcheckError) as caught:
        gradcheck(lambda t: own(0.0)(A @ t), [x])
    assert caught.value.undecided
    with pytest.raises(GradcheckError) as caught:
        gradcheck(lambda t: own(0.1)(A @ t), [x])
    assert caught.value.undecided is not decided
