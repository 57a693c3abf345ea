"""A scheduler's load_state_dict refuses a last_epoch beyond int64, which nn.save writes it as: such
an epoch used to be accepted, and nn.save then failed with a bare OverflowError naming nothing. A setting
(a milestone, a step size) or a plateau's count beyond int64 is refused by nn.save, naming it, with the file
left as it was."""

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


BEYOND = {
    "MultiStepLR milestones": lambda o: nn.schedulers.MultiStepLR(o, [3, 2**63]),
    "StepLR step_size": lambda o: nn.schedulers.StepLR(o, 2**64),
    "LinearLR total_iters": lambda o: nn.schedulers.LinearLR(o, total_iters=2**63),
    "ReduceLROnPlateau patience": lambda o: nn.schedulers.ReduceLROnPlateau(o, patience=2**63),
}


@pytest.mark.parametrize("suffix", [".npz", ".safetensors"])
@pytest.mark.parametrize("case", BEYOND)
def test_a_setting_beyond_int64_is_refused_by_save_naming_it_the_file_unchanged(case, suffix, tmp_path):
    """MultiStepLR(opt, [2**63]) (a milestone for "never", which PyTorch takes) was a bare OverflowError from
    nn.save ("Python int too large to convert to C long")."""
    model = nn.Sequential(nn.Linear(2, 2, seed=0))
    optimizer = nn.SGD(model.parameters(), lr=0.1)
    BEYOND[case](optimizer)
    path = tmp_path / f"ckpt{suffix}"
    path.write_bytes(b"before")
    kind, name = case.split()
    with pytest.raises(ValueError, match=rf"{kind}'s {name}: \d+ is beyond what the file holds exactly.*2\*\*63 - 1"):
        nn.save(model, path, optimizer=optimizer)
    assert path.read_bytes() == b"before"


def test_a_plateau_count_beyond_int64_is_refused_by_save(tmp_path):
    model = nn.Sequential(nn.Linear(2, 2, seed=0))
    optimizer = nn.SGD(model.parameters(), lr=0.1)
    plateau = nn.schedulers.ReduceLROnPlateau(optimizer)
    plateau.load_state_dict(plateau.state_dict() | {"num_bad_epochs": 2**63})
    with pytest.raises(ValueError, match=r"ReduceLROnPlateau's num_bad_epochs: 9223372036854775808 is beyond"):
        nn.save(model, tmp_path / "ckpt.npz", optimizer=optimizer)
    assert not (tmp_path / "ckpt.npz").exists()
