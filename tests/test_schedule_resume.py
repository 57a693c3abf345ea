"""nn.save and nn.load with optimizer= keep the schedulers chained on it: a run resumed goes on with
their epochs, as if it had not stopped (a scheduler made anew started its schedule over: the lr of
a StepLR went back up), and a file whose schedulers are not those of the optimizer changes nothing."""

import numpy as np
import pytest

import nn
from nn import functional as F
from nn.schedulers import CosineAnnealingLR, LinearLR, SequentialLR, StepLR

X, Y = nn.data.spirals(60, n_classes=3, seed=0)
CHAINS = {
    "StepLR": lambda o: [StepLR(o, step_size=2, gamma=0.1)],
    "StepLR and CosineAnnealingLR": lambda o: [StepLR(o, step_size=2, gamma=0.5), CosineAnnealingLR(o, T_max=10)],
    "SequentialLR": lambda o: [SequentialLR(o, [LinearLR(o, 0.1, 1.0, 2), StepLR(o, 2, 0.5)], milestones=[2])],
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
