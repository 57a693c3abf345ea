"""What a compiled step guards of nn's models: the count of their changes (STRUCTURE), and what
counts as a model's parameter (`is_parameter`), frozen ones included."""

from __future__ import annotations

from typing import Any

from autograd import Tensor, Value


class _Structure:
    """How many times a module was given another submodule, parameter or buffer (an attribute set or
    deleted, a ModuleList or ModuleDict item, a Sequential's add), had its state loaded
    (load_state_dict, nn.load) or its buffers updated (BatchNorm's statistics): every module's call
    guards it (autograd.guard), so a compiled step records again after a model changed (a new head,
    a checkpoint loaded into frozen layers or BatchNorm's statistics, which a recording holds as
    constants). One count for all models: a change anywhere costs a recording, a replay one comparison."""

    version = 0
    what = "a model's layers, parameters, buffers or tensors (or loaded their state)"  # for compile's messages

    def changed(self) -> None:
        self.version += 1


STRUCTURE = _Structure()


def is_parameter(value: Any) -> bool:
    """A leaf Value, or a leaf Tensor that requires grad or is frozen (its requires_grad switched off
    after being on: still the model's, saved and loaded, as PyTorch keeps a frozen Parameter). A
    computed node kept as an attribute (a layer's last output) is none."""
    if isinstance(value, Tensor):
        return value.op is None and (value.requires_grad or value.frozen)
    return isinstance(value, Value) and value.op is None
