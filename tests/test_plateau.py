"""ReduceLROnPlateau: PyTorch's lr cuts on a metric that stopped improving, alone and beside a chained
schedule (which carries the cut on as an lr set by hand), in nn.fit, and its refusals."""

import math
import random

import numpy as np
import pytest

import nn
from nn.schedulers import ReduceLROnPlateau, StepLR

METRICS = [1.0, 0.9, 1.1, 0.5, -0.3, 2.0, 0.95, 0.999]


def _settings(rnd):
    return {
        "mode": rnd.choice(["min", "max"]),
        "factor": rnd.choice([0.0, 0.1, 0.5, 0.9]),
        "patience": rnd.randint(0, 4),
        "threshold": rnd.choice([0.0, 1e-4, 0.1, 0.5, 1.0, 2.0]),
        "threshold_mode": rnd.choice(["rel", "abs"]),
        "cooldown": rnd.randint(0, 3),
        "min_lr": rnd.choice([0.0, 1e-3, 0.05]),
        "eps": rnd.choice([1e-8, 1e-2]),
    }


@pytest.mark.parametrize("chained", [False, True])
def test_the_lrs_are_pytorchs_over_random_runs(chained):
    torch = pytest.importorskip("torch", reason="PyTorch's ReduceLROnPlateau is the reference")
    rnd = random.Random(int(chained))
    for _ in range(200):
        settings, lr = _settings(rnd), rnd.choice([0.01, 0.1, 1.0])
        topt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr)
        opt = nn.SGD(nn.Linear(1, 1).parameters(), lr=lr)
        theirs, ours = torch.optim.lr_scheduler.ReduceLROnPlateau(topt, **settings), ReduceLROnPlateau(opt, **settings)
        steps = (torch.optim.lr_scheduler.StepLR(topt, 3, 0.5), StepLR(opt, 3, 0.5)) if chained else ()
        for _ in range(25):
            metric = rnd.choice(METRICS)
            if chained:
                topt.step()
                for s in steps:
                    s.step()
            theirs.step(metric)
            ours.step(metric)
            assert math.isclose(opt.lr, topt.param_groups[0]["lr"], rel_tol=1e-12, abs_tol=1e-15), settings
            assert ours.get_last_lr() == [opt.lr]


def test_a_plateau_cuts_after_patience_then_cools_down():
    opt = nn.SGD(nn.Linear(1, 1).parameters(), lr=1.0)
    plateau = ReduceLROnPlateau(opt, factor=0.5, patience=1, cooldown=1)
    lrs = []
    for metric in [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.5]:
        plateau.step(metric)
        lrs.append(opt.lr)
    assert lrs == [1.0, 1.0, 0.5, 0.5, 0.5, 0.25, 0.25]
    assert plateau.best == 0.5 and plateau.state_dict()["last_epoch"] == 7


def test_its_state_resumes():
    opt = nn.SGD(nn.Linear(1, 1).parameters(), lr=1.0)
    first = ReduceLROnPlateau(opt, patience=2)
    for metric in [1.0, 2.0, 2.0]:
        first.step(metric)
    second = ReduceLROnPlateau(opt, patience=2)
    second.load_state_dict(first.state_dict())
    second.step(2.0)
    assert opt.lr == pytest.approx(0.1)
    with pytest.raises(KeyError, match="needs the keys"):
        second.load_state_dict({"best": 1.0})
    with pytest.raises(ValueError, match="best must be a finite number"):
        second.load_state_dict({**first.state_dict(), "best": float("nan")})
    assert second.best == 1.0


@pytest.mark.parametrize(
    ("settings", "error", "words"),
    [
        ({"mode": "minimum"}, ValueError, "mode must be one of"),
        ({"threshold_mode": "relative"}, ValueError, "threshold_mode must be one of"),
        ({"factor": 1.0}, ValueError, r"factor must be in \[0, 1\)"),
        ({"factor": "0.1"}, TypeError, r"factor must be in \[0, 1\) \(it cuts the lr\), got str .0\.1."),
        ({"patience": -1}, ValueError, "patience must be an integer >= 0"),
        ({"patience": 1.5}, TypeError, "patience must be an integer >= 0, got float 1.5"),
        ({"min_lr": [0.0, 0.1]}, ValueError, "one lr per parameter group"),
        ({"threshold": float("nan")}, ValueError, "threshold must be a finite number >= 0"),
    ],
)
def test_bad_settings_are_refused(settings, error, words):
    with pytest.raises(error, match=words):
        ReduceLROnPlateau(nn.SGD(nn.Linear(1, 1).parameters(), lr=1.0), **settings)


@pytest.mark.parametrize(("metric", "error"), [(float("nan"), ValueError), (math.inf, ValueError), ("low", TypeError)])
def test_a_metric_that_says_nothing_is_refused_and_changes_nothing(metric, error):
    opt = nn.SGD(nn.Linear(1, 1).parameters(), lr=1.0)
    plateau = ReduceLROnPlateau(opt, patience=0)
    plateau.step(1.0)
    with pytest.raises(error):
        plateau.step(metric)
    assert plateau.state_dict() == {"best": 1.0, "num_bad_epochs": 0, "cooldown_counter": 0, "last_epoch": 1}


def test_fit_steps_it_on_the_validation_loss():
    X, y = nn.data.blobs(60, centers=3, seed=0)
    model = nn.Sequential(nn.Linear(2, 8, seed=0), nn.ReLU(), nn.Linear(8, 3, seed=1))
    opt = nn.SGD(model.parameters(), lr=0.5)
    seen = []

    class Recording(ReduceLROnPlateau):
        def step(self, metrics):
            seen.append(metrics)
            super().step(metrics)

    history = nn.fit(
        model,
        nn.functional.cross_entropy,
        opt,
        (X, y),
        epochs=3,
        val_data=(X[:20], y[:20]),
        scheduler=Recording(opt, patience=0, threshold=100.0, threshold_mode="abs"),
        verbose=False,
    )
    assert seen == history.val_loss
    assert history.lr == pytest.approx([0.5, 0.5, 0.05])  # the first epoch sets the best; each after is a cut


def test_fit_refuses_one_of_mode_max_before_training():
    X, y = nn.data.blobs(30, centers=2, seed=0)
    model = nn.Sequential(nn.Linear(2, 2, seed=0))
    opt = nn.SGD(model.parameters(), lr=0.5)
    before = model[0].W.data.copy()
    with pytest.raises(ValueError, match='mode="min"'):
        nn.fit(model, nn.functional.cross_entropy, opt, (X, y), epochs=1, scheduler=ReduceLROnPlateau(opt, mode="max"))
    np.testing.assert_array_equal(model[0].W.data, before)
