"""gradcheck's note that it checks float32 inputs in float64 is a UserWarning issued at the caller's line:
Python's default filter shows it once per line, but gradcheck's own `warnings.catch_warnings()` (around its
evaluations of f beyond eps) reset every registry of warnings shown, so each call showed it again: 20 calls
from one line, 20 warnings; hypothesis resets them too, at each draw of a mapped strategy (`tensors()`): a
property test of 60 examples showed 60. The note is shown once per line now, whatever resets the registries,
naming the user's line also through judged_gradcheck; a filter of "always" or "error" still sees every call."""

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings

from autograd import Tensor, gradcheck
from autograd.testing import judged_gradcheck, tensors


def _x() -> Tensor:
    return Tensor(np.linspace(0.1, 1.0, 5).astype(np.float32), requires_grad=True)


def _shown(calls) -> list[warnings.WarningMessage]:
    with warnings.catch_warnings(record=True) as log:
        warnings.simplefilter("default")  # Python's own: once per line (and text)
        calls()
    return [w for w in log if "checking in float64" in str(w.message)]


def test_the_float64_note_is_shown_once_for_twenty_calls_from_one_line():
    def calls():
        for _ in range(20):
            gradcheck(lambda t: t.sin() * t, [_x()])

    shown = _shown(calls)
    assert len(shown) == 1, [str(w.message) for w in shown]
    assert shown[0].filename == __file__  # the line that called gradcheck


def test_calls_from_two_lines_show_it_twice_and_an_always_filter_every_time():
    def calls():
        gradcheck(lambda t: t.sin(), [_x()])
        gradcheck(lambda t: t.sin(), [_x()])

    assert len(_shown(calls)) == 2
    with warnings.catch_warnings(record=True) as log:
        warnings.simplefilter("always")
        for _ in range(3):
            gradcheck(lambda t: t.sin(), [_x()])
    assert len([w for w in log if "checking in float64" in str(w.message)]) == 3


def test_the_note_is_shown_once_per_line_where_something_resets_the_registries_between_calls():
    def calls():
        for _ in range(20):
            gradcheck(lambda t: t.sin() * 2, [_x()])
            with warnings.catch_warnings():  # as hypothesis does at each draw of a mapped strategy
                pass

    assert len(_shown(calls)) == 1


def test_an_error_filter_raises_at_every_call():
    for _ in range(3):
        with warnings.catch_warnings(), pytest.raises(UserWarning, match="checking in float64"):
            warnings.simplefilter("error")
            gradcheck(lambda t: t.cos(), [_x()])


def test_judged_gradcheck_names_the_line_that_called_it():
    def calls():
        for _ in range(5):
            judged_gradcheck(lambda t: t.exp(), [_x()])

    shown = _shown(calls)
    assert len(shown) == 1
    assert shown[0].filename == __file__, shown[0].filename


@pytest.mark.parametrize("action", ["ignore", "error"])
def test_a_call_the_filters_ignored_or_raised_does_not_count_as_shown(action):
    """A call from a line under "ignore" (or "error") kept the note from ever showing at that line again: 0 notes
    of 2 calls under the default filter after it, where Python's registry shows it once (it records only a
    warning it showed)."""

    def call():
        gradcheck(lambda t: t.tanh() * t, [_x()])

    with warnings.catch_warnings(record=True) as log:
        warnings.simplefilter(action)
        with pytest.raises(UserWarning) if action == "error" else warnings.catch_warnings():
            call()
        warnings.simplefilter("default")
        call()
        call()
    assert len([w for w in log if "checking in float64" in str(w.message)]) == 1


def test_each_warnings_context_shows_it_once_as_pytest_gives_each_test_its_own():
    """The lines noted were remembered for the whole process: a second test calling gradcheck from a line one
    before it did (a parametrized test's; pytest gives each test its own catch_warnings, and the recwarn fixture
    its "default" filter) saw no note, 0 of 2 calls, where Python's registry shows it again in a fresh context."""

    def call():
        gradcheck(lambda t: t.sin() - t, [_x()])

    assert [len(_shown(lambda: [call(), call()])) for _ in range(2)] == [1, 1]


def test_a_property_test_of_float32_tensors_shows_it_once():
    """hypothesis empties the registries at each draw of a mapped strategy: 30 examples showed 30 notes."""

    @settings(max_examples=30, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(tensors(shape=(3,), min_value=-2.0, max_value=2.0, dtype=np.float32))
    def check(x):
        gradcheck(lambda t: t.sin() * 3, [x])

    assert len(_shown(check)) == 1
