"""A setting assigned to one of nn's optimizers that it does not have (`adam.momentum = 0.9`, `opt.weight_deacy`):
refused, where it would be kept as an attribute that changes nothing."""

from __future__ import annotations

import difflib
from typing import Any

# the settings of nn's optimizers and PyTorch's options of theirs: one assigned to an optimizer without it
# is refused (refuse_a_setting_it_lacks)
SETTINGS_ELSEWHERE = frozenset(
    (
        "lr momentum dampening nesterov betas eps weight_decay alpha centered lr_decay initial_accumulator_value "
        "amsgrad maximize foreach capturable differentiable fused momentum_decay decoupled_weight_decay rho etas "
        "step_sizes"
    ).split()
)


def refuse_a_setting_it_lacks(optimizer: Any, name: str) -> None:
    """AttributeError, on nn's own optimizers, for a setting another optimizer has (nn's or PyTorch's:
    `adam.momentum = 0.9`, `adam.amsgrad = True`) or a misspelling of one of its own of five letters or
    more (`opt.weight_deacy`): assigned, it would change nothing, silently. Any other name is the
    caller's own attribute, and kept; so is every name on a subclass of one's own, which may read it."""
    if not type(optimizer).__module__.startswith("nn."):
        return
    own, kind = optimizer.setting_names, type(optimizer).__name__
    if name in SETTINGS_ELSEWHERE:
        raise AttributeError(f"{kind} has no setting {name!r}, and would ignore it; its settings are {', '.join(own)}")
    near = difflib.get_close_matches(name, own, n=1, cutoff=0.85) if len(name) >= 5 else []
    if near:
        raise AttributeError(f"{kind} has no setting {name!r}, and would ignore it: did you mean {near[0]!r}?")
