"""nn.save and nn.load with optimizer= keep the ReduceLROnPlateaus made on it: a resumed run cuts the lr
when the uninterrupted run would have (a plateau made anew counted its bad epochs from 0 again, and cut
epochs later), a plateau of other settings or a missing one is refused, changing nothing, and a file
written before plateaus were saved loads as it did."""

import math

import numpy as np
import pytest

import nn
from nn import functional as F
from nn.schedulers import ReduceLROnPlateau, StepLR

X, Y = nn.data.spirals(60, n_classes=3, seed=0)


def _plateau(opt, **settings):
    return ReduceLROnPlateau(opt, **({"patience": 0, "factor": 0.5, "threshold": 0.5} | settings))


def run(epochs, start=None, path=None, **settings):
    """Train `epochs` epochs with a StepLR and a plateau (from the file `start`, saving to `path` after, if
    given): the lrs each epoch began with, and the weights."""
    model = nn.Sequential(nn.Linear(2, 8, seed=0), nn.ReLU(), nn.Linear(8, 3, seed=1))
    opt = nn.Adam(model.parameters(), lr=0.1)
    step, plateau = StepLR(opt, 3, 0.5), _plateau(opt, **settings)
    if start is not None:
        nn.load(model, start, optimizer=opt)
    lrs = []
    for _ in range(epochs):
        lrs.append(opt.lr)
        history = nn.fit(model, F.cross_entropy, opt, (X, Y), epochs=1, verbose=False)
        step.step()
        plateau.step(history.loss[-1])
    if path is not None:
        nn.save(model, path, optimizer=opt)
    return lrs, [p.data.copy() for p in model.parameters()]


@pytest.mark.parametrize("suffix", [".npz", ".safetensors"])
def test_a_resumed_run_cuts_the_lr_when_the_run_would_have(suffix, tmp_path):
    if suffix == ".safetensors":
        pytest.importorskip("safetensors")
    lrs, weights = run(8)
    first, _ = run(4, path=tmp_path / f"ckpt{suffix}")
    then, resumed = run(4, start=tmp_path / f"ckpt{suffix}")
    assert first + then == lrs
    for a, b in zip(resumed, weights, strict=True):
        np.testing.assert_array_equal(a, b)


def test_the_plateaus_counts_and_best_are_the_saved_ones(tmp_path):
    model = nn.Sequential(nn.Linear(2, 3, seed=0))
    opt = nn.SGD(model.parameters(), lr=0.1)
    plateau = _plateau(opt, patience=5, cooldown=2, mode="max")
    for metric in (1.0, 2.0, 1.5, 1.5):
        plateau.step(metric)
    nn.save(model, tmp_path / "ckpt.npz", optimizer=opt)
    fresh_opt = nn.SGD(model.parameters(), lr=0.1)
    fresh = _plateau(fresh_opt, patience=5, cooldown=2, mode="max")
    nn.load(model, tmp_path / "ckpt.npz", optimizer=fresh_opt)
    assert (
        fresh.state_dict()
        == plateau.state_dict()
        == {
            "best": 2.0,
            "num_bad_epochs": 2,
            "cooldown_counter": 0,
            "last_epoch": 4,
        }
    )


def test_a_plateau_that_has_seen_no_improvement_keeps_its_start(tmp_path):
    model = nn.Sequential(nn.Linear(2, 3, seed=0))
    opt = nn.SGD(model.parameters(), lr=0.1)
    _plateau(opt, mode="max")
    nn.save(model, tmp_path / "ckpt.npz", optimizer=opt)
    fresh_opt = nn.SGD(model.parameters(), lr=0.1)
    fresh = _plateau(fresh_opt, mode="max")
    fresh.best = 3.0
    nn.load(model, tmp_path / "ckpt.npz", optimizer=fresh_opt)
    assert fresh.best == -math.inf


@pytest.mark.parametrize(
    ("saved", "loaded", "words"),
    [
        ({}, {"patience": 1}, r"saved with patience=0, and this one has patience=1"),
        ({}, {"mode": "max"}, r"saved with mode='min', and this one has mode='max'"),
        ({"threshold_mode": "abs"}, {}, r"saved with threshold_mode='abs', and this one has threshold_mode='rel'"),
        ({}, {"factor": 0.25}, r"saved with factor=0.5, and this one has factor=0.25"),
    ],
)
def test_a_plateau_of_other_settings_is_refused_and_nothing_changes(saved, loaded, words, tmp_path):
    run(2, path=tmp_path / "ckpt.npz", **saved)
    model = nn.Sequential(nn.Linear(2, 8, seed=0), nn.ReLU(), nn.Linear(8, 3, seed=1))
    opt = nn.Adam(model.parameters(), lr=0.1)
    StepLR(opt, 3, 0.5)
    plateau = _plateau(opt, **loaded)
    before = [p.data.copy() for p in model.parameters()]
    with pytest.raises(ValueError, match=words):
        nn.load(model, tmp_path / "ckpt.npz", optimizer=opt)
    assert all(np.array_equal(p.data, b) for p, b in zip(model.parameters(), before, strict=True))
    assert opt.state == {} and opt.lr == 0.1 and plateau.last_epoch == 0


def test_a_missing_or_an_extra_plateau_is_refused(tmp_path):
    model = nn.Sequential(nn.Linear(2, 3, seed=0))
    opt = nn.SGD(model.parameters(), lr=0.1)
    nn.save(model, tmp_path / "none.npz", optimizer=opt)
    _plateau(opt).step(1.0)
    nn.save(model, tmp_path / "one.npz", optimizer=opt)
    with pytest.raises(ValueError, match=r"holds the state of 1 ReduceLROnPlateau\(s\) .* this one has 0"):
        nn.load(model, tmp_path / "one.npz", optimizer=nn.SGD(model.parameters(), lr=0.1))
    other = nn.SGD(model.parameters(), lr=0.1)
    plateau = _plateau(other)
    with pytest.raises(ValueError, match=r"holds the state of 0 ReduceLROnPlateau\(s\) .* this one has 1"):
        nn.load(model, tmp_path / "none.npz", optimizer=other)
    assert plateau.last_epoch == 0


def test_a_file_written_before_plateaus_were_saved_loads_as_it_did(tmp_path):
    model = nn.Sequential(nn.Linear(2, 3, seed=0))
    opt = nn.SGD(model.parameters(), lr=0.1)
    _plateau(opt).step(1.0)
    nn.save(model, tmp_path / "new.npz", optimizer=opt)
    with np.load(tmp_path / "new.npz") as f:  # np.savez writes no checksum: such files load unchecked
        np.savez(tmp_path / "old.npz", **{k: f[k] for k in f.files if ".plateau" not in k})
    fresh_opt = nn.SGD(model.parameters(), lr=0.5)
    fresh = _plateau(fresh_opt)
    nn.load(model, tmp_path / "old.npz", optimizer=fresh_opt)
    assert fresh_opt.lr == 0.1 and fresh.last_epoch == 0 and fresh.best == math.inf


@pytest.mark.parametrize(("mode", "best"), [("min", -math.inf), ("max", math.inf)])
def test_a_best_no_run_can_reach_is_refused(mode, best):
    opt = nn.SGD(nn.Linear(2, 3, seed=0).parameters(), lr=0.1)
    plateau = _plateau(opt, mode=mode)
    state = plateau.state_dict() | {"best": best, "last_epoch": 3}
    with pytest.raises(ValueError, match=r"best must be a finite number, or -?inf \(the start of mode"):
        plateau.load_state_dict(state)
    assert plateau.last_epoch == 0


def test_a_mode_that_is_none_of_the_choices_is_refused(tmp_path):
    model = nn.Sequential(nn.Linear(2, 3, seed=0))
    opt = nn.SGD(model.parameters(), lr=0.1)
    _plateau(opt)
    nn.save(model, tmp_path / "ckpt.npz", optimizer=opt)
    with np.load(tmp_path / "ckpt.npz") as f:  # np.savez writes no checksum: such files load unchecked
        np.savez(tmp_path / "bad.npz", **dict(f) | {"_optimizer.schedule.plateau.0.setting.mode": np.array(7)})
    other = nn.SGD(model.parameters(), lr=0.1)
    _plateau(other)
    with pytest.raises(ValueError, match=r"mode holds 7, not the place of one of \['min', 'max'\]"):
        nn.load(model, tmp_path / "bad.npz", optimizer=other)
