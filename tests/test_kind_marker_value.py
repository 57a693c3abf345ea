"""The kind marker of an optimizer's state ("kind.Adam") and of a scheduler's in a file must hold
the 1 state dicts write: its value used to be ignored, so an edited or corrupted one loaded."""

import numpy as np
import pytest

import nn


def model() -> nn.Module:
    return nn.Sequential(nn.Linear(2, 2, seed=0))


@pytest.mark.parametrize("value", [0, 7])
def test_an_optimizer_state_whose_kind_marker_is_not_1_is_refused_changing_nothing(value):
    state = nn.Adam(model().parameters(), lr=0.1).state_dict() | {"kind.Adam": np.array(value, np.int64)}
    target = nn.Adam(model().parameters(), lr=0.5)
    with pytest.raises(ValueError, match=rf"kind\.Adam holds {value}, not the 1 a state dict writes there"):
        target.load_state_dict(state)
    assert target.lr == 0.5


def test_a_files_scheduler_kind_marker_that_is_not_1_is_refused_changing_nothing(tmp_path):
    saved = model()
    optimizer = nn.SGD(saved.parameters(), lr=0.1)
    nn.schedulers.StepLR(optimizer, step_size=1, gamma=0.5).step()
    nn.save(saved, tmp_path / "ckpt.npz", optimizer=optimizer)
    with np.load(tmp_path / "ckpt.npz") as f:
        arrays = dict(f) | {"_optimizer.schedule.0.kind.StepLR": np.array(0, np.int64)}
    np.savez(tmp_path / "edited.npz", **arrays)  # no checksum: loads unchecked
    target = model()
    again = nn.SGD(target.parameters(), lr=0.1)
    resumed = nn.schedulers.StepLR(again, step_size=1, gamma=0.5)
    with pytest.raises(ValueError, match=r"edited\.npz: _optimizer\.schedule\.0\.kind\.StepLR holds 0, not the 1"):
        nn.load(target, tmp_path / "edited.npz", optimizer=again)
    assert resumed.last_epoch == 0 and again.lr == 0.1
