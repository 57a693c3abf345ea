"""gradcheck where an op of the user's own rounds (or kinks, or jumps) within 256 eps, hidden from x +- eps
and from the bits of f's numbers by another term added to it: `Op((x + 1e12) - 1e12)(x) + b` with a rule
giving 0 passed at short points (x = 0.25, b = 0.5), and at any point where the op's entry took b's bits
(0.3 beside 0.1), and the right rule, 1, failed there. Each is now 'cannot judge', naming the entry; right
rules of smooth ops, of ops flat for 256 eps around (floor at 5.3, steps of 1e12) and of kinks farther
away pass as before."""

import numpy as np
import pytest
from test_gradcheck_grain import _counting

import autograd
from autograd import GradcheckError, Op, Tensor, Value, gradcheck, gradcheck_params


def _rounding(times: float, big: float = 1e12) -> Op:
    """x rounded to the spacing of `big` inside the op (2**-13 for 1e12), its rule `times` the slope 1."""
    return Op("rounding", lambda x: (x + big) - big, lambda g, out, x: (g * times,))


# the same rounding inside one op of two inputs: no node of the graph keeps the short value
_ROUNDED_PLUS = Op("rounded_plus", lambda x, b: ((x + 1e12) - 1e12) + b, lambda g, out, x, b: (g * 0, g))

SHORT = [np.array([0.25, 0.5, -0.75]), np.array([0.5, 0.25, 1.0])]
LONG = [np.array([0.3, 0.7, -1.1]), np.array([0.1, 0.9, 0.45])]
COMPOSED = {
    "plus_b": lambda r: lambda x, b: r(x) + b,
    "times_b": lambda r: lambda x, b: r(x) * b,
    "plus_2x": lambda r: lambda x, b: r(x) + 2 * x,
    "plus_sin": lambda r: lambda x, b: r(x) + autograd.sin(x) * b,
    "reversed_plus_b": lambda r: lambda x, b: r(x)[::-1] + b,
    # x reaching the op through another op: the nodes were walked from the leaves up, and the probe skipped it
    "through_times_1": lambda r: lambda x, b: r(x * 1.0) + b,
    "through_two_ops": lambda r: lambda x, b: r((x + b) - b) + b,
}


@pytest.mark.parametrize("points", [SHORT, LONG], ids=["short", "long"])
@pytest.mark.parametrize("compose", COMPOSED.values(), ids=COMPOSED.keys())
@pytest.mark.parametrize("times", [0.0, 0.5, 1.0])  # 0 and 0.5 passed, 1 (right) failed outright
def test_rounding_inside_an_op_beside_another_term_cannot_be_judged(compose, points, times):
    with pytest.raises(GradcheckError, match=r"an op of yours steps within 256 eps: f\[\d\]'s slope is") as caught:
        gradcheck(compose(_rounding(times)), points)
    assert caught.value.undecided and "<- fails" not in str(caught.value)
    assert "rounding inside the op" in str(caught.value)


@pytest.mark.parametrize("points", [SHORT, LONG], ids=["short", "long"])
def test_rounding_inside_an_op_of_two_inputs_cannot_pass(points):
    with pytest.raises(GradcheckError, match="an op of yours steps within 256 eps") as caught:
        gradcheck(_ROUNDED_PLUS, points)
    assert caught.value.undecided


def test_a_value_and_a_loss_parameter_are_looked_at_too():
    with pytest.raises(GradcheckError, match="cannot judge") as caught:  # the grain of 0.75 shows it here
        gradcheck(lambda x, b: _rounding(0.0)(x) + b, [Value(0.25), Value(0.5)])
    assert caught.value.undecided
    with pytest.raises(GradcheckError, match="an op of yours steps within 256 eps"):  # and 0.4 + 1e-6's does not
        gradcheck(lambda x, b: _rounding(0.0)(x) + b, [Value(0.3), Value(0.1)])
    w, b = (Tensor(v.copy(), requires_grad=True) for v in LONG)
    with pytest.raises(GradcheckError, match="an op of yours steps within 256 eps") as caught:
        gradcheck_params(lambda: (_rounding(0.0)(w) * b).sum(), {"w": w, "b": b})
    assert caught.value.undecided


def test_a_block_whose_entry_moves_only_farther_out_is_looked_at():
    # 40 entries, two blocks: x[35]'s entry does not move at eps, and its rule is 0: no row looked at its block
    rng = np.random.default_rng(3)
    x, b = rng.uniform(0.1, 0.9, 40), rng.uniform(0.1, 0.9, 40)
    x[35] = 0.30001  # 0.3000183 at eps: on a step 2**-13 wide, none within 256 eps of it but its neighbours
    with pytest.raises(GradcheckError, match="cannot judge|not continuous"):
        gradcheck(lambda x, b: _rounding(0.0)(x) + b, [x, b])


def test_a_rule_far_off_beside_such_rounding_still_fails():
    with pytest.raises(GradcheckError, match="<- fails") as caught:
        gradcheck(lambda x, b: _rounding(3.0)(x) + b, SHORT)
    assert not caught.value.undecided


_SIN = Op("own_sin", np.sin, lambda g, out, x: (g * np.cos(x),))
_RELU = Op("own_relu", lambda x: np.maximum(x, 0.0), lambda g, out, x: (g * (x > 0),))
_FLOOR = Op("own_floor", np.floor, lambda g, out, x: (g * 0.0,))
_STEPS_OF_1E12 = Op("steps_of_1e12", lambda x: np.round(x / 1e12) * 1e12, lambda g, out, x: (g * 0.0,))
_INVERSE = Op("own_inverse", lambda x: 1 / x, lambda g, out, x: (-g / x**2,))
_LOG = Op("own_log", np.log, lambda g, out, x: (g / x,))
_SQRT = Op("own_sqrt", np.sqrt, lambda g, out, x: (g * 0.5 / np.sqrt(x),))


@pytest.mark.parametrize(
    "f, points",
    [
        (lambda x, b: _SIN(x) * b + b, LONG),
        (lambda x, b: _RELU(x) + 2 * x * b, LONG),  # kinks 0.3 away and more
        (lambda x, b: _FLOOR(x) + b, [np.array([5.3, 2.7]), np.array([0.1, 0.2])]),  # flat for 0.3 around
        (lambda x, b: _STEPS_OF_1E12(x) + b * x, LONG),
        (lambda x, b: _INVERSE(x) * b, [np.array([1e-3, 2e-3]), np.array([0.5, 1.5])]),  # curving fast at 256 eps
        (lambda x, b: _rounding(1.0, big=1e6)(x) + b, LONG),  # steps of 1.2e-10, well below 2 eps: seen at eps
        # a pole just beyond 256 eps: the slope's move grows past 6 times at a doubling (was 'cannot judge')
        (lambda x, b: _INVERSE(x) * b, [np.array([4e-4, 3e-4]), np.array([0.5, 1.5])]),
        (lambda x, b: _LOG(x) * b, [np.array([3e-4, 2.7e-4]), np.array([0.5, 1.5])]),
        (lambda x, b: _SQRT(x) * b, [np.array([2.7e-4]), np.array([0.5])]),
    ],
    ids=[
        "sin",
        "relu",
        "floor",
        "steps_of_1e12",
        "inverse_near_0",
        "fine_rounding",
        "inverse_pole",
        "log_pole",
        "sqrt_edge",
    ],
)
def test_right_rules_of_ones_own_ops_still_pass(f, points):
    assert gradcheck(f, points)


def test_a_kink_of_ones_own_within_256_eps_cannot_be_judged():
    # relu's kink 1e-4 = 100 eps away: its slope at 256 eps is 0.695, a grid's would look the same
    with pytest.raises(GradcheckError, match=r"f\[0\]'s slope is 1 at eps, 0.695312 at 256 eps") as caught:
        gradcheck(_RELU, [np.array([1e-4, 0.5])])
    assert caught.value.undecided


def test_each_element_reaching_an_op_of_ones_own_costs_two_calls_more():
    # 1 + 3 per element for the rows (x +- eps, x + eps / 2), 2 more at +-256 eps: where the slopes agree there,
    # no more
    counted, calls = _counting(_SIN)
    assert gradcheck(counted, [np.linspace(-1, 1, 20)])
    assert calls[0] == 1 + 5 * 20
    counted, calls = _counting(lambda v: autograd.sin(v))  # the op table's: x + 256 eps once (tread_entries)
    assert gradcheck(counted, [np.linspace(-1, 1, 20)])
    assert calls[0] == 1 + 4 * 20
