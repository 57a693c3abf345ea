"""rrelu and RReLU: in eval (and F.rrelu's default, training=False) torch 2.13's leaky_relu of the mean slope,
forward and gradient in float64 and float32, at 0 too; in training each negative entry's slope drawn from
[lower, upper] by nn's default generator (repeatable with autograd.manual_seed, new on each call), the
gradient that slope (at 0 too, as torch's), positive entries passed; a compiled training step draws anew on
each replay, as eagerly; signatures, reprs and refusals as torch's."""

import inspect
import warnings

import numpy as np
import pytest
from compile_faithful_cases import count_replays
from torch_reference import DTYPES, F, check, torch  # without torch: skipped

import autograd
import nn
from autograd import Tensor
from nn import functional as ours

RNG = np.random.default_rng(43)
X = np.concatenate([RNG.standard_normal((3, 40)), np.zeros((1, 40))])  # zeros: the kink, slope the negative one


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    ("mine", "theirs"),
    [
        (lambda x: ours.rrelu(x), lambda x: F.rrelu(x)),
        (lambda x: ours.rrelu(x, 0.1, 0.5, False), lambda x: F.rrelu(x, 0.1, 0.5, False)),
        (lambda x: ours.rrelu(x, -0.5, 2.0), lambda x: F.rrelu(x, -0.5, 2.0)),
        (lambda x: nn.RReLU(0.2, 0.3).eval()(x), lambda x: torch.nn.RReLU(0.2, 0.3).eval()(x)),
    ],
    ids=["defaults", "bounds", "wide bounds", "layer in eval"],
)
def test_eval_is_torch_s(mine, theirs, dtype):
    check(mine, theirs, [X], dtype, second=False)  # piecewise linear


@pytest.mark.parametrize("dtype", DTYPES)
def test_training_draws_each_negative_entry_s_slope_from_the_bounds(dtype):
    autograd.manual_seed(3)
    x = Tensor(X, dtype=dtype, requires_grad=True)
    y = ours.rrelu(x, 0.1, 0.3, training=True)
    y.sum().backward()
    assert y.dtype == x.grad.dtype == dtype
    positive = X > 0
    np.testing.assert_array_equal(y.data[positive], X[positive].astype(dtype))
    np.testing.assert_array_equal(x.grad[positive], 1)
    slopes = x.grad[~positive]  # the slope each entry drew, at 0 too (torch's)
    assert slopes.min() >= 0.1 and slopes.max() <= 0.3 and slopes.max() - slopes.min() > 0.15
    assert len(np.unique(slopes)) == slopes.size  # one draw per entry
    np.testing.assert_array_equal(y.data[~positive], X.astype(dtype)[~positive] * slopes)  # x·a in x's dtype
    autograd.manual_seed(3)
    again = Tensor(X, dtype=dtype, requires_grad=True)
    ours.rrelu(again, 0.1, 0.3, training=True).sum().backward()
    np.testing.assert_array_equal(again.grad, x.grad)  # repeatable from the seed
    other = Tensor(X, dtype=dtype, requires_grad=True)
    ours.rrelu(other, 0.1, 0.3, training=True).sum().backward()
    assert not np.array_equal(other.grad, x.grad)  # new slopes on the next call


def test_the_layer_draws_in_training_and_takes_the_mean_in_eval():
    layer, x = nn.RReLU(0.1, 0.3), Tensor(-np.ones(1000))
    drawn = -layer(x).data
    assert layer.training and 0.19 < drawn.mean() < 0.21 and drawn.std() > 0.05
    np.testing.assert_array_equal(-layer.eval()(x).data, np.full(1000, 0.2))


def test_a_compiled_training_step_draws_anew_on_each_replay_as_eagerly(monkeypatch):
    rng = np.random.default_rng(4)
    batches = [(rng.standard_normal((8, 3)), rng.integers(0, 2, 8)) for _ in range(6)]

    def train(compile):
        autograd.manual_seed(7)
        model = nn.Sequential(nn.Linear(3, 6, seed=0), nn.RReLU(0.05, 0.5), nn.Linear(6, 2, seed=1))
        opt = nn.SGD(model.parameters(), lr=0.1)

        def step(x, y):
            opt.zero_grad()
            loss = ours.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            return loss.item()

        run = compile(step)
        return [run(Tensor(x), y) for x, y in batches], [p.data.copy() for p in model.parameters()]

    eager = train(lambda f: f)
    replays = count_replays(monkeypatch)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        compiled = train(lambda f: autograd.compile(f, strict=True))
    assert compiled[0] == eager[0] and len(set(eager[0])) == 6
    for a, b in zip(compiled[1], eager[1]):
        np.testing.assert_array_equal(a, b)
    assert len(replays) >= 4


def test_signatures_reprs_and_refusals_are_torch_s():
    assert list(inspect.signature(ours.rrelu).parameters) == list(inspect.signature(F.rrelu).parameters)
    for name, param in inspect.signature(F.rrelu).parameters.items():
        assert inspect.signature(ours.rrelu).parameters[name].default == param.default
    theirs = inspect.signature(torch.nn.RReLU.__init__).parameters
    mine = inspect.signature(nn.RReLU.__init__).parameters
    assert [(p.name, p.default) for p in mine.values()] == [(p.name, p.default) for p in theirs.values()]
    assert "RReLU" in nn.__all__ and "rrelu" in ours.__all__
    for args in [(), (0.1, 0.2, True), (0.25, 0.5)]:
        assert repr(nn.RReLU(*args)) == repr(torch.nn.RReLU(*args))
    with pytest.raises(ValueError, match=r"rrelu: lower must be at most upper, got lower=0.3 and upper=0.1"):
        ours.rrelu(Tensor(X), 0.3, 0.1, True)
    for training in (True, False):  # torch refuses such bounds in eval too, as ours
        with pytest.raises(RuntimeError, match=r"Lower bound should be less than or equal to the upper bound"):
            F.rrelu(torch.tensor(X), 0.3, 0.1, training)
        with pytest.raises(ValueError, match=r"rrelu: lower must be at most upper"):
            ours.rrelu(Tensor(X), 0.3, 0.1, training)
    with pytest.raises(ValueError, match=r"RReLU: lower must be at most upper"):
        nn.RReLU(0.5, 0.25)
    layer = nn.RReLU()
    with pytest.raises(TypeError, match=r"RReLU: lower must be a"):
        layer.lower = "0.1"
    layer.lower = 0.5
    with pytest.raises(ValueError, match=r"RReLU: lower must be at most upper, got lower=0.5 and upper=0.333"):
        layer(Tensor(X))
    with pytest.raises(TypeError, match=r"rrelu takes floating-point input, got int64"):
        ours.rrelu(Tensor(np.arange(3)), training=True)
    with pytest.raises(TypeError, match=r"rrelu: training must be"):
        ours.rrelu(Tensor(X), training="yes")
    with pytest.raises(ValueError, match=r"rrelu: upper must be a finite"):
        ours.rrelu(Tensor(X), 0.1, float("inf"))
