"""What nn.export adds to its refusal of a PyTorch state dict's keys, where the keys say how to fix it: the prefix
a wrapper put on the model's keys (DataParallel's and AveragedModel's `module.`, torch.compile's `_orig_mod.`),
or a loss built without the class weights PyTorch's loss has."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .loss_modules import Loss
from .module import Module

# the prefixes PyTorch's wrappers put on a model's keys, and whose they are
WRAPPERS = {"module": "DataParallel's or AveragedModel's 'module.'", "_orig_mod": "torch.compile's '_orig_mod.'"}


def hint(
    names: set[str], given: Mapping[str, Any], modules: Iterable[tuple[str, Module]], options: tuple[str, ...]
) -> str:
    """The fix for keys `given` that are not the model's `names` (`modules`: its modules by PyTorch prefix;
    `options`: the loss options PyTorch's losses keep as buffers), or nothing."""
    named = {key: value for key, value in given.items() if isinstance(key, str)}  # a key of no name hints nothing
    return _prefix_hint(names, named) or _loss_hint(named, modules, options)


def _prefix_hint(names: set[str], given: Mapping[str, Any]) -> str:
    """How to strip the one prefix a wrapper put on the model's keys (DataParallel's and AveragedModel's `module.`,
    torch.compile's `_orig_mod.`, or both nested) where the keys `given` under it are, stripped, `names`, naming
    the wrapper's own keys beside them (AveragedModel's `n_averaged`); a prefix of another kind (`model.`) is named
    without a wrapper's; otherwise nothing."""
    first = next((k for k in given if "." in k), "").split(".")
    for depth in range(1, len(first)):  # the shortest first: a model's own child may be named `module`
        prefix = ".".join(first[:depth]) + "."
        under = {k for k in given if k.startswith(prefix)}
        if {k.removeprefix(prefix) for k in under} != names:
            continue
        strip = f"{{k.removeprefix({prefix!r}): v for k, v in state.items()"
        beside = sorted(set(given) - under)
        how = (
            f" beside {beside}: take them, {strip} if k.startswith({prefix!r})}}"
            if beside
            else f": strip it, {strip}}}"
        )
        parts = dict.fromkeys(prefix.split(".")[:-1])  # in order, each once ("module.module.": DataParallel's twice)
        whose = f" (a wrapper's: {', '.join(WRAPPERS[p] for p in parts)})" if set(parts) <= set(WRAPPERS) else ""
        return f"; those are this model's keys under the prefix {prefix!r}{whose}{how}"
    return ""


def _loss_hint(given: Mapping[str, Any], modules: Iterable[tuple[str, Module]], options: tuple[str, ...]) -> str:
    """How to build a loss of the model whose class weights `given` holds but that was built without them."""
    for prefix, module in modules:
        for name in options if isinstance(module, Loss) else ():
            if prefix + name in given and getattr(module, name, None) is None:
                kind = type(module).__name__
                where = f"the {kind} at {prefix.removesuffix('.')!r}" if prefix else f"the model, a {kind},"
                return (
                    f"; {where} was built without {name}=, which PyTorch's has (a buffer): build it "
                    f"nn.{kind}({name}=...) with any values of its shape, and they are loaded"
                )
    return ""
