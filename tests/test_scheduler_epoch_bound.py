"""A scheduler's load_state_dict refuses a last_epoch beyond int64, which nn.save writes it as: such
an epoch used to be accepted, and nn.save then failed with a bare OverflowError naming nothing."""

import pytest

import nn


def scheduled() -> tuple[nn.Module, nn.SGD, nn.schedulers.StepLR]:
    model = nn.Sequential(nn.Linear(2, 2, seed=0))
    optimizer = nn.SGD(model.parameters(), lr=0.1)
    return model, optimizer, nn.schedulers.StepLR(optimizer, step_size=1, gamma=0.5)


def test_a_last_epoch_beyond_int64_is_refused_by_load_state_dict_changing_nothing():
    _, optimizer, scheduler = scheduled()
    before = (scheduler.state_dict(), optimizer.lr)
    with pytest.raises(ValueError, match=r"StepLR\.load_state_dict: last_epoch must be .* at most 2\*\*63 - 1"):
        scheduler.load_state_dict({"last_epoch": 2**63, "base_lr": 0.1})
    assert (scheduler.state_dict(), optimizer.lr) == before


def test_the_last_int64_epoch_loads_and_saves_and_loads_back(tmp_path):
    model, optimizer, scheduler = scheduled()
    scheduler.load_state_dict({"last_epoch": 2**63 - 1, "base_lr": 0.1})
    nn.save(model, tmp_path / "ckpt.npz", optimizer=optimizer)
    again, other, resumed = scheduled()
    nn.load(again, tmp_path / "ckpt.npz", optimizer=other)
    assert resumed.last_epoch == 2**63 - 1
