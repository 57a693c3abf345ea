"""States that cannot be right are refused, with nothing changed: names that two things share,
buffers out of their range, files nn.save writes that nn.load would refuse, norm layers' impossible
eps, an empty batch in BatchNorm's training, and arguments of the wrong type."""

import numpy as np
import pytest

import nn
from autograd import Tensor
from nn.export import from_torch_state_dict, to_torch_state_dict


def same_state(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) and a[k].dtype == b[k].dtype for k in a)


class KeysThatReadTheSame(nn.Module):
    def __init__(self):
        self.d = {1: nn.Linear(2, 2, seed=0), "1": nn.Linear(2, 2, seed=1)}


class DottedKey(nn.Module):
    def __init__(self):
        self.d = {"a": nn.Linear(2, 2, seed=0), "a.W": Tensor(np.zeros((2, 2)), requires_grad=True)}


@pytest.mark.parametrize("walk", ["named_parameters", "state_dict", "load_state_dict", "save", "export"])
def test_two_parameters_under_one_name_are_refused_wherever_state_is_walked(tmp_path, walk):
    run = {
        "named_parameters": lambda m: list(m.named_parameters()),
        "state_dict": lambda m: m.state_dict(),
        "load_state_dict": lambda m: m.load_state_dict({}),
        "save": lambda m: nn.save(m, tmp_path / "c.npz"),
        "export": to_torch_state_dict,
    }[walk]
    with pytest.raises(ValueError, match=r"'d' holds .* the keys 1 and '1', which both name them 'd.1'; use keys"):
        run(KeysThatReadTheSame())
    with pytest.raises(ValueError, match=r"under the key 'a.W', which would make .* ambiguous; use keys .* no '.'"):
        run(DottedKey())
    assert not (tmp_path / "c.npz").exists()


def test_an_empty_key_is_refused_and_keys_holding_no_parameters_are_free():
    class EmptyKey(nn.Module):
        def __init__(self):
            self.d = {"": nn.Linear(2, 2)}

    with pytest.raises(ValueError, match="under the key ''"):
        EmptyKey().state_dict()

    class Config(nn.Module):  # dicts of plain values name nothing: their keys are the user's business
        def __init__(self):
            self.fc = nn.Linear(2, 2, seed=0)
            self.vocab = {"a.b": 0, "": 1, 1: 2, "1": 3}

    assert list(Config().state_dict()) == ["fc.W", "fc.b"]


def test_a_parameter_that_is_also_a_buffer_is_refused():
    bn = nn.BatchNorm1d(2)
    bn.running_mean = Tensor(np.zeros(2, np.float32), requires_grad=True)
    with pytest.raises(ValueError, match="both named 'running_mean'"):
        bn.state_dict()


def test_shared_parameters_and_modules_keep_one_name_and_stay_shared_after_a_load(tmp_path):
    class Tied(nn.Module):
        def __init__(self):
            self.encoder = nn.Linear(3, 3, seed=0)
            self.decoder = self.encoder  # the same module twice
            self.norms = [nn.BatchNorm1d(3)]
            self.again = {"norm": self.norms[0]}
            self.tied = self.encoder.W  # the same parameter twice

    model = Tied()
    assert list(model.state_dict()) == [
        "encoder.W",
        "encoder.b",
        "norms.0.weight",
        "norms.0.bias",
        "norms.0.running_mean",
        "norms.0.running_var",
        "norms.0.num_batches_tracked",
    ]
    nn.save(model, tmp_path / "tied.npz")
    fresh = nn.load(Tied(), tmp_path / "tied.npz")
    assert fresh.decoder.W is fresh.encoder.W is fresh.tied and fresh.again["norm"] is fresh.norms[0]


def test_modules_in_nested_lists_have_their_buffers_saved_and_follow_eval():
    class Nested(nn.Module):
        def __init__(self):
            self.blocks = [[nn.BatchNorm1d(2)]]

    model = Nested()
    model.blocks[0][0].running_mean[:] = 5
    assert list(model.state_dict()) == [f"blocks.0.0.{name}" for name in nn.BatchNorm1d(2).state_dict()]
    fresh = Nested()
    fresh.load_state_dict(model.state_dict())
    assert np.array_equal(fresh.blocks[0][0].running_mean, [5, 5])
    assert "(blocks.0.0): BatchNorm1d(2" in repr(model)
    assert not model.eval().blocks[0][0].training


@pytest.mark.parametrize(
    "name, bad, problem",
    [
        ("running_var", np.array([1.0, -1.0], np.float32), r"running_var holds 1 value\(s\) outside \[0, inf\]"),
        ("num_batches_tracked", np.array(-1), r"num_batches_tracked holds 1 value\(s\) outside \[0, inf\]"),
    ],
)
def test_buffers_outside_their_range_are_refused_before_anything_changes(tmp_path, name, bad, problem):
    bn = nn.BatchNorm1d(2)
    before = bn.state_dict()
    state = before | {"weight": np.full(2, 3.0, np.float32), name: bad}
    with pytest.raises(ValueError, match=f"cannot load this state into BatchNorm1d: {problem}"):
        bn.load_state_dict(state)
    with pytest.raises(ValueError, match=problem):
        from_torch_state_dict(bn, state)
    opt = nn.SGD(bn.parameters(), lr=0.1)
    np.savez(tmp_path / "bad.npz", **state, **{f"_optimizer.{k}": v for k, v in opt.state_dict().items()})
    opt.lr = 0.5
    with pytest.raises(ValueError, match=problem):
        nn.load(bn, tmp_path / "bad.npz", optimizer=opt)
    assert same_state(bn.state_dict(), before) and opt.lr == 0.5


def test_a_negative_count_never_divides_by_zero_in_the_plain_average():
    bn = nn.BatchNorm1d(2, momentum=None)
    bn.num_batches_tracked = np.array(-1)  # set by hand: load_state_dict refuses it
    before = bn.state_dict()
    x = Tensor(np.array([[0.0, 1.0], [2.0, 5.0]], np.float32))
    with pytest.raises(ValueError, match="num_batches_tracked is -1, but a count of batches is >= 0; set it to 0"):
        bn(x)
    assert same_state(bn.state_dict(), before)
    bn.num_batches_tracked = np.array(0)
    bn(x)
    assert np.allclose(bn.running_mean, [1.0, 3.0]) and bn.num_batches_tracked == 1


@pytest.mark.parametrize("suffix", [".npz", ".safetensors"])
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_save_refuses_what_load_would_refuse_and_keeps_the_good_file(tmp_path, suffix, bad):
    if suffix == ".safetensors":
        pytest.importorskip("safetensors")
    path = tmp_path / f"model{suffix}"
    model = nn.Linear(2, 2, seed=0)
    nn.save(model, path)
    good = path.read_bytes()
    model.b.data[1] = bad
    with pytest.raises(ValueError, match=rf"model{suffix}: nn.save did not write it, .* b holds 1 NaN or infinite"):
        nn.save(model, path)
    assert path.read_bytes() == good and sorted(p.name for p in tmp_path.iterdir()) == [path.name]


def test_save_refuses_buffers_load_would_refuse_and_an_optimizer_state_load_would_refuse(tmp_path):
    class Holder(nn.Module):
        def __init__(self):
            self.fc = nn.Linear(2, 2, seed=0)
            self.register_buffer("scale", [1.0, 2.0])

    model = Holder()
    for bad, problem in [(np.array(["a", "b"]), "scale has dtype <U1"), (np.array([1j, 2]), "scale has dtype complex")]:
        model.scale = bad
        with pytest.raises(ValueError, match=problem):
            nn.save(model, tmp_path / "m.npz")
    model.scale = np.array([-1.0, np.nan])
    with pytest.raises(ValueError, match="scale holds 1 NaN"):
        nn.save(model, tmp_path / "m.npz")
    model.scale = np.array([1.0, 2.0])
    opt = nn.Adam(model.parameters())
    vars(opt)["lr"] = -1.0  # past every check (an assigned lr is checked too)
    with pytest.raises(ValueError, match="cannot load this state into Adam: lr must be a finite number >= 0"):
        nn.save(model, tmp_path / "m.npz", optimizer=opt)
    assert opt.lr == -1.0 and not list(tmp_path.iterdir())


@pytest.mark.parametrize("value", [["a", "b"], [1 + 2j], [True, False], None, object()])
def test_register_buffer_refuses_what_no_file_could_hold(value):
    module = nn.Module()
    with pytest.raises(TypeError, match="buffer 'flag' must hold real numbers"):
        module.register_buffer("flag", value)
    assert not hasattr(module, "flag") and module.state_dict() == {}


@pytest.mark.parametrize(
    "make",
    [
        lambda eps: nn.BatchNorm1d(3, eps=eps),
        lambda eps: nn.BatchNorm2d(3, eps=eps),
        lambda eps: nn.LayerNorm(3, eps=eps),
        lambda eps: nn.GroupNorm(1, 3, eps=eps),
    ],
)
def test_norm_layers_refuse_an_eps_that_makes_every_output_nan(make):
    for eps in (-1.0, float("nan"), float("inf")):
        with pytest.raises(ValueError, match=f"eps must be a finite number >= 0, got {eps}"):
            make(eps)
    with pytest.raises(TypeError, match="eps must be a finite number >= 0, got str"):
        make("1e-5")


def test_eps_zero_as_pytorch_takes_it():
    layer, group = nn.LayerNorm(3, eps=0.0), nn.GroupNorm(1, 3, eps=0.0)
    x = Tensor(np.array([[1.0, 2.0, 4.0]], np.float32))
    assert np.isfinite(layer(x).data).all() and np.isfinite(group(x).data).all()
    with pytest.raises(ValueError, match="BatchNorm1d: eps must be above 0"):  # torch refuses it in training
        nn.BatchNorm1d(3, eps=0.0)


@pytest.mark.parametrize("shape", [(0, 3), (0, 3, 4)])
def test_an_empty_batch_in_training_is_refused_and_the_running_statistics_kept(shape):
    bn = nn.BatchNorm1d(3)
    before = bn.state_dict()
    with pytest.raises(ValueError, match=r"needs more than one value per channel, got input of shape \(0, 3"):
        bn(Tensor(np.zeros(shape, np.float32)))
    assert same_state(bn.state_dict(), before)
    assert bn.eval()(Tensor(np.zeros(shape, np.float32))).shape == shape  # eval normalises nothing, as torch


def test_states_and_models_of_the_wrong_type_are_type_errors(tmp_path):
    model = nn.Linear(2, 2)
    for bad in ([("W", np.zeros((2, 2)))], None):
        with pytest.raises(TypeError, match=r"Linear.load_state_dict takes a dict of arrays \(state_dict\(\)\), got"):
            model.load_state_dict(bad)
        with pytest.raises(TypeError, match="from_torch_state_dict takes a dict of tensors or arrays"):
            from_torch_state_dict(model, bad)
    with pytest.raises(TypeError, match=r"nn.save\(module, path, optimizer=None\) takes a Module .* got str"):
        nn.save(str(tmp_path / "m.npz"), model)
    with pytest.raises(TypeError, match=r"nn.load\(module, path, optimizer=None\) takes a Module .* got NoneType"):
        nn.load(None, tmp_path / "m.npz")
    with pytest.raises(TypeError, match="to_torch_state_dict takes a chainrule Module first, got dict"):
        to_torch_state_dict({})
    assert not list(tmp_path.iterdir())
