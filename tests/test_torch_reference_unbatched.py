"""Convolution and pooling take one example without its batch axis, as PyTorch's: (channels, height,
width) for the 2-d functions, (channels, length) for the 1-d ones, and give their result without it;
forward and gradients against torch in float64, the nn layers and a compiled step too."""

import numpy as np
import pytest
from compile_faithful_cases import Runs

import autograd
import nn
from autograd import Tensor, conv

torch = pytest.importorskip("torch")
F = torch.nn.functional
RNG = np.random.default_rng(0)

CASES = {  # name: (ours, theirs, the input's shape without a batch, the weight's shape or None)
    "conv2d": (
        lambda x, w: conv.conv2d(x, w, padding=1),
        lambda x, w: F.conv2d(x, w, padding=1),
        (2, 5, 6),
        (3, 2, 3, 3),
    ),
    "conv1d": (lambda x, w: conv.conv1d(x, w), lambda x, w: F.conv1d(x, w), (2, 7), (3, 2, 3)),
    "conv_transpose2d": (
        lambda x, w: conv.conv_transpose2d(x, w, stride=2),
        lambda x, w: F.conv_transpose2d(x, w, stride=2),
        (2, 4, 4),
        (2, 3, 3, 3),
    ),
    "conv_transpose1d": (
        lambda x, w: conv.conv_transpose1d(x, w, stride=2),
        lambda x, w: F.conv_transpose1d(x, w, stride=2),
        (2, 4),
        (2, 3, 3),
    ),
    "max_pool2d": (lambda x: conv.max_pool2d(x, 2), lambda x: F.max_pool2d(x, 2), (2, 4, 6), None),
    "max_pool1d": (lambda x: conv.max_pool1d(x, 2), lambda x: F.max_pool1d(x, 2), (2, 6), None),
    "avg_pool2d": (lambda x: conv.avg_pool2d(x, 2), lambda x: F.avg_pool2d(x, 2), (2, 4, 6), None),
    "avg_pool1d": (lambda x: conv.avg_pool1d(x, 2), lambda x: F.avg_pool1d(x, 2), (2, 6), None),
    "adaptive_avg_pool2d": (
        lambda x: conv.adaptive_avg_pool2d(x, (2, 4)),
        lambda x: F.adaptive_avg_pool2d(x, (2, 4)),
        (2, 5, 6),
        None,
    ),
    "adaptive_avg_pool1d": (
        lambda x: conv.adaptive_avg_pool1d(x, 4),
        lambda x: F.adaptive_avg_pool1d(x, 4),
        (2, 6),
        None,
    ),
}


@pytest.mark.parametrize("name", CASES)
def test_one_example_without_its_batch_axis_as_pytorch(name):
    ours, theirs, shape, weight_shape = CASES[name]
    arrays = [RNG.standard_normal(shape)] + ([RNG.standard_normal(weight_shape)] if weight_shape else [])
    mine = [Tensor(a, requires_grad=True) for a in arrays]
    out = ours(*mine)
    weights = RNG.standard_normal(out.shape)  # a sum weighed entry by entry: a misplaced gradient shows
    (out * weights).sum().backward()
    torchs = [torch.tensor(a, requires_grad=True) for a in arrays]
    expected = theirs(*torchs)
    (expected * torch.tensor(weights)).sum().backward()
    assert out.shape == tuple(expected.shape) and len(out.shape) == len(shape)
    np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), rtol=1e-12, atol=1e-12)
    for a, b in zip(mine, torchs):
        np.testing.assert_allclose(a.grad, b.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_the_layers_take_one_example_and_a_compiled_step_replays_it_as_eager():
    model = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1, padding_mode="reflect", seed=0, dtype=np.float64),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(start_dim=0),
        nn.Linear(4 * 3 * 3, 2, seed=1, dtype=np.float64),
    )
    opt = nn.SGD(model.parameters(), lr=0.1)
    calls = Runs()

    def step(x, y):
        calls.append(1)  # runs when recorded or eager, not when replayed
        opt.zero_grad()
        loss = ((model(x) - y) ** 2).sum()
        loss.backward()
        opt.step()
        return loss.item()

    images = [Tensor(RNG.standard_normal((1, 6, 6))) for _ in range(5)]  # one image each: (channels, h, w)
    targets = [Tensor(RNG.standard_normal(2)) for _ in range(5)]
    start = [p.data.copy() for p in model.parameters()]
    eager = [step(x, y) for x, y in zip(images, targets)]
    for p, s in zip(model.parameters(), start):
        p.data[...] = s
    run = autograd.compile(step, strict=True)
    calls.clear()
    assert [run(x, y) for x, y in zip(images, targets)] == eager
    assert len(calls) <= 2  # recorded on the first calls, replayed since


@pytest.mark.parametrize("mode", ["reflect", "replicate", "circular"])
@pytest.mark.parametrize("dims", [1, 2])
def test_a_layers_padding_mode_pads_one_example_as_pytorch(mode, dims):
    """Conv1d's and Conv2d's padding_mode on one example without its batch axis: it was left to the
    functional, which padded it with zeros."""
    ours = (nn.Conv1d if dims == 1 else nn.Conv2d)(2, 3, 3, padding=1, padding_mode=mode, seed=0, dtype=np.float64)
    theirs = (torch.nn.Conv1d if dims == 1 else torch.nn.Conv2d)(2, 3, 3, padding=1, padding_mode=mode).double()
    with torch.no_grad():
        theirs.weight.copy_(torch.tensor(ours.weight.data))
        theirs.bias.copy_(torch.tensor(ours.bias.data))
    image = RNG.standard_normal((2, 5) if dims == 1 else (2, 4, 5))
    x, tx = Tensor(image, requires_grad=True), torch.tensor(image, requires_grad=True)
    out, expected = ours(x), theirs(tx)
    out.sum().backward()
    expected.sum().backward()
    assert out.shape == tuple(expected.shape)
    np.testing.assert_allclose(out.numpy(), expected.detach().numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(x.grad, tx.grad.numpy(), rtol=1e-12, atol=1e-12)


def test_a_shape_error_of_one_example_says_it_ran_as_a_batch_of_one():
    """The checks run on the batch of one: "(axis 1)" and a shape (1, ...) named the batch's, not the input's."""
    with pytest.raises(autograd.ShapeError, match=r"3 channels \(axis 1\).*\(one example of shape \(3, 5, 5\), run"):
        conv.conv2d(Tensor(np.zeros((3, 5, 5))), Tensor(np.zeros((4, 2, 3, 3))))
    with pytest.raises(autograd.ShapeError, match=r"got shape \(1, 3, 0\) \(one example of shape \(3, 0\), run as"):
        conv.adaptive_avg_pool1d(Tensor(np.zeros((3, 0))), 2)
