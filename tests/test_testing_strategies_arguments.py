"""The expression strategies refuse settings that would draw nothing or fail inside a draw, naming them:
an audit found a KeyError of one letter for kinds="exp", an AttributeError deep inside a draw for a
tensor kind among scalars, and a negative bound drawing expressions of no steps at all."""

import pytest
from hypothesis import given, settings

from autograd.op_table import POSITIVE, Domain
from autograd.testing import expressions, tensor_expressions, within


def _draw(strategy):
    @settings(max_examples=2, database=None)
    @given(strategy)
    def draw(expression):
        pass

    draw()


@pytest.mark.parametrize(
    "strategy, error, words",
    [
        (expressions(kinds="exp"), TypeError, r"kinds must be a list of kind names, got str 'exp'"),
        (expressions(kinds=["nope"]), ValueError, r"kinds \['nope'\] are not among its kinds: \+, -"),
        (expressions(kinds=["softmax"]), ValueError, r"\['softmax'\] .* give them to tensor_expressions"),
        (tensor_expressions(kinds=[]), ValueError, "kinds is empty"),
        (expressions(bound=-1.0), ValueError, r"bound must be a number > 0 .* got -1.0"),
        (expressions(max_ops=0), ValueError, "max_ops must be an int >= 1, got int 0"),
        (tensor_expressions(max_inputs=1.5), TypeError, "max_inputs must be an int >= 1, got float 1.5"),
    ],
)
def test_expression_strategies_refuse_settings_that_draw_nothing(strategy, error, words):
    with pytest.raises(error, match=words):
        _draw(strategy)


def test_a_tensor_kind_is_drawn_by_tensor_expressions():
    @settings(max_examples=5, database=None)
    @given(tensor_expressions(kinds=["softmax"], max_ops=1))
    def draw(expression):
        assert all(kind == "softmax" for kind, _, _ in expression.steps)

    draw()


def test_within_builds_each_domain_and_shapes_strategy_once():
    # two test files each wrapped within in functools.cache; it caches itself, and takes unhashable arguments
    assert within(POSITIVE, (2, 3)) is within(POSITIVE, (2, 3)) and within(POSITIVE) is within(POSITIVE)
    listed = Domain(avoid=[0.0])  # a list where the op table writes a tuple: built anew, not refused
    assert within(listed, [2]) is not within(listed, [2])

    @settings(max_examples=5, database=None)
    @given(within(listed, [2]))
    def draw(x):
        assert x.shape == (2,) and bool((abs(x) >= 0.05).all())

    draw()


def test_within_serves_no_strategy_built_for_an_equal_but_unlike_shape():
    # (2.0,) == (2,) and True == 1: the cache gave within(POSITIVE, (2,)) the strategy built for (2.0,), whose
    # draws hypothesis refuses ("Array shape must be integer"), and within(POSITIVE, 1) True's
    within(POSITIVE, (2.0,)), within(POSITIVE, True)

    @settings(max_examples=5, database=None)
    @given(within(POSITIVE, (2,)), within(POSITIVE, 1))
    def draw(x, y):
        assert x.shape == (2,) and y.shape == (1,)

    draw()
