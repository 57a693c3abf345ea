"""A module's `training` set by hand (m.training = 1, as torch.nn takes it) is kept as the bool it stands for: it was
kept as given, so BatchNorm1d with training = 1 raised "batch_norm: training must be True or False, got int 1" (a
function the user never called) where training = 0 ran, and Dropout and RReLU refused both; torch.nn runs all four.
A value no flag stands for ("False", None, 2) is refused where it is set, naming the module."""

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor


def _x() -> Tensor:
    return Tensor(np.random.default_rng(0).standard_normal((6, 3)))


@pytest.mark.parametrize("given, mode", [(1, True), (0, False), (np.bool_(True), True), (np.int64(0), False)])
@pytest.mark.parametrize("make", [lambda: nn.BatchNorm1d(3), lambda: nn.Dropout(0.5), lambda: nn.RReLU()])
def test_a_flag_of_1_or_0_set_by_hand_runs_as_the_mode_it_stands_for(make, given, mode):
    by_hand, switched = make(), make()
    by_hand.training = given
    switched.train(mode)
    assert by_hand.training is mode
    autograd.manual_seed(0)  # the same draws for both: Dropout and RReLU draw from autograd's default generator
    got = by_hand(_x()).data
    autograd.manual_seed(0)
    assert np.array_equal(got, switched(_x()).data)


@pytest.mark.parametrize("given, error", [("False", TypeError), (None, TypeError), (2, ValueError), (0.0, TypeError)])
def test_a_value_no_flag_stands_for_is_refused_where_it_is_set(given, error):
    bn = nn.BatchNorm1d(3)
    with pytest.raises(error, match="BatchNorm1d: training must be True or False"):
        bn.training = given
    assert bn.training is True


class _Twice(nn.Module):
    """Twice x in training, x in eval: a step whose graph is the mode's."""

    def forward(self, x: Tensor) -> Tensor:
        return x * 2.0 if self.training else x


def test_a_compiled_step_replays_a_mode_set_as_1_or_0():
    """1 in place of True is the same mode: the replay (strict, never eager) gives the mode's bits."""
    m = _Twice()
    run = autograd.compile(lambda x: m(x).sum(), strict=True)
    x = _x()
    run(x), run(x)
    for given, mode in ((1, True), (0, False), (np.bool_(True), True)):
        m.training = given
        assert np.array_equal(run(x).data, (x.data * 2.0 if mode else x.data).sum())
