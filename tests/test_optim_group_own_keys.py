"""A param group's own keys (`{"params": head, "name": "head"}`, which PyTorch keeps and its state_dict saves) in an
optimizer's state dict: they were dropped by state_dict (its flat layout held the settings only), so a save and a
load, or nn.save and nn.load, lost them without a word. Now each is kept as "own.K.KEY" (nn.optim_state_own) where
an array can hold it without pickle (str, int, float, bool, None, lists and tuples of them: loaded equal and of their
type), refused when the state dict is made otherwise (naming the key); a state without them (saved before) loads as
it did."""

import numpy as np
import pytest

import nn
from autograd import Tensor

OWN = {"name": "head", "rank": 3, "scale": 0.1, "frozen": False, "note": None, "tags": ["a", 1], "shape": (2, (3, 4.5))}


def _opt(own=None, kind=nn.Adam, seed=0):
    rng = np.random.default_rng(seed)
    a, b = (Tensor(rng.standard_normal(s), requires_grad=True) for s in ((3, 2), (2,)))
    return kind([{"params": [a], "lr": 0.01}, {"params": [b], **(own or {})}], lr=0.02), (a, b)


def _stepped(opt, params, steps=3):
    for _ in range(steps):
        for p in params:
            p.grad = np.ones_like(p.data)
        opt.step()
    return opt


def test_a_groups_own_keys_survive_a_state_dict_round_trip():
    opt = _stepped(*_opt(OWN))
    fresh, _ = _opt()
    fresh.load_state_dict(opt.state_dict())
    group = fresh.param_groups[1]
    for key, value in OWN.items():
        assert group[key] == value and type(group[key]) is type(value), key
    assert type(group["shape"][1]) is tuple and type(group["tags"]) is list
    assert "name" not in fresh.param_groups[0]


@pytest.mark.parametrize("suffix", [".npz", ".safetensors"])
def test_nn_save_and_load_keep_a_groups_own_keys(tmp_path, suffix):
    pytest.importorskip("safetensors") if suffix == ".safetensors" else None
    model = nn.Sequential(nn.Linear(3, 4, seed=0), nn.Linear(4, 2, seed=1))
    ps = list(model.parameters())
    opt = nn.SGD([{"params": ps[:2], "name": "body"}, {"params": ps[2:], "name": "head", "lr": 0.01}], lr=0.1)
    nn.save(model, tmp_path / f"m{suffix}", optimizer=opt)
    other = nn.Sequential(nn.Linear(3, 4, seed=2), nn.Linear(4, 2, seed=3))
    qs = list(other.parameters())
    fresh = nn.SGD([{"params": qs[:2]}, {"params": qs[2:], "lr": 0.01}], lr=0.1)
    nn.load(other, tmp_path / f"m{suffix}", optimizer=fresh)
    assert [g["name"] for g in fresh.param_groups] == ["body", "head"]


@pytest.mark.parametrize("key", ["name", "", "a.b", "a/b", "名前"])
def test_one_groups_own_key_is_kept_too_whatever_its_name(key):
    a = Tensor(np.ones(2), requires_grad=True)
    opt = nn.SGD([{"params": [a], key: "all"}], lr=0.1)
    fresh = nn.SGD([Tensor(np.ones(2), requires_grad=True)], lr=0.1)
    fresh.load_state_dict(opt.state_dict())
    assert fresh.param_groups[0][key] == "all"


@pytest.mark.parametrize("value", [object(), np.int64(3), {"a": 1}, [1, {2}], np.ones(2)])
def test_a_value_no_array_holds_is_refused_when_saved_naming_the_key(tmp_path, value):
    opt, _ = _opt({"name": "head", "hook": value})
    with pytest.raises(TypeError, match="param group 1's key 'hook' holds .* which a state dict cannot keep"):
        opt.state_dict()
    model = nn.Linear(3, 2)
    opt = nn.SGD([{"params": list(model.parameters()), "hook": value}], lr=0.1)
    with pytest.raises(TypeError, match="key 'hook'"):
        nn.save(model, tmp_path / "m.npz", optimizer=opt)
    assert not (tmp_path / "m.npz").exists()
    opt.param_groups[0]["hook"] = str(value)  # the way out the message gives
    nn.save(model, tmp_path / "m.npz", optimizer=opt)


def test_a_state_without_own_keys_loads_as_before():
    """A state saved before own keys were kept (or by an optimizer of none) holds no "own." entries: it loads bit for
    bit, and the loading optimizer's own keys stay as they are."""
    opt = _stepped(*_opt())
    saved = opt.state_dict()
    assert not any(key.startswith("own.") for key in saved)
    fresh, _ = _opt({"name": "head"})
    fresh.load_state_dict(saved)
    again = fresh.state_dict()
    assert again.keys() - saved.keys() == {"own.1.name"}
    for key, value in saved.items():
        np.testing.assert_array_equal(again[key], value, err_msg=key)
        assert again[key].dtype == value.dtype
    assert fresh.param_groups[1]["name"] == "head"


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda s: s | {"own.2.name": s["own.1.name"]}, "own.2.name is not an entry state_dict"),
        # group 1 spelt "01", beside "own.1.name": one of the two was kept without a word
        (lambda s: s | {"own.01.name": np.frombuffer(b'"x"', np.uint8)}, "own.01.name is not an entry state_dict"),
        (lambda s: s | {"own.1.name": np.frombuffer(b"\xff{", np.uint8)}, "own.1.name holds no value"),
        (lambda s: s | {"own.1.name": np.frombuffer(b'{"x": 1}', np.uint8)}, "own.1.name holds no value"),
        (lambda s: s | {"own.1.name": np.ones(3)}, "own.1.name"),
        # a tuple's mark holding no list, or more than it: they loaded as ('a', 'b', 'c') and (1,)
        (lambda s: s | {"own.1.name": np.frombuffer(b'{"tuple": "abc"}', np.uint8)}, "own.1.name holds no value"),
        (lambda s: s | {"own.1.name": np.frombuffer(b'{"tuple": [1], "x": 2}', np.uint8)}, "own.1.name holds no"),
    ],
)
def test_an_edited_own_entry_is_refused_and_changes_nothing(edit, message):
    opt, _ = _opt({"name": "head"})
    fresh, _ = _opt({"name": "tail"})
    with pytest.raises((KeyError, ValueError), match=message):
        fresh.load_state_dict(edit(opt.state_dict()))
    assert fresh.param_groups[1]["name"] == "tail"


def test_a_state_of_more_groups_is_refused_for_its_groups_not_as_edited():
    """A state of 2 groups (a "name" each) loaded into an optimizer of 1 was refused as an edited entry ("own.1.name
    is not an entry state_dict() writes: it was edited"): the state is intact, it has another number of groups."""
    opt, _ = _opt({"name": "head"})
    one = nn.Adam([Tensor(np.ones(6), requires_grad=True)], lr=0.1)
    with pytest.raises(ValueError, match=r"holds 2 param group\(s\) and this Adam has 1"):
        one.load_state_dict(opt.state_dict())


class _Kind(int):
    """An int of another type (as an IntEnum's member is): JSON writes it as an int."""


@pytest.mark.parametrize("value", [np.float64(0.5), _Kind(2), [np.float64(1.0)], (_Kind(1),)])
def test_a_subclass_of_a_kept_type_is_refused_where_it_would_load_as_another_type(value):
    """np.float64(0.5) (a float subclass) was saved and loaded back as a float, an IntEnum as an int: "equal and of
    their type" was not true of them. A value's type must be one of those kept, exactly."""
    opt, _ = _opt({"hook": value})
    with pytest.raises(TypeError, match="param group 1's key 'hook' holds"):
        opt.state_dict()


def _nested(depth):
    value = []
    for _ in range(depth):
        value = [value]
    return value


def _circular():
    value = []
    value.append(value)
    return value


@pytest.mark.parametrize("value", [_nested(100_000), _circular(), 10**5000], ids=["deep", "circular", "long-int"])
def test_a_value_json_cannot_write_is_refused_naming_the_key(value):
    """A list nested 100,000 deep, or holding itself, was a RecursionError from state_dict(); an int of 5,001 digits
    a ValueError of Python's int-to-str limit naming no key. Each is the TypeError naming the group and key."""
    opt, _ = _opt({"hook": value})
    with pytest.raises(TypeError, match="param group 1's key 'hook'"):
        opt.state_dict()


@pytest.mark.parametrize("suffix", [".npz", ".safetensors"])
def test_a_huge_own_entry_in_a_file_is_refused_before_it_is_read(tmp_path, suffix):
    """nn.load bounds what it reads by the model's layout, but an own entry's size comes from the file: a Linear(3, 2)
    loaded a 20 MB "name" (peak 80 MB) from a 22 KB deflated .npz, or from a .safetensors of its size. The groups'
    own entries are bounded in all (OWN_MOST bytes), checked from the headers before any data is read."""
    from nn.optim_state_own import OWN_MOST

    model = nn.Linear(3, 2)
    opt = nn.SGD([{"params": list(model.parameters()), "name": "x"}], lr=0.1)
    path = tmp_path / f"m{suffix}"
    nn.save(model, path, optimizer=opt)
    big = np.frombuffer(b'"' + b"a" * OWN_MOST + b'"', np.uint8)
    if suffix == ".npz":
        with np.load(path) as z:
            state = {k: z[k] for k in z.files}
        np.savez_compressed(path, **(state | {"_optimizer.own.0.name": big}))
    else:
        safetensors = pytest.importorskip("safetensors.numpy")
        state = safetensors.load_file(path)
        safetensors.save_file(state | {"_optimizer.own.0.name": big}, path)
    fresh = nn.SGD(list(model.parameters()), lr=0.1)
    with pytest.raises(ValueError, match="own keys take"):
        nn.load(model, path, optimizer=fresh)
    assert "name" not in fresh.param_groups[0]


def test_own_keys_too_long_to_load_are_refused_when_saved():
    """What load refuses, state_dict() does not write: own keys past OWN_MOST bytes in all (names and JSON text)."""
    from nn.optim_state_own import OWN_MOST

    opt, _ = _opt({"note": "a" * (OWN_MOST // 2), "more": "b" * (OWN_MOST // 2)})
    with pytest.raises(ValueError, match="own keys take"):
        opt.state_dict()


@pytest.mark.parametrize(
    "key", ["lr", "params", "param_names", "initial_lr", "momentum", "betas", "weight_deacy", "foreach"]
)
def test_an_own_entry_named_as_no_own_key_is_refused(key):
    """state_dict() writes no own entry named as a setting, the parameters, PyTorch's options, "initial_lr", another
    optimizer's setting or a misspelling (no group keeps them as its own), but one edited in loaded: an SGD's group
    then listed "lr" twice (0.1, its setting, and 5.0), or held "initial_lr" apart from the one schedulers read, and
    wrote them again. The entry is refused as edited, as a group given the key would be refused or take it."""
    opt = nn.SGD([Tensor(np.ones(3), requires_grad=True)], lr=0.1)
    state = opt.state_dict() | {f"own.0.{key}": np.frombuffer(b"5.0", np.uint8)}
    fresh = nn.SGD([Tensor(np.ones(3), requires_grad=True)], lr=0.1)
    with pytest.raises(ValueError, match=f"own.0.{key} names no key of a group's own"):
        fresh.load_state_dict(state)
    assert list(fresh.param_groups[0]).count(key) <= 1 and key not in fresh.groups[0].own


def _at_the_bound(case):
    """Own keys as long, or as many, as a state dict keeps."""
    from nn.optim_state_own import OWN_KEYS_MOST, OWN_MOST

    if case == "one long value":
        return [{"note": "a" * (OWN_MOST - 10)}, {}]
    share = OWN_MOST // OWN_KEYS_MOST
    names = [f"{i:03d}" + "\x01" * (share - 8) for i in range(OWN_KEYS_MOST)]  # \x01: 6 bytes in a JSON header
    return [{name: 1 for name in names[: OWN_KEYS_MOST // 2]}, {name: 2 for name in names[OWN_KEYS_MOST // 2 :]}]


@pytest.mark.parametrize("suffix", [".npz", ".safetensors"])
@pytest.mark.parametrize("case", ["one long value", "as many keys as kept, long names"])
def test_what_nn_save_writes_of_own_keys_loads_into_an_optimizer_without_them(tmp_path, suffix, case):
    """nn.load bounded a file by the loading optimizer's own keys: one without them (made fresh) refused a file
    nn.save had written of another's, as "not a model saved by nn.save" (a 70,000-character key in a .safetensors,
    a 1 MB value in an .npz). The bound is what any state's own keys may take now, whatever the loader holds."""
    pytest.importorskip("safetensors") if suffix == ".safetensors" else None
    model = nn.Sequential(nn.Linear(3, 4, seed=0), nn.Linear(4, 2, seed=1))
    ps = list(model.parameters())
    own = _at_the_bound(case)
    opt = nn.SGD([{"params": ps[:2], **own[0]}, {"params": ps[2:], **own[-1]}], lr=0.1)
    nn.save(model, tmp_path / f"m{suffix}", optimizer=opt)
    fresh = nn.SGD([{"params": ps[:2]}, {"params": ps[2:]}], lr=0.1)
    nn.load(model, tmp_path / f"m{suffix}", optimizer=fresh)
    assert (
        fresh.param_groups[0]["note" if case == "one long value" else next(iter(own[0]))]
        == opt.param_groups[0]["note" if case == "one long value" else next(iter(own[0]))]
    )


def test_more_own_keys_than_a_state_keeps_are_refused_when_saved():
    from nn.optim_state_own import OWN_KEYS_MOST

    opt, _ = _opt({f"k{i}": i for i in range(OWN_KEYS_MOST + 1)})
    with pytest.raises(ValueError, match=f"{OWN_KEYS_MOST + 1} own keys"):
        opt.state_dict()


def test_loading_gives_each_group_the_states_own_keys_not_a_merge():
    """torch's load_state_dict gives each group the saved group's keys. A key the loading optimizer's group held and
    the state's did not (deleted before saving, or never there) stayed: a group saved without "frozen" loaded with it
    True, as the fresh optimizer had it. A state holding own keys gives each group its own (none: none); a state of
    none (saved before they were kept, say) leaves the groups' keys as they are
    (test_a_state_without_own_keys_loads_as_before)."""
    opt, params = _opt({"name": "head", "frozen": True})
    del opt.param_groups[1]["frozen"]
    saved = _stepped(opt, params).state_dict()
    fresh, _ = _opt({"name": "tail", "frozen": True})
    fresh.param_groups[0]["tag"] = 1  # the saved group 0 has none
    fresh.load_state_dict(saved)
    assert dict(fresh.groups[1].own) == {"name": "head"} and dict(fresh.groups[0].own) == {}
    assert "frozen" not in fresh.param_groups[1]


def test_a_long_value_no_array_holds_is_named_briefly_by_its_first_item_of_no_kept_type():
    """A list of a million numpy integers (list(np.arange(...)), whose items are np.int64) was refused in a message of
    17.9 million characters, its whole repr, that named no item as the problem. The message is short now and names
    the first item of no kept type."""
    opt, _ = _opt({"idx": list(np.arange(10**6))})
    with pytest.raises(
        TypeError, match=r"key 'idx' holds list .*, whose item np.int64\(0\) \(.*\) is of no type kept"
    ) as e:
        opt.state_dict()
    assert len(str(e.value)) < 1000
