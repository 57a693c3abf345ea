"""An optimizer's integer settings (LBFGS's max_iter, max_eval, history_size) are kept in a state dict as int64:
one beyond 2**63 - 1 is refused where it is given (the constructor, an assignment, a param group), naming the
setting and the largest it takes, rather than made and then failing every state_dict and nn.save with numpy's
"Python int too large to convert to C long"; max_eval's default (max_iter * 5 // 4) stays within it."""

import numpy as np
import pytest

import nn
from autograd import Tensor

LARGEST = 2**63 - 1
TOLD = r"LBFGS: {} is {}, beyond the 64-bit integers a state dict holds \(at most 2\*\*63 - 1"


def _params():
    return [Tensor(np.ones(3), requires_grad=True)]


@pytest.mark.parametrize("name", ["max_iter", "max_eval", "history_size"])
@pytest.mark.parametrize("value", [2**63, 2**70])
def test_an_integer_beyond_int64_is_refused_where_it_is_given(name, value):
    with pytest.raises(ValueError, match=TOLD.format(name, value)):
        nn.LBFGS(_params(), **{name: value})
    opt = nn.LBFGS(_params())
    with pytest.raises(ValueError, match=TOLD.format(name, value)):
        opt.param_groups[0][name] = value
    with pytest.raises(ValueError, match=TOLD.format(name, value)):
        setattr(opt, name, value)
    assert opt.state_dict()[name] == {"max_iter": 20, "max_eval": 25, "history_size": 100}[name]


def test_the_largest_saves_and_max_evals_default_stays_within_it():
    opt = nn.LBFGS(_params(), max_iter=LARGEST, history_size=LARGEST)
    assert (opt.max_iter, opt.max_eval, opt.history_size) == (LARGEST, LARGEST, LARGEST)
    state = opt.state_dict()
    assert [int(state[k]) for k in ("max_iter", "max_eval", "history_size")] == [LARGEST] * 3
