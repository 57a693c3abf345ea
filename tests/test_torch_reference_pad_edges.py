"""autograd.pad's 'reflect', 'replicate' and 'circular' at the edges, decided as PyTorch 2.13's F.pad
decides them, over ranks, empty inputs and widths that crop an axis to nothing or less: taken where
PyTorch takes them (values and gradients equal), refused where it refuses them; and where PyTorch
gives what cannot be right, refused with the reason (a circle padded by more than its crops leave:
copied from the output PyTorch is writing; a reflection of a negative length)."""

from itertools import islice, product

import numpy as np
import pytest
from torch_reference import F, torch  # without torch: skipped

import autograd
from autograd import ShapeError

MODES = ["reflect", "replicate", "circular"]


def _grid(pairs):
    """Inputs of `pairs` padded dims (sizes 0, 1, 3) after channels, with or without a batch (of 2 or
    0), and every flat pad of widths -1 to 1 (-3 to 2 for one pair)."""
    widths = range(-3, 3) if pairs == 1 else range(-1, 2)
    sizes = [0, 1, 3] if pairs < 3 else [0, 2]
    for lead in [(2,), (0,), (2, 2), (0, 2), (2, 0)]:
        for spatial in product(sizes, repeat=pairs):
            for pad in product(widths, repeat=2 * pairs):
                yield lead + spatial, pad


def _torch_pad(x, pad, mode, rng):
    """PyTorch's output, the weights drawn for it, and its gradient (of the sum of the output times the
    weights); None where it refuses, and no gradient where its output has a negative length."""
    t = torch.tensor(x, requires_grad=True)
    try:
        out = F.pad(t, pad, mode)
    except (RuntimeError, NotImplementedError):
        return None
    if min(out.shape) < 0:  # a reflection of a negative length: shape (0, 2, 1, -1)
        return out.shape, None, None
    weights = rng.standard_normal(tuple(out.shape))
    out.backward(torch.tensor(weights))
    return out.detach().numpy(), weights, t.grad.numpy()


def _wraps_past_what_is_left(shape, pad):
    """A circle padding an axis by more than its crops leave of it: PyTorch copies such a pad from the
    output it is writing, so its entries are uninitialised memory ((-1, 1) of 1; (2, -2) of 3), or read
    back from what it just wrote ((-2, 2) of 3), or its output is empty only because the pad offsets a
    crop longer than the axis ((-2, 1) of 1; it refuses (-2, 0), and a constant pad's (-2, 1))."""
    pairs = [pad[i : i + 2] for i in range(0, len(pad), 2)][::-1]
    return any(max(b, a) > n + min(b, 0) + min(a, 0) for n, (b, a) in zip(shape[-len(pairs) :], pairs))


# (pairs, every): the 3-d grid is 29,160 cases a mode (3 to 5 s each on a quiet machine): the default run takes every
# 11th (prime to the grid's sides: every size, batch and width still comes), the slow run all of them
GRIDS = [
    pytest.param(1, 1, id="1"),
    pytest.param(2, 1, id="2"),
    pytest.param(3, 11, id="3-every-11th"),
    pytest.param(3, 1, id="3-all", marks=pytest.mark.slow),
]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("pairs, every", GRIDS)
def test_pad_takes_and_refuses_what_pytorch_does_with_its_values_and_gradients(mode, pairs, every):
    rng = np.random.default_rng(pairs)
    for shape, pad in islice(_grid(pairs), 0, None, every):
        x = rng.standard_normal(shape)
        theirs = _torch_pad(x, pad, mode, rng)
        if theirs is None or theirs[1] is None or (mode == "circular" and _wraps_past_what_is_left(shape, pad)):
            with pytest.raises(ShapeError, match="^pad: "):
                autograd.pad(x, pad, mode)
            continue
        out, weights, grad = theirs
        t = autograd.Tensor(x, requires_grad=True)
        ours = autograd.pad(t, pad, mode)
        (ours * weights).sum().backward()
        np.testing.assert_array_equal(ours.data, out, err_msg=f"{shape} {pad}")
        # no output, no gradient: PyTorch's 3-d reflection leaves it uninitialised there
        expected = grad if out.size else np.zeros_like(x)
        np.testing.assert_allclose(t.grad.data, expected, rtol=1e-12, atol=1e-12, err_msg=f"{shape} {pad}")


@pytest.mark.parametrize("mode", ["reflect", "replicate"])
def test_an_input_empty_along_a_dim_but_the_batch_is_refused_as_by_pytorch(mode):
    """PyTorch's reflection and replication need entries along every dim but a batch's; a batch of 0 pads."""
    assert autograd.pad(np.ones((0, 2, 3)), (1, 1), mode).shape == (0, 2, 5)
    assert autograd.pad(np.ones((0, 2, 3, 3)), ((0, 0), (0, 0), (1, 1), (1, 1)), mode).shape == (0, 2, 5, 5)
    for shape, pad in [((0, 3), (1, 1)), ((2, 0, 3), (1, 1)), ((1, 2, 0, 3), (0, 0, 1, 1))]:
        with pytest.raises(ShapeError, match=rf"mode='{mode}' needs entries along every dim .* but a batch's"):
            autograd.pad(np.ones(shape), pad, mode)


@pytest.mark.parametrize("mode", ["reflect", "replicate"])
def test_a_crop_to_nothing_is_taken_where_another_padded_dim_keeps_entries(mode):
    """PyTorch's 2-d and 3-d pads refuse only an output empty along every padded dim; a 1-d pad keeps one.
    Its 3-d reflection's gradient there is uninitialised memory; the gradient of no output is 0."""
    x = autograd.Tensor(np.ones((1, 2, 3, 3, 3)), requires_grad=True)
    out = autograd.pad(x, (-3, 0, 0, 0, 0, 0), mode)
    out.sum().backward()
    assert out.shape == (1, 2, 3, 3, 0) and not x.grad.any()
    assert autograd.pad(np.ones((1, 2, 3, 3)), (0, 0, -3, 0), mode).shape == (1, 2, 0, 3)
    with pytest.raises(ShapeError, match=r"widths \(-3, 0, -3, 0\) leaves 0 entries along each of axes 2, 3"):
        autograd.pad(np.ones((1, 2, 3, 3)), (-3, 0, -3, 0), mode)
    # the 3-d grid's only such cases (3 of 29,160) fall outside the default run's every 11th: checked here
    x3 = np.ones((2, 2, 2, 2, 2))
    with pytest.raises(RuntimeError, match="too small"):
        F.pad(torch.tensor(x3), (-1,) * 6, mode)
    with pytest.raises(ShapeError, match=r"leaves 0 entries along each of axes 2, 3, 4"):
        autograd.pad(x3, (-1,) * 6, mode)
    with pytest.raises(ShapeError, match=r"widths \(-1, -3\) crop 4 entries from axis 3 of length 3 and pad 0"):
        autograd.pad(np.ones((0, 2, 3, 3)), (-1, -3, 0, 0), mode)
