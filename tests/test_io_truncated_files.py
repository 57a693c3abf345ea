"""A file nn.save wrote, cut at every byte offset, is refused by nn.load with a ValueError naming the file, and
the model and the optimizer are left as they were. A .npz cut just where its zip comment (nn.save's checksum,
the last 24 bytes) begins read as a file without one, np.savez's, and loaded unchecked: its end record
declares the comment's length, which the load now holds to. Every cut is said to be one, with the fix (a .npz cut
before its comment was "File is not a zip file", zipfile's words, 5,696 of a save's 5,720 cuts)."""

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
        with pytest.raises(
            ValueError, match=rf"cut\{suffix} is not a model saved by nn.save \(.*\): it is cut short: "
        ) as e:
            nn.load(target, cut, optimizer=opt)
        assert str(e.value).endswith("get the file again, or save the model again"), (n, str(e.value))
        assert same(states(target, opt), before), n
    nn.save(source, cut, optimizer=nn.Adam(source.parameters(), lr=0.01) if with_optimizer else None)  # its fix
    nn.load(target, cut, optimizer=opt)
    assert same(states(target, None), states(source, None)), "saved again, it loads"


def _cut(tmp_path, data: bytes, n: int) -> str:
    path = tmp_path / "cut.npz"
    path.write_bytes(data[:n])
    with pytest.raises(ValueError) as caught:
        nn.load(nn.Linear(3, 2, seed=0), path)
    return str(caught.value)


def test_a_npz_cut_in_its_end_record_says_where_with_the_counts(tmp_path):
    """Cut in the 22 bytes of its end record (its last 46 bytes, with nn.save's 24-byte comment), a save was "File
    is not a zip file", zipfile's words, as it was cut anywhere before its comment."""
    path = tmp_path / "whole.npz"
    nn.save(nn.Linear(3, 2, seed=1), path)
    data = path.read_bytes()
    record = data.rfind(b"PK\x05\x06")
    assert len(data) - record == 46
    message = _cut(tmp_path, data, len(data) - 40)
    assert "it is cut short: it ends 6 bytes into its zip end record (at byte" in message, message
    assert f"(at byte {record:,}), 16 bytes before a zip's end" in message, message
    assert "its 10 bytes begin as a zip's do (its first entry's signature) but hold no zip end record" in _cut(
        tmp_path, data, 10
    )
    assert "it is cut short: it has 0 bytes. " in _cut(tmp_path, data, 0)


def test_a_zip64_npz_cut_in_its_zip64_records_says_which(tmp_path, monkeypatch):
    """zipfile writes zip64's end record and locator before the end record from 65,536 entries: from 2 here."""
    import zipfile

    path = tmp_path / "whole.npz"
    with monkeypatch.context() as patched:
        patched.setattr(zipfile, "ZIP_FILECOUNT_LIMIT", 1)
        nn.save(nn.Linear(3, 2, seed=1), path)
    data = path.read_bytes()
    locator, record64 = data.rfind(zipfile.stringEndArchive64Locator), data.rfind(zipfile.stringEndArchive64)
    assert "it ends 5 bytes into its zip64 end locator" in _cut(tmp_path, data, locator + 5)
    assert f"(at byte {locator:,}), 37 bytes before a zip's end" in _cut(tmp_path, data, locator + 5)
    assert "it ends 30 bytes into its zip64 end record" in _cut(tmp_path, data, record64 + 30)
    assert "it ends 20 bytes into its zip64 end locator" in _cut(tmp_path, data, locator + 20)
