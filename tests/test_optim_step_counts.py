"""A loaded optimizer state whose count of steps is 0 is refused, changing nothing: a parameter's
state is made by its first step, which counts it, so no run saves one, and Adam's next bias
correction would take the moments of a long run for a first step's (its first moment times 10)."""

import numpy as np
import pytest

from autograd import Tensor, Value
from nn import Adagrad, Adam, AdamW, RMSprop


@pytest.mark.parametrize(
    ("make", "count"),
    [(Adam, "t"), (AdamW, "t"), (lambda p: RMSprop(p, centered=True), "step"), (Adagrad, "step")],
)
def test_a_count_of_zero_steps_is_refused_and_changes_nothing(make, count):
    p = Tensor(np.ones(3), requires_grad=True)
    opt = make([p])
    p.grad = np.array([0.1, -0.2, 0.3])
    opt.step()
    state = opt.state_dict()
    kept = {k: v.copy() if isinstance(v, np.ndarray) else v for k, v in opt.state[0].items()}
    with pytest.raises(ValueError, match=rf"state.0.{count} holds 1 value\(s\) out of range .* is >= 1"):
        opt.load_state_dict(state | {f"state.0.{count}": np.array(0, np.int64)})
    assert opt.state[0][count] == 1
    assert all(np.array_equal(opt.state[0][k], v) for k, v in kept.items())


def test_the_values_count_is_checked_too():
    w = Value(1.0)
    opt = Adam([w])
    w.grad = 0.5
    opt.step()
    with pytest.raises(ValueError, match=r"state.values.t holds 1 value\(s\) out of range"):
        opt.load_state_dict(opt.state_dict() | {"state.values.t": np.array(0, np.int64)})
    assert opt.state["values"]["t"] == 1
