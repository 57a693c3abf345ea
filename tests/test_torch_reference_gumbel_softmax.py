"""F.gumbel_softmax against PyTorch: given the same Gumbel noise (drawn again from the same seed), values,
gradients and second derivatives equal torch's formula (soft, and hard with the straight-through estimator), in
float64 and float32, along any dim; the noise is Gumbel(0, 1) and hard samples pick class k with probability
softmax(logits)_k; a compiled step draws new noise on each replay and gives eager's numbers; bad arguments refused."""

import math
import warnings

import numpy as np
import pytest
from compile_cases import OPTIMIZERS, assert_same, batches, replays, train
from torch_reference import DTYPES, check, torch  # without torch: skipped

import autograd
import nn
from autograd import Tensor
from nn import functional as F


def _noise(seed, shape, dtype):
    """The Gumbel noise gumbel_softmax draws after autograd.manual_seed(seed)."""
    autograd.manual_seed(seed)
    made = np.float64 if np.dtype(dtype) == np.float64 else np.float32
    return -np.log(autograd.default_generator().standard_exponential(shape, dtype=made)).astype(dtype)


def _torchs(logits, g, tau, hard, dim):
    """torch's gumbel_softmax on noise g (its own body, the draw replaced)."""
    soft = ((logits + torch.from_numpy(g)) / tau).softmax(dim)
    if not hard:
        return soft
    index = soft.max(dim, keepdim=True)[1]
    return torch.zeros_like(logits).scatter_(dim, index, 1.0) - soft.detach() + soft


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("tau", "hard", "dim"), [(1, False, -1), (0.5, True, -1), (2.0, False, 0), (0.3, True, 1)])
def test_gumbel_softmax_matches_torchs_formula(dtype, tau, hard, dim):
    logits = np.random.default_rng(0).uniform(-2, 2, (3, 5, 4))
    g = _noise(7, logits.shape, dtype)

    def ours(x):
        autograd.manual_seed(7)
        return F.gumbel_softmax(x, tau, hard, dim=dim)

    check(ours, lambda x: _torchs(x, g, tau, hard, dim), [logits], dtype)


def test_the_noise_is_gumbel_and_hard_samples_follow_the_softmax():
    autograd.manual_seed(1)
    probabilities = np.array([0.1, 0.2, 0.7])
    samples = F.gumbel_softmax(Tensor(np.tile(np.log(probabilities), (40000, 1))), hard=True).data
    assert set(np.unique(samples)) == {0.0, 1.0} and np.all(samples.sum(axis=1) == 1)
    assert np.abs(samples.mean(axis=0) - probabilities).max() < 0.01  # 4.4 standard errors of the 0.7's share
    g = _noise(2, (100000,), np.float64)
    assert abs(g.mean() - np.euler_gamma) < 0.02 and abs(g.var() - math.pi**2 / 6) < 0.05


def test_each_call_draws_anew_and_a_seed_repeats_it():
    x = Tensor(np.zeros((2, 6)))
    autograd.manual_seed(3)
    first, second = F.gumbel_softmax(x).data, F.gumbel_softmax(x).data
    autograd.manual_seed(3)
    assert not np.array_equal(first, second) and np.array_equal(F.gumbel_softmax(x).data, first)


class Sampler(nn.Module):
    def __init__(self):
        self.linear = nn.Linear(3, 4, seed=0, dtype=np.float64)

    def forward(self, x):
        return F.gumbel_softmax(self.linear(x), tau=0.5, hard=True) + F.gumbel_softmax(self.linear(x), tau=2.0)


def test_a_compiled_step_draws_new_noise_and_gives_eagers_numbers():
    runs = []
    for compiled in (False, True):
        autograd.manual_seed(4)
        runs.append(train(Sampler, OPTIMIZERS["adam"], batches((5, 3), 4, 6), compiled=compiled))
    (eager, _), (compiled, run) = runs
    assert_same(eager, compiled)
    assert replays(run) == 1


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"tau": 0}, ValueError, "tau must be a number above 0"),
        ({"tau": -1.0}, ValueError, "tau must be"),
        ({"tau": math.inf}, ValueError, "tau must be"),
        ({"tau": "1"}, TypeError, "tau must be"),
        ({"hard": 1}, TypeError, "hard must be True or False"),
        ({"dim": 2}, IndexError, r"dim 2 is not a dim of logits of shape \(3, 4\)"),
        ({"dim": 1.0}, TypeError, "dim must be an int"),
    ],
)
def test_gumbel_softmax_refuses(kwargs, error, message):
    with pytest.raises(error, match=message):
        F.gumbel_softmax(Tensor(np.ones((3, 4))), **kwargs)


def test_integer_logits_are_refused_and_eps_warns_as_torchs():
    with pytest.raises(TypeError, match="floating-point logits"):
        F.gumbel_softmax(Tensor(np.ones((2, 3), int)))
    with pytest.warns(UserWarning, match="eps` is deprecated"):
        F.gumbel_softmax(Tensor(np.ones((2, 3))), eps=1e-5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.gumbel_softmax(Tensor(np.ones((2, 3))), eps=1e-10)
    assert F.gumbel_softmax(Tensor(np.ones((2, 3)), dtype=np.float16), hard=True).dtype == np.float16
    assert F.gumbel_softmax(Tensor(2.0), hard=True).shape == ()
