"""gradcheck_params's promise for the elements it does not draw: a rule wrong in one element by more than
m times that element's tolerance (m its block's size) fails, naming the block; right rules pass."""

import re

import numpy as np
import pytest

import nn
from autograd import GradcheckError, Op, Tensor, gradcheck_params
from autograd.check_blocks import block_size
from nn import functional as F

ATOL, RTOL = 1e-5, 1e-3


def _square_wrong_at(bad: int, bump: float) -> Op:
    """x * x, whose rule is off by `bump` (times the g from above) in flat element `bad`."""

    def rule(g, out, x):
        off = np.zeros(np.shape(x))
        off.flat[bad] = bump
        return (g * (2 * x + off),)

    return Op("square_off", lambda x: x * x, rule)


def _failing_labels(message: str) -> list[str]:
    rows = [line for line in message.splitlines() if "<- fails" in line or "<- cannot judge" in line]
    return [re.split(r"\s{2,}", line)[0] for line in rows]  # a table's cells are two spaces apart


def _names(label: str, shape: tuple, bad: int) -> bool:
    """Whether a failing row's label is the bad element's own row or its block's."""
    ends = re.fullmatch(r"w\[([\d, ]+)\] to w\[([\d, ]+)\]·d", label)  # a block that is no slice
    if ends:
        first, last = (np.ravel_multi_index([int(i) for i in end.split(", ")], shape) for end in ends.groups())
        return first <= bad <= last
    block = re.fullmatch(r"w\[([\d, :]+)\]·d", label)  # numpy's index of its elements, in w's shape
    if block:
        index = tuple(
            slice(*(int(e) if e else None for e in p.split(":"))) if ":" in p else int(p) for p in block[1].split(", ")
        )
        return bad in np.arange(np.prod(shape)).reshape(shape)[index].ravel()
    return label == "w" + str([int(i) for i in np.unravel_index(bad, shape)])  # as the table writes it


def test_a_rule_wrong_by_a_fifth_in_one_element_of_a_thousand_fails_in_its_block():
    """It passed: one direction moved all 1000 elements, and the error shrank among them below rtol."""

    def rule(g, out, x):
        m = np.ones(np.shape(x))
        m[123] = 1.2
        return (g * 2 * x * m,)

    sq = Op("sq", lambda x: x * x, rule)
    w = Tensor(np.random.default_rng(0).uniform(-2, 2, 1000), requires_grad=True)
    with pytest.raises(GradcheckError, match="gradcheck: 1 of 52 gradients disagree") as caught:
        gradcheck_params(lambda: sq(w).sum(), {"w": w})
    assert _failing_labels(str(caught.value)) == ["w[96:128]·d"] and not caught.value.undecided
    assert "moves the elements x[...] indexes" in str(caught.value)
    assert gradcheck_params(lambda: (w * w).sum(), {"w": w})


@pytest.mark.parametrize("trial", range(24))
def test_an_error_at_or_above_the_promised_size_fails_wherever_it_is(trial):
    """Random sizes, shapes, blocks, positions and gradient scales (over 8 orders of magnitude): one element
    off by k * m * (atol + rtol * |its gradient|), k >= 1.05, fails in its own row or its block's."""
    rng = np.random.default_rng(trial)
    n = int(rng.choice([21, 33, 100, 700, 3000, 12000]))
    shape = (n,) if rng.random() < 0.5 or n % 3 else (3, n // 3)
    block = None if rng.random() < 0.5 else int(rng.integers(1, 100))
    m = block_size(n, block)
    bad = int(rng.integers(n))
    x = rng.uniform(-2, 2, shape)
    scale = 10.0 ** rng.uniform(-6, 2, shape)  # each element's gradient scale
    g = (scale * 2 * x).flat[bad]
    k = float(rng.choice([1.05, 1.5, 3.0, 20.0])) if m * RTOL * 20 < 0.5 else 1.05
    size = k * m * (ATOL + RTOL * abs(g)) / (1 - k * m * RTOL)  # |error| = k m (atol + rtol |g + error|)
    error = size * (np.sign(g) or 1.0) * (1 if rng.random() < 0.7 else -1)
    assert abs(error) >= k * m * (ATOL + RTOL * abs(g + error)) * (1 - 1e-9)
    square = _square_wrong_at(bad, error / scale.flat[bad])
    w = Tensor(x, requires_grad=True)
    with pytest.raises(GradcheckError) as caught:
        gradcheck_params(lambda: (square(w) * Tensor(scale)).sum(), {"w": w}, block=block, seed=trial)
    failing = _failing_labels(str(caught.value))
    assert failing and all(_names(label, shape, bad) for label in failing), (failing, bad, m)


@pytest.mark.parametrize("trial", range(6))
def test_right_rules_pass_on_random_models(trial):
    """Random MLPs, activations and batches, small blocks (many rows) and large: no false failure."""
    rng = np.random.default_rng(100 + trial)
    sizes = [int(s) for s in rng.integers(2, 40, int(rng.integers(2, 4)))]
    activation = [nn.Tanh, nn.Sigmoid, nn.GELU, nn.Softplus][trial % 4]
    layers = []
    for i, (a, b) in enumerate(zip(sizes, sizes[1:])):
        layers += [nn.Linear(a, b, seed=trial * 10 + i), activation()]
    model = nn.Sequential(*layers[:-1])
    X = rng.normal(size=(int(rng.integers(1, 16)), sizes[0])) * 10.0 ** rng.uniform(-1, 1)
    y = rng.integers(0, sizes[-1], len(X))
    for block in (None, 1, 7):
        assert nn.gradcheck_module(model, F.cross_entropy, X, y, max_per_param=5, block=block)
    w = Tensor(rng.normal(size=(50, 30)) * 100.0, requires_grad=True)  # large values, gradients over decades
    assert gradcheck_params(lambda: (w * w * w).tanh().sum() + (w * 1e-4).exp().sum(), {"w": w})


def test_block_is_checked_as_an_int_of_at_least_one():
    w = Tensor(np.ones(30), requires_grad=True)
    with pytest.raises(ValueError, match=r"block must be an int >= 1 or None \(the default\), got 0"):
        gradcheck_params(lambda: (w * w).sum(), [w], block=0)
    with pytest.raises(TypeError, match="block must be an int, got float 2.5"):
        gradcheck_params(lambda: (w * w).sum(), [w], block=2.5)


def _off_in(lo: int, hi: int, by: float, n: int) -> Op:
    """x * 1, its rule off by `by` in elements lo to hi - 1."""

    def rule(g, out, x):
        error = np.zeros(n)
        error[lo:hi] = by
        return (g * (1.0 + error),)

    return Op("identity", lambda x: x * 1.0, rule)


def test_the_same_error_in_every_element_of_a_block_does_not_cancel_in_its_row():
    """w[416:448] all off by 0.5 (500 times their tolerance, 15 times the promise for one element): no element
    drawn (seed 0) lies there, and the block's random signs summed to 0: the check passed. Its signs are +
    for three quarters of the block, so the same error adds up, failing beyond twice the tolerance."""
    n = 1000
    w = Tensor(np.linspace(-1.0, 1.0, n), requires_grad=True)
    with pytest.raises(GradcheckError, match=r"w\[416:448\]·d .*<- fails"):
        gradcheck_params(lambda: _off_in(416, 448, 0.5, n)(w).sum(), {"w": w})
    for lo in range(0, n, 32):  # in any block, an offset of 3 times the tolerance
        with pytest.raises(GradcheckError, match=rf"w\[{lo}:{min(lo + 32, n)}\]·d .*<- fails"):
            gradcheck_params(lambda lo=lo: _off_in(lo, lo + 32, 3.03e-3, n)(w).sum(), {"w": w}, max_per_param=1)
    assert gradcheck_params(lambda: _off_in(0, 0, 0.0, n)(w).sum(), {"w": w})


@pytest.mark.parametrize(
    "shape, bad, block, label",
    [
        ((8, 32), 7 * 32 + 5, None, "W[7, :]·d"),  # was W[224:256]·d
        ((4, 64), 2 * 64 + 40, None, "W[2, 32:64]·d"),  # was W[160:192]·d
        ((2, 4, 8), 40, None, "W[1, :, :]·d"),  # was W[32:64]·d
        ((2, 4, 8), 40, 8, "W[1, 1, :]·d"),  # was W[40:48]·d
        ((16, 4), 21, 16, "W[4:8, :]·d"),  # was W[16:32]·d
        ((5, 20), 40, None, "W[1, 12] to W[3, 3]·d"),  # no slice: its first and last elements; was W[32:64]·d
        ((100,), 40, None, "W[32:64]·d"),  # a vector's as before
    ],
)
def test_a_block_is_named_in_the_parameters_own_index_form(shape, bad, block, label):
    """A failing block of a matrix was named by its elements' positions in ravel's order, W[224:256]·d, where
    the user thinks of row 7: it is named by numpy's index of the elements it moves, W[7, :]·d."""
    w = Tensor(np.random.default_rng(1).uniform(-2, 2, shape), requires_grad=True)
    square = _square_wrong_at(bad, 5.0)
    with pytest.raises(GradcheckError) as caught:
        gradcheck_params(lambda: square(w).sum(), {"W": w}, max_per_param=1, block=block, seed=3)
    assert label in _failing_labels(str(caught.value)), str(caught.value)
