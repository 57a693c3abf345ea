"""A .safetensors file nn.save wrote carries a checksum that nn.load verifies, so a corrupted file
(a flipped bit anywhere) is refused rather than loaded with changed weights; files from other tools,
which have none, still load. And files from PyTorch (its names, bfloat16) are refused naming nn.export."""

import json
import os
import random

import numpy as np
import pytest
from test_safetensors import safetensors_file

import nn
from nn import io_safetensors


@pytest.fixture
def st():
    return pytest.importorskip(
        "safetensors.numpy", reason='safetensors is not installed: pip install -e ".[safetensors]"'
    )


def model(seed: int = 0) -> nn.Module:
    return nn.Sequential(nn.Linear(3, 4, seed=seed), nn.ReLU(), nn.Linear(4, 2, seed=seed + 1))


def state(module: nn.Module) -> dict[str, np.ndarray]:
    return {name: value.copy() for name, value in module.state_dict().items()}


def unchanged(module: nn.Module, before: dict[str, np.ndarray]) -> bool:
    return all(np.array_equal(module.state_dict()[name], value) for name, value in before.items())


def flipped(path, at: int, bit: int) -> None:
    data = bytearray(path.read_bytes())
    data[at] ^= 1 << bit
    path.write_bytes(bytes(data))


def data_start(path, name: str) -> int:
    """Where entry `name`'s bytes start in the .safetensors file at `path`."""
    data = path.read_bytes()
    length = int.from_bytes(data[:8], "little")
    return 8 + length + json.loads(data[8 : 8 + length])[name]["data_offsets"][0]


def test_the_briefs_flip_in_the_last_bias_is_refused_and_the_model_kept(st, tmp_path):
    path = tmp_path / "m.safetensors"
    saved = nn.Linear(3, 4, seed=0)
    saved.b.data[...] = 0.5
    nn.save(saved, path)
    flipped(path, -2, 0)  # 0.5 would load as 0.50390625
    target = nn.Linear(3, 4, seed=1)
    before = state(target)
    with pytest.raises(ValueError, match=r"m\.safetensors is corrupted: its data does not match the checksum"):
        nn.load(target, path)
    assert unchanged(target, before)


def test_every_single_bit_flip_is_refused_or_loads_exactly_what_was_saved(st, tmp_path):
    """Over the whole file, header included: the checksum covers each entry's name, dtype, shape and data."""
    path, saved = tmp_path / "m.safetensors", model()
    nn.save(saved, path)
    good, draw = path.read_bytes(), random.Random(0)
    flips = [(at, draw.randrange(8)) for at in draw.sample(range(len(good)), 300)] + [(len(good) - 1, 3)]
    fd = os.open(path, os.O_RDWR)  # each flip written in place: rewriting the file would take 10 times as long
    try:
        for at, bit in flips:
            os.pwrite(fd, bytes([good[at] ^ 1 << bit]), at)
            target = model(seed=7)
            before = state(target)
            try:
                nn.load(target, path)
            except ValueError as e:
                assert str(path) in str(e) and unchanged(target, before), (at, bit)
            else:
                assert unchanged(target, state(saved)), (at, bit)
            os.pwrite(fd, good[at : at + 1], at)
    finally:
        os.close(fd)


def test_a_flip_in_the_state_of_the_optimizer_or_its_scheduler_is_refused(st, tmp_path):
    """Flipping the lowest bit makes the scheduler's epoch 1 and the lr 0.1 plus an ulp: both loadable."""
    path, saved = tmp_path / "ckpt.safetensors", model()
    optimizer = nn.Adam(saved.parameters(), lr=0.1)
    nn.schedulers.StepLR(optimizer, step_size=2)
    nn.save(saved, path, optimizer=optimizer)
    good = path.read_bytes()
    for name in ("_optimizer.schedule.0.last_epoch", "_optimizer.lr"):
        path.write_bytes(good)
        flipped(path, data_start(path, name), 0)
        target = model(seed=7)
        again = nn.Adam(target.parameters(), lr=0.5)
        nn.schedulers.StepLR(again, step_size=2)
        before, optimizer_before = state(target), again.state_dict()
        with pytest.raises(ValueError, match=r"ckpt\.safetensors is corrupted"):
            nn.load(target, path, optimizer=again)
        after = again.state_dict()
        assert unchanged(target, before) and after.keys() == optimizer_before.keys()
        assert all(np.array_equal(after[key], value) for key, value in optimizer_before.items())


def test_a_file_of_other_tools_without_a_checksum_still_loads(st, tmp_path):
    path, saved = tmp_path / "theirs.safetensors", model()
    st.save_file(saved.state_dict(), path)
    assert unchanged(nn.load(model(seed=7), path), state(saved))


def test_the_checksum_is_in_the_metadata_and_other_tools_read_the_file(st, tmp_path):
    path, saved = tmp_path / "m.safetensors", model()
    nn.save(saved, path)
    with st.safe_open(path, "np") as f:
        assert set(f.metadata()) == {io_safetensors.CHECKSUM}
        assert all(np.array_equal(f.get_tensor(name), value) for name, value in saved.state_dict().items())


def test_pytorch_names_are_refused_with_a_pointer_to_nn_export(st, tmp_path):
    path = tmp_path / "torch.safetensors"
    ours = nn.Sequential(nn.Linear(3, 4, seed=0), nn.ReLU(), nn.Linear(4, 2, seed=1))
    theirs = {"0.weight": np.zeros((4, 3), np.float32), "0.bias": np.zeros(4, np.float32)}
    theirs |= {"2.weight": np.zeros((2, 4), np.float32), "2.bias": np.zeros(2, np.float32)}
    st.save_file(theirs, path)
    before = state(ours)
    with pytest.raises(
        ValueError, match=r"unexpected.*'0\.bias' look like PyTorch's.*nn\.export\.from_torch_state_dict"
    ):
        nn.load(ours, path)
    assert unchanged(ours, before)


def test_names_that_are_not_pytorchs_get_no_pointer(st, tmp_path):
    path = tmp_path / "other.safetensors"
    st.save_file({"layers.0.X": np.zeros((3, 4), np.float32)}, path)
    with pytest.raises(ValueError, match=r"missing") as error:
        nn.load(model(), path)
    assert "nn.export" not in str(error.value)


def bfloat16_linear() -> bytes:
    """A .safetensors file of a Linear(3, 4) in PyTorch's names and bfloat16, as the Hugging Face hub has many."""
    entries = {"weight": ([4, 3], 0, 24), "bias": ([4], 24, 32)}
    header = {
        name: {"dtype": "BF16", "shape": shape, "data_offsets": [begin, end]}
        for name, (shape, begin, end) in entries.items()
    }
    return safetensors_file(header, np.arange(16, dtype="<u2").tobytes())


def test_bfloat16_is_refused_naming_nn_export_which_reads_it(st, tmp_path):
    path, ours = tmp_path / "bf16.safetensors", nn.Linear(3, 4, seed=0)
    path.write_bytes(bfloat16_linear())
    before = state(ours)
    with pytest.raises(ValueError, match=r"BF16 is bfloat16.*safetensors\.torch\.load_file.*from_torch_state_dict"):
        nn.load(ours, path)
    assert unchanged(ours, before)


def test_the_fix_the_bfloat16_refusal_names_loads_the_file_exactly(st, tmp_path):
    pytest.importorskip("torch")
    safetensors_torch = pytest.importorskip("safetensors.torch")
    from nn.export import from_torch_state_dict

    path, ours = tmp_path / "bf16.safetensors", nn.Linear(3, 4, seed=0)
    path.write_bytes(bfloat16_linear())
    from_torch_state_dict(ours, safetensors_torch.load_file(path))
    bits = np.arange(16, dtype=np.uint32) << 16  # bfloat16 is the top half of a float32
    assert np.array_equal(ours.W.data, bits[:12].view(np.float32).reshape(4, 3).T)
    assert np.array_equal(ours.b.data, bits[12:].view(np.float32))
