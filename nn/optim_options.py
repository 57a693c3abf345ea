"""PyTorch's optimizer options that choose how torch computes a step rather than what it computes:
foreach, fused, capturable, differentiable. chainrule's optimizers take each option their torch.optim
counterpart takes, at the values under which torch computes what chainrule does (its one tensor at a time
update, on the CPU), so that `nn.Adam(params, lr=1e-3, foreach=None)` copied from PyTorch runs as there;
any other value is refused with the reason, never ignored. One rule for every optimizer: each lists the
options its counterpart has (`Optimizer.torch_options`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

# option: (the values taken, why another is refused). Measured with torch 2.13 on the CPU, 40 steps of
# each optimizer: foreach=None, fused=None (its defaults) give foreach=False's parameters bit for bit
# in float16, 32 and 64, and the values refused change them or fail there.
OPTIONS: dict[str, tuple[tuple[bool | None, ...], str]] = {
    "foreach": (
        (None, False),
        "PyTorch's multi-tensor kernels round some steps differently from its one-tensor update (NAdam's and "
        "RAdam's in the last place in float32 and float64, most optimizers' in float16), and chainrule computes "
        "the one-tensor update, which PyTorch runs on the CPU with foreach=None (its default) or False",
    ),
    "fused": (
        (None, False),
        "PyTorch's fused kernels round differently from its one-tensor update (SGD, Adam, AdamW and Adagrad "
        "differ in the last place in float32 and float64 after 40 steps), and chainrule computes the "
        "one-tensor update, PyTorch's with fused=None (its default) or False",
    ),
    "capturable": (
        (False,),
        "it keeps the step count on the GPU for CUDA graph capture, which PyTorch refuses for CPU parameters "
        "and chainrule, on the CPU, has nothing of: leave it False",
    ),
    "differentiable": (
        (False,),
        "it records PyTorch's step in the autograd graph so that a later backward differentiates through it; "
        "chainrule's step changes the parameters' arrays in place and records nothing (differentiate through "
        "an update written out with autograd ops instead): leave it False",
    ),
}


def check_torch_options(owner: str, takes: tuple[str, ...], given: Mapping[str, Any]) -> None:
    """Refuse what `given` (the constructor's keywords that are none of its settings) holds beyond the
    options `takes` lists at a value in OPTIONS: TypeError for a name the constructor lacks (as Python's
    own, naming PyTorch's options where it is one of another optimizer's), ValueError for a value
    chainrule cannot honour, with why."""
    for name, value in given.items():
        if name not in takes:
            theirs = ", ".join(takes) or "none"
            elsewhere = (
                f" (torch.optim.{owner} has no {name} either; its options of this kind are {theirs})"
                if name in OPTIONS
                else ""
            )
            raise TypeError(f"{owner}() got an unexpected keyword argument {name!r}{elsewhere}")
        allowed, why = OPTIONS[name]
        if not any(_is(value, a) for a in allowed):
            shown = " or ".join(map(repr, allowed))
            raise ValueError(f"{owner}: {name}={value!r} is not taken, only {shown}: {why}")


def _is(value: Any, allowed: bool | None) -> bool:
    """`value` is `allowed` (None, or the bool False, numpy's too: 0 is no flag)."""
    if allowed is None:
        return value is None
    return isinstance(value, bool | np.bool_) and bool(value) == allowed
