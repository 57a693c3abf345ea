"""Fuzzed setups (compile_fuzz_runs) whose compiled step takes its batch in another form (compile_fuzz_forms): in a
dict, a list, a namedtuple, a tuple subclass of its own constructor (a TypeError at the first call, before this
session's fix), nested, an OrderedDict, by keywords, the batch array twice: each replays with eager's numbers; a
list the step appends to is the caller's own, appended to as eagerly, and the step runs eagerly, saying so."""

import pytest
from compile_fuzz_runs import check

REPLAYING = {"pos": 33, "kw": 56, "dict": 24, "list": 47, "nt": 114, "pair": 38, "nested": 94, "ordered": 29}
REPLAYING |= {"twice": 85, "tuple_of_list": 76}


@pytest.mark.parametrize("form, seed", REPLAYING.items(), ids=list(REPLAYING))
def test_a_fuzzed_setup_taking_its_batch_in_a_container_replays_with_eagers_numbers(form, seed):
    status, details = check(seed, form=form)
    assert status == "same", details


def test_a_fuzzed_setup_appending_to_its_list_argument_runs_eagerly_as_eager():
    status, details = check(24, form="log")
    assert status == "eager", details
    assert all("changes its argument `args[2]` in place" in d for d in details)
