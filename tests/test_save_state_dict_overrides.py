"""nn.save and nn.load of a model whose class overrides state_dict to save more (an array kept as a
plain attribute) and load_state_dict to take it back, as PyTorch users do (torch.save(model.state_dict())
and model.load_state_dict(...) go through both): the file holds what state_dict() gives, and nn.load
checks it all before its load_state_dict runs. nn.save refused any such model (a KeyError: "unexpected
['scale']"). A state that could not be loaded back is refused before anything is written."""

import numpy as np
import pytest

import autograd
import nn

FORMATS = [".npz", ".safetensors"]


class Scaled(nn.Module):
    """A Linear whose output is scaled by an array that is no parameter or buffer, saved by its own state_dict."""

    def __init__(self, seed=0, outputs=3):
        super().__init__()
        self.lin = nn.Linear(2, outputs, seed=seed)
        self.scale = np.ones(outputs)

    def forward(self, x):
        return self.lin(x) * autograd.Tensor(self.scale)

    def state_dict(self):
        return super().state_dict() | {"scale": np.array(self.scale)}

    def load_state_dict(self, state, strict=True):
        state = dict(state)
        scale = np.array(state.pop("scale"))
        if (scale <= 0).any():  # a check of the class's own, which nn.load cannot know
            raise ValueError("scale must be positive")
        keys = super().load_state_dict(state, strict)
        self.scale = scale
        return keys


class SavesOnly(Scaled):
    """state_dict adds 'scale', but load_state_dict is Module's: nothing would load it back."""

    load_state_dict = nn.Module.load_state_dict


def trained_scaled():
    m = Scaled(seed=0)
    m.scale = np.array([0.5, 2.0, 3.0])
    return m


def same_state(a, b):
    sa, sb = a.state_dict(), b.state_dict()
    return sa.keys() == sb.keys() and all(np.array_equal(sa[k], sb[k]) for k in sa)


@pytest.mark.parametrize("suffix", FORMATS)
def test_a_state_dict_override_round_trips_as_load_state_dict_of_state_dict_does(tmp_path, suffix):
    saved = trained_scaled()
    loaded, by_hand = Scaled(seed=1), Scaled(seed=1)
    nn.save(saved, tmp_path / f"m{suffix}")
    nn.load(loaded, tmp_path / f"m{suffix}")
    by_hand.load_state_dict(saved.state_dict())  # PyTorch's way, in memory
    np.testing.assert_array_equal(loaded.scale, [0.5, 2.0, 3.0])
    assert same_state(loaded, saved) and same_state(loaded, by_hand)


@pytest.mark.parametrize("suffix", FORMATS)
def test_a_state_that_module_s_load_state_dict_cannot_take_is_not_written(tmp_path, suffix):
    path = tmp_path / f"m{suffix}"
    nn.save(Scaled(), path)
    before = path.read_bytes()
    with pytest.raises(ValueError, match=r"SavesOnly.state_dict\(\) adds 'scale', .* override load_state_dict"):
        nn.save(SavesOnly(), path)
    assert path.read_bytes() == before  # the file there is left as it was
    with pytest.raises(ValueError, match="adds 'scale'"):
        nn.save(SavesOnly(), tmp_path / f"new{suffix}")
    assert not (tmp_path / f"new{suffix}").exists()


@pytest.mark.parametrize(
    "scale, words",
    [
        (np.array([1.0, np.nan, 1.0]), "scale holds NaN or infinite values|scale .*(NaN|finite)"),
        (np.array(["a", "b", "c"]), r"scale has dtype <U1; it is an entry of .*state_dict\(\), of floating point"),
        (np.array([True, False, True]), "scale has dtype bool"),
    ],
)
def test_an_added_entry_that_load_would_refuse_is_not_written(tmp_path, scale, words):
    m = Scaled()
    m.scale = scale
    with pytest.raises(ValueError, match=f"nn.save did not write it, since nn.load would refuse it: .*({words})"):
        nn.save(m, tmp_path / "m.npz")
    assert not (tmp_path / "m.npz").exists()


@pytest.mark.parametrize("suffix", FORMATS)
def test_a_file_that_does_not_fit_the_added_entry_changes_nothing(tmp_path, suffix):
    path = tmp_path / f"m{suffix}"
    nn.save(trained_scaled(), path)
    other = Scaled(seed=4, outputs=4)  # its scale and Linear take 4 outputs
    before = other.state_dict()
    with pytest.raises(ValueError, match="does not fit this Scaled: .*has shape"):
        nn.load(other, path)
    assert all(np.array_equal(before[k], v) for k, v in other.state_dict().items())


@pytest.mark.parametrize("suffix", FORMATS)
def test_a_corrupted_added_entry_changes_nothing(tmp_path, suffix):
    path = tmp_path / f"m{suffix}"
    nn.save(trained_scaled(), path)
    data = bytearray(path.read_bytes())
    at = data.find(np.array([0.5, 2.0, 3.0]).tobytes())
    data[at + 3] ^= 0x10  # a bit of scale's first entry
    path.write_bytes(bytes(data))
    loaded = Scaled(seed=1)
    before = loaded.state_dict()
    with pytest.raises(ValueError, match="is corrupted|Bad CRC-32 for file 'scale.npy'"):  # the zip's own CRC first
        nn.load(loaded, path)
    assert all(np.array_equal(before[k], v) for k, v in loaded.state_dict().items())


def test_a_class_s_own_load_that_fails_leaves_the_optimizer_as_it_was(tmp_path):
    """nn.load checks the optimizer's state on a shallow copy, then loads the model (whose class may refuse
    what nn.load cannot know), then the optimizer: a refusal there changes neither."""
    saved = trained_scaled()
    saved.scale = np.array([-1.0, 1.0, 1.0])  # saved, but this class's load_state_dict refuses it
    optimizer = nn.Adam(saved.parameters(), lr=0.1)
    (saved(autograd.Tensor(np.ones((4, 2)))) ** 2).mean().backward()
    optimizer.step()
    nn.save(saved, tmp_path / "m.npz", optimizer=optimizer)
    loaded = Scaled(seed=1)
    fresh = nn.Adam(loaded.parameters(), lr=0.3)
    before_model, before_optimizer = loaded.state_dict(), fresh.state_dict()
    with pytest.raises(ValueError, match="scale must be positive"):
        nn.load(loaded, tmp_path / "m.npz", optimizer=fresh)
    assert all(np.array_equal(before_model[k], v) for k, v in loaded.state_dict().items())
    after = fresh.state_dict()
    assert after.keys() == before_optimizer.keys()
    assert all(np.array_equal(before_optimizer[k], after[k]) for k in after)
    assert fresh.lr == 0.3


def test_a_submodule_s_state_dict_override_is_refused_not_lost(tmp_path):
    """Module's state_dict gives a submodule's parameters and buffers, never what its own state_dict adds: a
    Sequential holding a Scaled was saved without its scale, and loaded back with scale [1, 1, 1]."""
    model = nn.Sequential(trained_scaled())
    words = r"Scaled at 'layers.0' overrides state_dict, which Sequential's state_dict does not call"
    with pytest.raises(ValueError, match=f"nn.save did not write it.*{words}"):
        nn.save(model, tmp_path / "m.npz")
    assert not (tmp_path / "m.npz").exists()
    nn.save(nn.Sequential(nn.Linear(2, 3)), tmp_path / "other.npz")
    before = model.state_dict()
    with pytest.raises(ValueError, match=words):
        nn.load(model, tmp_path / "other.npz")
    assert same_state(model, nn.Sequential(trained_scaled())) and before.keys() == model.state_dict().keys()


def test_an_added_entry_is_loaded_in_the_dtype_state_dict_gives_now(tmp_path):
    """The values nn.load checks (cast to what state_dict gives now, as Module's parameters are) are those
    the class's load_state_dict is given: a float32 scale stayed float64 after loading a float64 file."""
    nn.save(trained_scaled(), tmp_path / "m.npz")
    loaded = Scaled(seed=1)
    loaded.scale = np.ones(3, np.float32)
    nn.load(loaded, tmp_path / "m.npz")
    assert loaded.scale.dtype == np.float32
    np.testing.assert_array_equal(loaded.scale, [0.5, 2.0, 3.0])


def test_an_entry_that_no_file_could_fit_is_named_at_load(tmp_path):
    """An attribute still None (to be set by load_state_dict) gave numpy's "ufunc 'isfinite' not supported"."""
    nn.save(trained_scaled(), tmp_path / "m.npz")
    loaded = Scaled(seed=1)
    loaded.scale = None
    with pytest.raises(TypeError, match=r"Scaled.state_dict\(\) gives now, and its 'scale' is an array of object"):
        nn.load(loaded, tmp_path / "m.npz")
    assert loaded.scale is None


class GivesItRaw(Scaled):
    def state_dict(self):
        return nn.Module.state_dict(self) | {"scale": self.scale}


def test_a_ragged_entry_is_named_at_save(tmp_path):
    """numpy's words alone ("setting an array element with a sequence") named no entry."""
    m = GivesItRaw()
    m.scale = [[1.0], [1.0, 2.0]]
    with pytest.raises(ValueError, match=r"GivesItRaw.state_dict\(\)\['scale'\] is no array: setting an array"):
        nn.save(m, tmp_path / "m.npz")
    assert not (tmp_path / "m.npz").exists()


class LoadsFirst(Scaled):
    """Loads the parameters (Module's load_state_dict), then refuses the scale: a refusal midway."""

    def load_state_dict(self, state, strict=True):
        state = dict(state)
        scale = np.array(state.pop("scale"))
        keys = nn.Module.load_state_dict(self, state, strict)
        if (scale <= 0).any():
            raise ValueError("scale must be positive")
        self.scale = scale
        return keys


@pytest.mark.parametrize("with_optimizer", [False, True])
def test_a_class_s_own_load_that_fails_midway_leaves_the_model_as_it_was(tmp_path, with_optimizer):
    """nn.load loads back what state_dict() gave before, through the class's own load_state_dict, where that
    refuses after changing the model: the parameters were the file's, the scale the model's."""
    saved = trained_scaled()
    saved.scale = np.array([-1.0, 1.0, 1.0])
    optimizer = nn.SGD(saved.parameters(), lr=0.1) if with_optimizer else None
    nn.save(saved, tmp_path / "m.npz", optimizer=optimizer)
    loaded = LoadsFirst(seed=1)
    before = loaded.state_dict()
    with pytest.raises(ValueError, match="scale must be positive"):
        nn.load(loaded, tmp_path / "m.npz", optimizer=nn.SGD(loaded.parameters(), lr=0.1) if with_optimizer else None)
    after = loaded.state_dict()
    assert after.keys() == before.keys() and all(np.array_equal(before[k], after[k]) for k in after)


class WritesInPlace(GivesItRaw):
    """state_dict gives the scale itself (no copy); load_state_dict writes into it, then refuses it."""

    def load_state_dict(self, state, strict=True):
        state = dict(state)
        self.scale[...] = state.pop("scale")
        if (self.scale > 2).any():
            raise ValueError("scale must be at most 2")
        return nn.Module.load_state_dict(self, state, strict)


def test_a_state_dict_that_gives_its_arrays_themselves_is_put_back_too(tmp_path):
    """What state_dict() gave before is copied before the class's load_state_dict runs: its own arrays,
    written in place, were what nn.load loaded back, and the scale stayed the file's."""
    nn.save(trained_scaled(), tmp_path / "m.npz")  # a scale of 3 in it
    loaded = WritesInPlace(seed=1)
    with pytest.raises(ValueError, match="scale must be at most 2"):
        nn.load(loaded, tmp_path / "m.npz")
    np.testing.assert_array_equal(loaded.scale, [1.0, 1.0, 1.0])
