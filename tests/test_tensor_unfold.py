"""Tensor.unfold(dimension, size, step), PyTorch's windows along one dim, without PyTorch: first and second
derivatives against finite differences over drawn shapes, dims, sizes and steps (overlapping windows add their
gradients), the errors, that autograd.unfold stays nn.functional's, and a compiled step replaying it (PyTorch's
answers: test_torch_diff_picks)."""

import numpy as np
import pytest
from compile_faithful_cases import check_replayed
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from test_scans import first_and_second

import autograd
import nn
from autograd import Tensor
from autograd.testing import shapes


# the windows' axis up to 5 long (sizes and steps that overlap, tile or leave some out); the others up to 2: their
# length only repeats the same windows (up to 5 x 5 x 5 entries, each two evaluations of the gradient, made this
# the default run's costliest property for nothing more checked)
@given(data=st.data(), others=shapes(0, 2, 2), length=st.integers(1, 5))
def test_unfold_derivatives_agree_with_finite_differences(data, others, length):
    at = data.draw(st.integers(0, len(others)), label="at")
    shape = (*others[:at], length, *others[at:])
    x = data.draw(hnp.arrays(np.float64, shape, elements=st.floats(-2, 2)), label="x")
    dim = at - len(shape) if data.draw(st.booleans(), label="negative dim") else at
    size = data.draw(st.integers(0, length), label="size")
    step = data.draw(st.integers(1, 3), label="step")
    first_and_second(lambda t: t.unfold(dim, size, step).sin(), x)


def test_overlapping_windows_add_their_gradients_and_the_shape_is_pytorchs():
    x = Tensor(np.arange(10.0).reshape(2, 5), requires_grad=True)
    windows = x.unfold(1, 3, 1)
    assert windows.shape == (2, 3, 3) and windows.data[1, 2].tolist() == [7.0, 8.0, 9.0]
    windows.sum().backward()
    np.testing.assert_array_equal(x.grad, [[1, 2, 3, 2, 1]] * 2)
    assert x.unfold(1, 2, 2).shape == (2, 2, 2) and x.unfold(0, 2, 5).shape == (1, 5, 2)  # the rest left out
    assert Tensor(np.array(5.0)).unfold(0, 1, 1).shape == (1,) and x.unfold(1, 0, 1).shape == (2, 6, 0)
    assert x.unfold(1, 2, 10**30).tolist() == [[[0.0, 1.0]], [[5.0, 6.0]]]  # beyond int64: one window, as 2**62


@pytest.mark.parametrize(
    ("args", "error", "words"),
    [
        ((1, 6, 1), ValueError, r"a window of size 6 does not fit in dimension 1 of length 5"),
        ((1, 2, 0), ValueError, r"step >= 1, got size=2, step=0"),
        ((1, -1, 1), ValueError, r"size must be >= 0"),
        ((2, 1, 1), IndexError, r"dimension 2 is out of range"),
        ((1, 2.0, 1), TypeError, r"size must be an int, got float 2.0$"),
        ((1, (2, 1), 1), TypeError, r"size must be an int, got tuple \(2, 1\)$"),
        ((1, 2, True), TypeError, r"step must be an int, got bool True$"),
    ],
)
def test_bad_windows_are_clear_errors(args, error, words):
    with pytest.raises(error, match=words):
        Tensor(np.zeros((2, 5)), requires_grad=True).unfold(*args)


def test_autograd_unfold_is_still_the_sliding_blocks_of_images():
    images = np.arange(16.0).reshape(1, 1, 4, 4)
    assert autograd.unfold(images, 2).shape == (1, 4, 9)  # nn.functional.unfold's columns, not Tensor.unfold


def test_a_compiled_step_replays_unfold(monkeypatch):
    def scenario(compile):
        w = Tensor(np.linspace(-1, 1, 6), requires_grad=True)
        opt = nn.SGD([w], lr=0.1)

        def step(x):
            opt.zero_grad()
            loss = ((w * Tensor(x)).unfold(0, 3, 2) ** 2).sum()
            loss.backward()
            return loss.item()

        run = compile(step)
        return [run(np.full(6, float(k))) for k in range(4)]

    check_replayed(scenario, monkeypatch)
