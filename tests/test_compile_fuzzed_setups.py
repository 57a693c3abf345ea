"""autograd.compile against eager on random whole training setups (compile_fuzz_runs): models of every family,
losses and their options, every optimizer with random options, schedulers inside and outside the step,
clipping, freezing, mode switches, lrs and hyperparameters set between calls, batches of changing shape and
layout, closures and globals that change; the optimizers the draws predate in place of the drawn ones too. A
compiled run gives eager's numbers bit for bit after every step, replayed or run eagerly with a CompileWarning;
never other numbers, never an error eager does not raise. A few seeds by default (each replays); 300 with
`-m slow`."""

import pytest
from compile_fuzz_runs import check
from compile_fuzz_setups import LATER

# setups whose compiled runs replay: an MLP switched to eval for a look and frozen on and off (3), an Embedding
# with two optimizers (6), a recurrent layer fed through one buffer (15), attention with masks under Rprop (21),
# a Conv1d in Fortran order with a OneCycleLR stepped inside (24), cross-entropy under SGD (29), a Conv2d fed
# through a buffer (38), a residual block with GroupNorm and dropout (82), nll after a look in eval mode (94)
REPLAYING = [3, 6, 15, 21, 24, 29, 38, 82, 94]


@pytest.mark.parametrize("seed", REPLAYING)
def test_a_fuzzed_setup_replays_with_eagers_numbers(seed):
    status, details = check(seed)
    assert status == "same", details


# setups that slice their batch (`x[:-1]`, `y[:-1]`) where two batches share that slice of their targets: before
# views of the inputs were seen, each replayed the first batch's targets, silently (a loss of 0.49 for eager's
# 0.69 on seed 338's third call; smooth_l1, huber, cross-entropy, mse, nll and l1 among them); then all but 1198
# and 2248 ran eagerly; now each view is made again from the batch by a replay (338 records again on every call
# for its own reasons: parameters frozen and unfrozen, state loaded)
SLICED = {338: "recorded", 1172: "same", 1198: "same", 2071: "same", 2090: "same", 2248: "same", 2734: "same"}
SLICED |= {2856: "same"}


@pytest.mark.parametrize("seed", SLICED)
def test_a_fuzzed_setup_slicing_its_inputs_gives_eagers_numbers(seed):
    status, details = check(seed)
    assert status == SLICED[seed], details


@pytest.mark.parametrize("opt", LATER)
@pytest.mark.parametrize("seed", REPLAYING)
def test_an_optimizer_the_draws_predate_replays_in_a_fuzzed_setup(seed, opt):
    """nn's optimizers the seeds' draws predate (ASGD, Adafactor: compile_fuzz_setups.LATER, from ALL_OPTIMIZERS),
    each in place of the drawn one in the replaying setups, every other choice as drawn: eager's numbers, replayed."""
    status, details = check(seed, opt)
    assert status == "same", details


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(300))
def test_a_fuzzed_setup_with_a_later_optimizer_gives_eagers_numbers(seed):
    opt = LATER[seed % len(LATER)]
    status, details = check(seed, opt)
    assert status in ("same", "eager", "recorded", "refused"), details


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(300))
def test_a_fuzzed_setup_gives_eagers_numbers(seed):
    status, details = check(seed)
    assert status in ("same", "eager", "recorded", "refused"), details
