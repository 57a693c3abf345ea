"""A file nn.save wrote, cut at every byte offset, is refused by nn.load with a ValueError naming the file, and
the model and the optimizer are left as they were. A .npz cut just where its zip comment (nn.save's checksum,
the last 24 bytes) begins read as a file without one, np.savez's, and loaded unchecked: its end record
declares the comment's length, which the load now holds to."""

import numpy as np
import pytest

import nn


def model(seed: int) -> nn.Module:
    return nn.Sequential(nn.Linear(3, 2, seed=seed), nn.BatchNorm1d(2))


def states(m: nn.Module, opt: nn.Optimizer | None) -> list[dict[str, np.ndarray]]:
    return [m.state_dict()] + ([opt.state_dict()] if opt is not None else [])


def same(a: list[dict], b: list[dict]) -> bool:
    return all(x.keys() == y.keys() and all(np.array_equal(x[k], y[k]) for k in x) for x, y in zip(a, b, strict=True))


@pytest.mark.parametrize("every", [False, pytest.param(True, marks=pytest.mark.slow)], ids=["ends+stride", "every"])
@pytest.mark.parametrize("with_optimizer", [False, True], ids=["model", "model+optimizer"])
@pytest.mark.parametrize("suffix", [".npz", ".safetensors"])
def test_a_file_cut_at_any_byte_is_refused_and_changes_nothing(tmp_path, suffix, with_optimizer, every):
    source = model(1)
    whole = tmp_path / f"whole{suffix}"
    nn.save(source, whole, optimizer=nn.Adam(source.parameters(), lr=0.01) if with_optimizer else None)
    data, cut = whole.read_bytes(), tmp_path / f"cut{suffix}"
    target = model(0)
    opt = nn.Adam(target.parameters(), lr=0.5) if with_optimizer else None
    before = states(target, opt)
    ends = {*range(100), *range(len(data) - 100, len(data))}  # the headers, and the end records and the checksum
    for n in range(len(data)) if every else sorted(ends | set(range(0, len(data), 13))):
        cut.write_bytes(data[:n])
        with pytest.raises(ValueError, match=rf"cut\{suffix}"):
            nn.load(target, cut, optimizer=opt)
        assert same(states(target, opt), before), n
