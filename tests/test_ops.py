"""Every scalar op's derivative against central finite differences, and its edge points."""

import math

import pytest
from budget import per_op
from cases_parameters import PARAMETER_CASES
from hypothesis import assume, settings
from hypothesis import strategies as st
from hypothesis.database import InMemoryExampleDatabase

from autograd import Value, grad, gradcheck
from autograd.op_table import ELEMENTWISE
from autograd.testing import floats, within


def inside(domain, candidates=(1.5, -0.75, 0.5)):
    """A number operand inside an input's domain."""
    return next(c for c in candidates if domain(c))


def _number_operands(d):
    """A binary function with a number on either side, each form a function of the other input,
    drawn where the pair is valid (maximum(x, 1.5) away from the tie)."""
    right, left = inside(d.safe[1]), inside(d.safe[0])
    forms = {
        f"{d.name}(x, {right})": (lambda x: d.apply(x, right), within(d.safe[0]).filter(lambda x: d.valid(x, right))),
        f"{d.name}({left}, x)": (lambda x: d.apply(left, x), within(d.safe[1]).filter(lambda x: d.valid(left, x))),
    }
    return {form: case for k, (form, case) in enumerate(forms.items()) if d.differentiable(k)}  # x where it has one


# every op of the table, from its own entry (method, and where finite differences are valid),
# then the forms with a number operand and constant exponents
UNARY = {d.name: (getattr(Value, d.name), within(d.safe[0])) for d in ELEMENTWISE if d.arity == 1}
UNARY.update(
    {
        "square": (lambda x: x**2, floats()),
        "cube": (lambda x: x**3, floats()),
        "reciprocal": (lambda x: x**-1, floats(0.05, 3.0)),
        "x**0.5": (lambda x: x**0.5, floats(1e-2, 10.0)),
        "number ** x": (lambda x: 2**x, floats()),
        "number - x": (lambda x: 1 - x, floats()),
        "number / x": (lambda x: 2 / x, floats(0.05, 3.0)),
        "x * number": (lambda x: x * 2.5, floats()),
        "number + x": (lambda x: 3 + x, floats()),
    }
)
for d in ELEMENTWISE:
    if d.arity == 2 and not d.symbol:
        UNARY.update(_number_operands(d))
UNARY.update(
    {
        case: (lambda x, name=name, params=params: getattr(x, name)(**params), within(domain))
        for case, (name, params, domain) in PARAMETER_CASES.items()
    }
)
BINARY = {d.symbol or d.name: (d, *map(within, d.safe)) for d in ELEMENTWISE if d.arity == 2}


# each property of an op draws tests/budget.py's PER_OP examples for it (fewer for slow series)
@pytest.mark.parametrize("name", UNARY)
@per_op
def test_unary_op_matches_finite_differences(name, data):
    f, xs = UNARY[name]
    assert gradcheck(f, [data.draw(xs)])


@pytest.mark.parametrize("name", BINARY)
@per_op
def test_binary_op_matches_finite_differences(name, data):
    d, xs, ys = BINARY[name]
    x, y = data.draw(xs), data.draw(ys)
    assume(d.valid(x, y))  # away from a tie or a jump where the inputs meet
    full, varied = d.varied([x, y])  # an input without a derivative is held (gammainc's a)
    assert gradcheck(lambda *xs: d.apply(*full(*xs)), varied)


@pytest.mark.parametrize("name", UNARY)
@per_op
def test_unary_op_second_derivative_matches_finite_differences(name, data):
    f, xs = UNARY[name]
    assert gradcheck(grad(f), [data.draw(xs)])


def test_relu_and_abs_have_derivative_zero_at_their_kink():
    for f in (lambda x: x.relu(), lambda x: abs(x)):
        x = Value(0.0)
        f(x).backward()
        assert x.grad == 0.0


def test_relu_lets_nan_through():
    assert math.isnan(Value(math.nan).relu().data)


def test_pow_with_negative_base_and_constant_exponent():
    x = Value(-3.0)
    (x**2).backward()
    assert x.grad == -6.0
    x = Value(-2.0)
    (x**3).backward()
    assert x.grad == 12.0
    assert gradcheck(lambda x: x**3 + x**-1, [-1.5])


def test_pow_with_negative_base_and_value_exponent():
    """d/db a**b = a**b log a has no real value for a < 0 (NaN); d/da stays exact."""
    a, b = Value(-2.0), Value(3.0)
    (a**b).backward()
    assert a.grad == 12.0
    assert math.isnan(b.grad)


def test_pow_with_zero_base_gives_zero_exponent_gradient():
    a, b = Value(0.0), Value(2.0)
    (a**b).backward()
    assert (a.grad, b.grad) == (0.0, 0.0)


def test_log_near_zero_has_the_exact_large_gradient():
    x = Value(1e-12)
    x.log().backward()
    assert x.grad == pytest.approx(1e12, rel=1e-12)
    assert gradcheck(lambda x: x.log(), [1e-4], eps=1e-9)


def test_sigmoid_is_finite_for_large_inputs():
    assert Value(-1000.0).sigmoid().data == 0.0
    assert Value(1000.0).sigmoid().data == 1.0


def test_sqrt_at_zero_has_an_infinite_derivative_and_says_so():
    x = Value(0.0)
    with pytest.raises(ZeroDivisionError, match=r"backward of sqrt\(0.0\): the derivative is infinite"):
        x.sqrt().backward()


def test_comparisons_look_at_data():
    assert Value(1.0) < Value(2.0) and Value(2.0) >= 2 and Value(3.0) > 2.5 and Value(1.0) <= 1


def test_values_stay_hashable_by_identity():
    a, b = Value(1.0), Value(1.0)
    assert a != b and len({a, b}) == 2


def test_each_op_s_property_keeps_its_own_failures():
    """per_op's properties each have their own key in hypothesis's example database, as a parametrized @given
    has: with one key for all, every op's run replayed (and, passing, could delete) the failures of the others."""
    db, previous = InMemoryExampleDatabase(), settings.get_current_profile_name()

    @per_op
    def prop(name, data):
        assert data.draw(st.integers(0, 1000)) <= 500

    settings.register_profile("per-op-database", settings.get_profile(previous), database=db)
    settings.load_profile("per-op-database")
    try:
        for name in ("exp", "tanh"):
            with pytest.raises(AssertionError):
                prop(name)
    finally:
        settings.load_profile(previous)
    assert len([key for key, saved in db.data.items() if saved and not key.endswith((b".secondary", b".pareto"))]) == 2
