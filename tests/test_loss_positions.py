"""The losses' options by position, as PyTorch's take them (`F.cross_entropy(x, y, w)`): each function's
listed positions are torch 2.13's (compared with its signatures, every loss both have), calls by position
give PyTorch's numbers, and PyTorch's deprecated size_average and reduce are refused by position (unless
None, their default) and by keyword, naming reduction=. Before, an option by position was Python's "takes 2
positional arguments", and poisson_nll_loss read a fifth positional as eps where PyTorch's reads size_average."""

import inspect
import re

import numpy as np
import pytest
from torch_reference import F, torch  # without torch: skipped

import nn.functional as nnf
from autograd import Tensor
from nn.loss_positions import DEPRECATED

# every loss function of nn.functional that torch.nn.functional has too
LOSSES = sorted(name for name in nnf.__all__ if hasattr(F, name) and hasattr(getattr(nnf, name), "torch_positions"))


def test_every_torch_loss_lists_its_positions():
    """A loss of PyTorch's whose function lists none would refuse every option by position."""
    reducing = {n for n in nnf.__all__ if "reduction" in _torch_parameters(n)}
    assert reducing == set(LOSSES) and len(LOSSES) == 21


def _torch_parameters(name):
    """The names of torch.nn.functional's parameters of `name` (none where it has no such function or it is
    a builtin without a signature)."""
    try:
        return inspect.signature(getattr(F, name)).parameters
    except (AttributeError, ValueError, TypeError):
        return {}


@pytest.mark.parametrize("name", LOSSES)
def test_the_positions_are_torchs(name):
    params = inspect.signature(getattr(F, name)).parameters.values()
    theirs = [p.name for p in params if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD and p.default is not p.empty]
    assert list(getattr(nnf, name).torch_positions) == theirs
    ours = inspect.signature(getattr(nnf, name)).parameters
    assert {n for n in theirs if n not in DEPRECATED} <= {n for n, p in ours.items() if p.kind is p.KEYWORD_ONLY}


RNG = np.random.default_rng(8)
X, Y = RNG.normal(size=(4, 3)), RNG.normal(size=(4, 3))
W, LABELS = RNG.uniform(0.5, 2, (4, 3)), np.array([0, 2, 1, 2])
# (loss, inputs, options by position): each call made alike on both engines
CALLS = [
    ("cross_entropy", (X, LABELS), (W[0], None, 2, None, "sum", 0.1)),
    ("nll_loss", (X, LABELS), (W[0], None, 1)),
    ("mse_loss", (X, Y), (None, None, "sum", W)),
    ("l1_loss", (X, Y), (None, None, "mean", W)),
    ("huber_loss", (X, Y), ("sum", 0.5, W)),
    ("smooth_l1_loss", (X, Y), (None, None, "none", 0.3)),
    ("binary_cross_entropy_with_logits", (X, abs(Y) / 3), (W, None, None, "sum", W[0])),
    ("poisson_nll_loss", (abs(X), abs(Y)), (False, True, None, 1e-3, None, "sum")),
    ("gaussian_nll_loss", (X, Y, W), (True, 1e-3, "sum")),
    ("hinge_embedding_loss", (X, np.sign(Y)), (0.5, None, None, "sum")),
    ("multi_margin_loss", (X, LABELS), (2, 0.5, W[0])),
    ("triplet_margin_loss", (X, Y, W), (0.5, 1.0, 1e-6, True)),
]


@pytest.mark.parametrize(("name", "inputs", "options"), CALLS, ids=[c[0] for c in CALLS])
def test_options_by_position_are_torchs(name, inputs, options):
    def torched(a):
        return torch.from_numpy(a) if isinstance(a, np.ndarray) else a

    ours = getattr(nnf, name)(Tensor(inputs[0]), *inputs[1:], *options)
    theirs = getattr(F, name)(*map(torched, inputs), *map(torched, options))
    np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-12)


@pytest.mark.parametrize(
    ("call", "given"),
    [
        (lambda: nnf.mse_loss(Tensor(X), Y, True), "size_average (True by position)"),
        (lambda: nnf.cross_entropy(Tensor(X), LABELS, None, False), "size_average (False by position)"),
        (lambda: nnf.nll_loss(Tensor(X), LABELS, None, None, -100, False), "reduce (False by position)"),
        (lambda: nnf.kl_div(Tensor(X), Y, size_average=True), "size_average (size_average=True)"),
        # PyTorch's fifth is size_average: 0.5 was read as eps here, silently
        (lambda: nnf.poisson_nll_loss(Tensor(X), abs(Y), True, False, 0.5), "size_average (0.5 by position)"),
    ],
)
def test_torchs_deprecated_options_are_refused_naming_reduction(call, given):
    with pytest.raises(TypeError, match=re.escape(given) + " is PyTorch's deprecated .* write reduction= by keyword"):
        call()


@pytest.mark.parametrize("name", DEPRECATED)
def test_torchs_deprecated_options_at_their_default_none_are_taken_by_keyword_too(name):
    """None, their default, is taken by position; by keyword it was refused, naming reduction=, which it leaves."""
    ours = nnf.mse_loss(Tensor(X), Y, reduction="sum", **{name: None})
    theirs = F.mse_loss(torch.from_numpy(X), torch.from_numpy(Y), reduction="sum", **{name: None})
    assert ours.item() == pytest.approx(theirs.item(), rel=1e-15)


def test_too_many_positions_or_one_given_twice_are_refused():
    with pytest.raises(TypeError, match=r"huber_loss takes 2 inputs and then, as PyTorch's, at most 3 options"):
        nnf.huber_loss(Tensor(X), Y, "mean", 1.0, None, 4)
    with pytest.raises(TypeError, match="cross_entropy got weight both by position and as weight="):
        nnf.cross_entropy(Tensor(X), LABELS, W[0], weight=W[0])
