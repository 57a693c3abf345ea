"""What a scheduler takes as a number from the user's code: LambdaLR's factor and ReduceLROnPlateau's
metric are one real number, a 0-d array or tensor holding one included (PyTorch multiplies by a tensor
factor); text, None and bools are a TypeError, an infinite or NaN one a ValueError."""

import numpy as np
import pytest

import nn
from autograd import Tensor, Value
from nn.schedulers import LambdaLR, ReduceLROnPlateau

torch = pytest.importorskip("torch")


def _opt():
    return nn.SGD([Tensor(np.ones(2), requires_grad=True)], lr=0.1)


@pytest.mark.parametrize(
    "make", [np.array, np.float32, Tensor, Value, torch.tensor, float], ids=lambda f: getattr(f, "__name__", str(f))
)
def test_a_factor_holding_one_number_is_taken_as_it(make):
    ours = _opt()
    sched = LambdaLR(ours, lambda e: make(0.5**e))
    theirs = torch.optim.SGD([torch.ones(2, requires_grad=True)], lr=0.1)
    reference = torch.optim.lr_scheduler.LambdaLR(theirs, lambda e: 0.5**e)
    for _ in range(3):
        ours.step(), theirs.step(), sched.step(), reference.step()
        assert ours.lr == pytest.approx(theirs.param_groups[0]["lr"], rel=1e-7)


@pytest.mark.parametrize("given", ["0.5", None, True, np.array([0.5, 0.5]), b"1"])
def test_a_factor_that_is_no_number_is_a_type_error(given):
    with pytest.raises(TypeError, match=r"LambdaLR: lr_lambda\(0\) gave .*; it must give a number"):
        LambdaLR(_opt(), lambda e: given)


@pytest.mark.parametrize("given", [float("nan"), np.array(np.inf), 10**400])
def test_a_factor_that_is_not_finite_is_a_value_error(given):
    with pytest.raises(ValueError, match="it must give a finite number"):
        LambdaLR(_opt(), lambda e: given)


@pytest.mark.parametrize("given", ["1", "0.5", b"0.1", None, True, np.array([1.0, 2.0])])
def test_a_metric_that_is_no_number_is_a_type_error_changing_nothing(given):
    sched = ReduceLROnPlateau(_opt())
    before = dict(sched.state_dict())
    with pytest.raises(TypeError, match="metrics must be a number"):
        sched.step(given)
    assert all(np.array_equal(v, before[k]) for k, v in sched.state_dict().items())


@pytest.mark.parametrize(
    "make", [np.array, Tensor, torch.tensor, np.float32, lambda v: torch.tensor(v, requires_grad=True)]
)
def test_a_metric_holding_one_number_counts(make):
    sched = ReduceLROnPlateau(_opt())
    sched.step(make(2.0))
    assert sched.best == 2.0 and sched.last_epoch == 1


def test_a_schedule_of_ones_own_may_give_a_0d_array_and_not_text():
    from nn.schedulers import LRScheduler

    class Halving(LRScheduler):
        def factor_at(self, epoch):
            return np.array(0.5**epoch)

    opt = _opt()
    sched = Halving(opt)
    sched.step()
    assert opt.lr == 0.05 and type(opt.lr) is float

    class Wordy(LRScheduler):
        def factor_at(self, epoch):
            return "half"

    with pytest.raises(TypeError, match="Wordy: epoch 0 gives the factor 'half'; it must be a finite number"):
        Wordy(_opt())
