"""Two files nn.save wrote, run together (`cat a.npz b.npz > c.npz`, or a save appended to another), are refused by
nn.load saying so, with the byte where the first ends and the cut that keeps each; either cut loads. A .npz was
"5,720 bytes before its first entry ... cut those bytes off" (the first file taken for junk, the cut not named), a
.safetensors "1,752 bytes after ... os.truncate(path, 1752)" (the second taken for junk): each named one cut alone,
and which file was meant is the user's to say. The look at the second file reads no more than the first's."""

import re
import time

import numpy as np
import pytest
from test_io_trailing_bytes import _refused, _saved, _target
from test_trust_files import MB, peak_while

import nn


def _other(tmp_path, suffix):
    """A save of another model (5 inputs, not 3): the model loaded into fits one of the files joined, not both."""
    source = nn.Sequential(nn.Linear(5, 2, seed=3), nn.BatchNorm1d(2))
    path = tmp_path / f"other{suffix}"
    nn.save(source, path, optimizer=nn.Adam(source.parameters(), lr=0.01))
    return path.read_bytes()


def _cuts(message):
    """The two statements the message names: the one keeping the first file, and the one keeping the second."""
    first = re.search(r"os\.truncate\(path, \d+\)", message)
    second = re.search(r"data = open\(path, 'rb'\)\.read\(\); open\(path, 'wb'\)\.write\(data\[[\d:]+\]\)", message)
    assert first and second, message
    return first[0], second[0]


def _loads_as(path, data):
    """nn.load of the file at `path` gives the model and the optimizer that nn.load of `data` alone gives."""
    model, adam = _target()
    nn.load(model, path, optimizer=adam)
    path.write_bytes(data)
    alone, alone_adam = _target()
    nn.load(alone, path, optimizer=alone_adam)
    for got, want in [(model.state_dict(), alone.state_dict()), (adam.state_dict(), alone_adam.state_dict())]:
        assert got.keys() == want.keys() and all(np.array_equal(got[k], want[k]) for k in got)


@pytest.mark.parametrize("suffix", [".npz", ".safetensors"])
def test_two_saves_run_together_are_named_with_the_cut_that_keeps_each(tmp_path, suffix):
    first = _saved(tmp_path, suffix)
    source = nn.Sequential(nn.Linear(3, 2, seed=7), nn.BatchNorm1d(2))
    nn.save(source, tmp_path / f"second{suffix}", optimizer=nn.Adam(source.parameters(), lr=0.03))
    second = (tmp_path / f"second{suffix}").read_bytes()
    path = tmp_path / f"joined{suffix}"
    message = _refused(path, first + second)
    assert message.startswith(f"{path} is not a model saved by nn.save"), message
    assert "files run together" in message and f"its first {len(first):,} bytes" in message, message
    assert f"the {len(second):,} after them" in message, message
    keep_first, keep_second = _cuts(message)
    assert keep_first == f"os.truncate(path, {len(first)})" and f"data[{len(first)}:]" in keep_second
    for cut, kept in [(keep_first, first), (keep_second, second)]:
        path.write_bytes(first + second)
        exec(cut, {"os": __import__("os"), "path": path})  # the statement as the message gives it
        assert path.read_bytes() == kept
        _loads_as(path, kept)


@pytest.mark.parametrize("suffix", [".npz", ".safetensors"])
@pytest.mark.parametrize("fits", ["first", "second"])
def test_a_save_of_another_model_run_together_with_one_of_this_is_named_too(tmp_path, suffix, fits):
    ours, other = _saved(tmp_path, suffix), _other(tmp_path, suffix)
    first, second = (ours, other) if fits == "first" else (other, ours)
    message = _refused(tmp_path / f"joined{suffix}", first + second)
    assert f"its first {len(first):,} bytes end as such a file does, and the {len(second):,} after them" in message
    assert _cuts(message)[0] == f"os.truncate(path, {len(first)})"


def test_three_safetensors_files_run_together_name_the_second_and_the_bytes_after_it(tmp_path):
    one = _saved(tmp_path, ".safetensors")
    path = tmp_path / "three.safetensors"
    message = _refused(path, one * 3)
    assert f"the {len(one):,} after them are laid out as one, then {len(one):,} bytes more" in message, message
    keep_second = _cuts(message)[1]
    assert f"data[{len(one)}:{2 * len(one)}]" in keep_second
    exec(keep_second, {"path": path})
    _loads_as(path, one)


def test_three_npz_files_run_together_are_told_apart_a_cut_at_a_time(tmp_path):
    """A zip is found from its end: the last file is read, and the bytes before it end as a zip (the two before)."""
    one = _saved(tmp_path, ".npz")
    path = tmp_path / "three.npz"
    message = _refused(path, one * 3)
    assert f"its first {2 * len(one):,} bytes end as such a file does, and the {len(one):,} after them" in message
    exec(_cuts(message)[0], {"os": __import__("os"), "path": path})
    assert f"its first {len(one):,} bytes end as such a file does" in _refused(path, path.read_bytes())


def test_npz_files_run_together_beyond_a_files_size_are_named_too(tmp_path):
    """Ten saves of a float64 Linear(100, 100) with Adam's moments, 2,476,580 bytes, are more than a file of the model
    takes (2,434,680): that was the message ("more than a file of these parameters takes"), which said nothing of
    what the bytes were. The zip's start is found from its end record, before the file's size is judged."""
    model = nn.Linear(100, 100, seed=1, dtype=np.float64)
    adam = nn.Adam(model.parameters())
    model(np.ones((1, 100))).sum().backward()
    adam.step()  # Adam's moments made
    nn.save(model, tmp_path / "one.npz", optimizer=adam)
    one = (tmp_path / "one.npz").read_bytes()
    path = tmp_path / "ten.npz"
    path.write_bytes(one * 10)
    assert len(one) * 10 == 2_476_580
    with pytest.raises(ValueError, match=f"files run together .* its first {9 * len(one):,} bytes end as such"):
        nn.load(model, path, optimizer=adam)


def test_bytes_before_a_npz_that_are_no_zip_name_the_cut(tmp_path):
    data = _saved(tmp_path, ".npz")
    path = tmp_path / "prefixed.npz"
    junk = b"JUNK" * 9 + b"PK\x05\x06"  # an end record's signature, but no end record ending where the zip begins
    message = _refused(path, junk + data)
    assert "it has 40 bytes before its first entry" in message and "files run together" not in message, message
    assert message.endswith("data = open(path, 'rb').read(); open(path, 'wb').write(data[40:]))"), message
    path.write_bytes(data)
    _loads_as(path, data)


@pytest.mark.parametrize(
    "after",
    [(1 << 62).to_bytes(8, "little") + b"{}", (10_000_000).to_bytes(8, "little") + b"{" * 1000, b"\x02" + bytes(7)],
    ids=["a header of 2**62 bytes", "a header longer than the file", "a header cut short"],
)
def test_bytes_after_a_safetensors_file_that_are_no_file_are_appended_bytes(tmp_path, after):
    data = _saved(tmp_path, ".safetensors")
    message = _refused(tmp_path / "appended.safetensors", data + after)
    assert f"it has {len(after):,} bytes after the {len(data):,} its format accounts for" in message, message


def test_a_second_header_is_read_within_the_models_bounds(tmp_path):
    """Bytes after the file claiming a header as long as 100 MB of zeros that follow: the first's bound (the bytes a
    header of the model's entries takes) is the second's, so it is not read, and the zeros are appended bytes."""
    data = _saved(tmp_path, ".safetensors")
    path = tmp_path / "hostile.safetensors"
    with open(path, "wb") as f:
        f.write(data + (100 * MB).to_bytes(8, "little"))
        f.truncate(len(data) + 8 + 100 * MB)
    start = time.perf_counter()
    model, adam = _target()
    error, peak = peak_while(lambda: nn.load(model, path, optimizer=adam))
    assert isinstance(error, ValueError) and f"it has {8 + 100 * MB:,} bytes after" in str(error), error
    assert peak < 3 * MB and time.perf_counter() - start < 2, peak


def test_a_npz_save_cut_short_in_its_comment_after_a_whole_one_names_the_cut_that_keeps_the_first(tmp_path):
    """A save appended to another and cut within its end record's comment (the checksum nn.save writes there) said
    "it is cut short: its zip end record declares a comment of 24 bytes, 23 of which follow", of a file whose first
    5,720 bytes are a whole save, and named no cut. A file cut so alone is still said to be cut short."""
    first = _saved(tmp_path, ".npz")
    path = tmp_path / "cut.npz"
    message = _refused(path, first + first[:-1])
    assert f"it has {len(first) - 1:,} bytes after the {len(first):,} its format accounts for" in message, message
    assert message.endswith(f"(os.truncate(path, {len(first)}))"), message
    exec(f"os.truncate(path, {len(first)})", {"os": __import__("os"), "path": path})
    _loads_as(path, first)
    assert "it is cut short: its zip end record declares a comment of 24 bytes, 23 of which follow" in _refused(
        path, first[:-1]
    )
