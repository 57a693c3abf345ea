"""nn.export and a loss module's class weights: PyTorch keeps `weight` (and BCEWithLogitsLoss's `pos_weight`) as
buffers of the loss, so a model holding its weighted loss has them in its state dict; chainrule keeps them as the
loss's options. The export gives and takes them by PyTorch's names, checked as every other entry."""

import numpy as np
import pytest
from torch_reference import torch

import nn
from autograd import Tensor
from nn.export import from_torch_state_dict, to_torch_state_dict

W = np.array([1.0, 2.0, 0.5], np.float32)


class Classifier(nn.Module):
    def __init__(self, weight=W):
        self.head = nn.Linear(4, 3, seed=0)
        self.criterion = nn.CrossEntropyLoss(weight=weight)
        self.logits = nn.BCEWithLogitsLoss(pos_weight=np.full(3, 2.0, np.float32))


class TorchClassifier(torch.nn.Module):
    def __init__(self, weight=W):
        super().__init__()
        self.head = torch.nn.Linear(4, 3)
        self.criterion = torch.nn.CrossEntropyLoss(weight=torch.tensor(weight))
        self.logits = torch.nn.BCEWithLogitsLoss(pos_weight=torch.full((3,), 2.0))


def test_a_weighted_loss_gives_pytorchs_entries_and_torch_loads_them_strictly():
    state = to_torch_state_dict(Classifier(), as_tensors=True)
    theirs = TorchClassifier(weight=np.ones(3, np.float32))
    assert sorted(state) == sorted(theirs.state_dict()) == [
        "criterion.weight", "head.bias", "head.weight", "logits.pos_weight"
    ]  # fmt: skip
    theirs.load_state_dict(state)  # strict: no key missing
    assert np.array_equal(theirs.criterion.weight.numpy(), W)


def test_pytorchs_loss_weights_load_into_the_loss_and_it_computes_torchs_loss():
    theirs = TorchClassifier(weight=np.array([3.0, 1.0, 0.25], np.float32))
    ours = from_torch_state_dict(Classifier(), theirs.state_dict())
    x = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    y = np.array([0, 1, 2, 2, 0])
    want = theirs.criterion(theirs.head(torch.tensor(x)), torch.tensor(y)).item()
    assert ours.criterion(ours.head(Tensor(x)), y).item() == pytest.approx(want, rel=1e-6)


@pytest.mark.parametrize(
    ("bad", "problem"),
    [
        (np.array([1.0, np.nan, 1.0], np.float32), "criterion.weight holds 1 NaN"),
        (np.ones(4), "criterion.weight has shape"),
    ],
)
def test_a_bad_loss_weight_is_refused_and_changes_nothing(bad, problem):
    ours = Classifier()
    state = {**to_torch_state_dict(ours), "criterion.weight": bad, "head.bias": np.full(3, 7.0, np.float32)}
    with pytest.raises(ValueError, match=problem):
        from_torch_state_dict(ours, state)
    assert np.array_equal(ours.criterion.weight, W) and not np.any(ours.head.b.data == 7.0)


def test_an_unweighted_loss_has_no_entry_as_in_pytorch():
    assert to_torch_state_dict(nn.CrossEntropyLoss()) == {} == torch.nn.CrossEntropyLoss().state_dict()


def test_a_loss_weight_that_requires_grad_is_one_entry_as_torchs_parameter_buffer():
    """A Tensor weight with requires_grad is the loss's parameter: it was exported twice, refused as 'two different
    parameters or buffers are both named 'weight''; torch's loss registers such a weight as its one buffer `weight`."""
    ours = nn.CrossEntropyLoss(weight=Tensor(W, requires_grad=True))
    theirs = torch.nn.CrossEntropyLoss(weight=torch.nn.Parameter(torch.tensor([3.0, 1.0, 0.25])))
    state = to_torch_state_dict(ours)
    assert list(state) == list(theirs.state_dict()) == ["weight"] and np.array_equal(state["weight"], W)
    from_torch_state_dict(ours, theirs.state_dict())
    assert np.array_equal(ours.weight.data, np.array([3.0, 1.0, 0.25], np.float32)) and ours.weight.requires_grad


class TiedToBuffer(nn.Module):
    """The class weights a buffer of the model and the loss's weight, one array, as torch's register_buffer of them
    and CrossEntropyLoss(weight=self.cw) make them one tensor."""

    def __init__(self):
        self.register_buffer("cw", W.copy())
        self.criterion = nn.CrossEntropyLoss(weight=self.cw)


def test_a_loss_weight_that_is_the_models_buffer_stays_it_and_two_values_of_it_are_refused():
    """Loading gave the buffer and the loss two arrays, each its own key's, silently: the loss no longer the model's
    class weights (cw [5, 5, 5], criterion.weight [7, 7, 7])."""
    model = TiedToBuffer()
    assert sorted(to_torch_state_dict(model)) == ["criterion.weight", "cw"]
    differ = {"cw": np.full(3, 5.0, np.float32), "criterion.weight": np.full(3, 7.0, np.float32)}
    with pytest.raises(ValueError, match=r"'cw' and 'criterion.weight' differ"):
        from_torch_state_dict(model, differ)
    assert np.array_equal(model.cw, W) and model.criterion.weight is model.cw
    from_torch_state_dict(model, {**differ, "criterion.weight": differ["cw"]})
    assert np.array_equal(model.cw, differ["cw"]) and model.criterion.weight is model.cw


def test_torchs_loss_weight_into_a_loss_built_without_it_is_refused_saying_how_to_build_it():
    """The refusal said only "unexpected ['criterion.weight']", a key of no parameter the user wrote."""
    ours = Classifier(weight=None)
    with pytest.raises(ValueError, match=r"unexpected \['criterion.weight'\]; the CrossEntropyLoss at 'criterion' was "
                       r"built without weight=.*nn.CrossEntropyLoss\(weight=\.\.\.\)"):  # fmt: skip
        from_torch_state_dict(ours, TorchClassifier().state_dict())
    assert ours.criterion.weight is None


def _containers(lib, weight):
    """A loss's weights in a Sequential, a ModuleDict, a ModuleList, two levels down, as chainrule's or torch's."""
    tensor = (lambda v: v) if lib is nn else torch.tensor
    pos_weight = tensor(np.float64(2.0))
    return lib.Sequential(
        lib.Linear(4, 3),
        lib.ModuleDict({"ce": lib.CrossEntropyLoss(weight=tensor(weight))}),
        lib.ModuleList([lib.Sequential(lib.BCEWithLogitsLoss(weight=tensor(weight), pos_weight=pos_weight))]),
    )


def test_loss_weights_in_containers_go_both_ways_as_torchs_strict_load_wants():
    ours, theirs = _containers(nn, W), _containers(torch.nn, np.ones(3, np.float32))
    assert sorted(to_torch_state_dict(ours)) == sorted(theirs.state_dict())
    theirs.load_state_dict(to_torch_state_dict(ours, as_tensors=True))
    assert np.array_equal(theirs[2][0][0].pos_weight.numpy(), 2.0) and theirs[2][0][0].pos_weight.dtype == torch.float64
    back = from_torch_state_dict(_containers(nn, np.ones(3, np.float32)), theirs.state_dict())
    assert np.array_equal(back.layers[1]["ce"].weight, W) and np.array_equal(back.layers[2][0].layers[0].weight, W)


def test_torchs_pos_weight_into_a_sequentials_loss_built_without_it_names_its_index():
    ours = nn.Sequential(nn.Linear(4, 3, seed=0), nn.BCEWithLogitsLoss())
    theirs = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.BCEWithLogitsLoss(pos_weight=torch.ones(3)))
    with pytest.raises(ValueError, match=r"the BCEWithLogitsLoss at '1' was built without pos_weight="):
        from_torch_state_dict(ours, theirs.state_dict())
    with pytest.raises(
        ValueError, match=r"the model, a NLLLoss, was built without weight=.*nn\.NLLLoss\(weight=\.\.\.\)"
    ):
        from_torch_state_dict(nn.NLLLoss(), torch.nn.NLLLoss(weight=torch.ones(3)).state_dict())
