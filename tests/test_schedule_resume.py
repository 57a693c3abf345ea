"""nn.save and nn.load with optimizer= keep the schedulers chained on it: a run resumed goes on with
their epochs, as if it had not stopped (a scheduler made anew started its schedule over: the lr of
a StepLR went back up), and a file whose schedulers are not those of the optimizer changes nothing."""

import numpy as np
import pytest

import nn
from nn import functional as F
from nn.schedulers import (
    ChainedScheduler,
    ConstantLR,
    CosineAnnealingLR,
    CosineAnnealingWarmRestarts,
    CyclicLR,
    ExponentialLR,
    LinearLR,
    MultiplicativeLR,
    MultiStepLR,
    OneCycleLR,
    PolynomialLR,
    SequentialLR,
    StepLR,
)

X, Y = nn.data.spirals(60, n_classes=3, seed=0)
CHAINS = {
    "StepLR": lambda o: [StepLR(o, step_size=2, gamma=0.1)],
    "StepLR and CosineAnnealingLR": lambda o: [StepLR(o, step_size=2, gamma=0.5), CosineAnnealingLR(o, T_max=10)],
    "SequentialLR": lambda o: [SequentialLR(o, [LinearLR(o, 0.1, 1.0, 2), StepLR(o, 2, 0.5)], milestones=[2])],
    "MultiStepLR, ExponentialLR and ConstantLR": lambda o: [
        MultiStepLR(o, [1, 4, 4], 0.5),
        ExponentialLR(o, 0.9),
        ConstantLR(o, 0.5, 2),
    ],
    "OneCycleLR": lambda o: [OneCycleLR(o, 0.2, total_steps=6, anneal_strategy="linear")],  # and Adam's beta1
    "CyclicLR": lambda o: [CyclicLR(o, 0.01, 0.2, step_size_up=2, step_size_down=1, mode="triangular2")],  # beta1 too
    "ChainedScheduler of MultiplicativeLR and StepLR": lambda o: [
        ChainedScheduler([MultiplicativeLR(o, lambda e: 0.9 - 0.05 * e), StepLR(o, 2, 0.5)])
    ],
    "SequentialLR of PolynomialLR and CosineAnnealingWarmRestarts": lambda o: [
        SequentialLR(o, [PolynomialLR(o, 3, 2.0), CosineAnnealingWarmRestarts(o, 2, 2, 1e-3)], milestones=[2])
    ],
}


def run(chain, epochs, start=None, path=None):
    """Train `epochs` epochs (from the file `start`, if given; saving to `path` after, if given): the
    lrs and the weights."""
    model = nn.Sequential(nn.Linear(2, 8, seed=0), nn.ReLU(), nn.Linear(8, 3, seed=1))
    opt = nn.Adam(model.parameters(), lr=0.1)
    schedulers = CHAINS[chain](opt)
    if start is not None:
        nn.load(model, start, optimizer=opt)
    lrs = []
    for _ in range(epochs):
        lrs.append(opt.lr)
        nn.fit(model, F.cross_entropy, opt, (X, Y), epochs=1, verbose=False)
        for s in schedulers:
            s.step()
    if path is not None:
        nn.save(model, path, optimizer=opt)
    return lrs, [p.data.copy() for p in model.parameters()]


@pytest.mark.parametrize("chain", CHAINS)
def test_a_resumed_run_goes_on_with_its_schedulers_epochs(chain, tmp_path):
    lrs, weights = run(chain, 6)
    first, _ = run(chain, 3, path=tmp_path / "ckpt.npz")
    then, resumed = run(chain, 3, start=tmp_path / "ckpt.npz")
    assert first + then == lrs
    for a, b in zip(resumed, weights, strict=True):
        np.testing.assert_array_equal(a, b)


def test_a_file_of_other_schedulers_changes_nothing(tmp_path):
    run("StepLR", 3, path=tmp_path / "ckpt.npz")
    model = nn.Sequential(nn.Linear(2, 8, seed=0), nn.ReLU(), nn.Linear(8, 3, seed=1))
    opt = nn.Adam(model.parameters(), lr=0.1)
    before = [p.data.copy() for p in model.parameters()]
    with pytest.raises(ValueError, match=r"the schedulers \[StepLR\] of the optimizer, and this one has \[\]: make"):
        nn.load(model, tmp_path / "ckpt.npz", optimizer=opt)
    cosine = CosineAnnealingLR(opt, T_max=10)
    with pytest.raises(ValueError, match=r"\[StepLR\] of the optimizer, and this one has \[CosineAnnealingLR\]"):
        nn.load(model, tmp_path / "ckpt.npz", optimizer=opt)
    assert all(np.array_equal(p.data, b) for p, b in zip(model.parameters(), before))
    assert opt.state == {} and opt.lr == 0.1 and cosine.last_epoch == 0


def _cut_cosine(tmp_path):
    """A cosine whose lr was cut by hand then stepped (its base carries the cut on), saved with its optimizer."""
    model = nn.Sequential(nn.Linear(2, 3, seed=0))
    opt = nn.SGD(model.parameters(), lr=0.1)
    cosine = CosineAnnealingLR(opt, T_max=3)
    cosine.step()
    opt.lr = opt.lr / 2  # a cut on a plateau
    cosine.step()
    path = tmp_path / "cut.npz"
    nn.save(model, path, optimizer=opt)
    return model, path


def test_a_cosine_cut_by_hand_is_still_refused_past_t_max_after_a_resume(tmp_path):
    model, path = _cut_cosine(tmp_path)
    opt = nn.SGD(model.parameters(), lr=0.1)
    cosine = CosineAnnealingLR(opt, T_max=3)
    nn.load(model, path, optimizer=opt)
    assert cosine.hand_set and cosine.state_dict()["hand_set"] is True
    cosine.step()  # epoch 3, T_max itself: followed
    with pytest.raises(ValueError, match="past T_max=3"):
        cosine.step()  # PyTorch's form adds a term of the first base lr here: not followed, as before the save


def test_a_file_written_before_hand_set_loads_as_not_known_and_is_refused_past_t_max(tmp_path):
    model, path = _cut_cosine(tmp_path)
    with np.load(path) as f:
        arrays = {k: f[k] for k in f.files if not k.endswith(".hand_set")}
    np.savez(path, **arrays)
    opt = nn.SGD(model.parameters(), lr=0.1)
    cosine = CosineAnnealingLR(opt, T_max=3)
    nn.load(model, path, optimizer=opt)
    assert cosine.last_epoch == 2 and cosine.hand_set is None
    cosine.step()
    with pytest.raises(ValueError, match="may have been set by hand"):
        cosine.step()
    again = tmp_path / "again.npz"
    nn.save(model, again, optimizer=opt)  # saved once more, it stays not known
    fresh = CosineAnnealingLR(nn.SGD(model.parameters(), lr=0.1), T_max=3)
    nn.load(model, again, optimizer=fresh.optimizer)
    assert fresh.hand_set is None


HALVING = lambda cycle: 0.5**cycle  # noqa: E731  a CyclicLR's scale_fn


@pytest.mark.parametrize(
    ("saved", "loading", "setting"),
    [
        (lambda o: MultiStepLR(o, [1, 4, 4]), lambda o: MultiStepLR(o, [1, 4, 5]), r"milestones=\[1, 4, 4\]"),
        (lambda o: CosineAnnealingWarmRestarts(o, 2, 2), lambda o: CosineAnnealingWarmRestarts(o, 2, 3), "T_mult=2"),
        (lambda o: PolynomialLR(o, 3, 2.0), lambda o: PolynomialLR(o, 3, 1.0), "power=2.0"),
        (
            lambda o: OneCycleLR(o, 1.0, 9),
            lambda o: OneCycleLR(o, 1.0, 9, anneal_strategy="linear"),
            "anneal_strategy='cos'",
        ),
        (lambda o: OneCycleLR(o, 1.0, 9, three_phase=True), lambda o: OneCycleLR(o, 1.0, 9), "three_phase=True"),
        (
            lambda o: CyclicLR(o, 0.01, 0.1, 4),
            lambda o: CyclicLR(o, 0.01, 0.1, 4, mode="exp_range"),
            "mode='triangular'",
        ),
        (lambda o: CyclicLR(o, 0.01, 0.1, 4), lambda o: CyclicLR(o, 0.01, 0.2, 4), "max_lr=0.1"),
    ],
)
def test_a_file_of_other_settings_is_refused_naming_them(saved, loading, setting, tmp_path):
    model = nn.Sequential(nn.Linear(2, 3, seed=0))
    opt = nn.SGD(model.parameters(), lr=0.1)
    saved(opt).step()
    nn.save(model, tmp_path / "ckpt.npz", optimizer=opt)
    opt = nn.SGD(model.parameters(), lr=0.1)
    scheduler = loading(opt)
    with pytest.raises(ValueError, match=f"was saved with {setting}"):
        nn.load(model, tmp_path / "ckpt.npz", optimizer=opt)
    assert scheduler.last_epoch == 0 and opt.lr == scheduler.get_last_lr()[0]


@pytest.mark.parametrize(("saved_fn", "loading_fn", "fix"), [(None, HALVING, "without"), (HALVING, None, "with")])
@pytest.mark.parametrize("mode", ["triangular", "exp_range"])
def test_a_cyclic_lr_saved_with_a_scale_fn_or_without_loads_only_so(saved_fn, loading_fn, fix, mode, tmp_path):
    """A file holds no function, but whether the saved run had one decides the schedule: saved with a scale_fn,
    a file loaded into a CyclicLR without one (its mode's scale) silently, and the other way round; saved as
    exp_range, loaded with a scale_fn, the error named scale_mode and said to make it 'iterations', which would
    load and follow the scale_fn."""
    model = nn.Sequential(nn.Linear(2, 3, seed=0))
    opt = nn.SGD(model.parameters(), lr=0.1)
    CyclicLR(opt, 0.01, 0.1, 4, mode=mode, gamma=0.9, scale_fn=saved_fn).step()
    nn.save(model, tmp_path / "ckpt.npz", optimizer=opt)
    opt = nn.SGD(model.parameters(), lr=0.1)
    scheduler = CyclicLR(opt, 0.01, 0.1, 4, mode=mode, gamma=0.9, scale_fn=loading_fn)
    given = saved_fn is not None
    with pytest.raises(ValueError, match=rf"saved with scale_fn_given={given}, .* make the CyclicLR {fix} a scale_fn"):
        nn.load(model, tmp_path / "ckpt.npz", optimizer=opt)
    assert scheduler.last_epoch == 0 and opt.lr == scheduler.get_last_lr()[0]
    opt = nn.SGD(model.parameters(), lr=0.1)
    CyclicLR(opt, 0.01, 0.1, 4, mode=mode, gamma=0.9, scale_fn=saved_fn)  # made as the saved run was: loads
    nn.load(model, tmp_path / "ckpt.npz", optimizer=opt)
    assert opt.schedulers[0].last_epoch == 1


def test_an_anneal_strategy_that_is_none_of_the_choices_is_refused(tmp_path):
    """A file's anneal_strategy is its place among ("cos", "linear"): one edited to 7 was read back as the
    setting anneal_strategy=7, and the error said to make the OneCycleLR so, which no OneCycleLR can be."""
    model = nn.Sequential(nn.Linear(2, 3, seed=0))
    opt = nn.SGD(model.parameters(), lr=0.1)
    OneCycleLR(opt, 1.0, 9)
    nn.save(model, tmp_path / "ckpt.npz", optimizer=opt)
    with np.load(tmp_path / "ckpt.npz") as f:  # np.savez writes no checksum: such files load unchecked
        np.savez(tmp_path / "bad.npz", **dict(f) | {"_optimizer.schedule.0.setting.anneal_strategy": np.array(7)})
    opt = nn.SGD(model.parameters(), lr=0.1)
    cycle = OneCycleLR(opt, 1.0, 9)
    with pytest.raises(ValueError, match=r"anneal_strategy holds 7, not the place of one of \['cos', 'linear'\]"):
        nn.load(model, tmp_path / "bad.npz", optimizer=opt)
    assert cycle.last_epoch == 0
