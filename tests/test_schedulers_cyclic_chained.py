"""MultiplicativeLR, CyclicLR and ChainedScheduler (torch 2.13's, missing before): ChainedScheduler against
PyTorch's over random chains, stepping all or none, its state; MultiplicativeLR asking lr_lambda once an epoch,
as PyTorch's, and refused where PyTorch's SequentialLR would give an lr of neither schedule; their arguments
refused, changing nothing. CyclicLR against PyTorch: tests/test_torch_diff_cyclic.py; MultiplicativeLR:
tests/test_torch_diff_schedulers_more.py; both through nn.save: tests/test_schedule_resume.py."""

import math

import numpy as np
import pytest
from test_nn_schedulers import lrs, optimizer  # an SGD of lr 0.1, and the lr of each epoch
from test_torch_diff_schedulers_more import DRAWS, _assert_same_lrs, _make, _optimizers
from torch_reference import torch

from nn.optim import SGD, Adagrad
from nn.schedulers import (
    SETS_OUTRIGHT,
    ChainedScheduler,
    CosineAnnealingWarmRestarts,
    CyclicLR,
    ExponentialLR,
    LambdaLR,
    MultiplicativeLR,
    OneCycleLR,
    ReduceLROnPlateau,
    SequentialLR,
    StepLR,
)

CHAINABLE = sorted(name for name in DRAWS if name not in ("CosineAnnealingWarmRestarts",))


class _Chained:
    """A ChainedScheduler of chainrule's and PyTorch's, stepped as a pair by _assert_same_lrs."""

    def __init__(self, pairs):
        self.ours = ChainedScheduler([o for o, _ in pairs])
        self.theirs = torch.optim.lr_scheduler.ChainedScheduler([t for _, t in pairs])


@pytest.mark.parametrize("seed", range(12))
def test_a_chained_scheduler_gives_torchs_lrs(seed):
    rng = np.random.default_rng(300 + seed)
    names = rng.choice(CHAINABLE, 3)
    ours_opt, theirs_opt = _optimizers(0.1)
    inner = [_make(name, DRAWS[name](rng), ours_opt, theirs_opt) for name in names]
    chained = _Chained(inner)
    _assert_same_lrs([(chained.ours, chained.theirs)], ours_opt, theirs_opt, 40, f"ChainedScheduler of {names}")


def test_a_chained_step_refused_by_one_is_taken_back_by_all():
    """A later scheduler's refusal (lr_lambda's NaN at epoch 3) came after StepLR had stepped: both are put back."""
    opt = optimizer()
    step = StepLR(opt, 1, 0.5)
    times = MultiplicativeLR(opt, lambda e: math.nan if e == 3 else 0.9)
    chained = ChainedScheduler([step, times])
    chained.step()
    chained.step()
    before = (step.last_epoch, times.last_epoch, opt.lr, opt.scheduled_lr, chained.get_last_lr())
    with pytest.raises(ValueError, match=r"lr_lambda\(3\) gave float nan; it must give a finite number"):
        chained.step()
    assert (step.last_epoch, times.last_epoch, opt.lr, opt.scheduled_lr, chained.get_last_lr()) == before
    assert before[2] == pytest.approx(0.1 * 0.25 * 0.81)


def test_a_chained_state_resumes_and_a_bad_one_changes_nothing():
    opt = optimizer()
    chained = ChainedScheduler([StepLR(opt, 2, 0.5), ExponentialLR(opt, 0.9)])
    lrs(chained, 5)
    other = optimizer()
    fresh = ChainedScheduler([StepLR(other, 2, 0.5), ExponentialLR(other, 0.9)])
    state = chained.state_dict()
    bad = {**state, "schedulers": [state["schedulers"][0], {**state["schedulers"][1], "last_epoch": -2}]}
    with pytest.raises(ValueError, match="last_epoch must be an integer >= 0"):
        fresh.load_state_dict(bad)
    assert [s.last_epoch for s in fresh.schedulers] == [0, 0] and other.lr == 0.1
    fresh.load_state_dict(state)
    assert [s.last_epoch for s in fresh.schedulers] == [5, 5] and other.lr == opt.lr


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda o: ChainedScheduler([]), ValueError, "give one or more schedulers"),
        (lambda o: ChainedScheduler([ReduceLROnPlateau(o)]), ValueError, r"schedulers\[0\] is a ReduceLROnPlateau"),
        (lambda o: ChainedScheduler([StepLR(o, 2), 3]), TypeError, r"schedulers\[1\] is int, not a scheduler"),
        (lambda o: ChainedScheduler([StepLR(o, 2), StepLR(optimizer(), 2)]), ValueError, "another optimizer"),
        (
            lambda o: ChainedScheduler([(s := StepLR(o, 2)), SequentialLR(o, [s, ExponentialLR(o, 0.5)], [2])]),
            ValueError,
            r"schedulers\[0\], a StepLR, is run by a SequentialLR",
        ),
        (lambda o: ChainedScheduler([StepLR(o, 2)]).step(1), TypeError, r"step\(\) takes no epoch"),
    ],
)
def test_chained_arguments_are_refused(make, error, message):
    with pytest.raises(error, match=message):
        make(optimizer())


def test_lr_lambda_is_asked_once_an_epoch_in_order_as_torchs():
    asked = {"ours": [], "theirs": []}

    def counting(who):
        return lambda e: asked[who].append(e) or 0.9

    times = MultiplicativeLR(optimizer(), counting("ours"))
    for _ in range(5):
        assert times.moves_within(3)  # nn.fit's question: answered without asking lr_lambda ahead of the steps
        times.step()
    v = torch.zeros(1, requires_grad=True)
    theirs_opt = torch.optim.SGD([v], lr=0.1)
    theirs = torch.optim.lr_scheduler.MultiplicativeLR(theirs_opt, counting("theirs"))
    for _ in range(5):
        theirs_opt.step()
        theirs.step()
    assert asked["ours"] == asked["theirs"] == [1, 2, 3, 4, 5]
    assert times.get_last_lr() == pytest.approx(theirs.get_last_lr(), rel=1e-15)


def test_fit_asks_no_lr_lambda_ahead_of_the_steps_of_a_callback():
    """fit asked a MultiplicativeLR it does not step for the factors of all its epochs before training (would it
    move?), and the callback's steps then took those: a lr_lambda reading the run answered from before it."""
    import nn
    from nn import functional as F

    X, Y = nn.data.spirals(30, n_classes=3, seed=0)
    model = nn.Sequential(nn.Linear(2, 3, seed=0))
    opt, done, asked = SGD(model.parameters(), lr=0.1), [], []
    times = MultiplicativeLR(opt, lambda e: asked.append((e, len(done))) or 0.9)

    def step_it(epoch, model, history):
        times.step()
        done.append(epoch)

    nn.fit(model, F.cross_entropy, opt, (X, Y), epochs=3, verbose=False, callbacks=[step_it])
    assert asked == [(1, 0), (2, 1), (3, 2)]  # each at its step, after the epochs before it: it was (k, 0)


def test_a_multiplicative_lr_after_a_milestone_is_refused():
    """PyTorch's multiplies the lr the schedule before it left by lr_lambda(0) there (0.0247 for a 0.5 left by
    ten epochs of ExponentialLR(0.9) and a lambda of 0.1), an lr of neither schedule: the SequentialLR is refused."""
    opt = optimizer()
    first, times = ExponentialLR(opt, 0.9), MultiplicativeLR(opt, lambda e: 0.1)
    with pytest.raises(ValueError, match=r"schedulers\[1\] is a MultiplicativeLR, which PyTorch's SequentialLR"):
        SequentialLR(opt, [first, times], milestones=[10])
    other = optimizer()  # first, it starts from the initial lr, as PyTorch's
    assert lrs(SequentialLR(other, [MultiplicativeLR(other, lambda e: 0.5), StepLR(other, 2)], [2]), 3) == [
        0.1,
        0.05,
        0.1,
    ]


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda o: MultiplicativeLR(o, 0.9), TypeError, "MultiplicativeLR: lr_lambda must be a function"),
        (lambda o: CyclicLR(o, -0.1, 1.0), ValueError, "CyclicLR: base_lr must be a finite number >= 0"),
        (lambda o: CyclicLR(o, 0.1, [1.0, 2.0]), ValueError, "max_lr holds one number per parameter group"),
        (lambda o: CyclicLR(o, 0.1, 1.0, 0), ValueError, "step_size_up must be an integer >= 1, got 0"),
        (lambda o: CyclicLR(o, 0.1, 1.0, mode="cosine"), ValueError, "mode must be one of 'triangular'"),
        (lambda o: CyclicLR(o, 0.1, 1.0, scale_fn=2.0), TypeError, "scale_fn must be a function"),
        (lambda o: CyclicLR(o, 0.1, 1.0, scale_mode="epochs"), ValueError, "scale_mode must be one of 'cycle'"),
        (lambda o: CyclicLR(Adagrad(o.params), 0.1, 1.0), ValueError, "Adagrad has none .* cycle_momentum=False"),
        (
            lambda o: CyclicLR(SGD(o.params, lr=0.1, momentum=0.9, nesterov=True), 0.1, 1.0, base_momentum=0.0),
            ValueError,
            r"the cycle would set the momentum 0.0, and SGD",
        ),
        (lambda o: CyclicLR(o, 0.1, 1.0, scale_fn=lambda x: "big"), TypeError, r"scale_fn\(1\) gave 'big'"),
    ],
)
def test_bad_arguments_are_named_and_change_nothing(make, error, message):
    opt = optimizer()
    with pytest.raises(error, match=message):
        make(opt)
    assert opt.lr == 0.1 and opt.momentum == 0.0 and opt.schedulers == [] and opt.initial_lr is None


def test_a_cyclic_lr_refuses_to_step_beside_another_scheduler():
    opt = optimizer()
    step, cycle = StepLR(opt, 1, 0.5), CyclicLR(opt, 0.01, 0.1, 2, cycle_momentum=False)
    with pytest.raises(ValueError, match="CyclicLR sets the lr outright"):
        cycle.step()
    assert cycle.last_epoch == 0 and step.last_epoch == 0


def test_lambda_schedulers_are_saved_without_their_functions_as_torchs(tmp_path):
    """The function is no setting: a file loads into a scheduler made with it again (PyTorch's state_dict keeps
    a lambda's none either), and its epoch goes on."""
    import nn

    model = nn.Linear(2, 1, seed=0)
    opt = SGD(model.parameters(), lr=0.1)
    for make in (lambda o: LambdaLR(o, lambda e: 0.5**e), lambda o: MultiplicativeLR(o, lambda e: 0.5)):
        opt = SGD(model.parameters(), lr=0.1)
        lrs(make(opt), 4)
        nn.save(model, tmp_path / "ckpt.npz", optimizer=opt)
        again = SGD(model.parameters(), lr=0.1)
        resumed = make(again)
        nn.load(model, tmp_path / "ckpt.npz", optimizer=again)
        assert resumed.last_epoch == 4 and again.lr == opt.lr == pytest.approx(0.1 * 0.5**4)


def test_fit_steps_a_chained_schedulers_own_in_its_order():
    """fit refused it: "scheduler must be a scheduler of this optimizer"."""
    import nn
    from nn import functional as F

    X, Y = nn.data.spirals(30, n_classes=3, seed=0)
    model = nn.Sequential(nn.Linear(2, 3, seed=0))
    opt = SGD(model.parameters(), lr=0.1)
    chained = ChainedScheduler([StepLR(opt, 1, 0.5), ExponentialLR(opt, 0.9)])
    nn.fit(model, F.cross_entropy, opt, (X, Y), epochs=3, verbose=False, scheduler=chained)
    assert [s.last_epoch for s in chained.schedulers] == [3, 3] and opt.lr == pytest.approx(0.1 * 0.5**3 * 0.9**3)
    # its get_last_lr() and state are the lr fit's steps set: it said 0.1, the lr when it was made, after fit
    assert chained.get_last_lr() == [opt.lr] and chained.state_dict()["last_lr"] == opt.lr


def test_fit_warns_of_a_cyclic_lr_that_counts_batches():
    """fit steps once an epoch; a CyclicLR of the default step_size_up=2000 (made for batches, as PyTorch steps
    it) left the lr near base_lr for the whole fit, silently. One counted in epochs trains without a warning."""
    import warnings

    import nn
    from nn import functional as F

    X, Y = nn.data.spirals(30, n_classes=3, seed=0)
    for step_size_up, warned in ((2000, True), (3, False)):
        model = nn.Sequential(nn.Linear(2, 3, seed=0))
        opt = SGD(model.parameters(), lr=0.1)
        cyclic = CyclicLR(opt, 0.01, 0.1, step_size_up=step_size_up)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            history = nn.fit(model, F.cross_entropy, opt, (X, Y), epochs=3, verbose=False, scheduler=cyclic)
        said = [str(w.message) for w in caught if "CyclicLR" in str(w.message)]
        assert said == (["fit steps this CyclicLR once an epoch, and its lr climbs over step_size_up=2000 steps: in 3 "
                         "epoch(s) it would go 0.1% of the way to max_lr. Make it with step_size_up (and "
                         "step_size_down) counted in epochs, or step it once a batch in a loop of your own"]
                        if warned else [])  # fmt: skip
        assert caught == [] or caught[0].filename == __file__  # pointed at the call of fit
        assert len(history.lr) == 3


def test_fit_steps_a_chain_all_or_none_too():
    """fit stepped a chain's schedulers one by one, as a list: a later one's refusal (lr_lambda's NaN at epoch 2)
    left StepLR stepped to epoch 2 and the lr halved, in no step of the chain's."""
    import nn
    from nn import functional as F

    X, Y = nn.data.spirals(30, n_classes=3, seed=0)
    model = nn.Sequential(nn.Linear(2, 3, seed=0))
    opt = SGD(model.parameters(), lr=0.1)
    step, times = StepLR(opt, 1, 0.5), MultiplicativeLR(opt, lambda e: math.nan if e == 2 else 0.9)
    with pytest.raises(ValueError, match=r"lr_lambda\(2\) gave float nan"):
        nn.fit(model, F.cross_entropy, opt, (X, Y), epochs=3, verbose=False, scheduler=ChainedScheduler([step, times]))
    assert (step.last_epoch, times.last_epoch) == (1, 1) and opt.lr == pytest.approx(0.1 * 0.5 * 0.9)


def test_a_chain_loaded_by_nn_load_says_the_loaded_lr(tmp_path):
    """nn.load resumes its schedulers, not the chain: its get_last_lr() said 0.1 where the lr loaded was 0.02025."""
    import nn

    model = nn.Sequential(nn.Linear(2, 3, seed=0))
    opt = SGD(model.parameters(), lr=0.1)
    lrs(ChainedScheduler([StepLR(opt, 1, 0.5), ExponentialLR(opt, 0.9)]), 2)
    nn.save(model, tmp_path / "ckpt.npz", optimizer=opt)
    again = SGD(model.parameters(), lr=0.1)
    resumed = ChainedScheduler([StepLR(again, 1, 0.5), ExponentialLR(again, 0.9)])
    nn.load(model, tmp_path / "ckpt.npz", optimizer=again)
    assert resumed.get_last_lr() == [again.lr] == [opt.lr] and opt.lr == pytest.approx(0.1 * 0.25 * 0.81)


# each scheduler that sets the lr outright, made on an optimizer (its class's sets_outright, listed by SETS_OUTRIGHT)
OUTRIGHT = {
    "CosineAnnealingWarmRestarts": lambda o: CosineAnnealingWarmRestarts(o, 4),
    "CyclicLR": lambda o: CyclicLR(o, 0.01, 0.1, cycle_momentum=False),
    "LambdaLR": lambda o: LambdaLR(o, lambda e: 0.5),
    "OneCycleLR": lambda o: OneCycleLR(o, 1.0, 9, cycle_momentum=False),
}


@pytest.mark.parametrize("name", SETS_OUTRIGHT)
def test_each_that_sets_the_lr_outright_refuses_to_step_beside_another(name):
    """SETS_OUTRIGHT, which the docs cite, is what the chain does: each refuses to step beside a StepLR."""
    assert set(OUTRIGHT) == set(SETS_OUTRIGHT)
    opt = optimizer()
    step, outright = StepLR(opt, 1, 0.5), OUTRIGHT[name](opt)
    with pytest.raises(ValueError, match=f"{name} sets the lr outright"):
        outright.step()
    assert step.last_epoch == outright.last_epoch == 0


class _Noting(StepLR):
    """A StepLR of the user's own that notes each step in a list and an array, in place."""

    def __init__(self, *args):
        self.history, self.seen = [], np.zeros(2)
        super().__init__(*args)

    def step(self, epoch=None):
        super().step(epoch)
        self.history.append(self.last_epoch)
        self.seen += 1


def _refusing_at_3(opt, error):
    def factor(epoch):
        if epoch == 3:
            raise error
        return 0.9

    return MultiplicativeLR(opt, factor)


def test_a_chained_step_refused_puts_back_what_a_step_changed_in_place():
    """Attributes were kept shallowly: a list or an array a step changed in place stayed changed ([1, 2, 3], not
    [1, 2]; [3, 3], not [2, 2]) while the rest was put back."""
    opt = optimizer()
    noting = _Noting(opt, 1, 0.5)
    chained = ChainedScheduler([noting, _refusing_at_3(opt, ValueError("refused at 3"))])
    chained.step()
    chained.step()
    held = noting.history, noting.seen
    with pytest.raises(ValueError, match="refused at 3"):
        chained.step()
    assert noting.history == [1, 2] and noting.seen.tolist() == [2.0, 2.0] and noting.last_epoch == 2
    assert (noting.history, noting.seen) == held  # the same objects, their contents put back


def test_a_chained_step_stopped_by_ctrl_c_is_put_back_whole():
    """Only an Exception put the chain back: a KeyboardInterrupt in a later scheduler's step left the first stepped
    (last_epoch 3, the lr halved) and the second not."""
    opt = optimizer()
    noting = _Noting(opt, 1, 0.5)
    chained = ChainedScheduler([noting, _refusing_at_3(opt, KeyboardInterrupt())])
    chained.step()
    chained.step()
    before = (noting.last_epoch, opt.lr, opt.scheduled_lr, chained.get_last_lr(), list(noting.history))
    with pytest.raises(KeyboardInterrupt):
        chained.step()
    assert (noting.last_epoch, opt.lr, opt.scheduled_lr, chained.get_last_lr(), noting.history) == before
