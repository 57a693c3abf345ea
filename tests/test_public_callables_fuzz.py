"""Each of a set of public callables (autograd's functions, Tensor's and Value's methods and operators, viz's
drawings) given bad arguments one at a time, the others valid (tests/public_callables_fuzz.py): it returns,
or raises one error of the right type naming it in chainrule's words, its inputs unchanged. The default run
gives each a share of the junk; the slow run (`-m slow`) the whole catalogue."""

from __future__ import annotations

import pytest
from public_callables_fuzz import CALLS, FAST, JUNK, outcome, slots


def _cases(junks: tuple[str, ...]) -> list[tuple[str, tuple[str, object], str]]:
    return [(name, place, junk) for name in CALLS for place in slots(CALLS[name]) for junk in junks]


def _check(cases: list[tuple[str, tuple[str, object], str]]) -> None:
    wrong = [f"{name} {place} <- {junk}: {why}" for name, place, junk in cases if (why := outcome(name, place, junk))]
    assert not wrong, f"{len(wrong)} of {len(cases)} calls:\n" + "\n".join(wrong[:40])


@pytest.mark.parametrize("name", sorted(CALLS))
def test_each_call_returns_with_its_valid_arguments(name) -> None:
    """The calls the junk is measured against work: a refusal of every call would pass the others."""
    fn, args, kwargs = CALLS[name]()
    fn(*args, **kwargs)


@pytest.mark.parametrize("name", sorted(CALLS))
def test_a_share_of_the_junk_is_refused_in_chainrules_words(name) -> None:
    _check([case for case in _cases(FAST) if case[0] == name])


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CALLS))
def test_the_whole_catalogue_is_refused_in_chainrules_words(name) -> None:
    _check([case for case in _cases(tuple(JUNK)) if case[0] == name])
