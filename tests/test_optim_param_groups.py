"""`optimizer.param_groups` against torch.optim 2.13's: the same keys for every optimizer (code that logs a group,
copies it or reads `group["foreach"]` ran into KeyErrors), the same values for the same arguments, PyTorch's
options of how a step is computed shown as given and set only to the values chainrule computes, AdamW's
decoupled_weight_decay fixed, and "initial_lr" added by the first scheduler, as PyTorch's schedulers add it.
Without torch these tests are skipped."""

import numpy as np
import pytest
from optimizer_names import ALL_OPTIMIZERS
from torch_reference import torch

import nn
from autograd import Tensor


def _groups(name, **kw):
    ours = getattr(nn, name)([Tensor(np.zeros(2), requires_grad=True)], **kw)
    theirs = getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)], **kw)
    return ours, dict(ours.param_groups[0]), dict(theirs.param_groups[0])


@pytest.mark.parametrize("name", ALL_OPTIMIZERS)
def test_a_group_has_torchs_keys_and_values(name):
    """The defaults' groups, and groups of torch's options as given (foreach=False shown as False), alike but for
    SGD's default lr (0.01 here, 1e-3 in torch 2.13: documented) and the params (chainrule's Tensors)."""
    lr = {"lr": 0.01} if name == "SGD" else {}
    # the options its class takes (torch's LBFGS takes none of them: its groups are the defaults' twice)
    given = {option: False for option in ("foreach", "differentiable") if option in getattr(nn, name).torch_options}
    for kw in ({}, given):
        _, ours, theirs = _groups(name, **lr, **kw)
        assert set(ours) == set(theirs), name
        assert {k: ours[k] for k in ours if k != "params"} == {k: theirs[k] for k in theirs if k != "params"}, name


@pytest.mark.parametrize("name", ALL_OPTIMIZERS)
def test_torchs_options_are_set_through_a_group_only_to_what_chainrule_computes(name):
    opt, _, _ = _groups(name)
    (group,) = opt.param_groups
    if not opt.torch_options:  # LBFGS, as torch's, has none of them: its group has no such key to set
        with pytest.raises(KeyError, match="LBFGS: param group 0: LBFGS has no setting 'foreach'"):
            group["foreach"] = False
        assert "foreach" not in group and {**group, "lr": 0.5}["lr"] == 0.5 and group["lr"] != 0.5
        return
    group["foreach"] = False
    assert group["foreach"] is False and opt.param_groups[0]["foreach"] is False
    with pytest.raises(ValueError, match=f"{name}: foreach=True is not taken"):
        group["foreach"] = True
    assert group["foreach"] is False
    if "differentiable" in opt.torch_options:
        with pytest.raises(ValueError, match="differentiable=True is not taken"):
            group["differentiable"] = True
    else:  # Adafactor, as torch's, has no differentiable
        with pytest.raises(KeyError, match=f"{name} has no setting 'differentiable'"):
            group["differentiable"] = True
    assert {**group, "lr": 0.5}["lr"] == 0.5 and group["lr"] != 0.5  # a copy is a dict of its own


def test_adamws_decoupling_is_shown_and_fixed():
    opt, group, _ = _groups("AdamW")
    assert group["decoupled_weight_decay"] is True
    opt.param_groups[0]["decoupled_weight_decay"] = True
    with pytest.raises(ValueError, match="AdamW's decoupled_weight_decay is True, its own: make an nn.Adam"):
        opt.param_groups[0]["decoupled_weight_decay"] = False
    with pytest.raises(AttributeError, match="has no setting 'decoupled_weight_decay'"):
        opt.decoupled_weight_decay = False


def test_a_scheduler_adds_initial_lr_as_torchs():
    """StepLR on SGD: no initial_lr before it, torch's after, and the lr of every epoch's group torch's."""
    ours = nn.SGD([Tensor(np.zeros(2), requires_grad=True)], lr=0.1, momentum=0.9)
    theirs = torch.optim.SGD([torch.zeros(2, requires_grad=True)], lr=0.1, momentum=0.9)
    assert "initial_lr" not in ours.param_groups[0] and "initial_lr" not in theirs.param_groups[0]
    mine, torchs = nn.schedulers.StepLR(ours, 2, gamma=0.5), torch.optim.lr_scheduler.StepLR(theirs, 2, gamma=0.5)
    for _ in range(5):
        assert dict(ours.param_groups[0]).keys() == theirs.param_groups[0].keys()
        assert ours.param_groups[0]["initial_lr"] == theirs.param_groups[0]["initial_lr"] == 0.1
        assert ours.param_groups[0]["lr"] == pytest.approx(theirs.param_groups[0]["lr"], rel=1e-15)
        theirs.step()
        mine.step()
        torchs.step()
    ours.param_groups[0]["initial_lr"] = 0.2
    assert ours.initial_lr == 0.2
    with pytest.raises(ValueError, match="lr must be a finite number >= 0"):
        ours.param_groups[0]["initial_lr"] = -1.0


@pytest.mark.parametrize("name", ALL_OPTIMIZERS)
def test_named_parameters_give_torchs_keys_in_the_group_and_the_names_in_the_state(name):
    """Over named parameters, the group's keys in torch's order ("param_names" after "params") and values, and the
    names the state dict keeps (torch's under "param_groups"; chainrule's as "param_names.I.NAME" entries, arrays
    only), alike."""
    ours = getattr(nn, name)(
        [("w", Tensor(np.zeros(2), requires_grad=True)), ("b", Tensor(np.zeros(1), requires_grad=True))]
    )
    theirs = getattr(torch.optim, name)(
        [("w", torch.zeros(2, requires_grad=True)), ("b", torch.zeros(1, requires_grad=True))]
    )
    mine, torchs = dict(ours.param_groups[0]), dict(theirs.param_groups[0])
    assert list(mine)[:2] == list(torchs)[:2] == ["params", "param_names"] and set(mine) == set(torchs)
    assert mine["param_names"] == torchs["param_names"] == ["w", "b"]
    (saved,) = theirs.state_dict()["param_groups"]
    assert [k for k in ours.state_dict() if k.startswith("param_names.")] == [
        f"param_names.{i}.{n}" for i, n in enumerate(saved["param_names"])
    ]
