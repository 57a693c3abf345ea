"""A scheduler's load_state_dict takes hand_set as True, False or None only: an array such as
np.array([1]) (which compares equal to 1) used to pass for True."""

import numpy as np
import pytest

import nn


def scheduler() -> nn.schedulers.StepLR:
    model = nn.Sequential(nn.Linear(2, 2, seed=0))
    return nn.schedulers.StepLR(nn.SGD(model.parameters(), lr=0.1), step_size=1, gamma=0.5)


@pytest.mark.parametrize("hand_set", [np.array([1]), np.array(1), 1, 0.0])
def test_a_hand_set_that_is_not_a_bool_is_refused_changing_nothing(hand_set):
    scheduled = scheduler()
    before = scheduled.state_dict()
    with pytest.raises(ValueError, match=r"hand_set must be True, False or None"):
        scheduled.load_state_dict({"last_epoch": 1, "base_lr": 0.1, "hand_set": hand_set})
    assert scheduled.state_dict() == before


@pytest.mark.parametrize("hand_set", [True, False, None, np.True_])
def test_a_bool_or_none_hand_set_loads(hand_set):
    scheduled = scheduler()
    scheduled.load_state_dict({"last_epoch": 1, "base_lr": 0.1, "hand_set": hand_set})
    assert scheduled.hand_set is (None if hand_set is None else bool(hand_set))


@pytest.mark.parametrize("written", [0, 1, -1])
def test_a_files_hand_set_of_0_1_or_not_known_resumes(tmp_path, written):
    model = nn.Sequential(nn.Linear(2, 2, seed=0))
    optimizer = nn.SGD(model.parameters(), lr=0.1)
    nn.schedulers.StepLR(optimizer, step_size=1, gamma=0.5)
    nn.save(model, tmp_path / "ckpt.npz", optimizer=optimizer)
    with np.load(tmp_path / "ckpt.npz") as f:
        arrays = dict(f) | {"_optimizer.schedule.0.hand_set": np.array(written, np.int64)}
    np.savez(tmp_path / "edited.npz", **arrays)  # no checksum: loads unchecked
    again = nn.SGD(model.parameters(), lr=0.1)
    resumed = nn.schedulers.StepLR(again, step_size=1, gamma=0.5)
    nn.load(model, tmp_path / "edited.npz", optimizer=again)
    assert resumed.hand_set is {0: False, 1: True, -1: None}[written]
