"""The schedulers chained on an optimizer, in a file beside its state (nn.save and nn.load with
`optimizer=`): per scheduler, by its place in the chain k, "schedule.k.kind.NAME" (its class),
"schedule.k.last_epoch", "schedule.k.base_lr" and "schedule.k.hand_set" (1 where the base carries
on an lr set by hand, 0 where not, -1 where not known: a file written before it was has none, read
so). Without them a resumed run's scheduler, made anew, started its schedule over from the loaded
lr: the lr of a StepLR went back up where the run would have gone on down."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .optim_base import Optimizer
from .state_checks import Layout, check_entries, check_marker, conform

SCHEDULE = "schedule."  # the entries' names start so, after the optimizer's prefix in a file
UNKNOWN = -1  # hand_set as a file writes "not known"


def entries(optimizer: Optimizer) -> dict[str, np.ndarray]:
    """The state of each scheduler chained on `optimizer`, as named arrays."""
    found: dict[str, np.ndarray] = {}
    for k, scheduler in enumerate(optimizer.schedulers):
        state = scheduler.state_dict()
        found[f"{SCHEDULE}{k}.kind.{type(scheduler).__name__}"] = np.array(1, np.int64)
        found[f"{SCHEDULE}{k}.last_epoch"] = np.array(state["last_epoch"], np.int64)
        found[f"{SCHEDULE}{k}.base_lr"] = np.array(state["base_lr"], np.float64)
        hand_set = state["hand_set"]
        found[f"{SCHEDULE}{k}.hand_set"] = np.array(UNKNOWN if hand_set is None else int(hand_set), np.int64)
    return found


def layout(optimizer: Optimizer, prefix: str = "") -> Layout:
    """(shape, dtype) of each entry of `entries(optimizer)`, named after `prefix`."""
    return {prefix + name: (a.shape, a.dtype) for name, a in entries(optimizer).items()}


def check(optimizer: Optimizer, found: Layout, prefix: str) -> None:
    """Refuse a file's scheduler entries (named after `prefix`) that are not those of the schedulers now
    chained on `optimizer`, of the same kinds in the same order: KeyError or ValueError naming both."""
    own = _as_written(layout(optimizer, prefix), found)
    if own.keys() != found.keys():
        raise KeyError(
            f"the file holds the state of the schedulers {_kinds(found)} of the optimizer, and this one has "
            f"{_kinds(own)}: make the same schedulers on it, in the same order, before loading (the run then "
            "goes on with their epochs and lr)"
        )
    check_entries(own, found)


def resumer(optimizer: Optimizer, arrays: dict[str, np.ndarray], prefix: str, lr: float) -> Callable[[], None]:
    """What sets each scheduler to the state in `arrays` (named after `prefix`), the optimizer's lr being
    `lr` (the file's): every value checked now, as the schedulers' load_state_dict checks it; nothing
    changes until it is called."""
    given = {n: a for n, a in arrays.items() if n.startswith(prefix + SCHEDULE)}
    values = conform(_as_written(layout(optimizer, prefix), given), given)
    for name in (name for name in values if ".kind." in name):
        check_marker(name, values[name])
    steps = []
    for k, scheduler in enumerate(optimizer.schedulers):
        head = f"{prefix}{SCHEDULE}{k}."
        state = {"last_epoch": int(values[head + "last_epoch"]), "base_lr": float(values[head + "base_lr"])}
        if head + "hand_set" in values:  # any other number is left for the scheduler's check to refuse
            written = int(values[head + "hand_set"])
            state["hand_set"] = {UNKNOWN: None, 0: False, 1: True}.get(written, written)
        steps.append(scheduler.resumer(state, lr))

    def resume() -> None:
        for step in steps:
            step()

    return resume


def _as_written(own: Layout, found: Any) -> Layout:
    """`own` without the hand_set entries a file written before them lacks (all of them, or none)."""
    if any(name.endswith(".hand_set") for name in found):
        return own
    return {name: entry for name, entry in own.items() if not name.endswith(".hand_set")}


def _kinds(found: Any) -> str:
    kinds = sorted((name.split(".")[-3], name.rsplit(".", 1)[-1]) for name in found if ".kind." in name)
    return "[" + ", ".join(kind for _, kind in kinds) + "]"
