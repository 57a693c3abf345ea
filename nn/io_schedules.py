"""The schedulers chained on an optimizer, in a file beside its state (nn.save and nn.load with
`optimizer=`): per scheduler, by its place in the chain k, "schedule.k.kind.NAME" (its class),
"schedule.k.last_epoch", "schedule.k.base_lr" and "schedule.k.hand_set" (1 where the base carries
on an lr set by hand, 0 where not, -1 where not known: a file written before it was has none, read
so), and a CosineAnnealingWarmRestarts's "schedule.k.epoch_fraction" (where step(epoch) left it within an
epoch; 0 for a file without it). Without them a resumed run's scheduler, made anew, started its schedule
over from the loaded lr: the lr of a StepLR went back up where the run would have gone on down. Also its settings (its
class's `setting_names`; a text one, OneCycleLR's anneal_strategy, by its place in `choices`),
"schedule.k.setting.NAME", and a SequentialLR's schedulers, by their place j in it,
"schedule.k.schedulers.j.kind.NAME" and "schedule.k.schedulers.j.setting.NAME": a file whose schedulers
had other settings is refused (resumed, the run would follow another schedule, silently); one written
before they were has none, and loads unchecked, as it did.
The ReduceLROnPlateaus made on the optimizer (its `plateaus`, outside the chain) too: "schedule.plateaus",
how many, and per plateau, by its place k, "schedule.plateau.k." + its state_dict()'s keys (the best
metric "best", finite, with "has_best" 0 while it is still the mode's start, ±inf) and its settings
("setting.NAME"; mode and threshold_mode by their place among the choices). Without them a resumed
plateau started afresh and cut the lr epochs later than the run would have; a file written before
them has none, and loads with the plateaus as they are, as it did."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from autograd import type_name

from .optim_base import Optimizer
from .schedulers_base import INT64
from .schedulers_groups import attribute
from .schedulers_plateau import STATE_KEYS as PLATEAU_STATE
from .schedulers_restarts import FRACTION
from .state_checks import Layout, check_entries, check_marker, conform

SCHEDULE = "schedule."  # the entries' names start so, after the optimizer's prefix in a file
UNKNOWN = -1  # hand_set as a file writes "not known"
SETTING = "setting."  # a setting's entry, after its scheduler's head ("schedule.0.")
SCHEDULERS = "schedulers."  # a SequentialLR's own schedulers' entries, after its head
PLATEAUS = "plateaus"  # after SCHEDULE: how many ReduceLROnPlateaus the optimizer had
PLATEAU = "plateau."  # after SCHEDULE: a ReduceLROnPlateau's entries, "schedule.plateau.k."


def entries(optimizer: Optimizer) -> dict[str, np.ndarray]:
    """The state of each scheduler chained on `optimizer`, as named arrays."""
    found: dict[str, np.ndarray] = {}
    for k, scheduler in enumerate(optimizer.schedulers):
        for head, s in _nested(scheduler, f"{SCHEDULE}{k}."):
            found[f"{head}kind.{type(s).__name__}"] = np.array(1, np.int64)  # the name says the kind
            found |= {head + SETTING + name: _setting(s, name) for name in s.setting_names}
        state = scheduler.state_dict()
        found[f"{SCHEDULE}{k}.last_epoch"] = np.array(state["last_epoch"], np.int64)
        found[f"{SCHEDULE}{k}.base_lr"] = np.array(state["base_lr"], np.float64)
        hand_set = state["hand_set"]  # a list, one per param group, where there are several (as base_lr)
        written = [UNKNOWN if h is None else int(h) for h in (hand_set if isinstance(hand_set, list) else [hand_set])]
        found[f"{SCHEDULE}{k}.hand_set"] = np.array(written if isinstance(hand_set, list) else written[0], np.int64)
        if FRACTION in state:  # a CosineAnnealingWarmRestarts's, where step(epoch) left it within an epoch
            found[f"{SCHEDULE}{k}.{FRACTION}"] = np.array(state[FRACTION], np.float64)
    found[SCHEDULE + PLATEAUS] = np.array(len(optimizer.plateaus), np.int64)
    for k, plateau in enumerate(optimizer.plateaus):
        head = f"{SCHEDULE}{PLATEAU}{k}."
        found |= {head + SETTING + name: _setting(plateau, name) for name in (*plateau.setting_names, *plateau.choices)}
        state = plateau.state_dict()
        found |= {
            head + key: _whole(value, f"ReduceLROnPlateau's {key}") for key, value in state.items() if key != "best"
        }
        seen = state["best"] != plateau.best_at_start()  # else finite: the plateau's checks keep it so
        found[head + "best"] = np.array(state["best"] if seen else 0.0, np.float64)
        found[head + "has_best"] = np.array(int(seen), np.int64)
    return found


def layout(optimizer: Optimizer, prefix: str = "") -> Layout:
    """(shape, dtype) of each entry of `entries(optimizer)`, named after `prefix`."""
    return {prefix + name: (a.shape, a.dtype) for name, a in entries(optimizer).items()}


def check(optimizer: Optimizer, found: Layout, prefix: str) -> None:
    """Refuse a file's scheduler entries (named after `prefix`) that are not those of the schedulers now
    chained on `optimizer`, of the same kinds in the same order: KeyError or ValueError naming both."""
    own = _as_written(layout(optimizer, prefix), found)
    theirs, mine = _plateaus(found, prefix), _plateaus(own, prefix)
    if prefix + SCHEDULE + PLATEAUS in found and theirs != mine:
        raise KeyError(
            f"the file holds the state of {theirs} ReduceLROnPlateau(s) made on the optimizer, and this one has "
            f"{mine}: make the same on it, with the same settings, before loading (the run then goes on with their "
            "counts)"
        )
    if own.keys() != found.keys() and _kinds(found, prefix) != _kinds(own, prefix):
        raise KeyError(
            f"the file holds the state of the schedulers {_kinds(found, prefix)} of the optimizer, and this one has "
            f"{_kinds(own, prefix)}: make the same schedulers on it, in the same order, before loading (the run then "
            "goes on with their epochs and lr)"
        )
    check_entries(own, found, _scheduler_entry)


def resumer(
    optimizer: Optimizer, arrays: dict[str, np.ndarray], prefix: str, lr: float | list[float]
) -> Callable[[], None]:
    """What sets each scheduler to the state in `arrays` (named after `prefix`), the optimizer's lr being
    `lr` (the file's; each param group's, a list, where there are several): every value checked now, as the
    schedulers' load_state_dict checks it; nothing changes until it is called."""
    given = {n: a for n, a in arrays.items() if n.startswith(prefix + SCHEDULE)}
    values = conform(_as_written(layout(optimizer, prefix), given), given, what=_scheduler_entry)
    for name in (name for name in values if ".kind." in name):
        check_marker(name, values[name])
    _check_settings(optimizer, values, prefix)
    steps = []
    for k, scheduler in enumerate(optimizer.schedulers):
        head = f"{prefix}{SCHEDULE}{k}."
        # base_lr and hand_set: a list, one per param group, where there are several
        state = {"last_epoch": int(values[head + "last_epoch"]), "base_lr": values[head + "base_lr"].tolist()}
        if head + "hand_set" in values:  # any other number is left for the scheduler's check to refuse
            written = values[head + "hand_set"].tolist()
            told = [
                {UNKNOWN: None, 0: False, 1: True}.get(w, w)
                for w in (written if isinstance(written, list) else [written])
            ]
            state["hand_set"] = told if isinstance(written, list) else told[0]
        if head + FRACTION in values:  # the scheduler's check refuses one outside [0, 1)
            state[FRACTION] = float(values[head + FRACTION])
        steps.append(scheduler.resumer(state, lr))
    steps += _plateau_resumers(optimizer, values, prefix)

    def resume() -> None:
        for step in steps:
            step()

    return resume


def _nested(scheduler: Any, head: str) -> Iterator[tuple[str, Any]]:
    """(head, scheduler) for `scheduler` (its entries' names start with `head`), then for those it runs (a
    SequentialLR's), at any depth."""
    yield head, scheduler
    for j, inner in enumerate(getattr(scheduler, "schedulers", ())):
        yield from _nested(inner, f"{head}{SCHEDULERS}{j}.")


def _setting(scheduler: Any, name: str) -> np.ndarray:
    """A scheduler's setting as a file holds it: integers (one, or a list: milestones) as int64, other numbers
    as float64, text (OneCycleLR's anneal_strategy, a plateau's mode) as its place among its `choices`."""
    value = attribute(scheduler, name)  # a list, one per param group, where it keeps one per group
    if name in getattr(scheduler, "choices", {}):
        return np.array(scheduler.choices[name].index(value), np.int64)
    items = value if isinstance(value, list | tuple) else [value]
    whole = all(isinstance(x, int | np.integer) and not isinstance(x, bool) for x in items)
    return _whole(value, f"{type_name(scheduler)}'s {name}") if whole else np.array(value, np.float64)


def _whole(value: Any, what: str) -> np.ndarray:
    """An int, or a list of them, as the file's int64; a ValueError naming `what` for one beyond int64's range,
    before anything is written (numpy's OverflowError, "Python int too large to convert to C long", named
    neither the scheduler nor the setting: `MultiStepLR(opt, [2**63])`, a milestone for "never")."""
    items = value if isinstance(value, list | tuple) else [value]
    beyond = [x for x in items if not INT64.min <= x <= INT64.max]
    if beyond:
        raise ValueError(
            f"{what}: {beyond[0]} is beyond what the file holds exactly, a 64-bit integer (at most 2**63 - 1 = "
            f"{INT64.max}): no run reaches an epoch that far, so give {INT64.max} or less for the same schedule"
        )
    return np.array(value, np.int64)


def _check_settings(optimizer: Optimizer, values: dict[str, np.ndarray], prefix: str) -> None:
    """ValueError naming the first setting of a scheduler chained on `optimizer` (or run by one) that is not
    the one in `values` (a file's, named after `prefix`, checked), both values and the fix. A file written
    before settings were has none: nothing to check."""
    for k, scheduler in enumerate(optimizer.schedulers):
        for head, s in _nested(scheduler, f"{prefix}{SCHEDULE}{k}."):
            for name in s.setting_names:
                key, mine = head + SETTING + name, _setting(s, name)
                if key in values and not np.array_equal(values[key], mine):
                    saved, kind = _as_given(key, s, name, values[key]), type(s).__name__
                    # the fix: the argument given so, or what the class advises for a setting that is no argument
                    advice = getattr(s, "setting_advice", {}).get(name)  # {saved value: fix}
                    fix = advice[saved] if advice else f"make the {kind} with {name}={saved!r}"
                    raise ValueError(
                        f"{key}: the file's {kind} was saved with {name}={saved!r}, and this one has "
                        f"{name}={_as_given(key, s, name, mine)!r}, so the resumed run would follow another "
                        f"schedule: {fix}, as the saved run did, before loading"
                    )


def _as_given(key: str, scheduler: Any, name: str, written: np.ndarray) -> Any:
    """A setting as a file holds it (`written`, under `key`; `_setting`'s) as the constructor takes it: a flag
    (OneCycleLR's three_phase, written 1.0) True or False, a choice's text by its place, ValueError for a
    place nn.save does not write."""
    value = written.tolist()
    choices = getattr(scheduler, "choices", {}).get(name)
    if choices is None:
        return bool(value) if isinstance(attribute(scheduler, name), bool) and value in (0, 1) else value
    if not 0 <= value < len(choices):
        raise ValueError(
            f"{key} holds {value}, not the place of one of {list(choices)} that nn.save writes: the file was "
            "edited or corrupted"
        )
    return choices[value]


def _plateau_resumers(optimizer: Optimizer, values: dict[str, np.ndarray], prefix: str) -> list[Callable[[], None]]:
    """What sets each ReduceLROnPlateau of `optimizer` to its state in `values` (a file's, named after
    `prefix`, conformed), checked now: ValueError for a count or a flag nn.save does not write, or a
    setting other than the plateau's. A file written before plateaus were saved has none: no step."""
    if prefix + SCHEDULE + PLATEAUS not in values:
        return []
    count = int(values[prefix + SCHEDULE + PLATEAUS])
    if count != len(optimizer.plateaus):
        raise ValueError(
            f"{prefix}{SCHEDULE}{PLATEAUS} holds {count}, and the file has the state of {len(optimizer.plateaus)} "
            "ReduceLROnPlateau(s): the file was edited or corrupted"
        )
    steps = []
    for k, plateau in enumerate(optimizer.plateaus):
        head = f"{prefix}{SCHEDULE}{PLATEAU}{k}."
        for name in (*plateau.setting_names, *plateau.choices):
            key = head + SETTING + name
            _same(key, plateau, name, _as_given(key, plateau, name, values[key]))
        has_best = int(values[head + "has_best"])
        if has_best not in (0, 1):
            raise ValueError(f"{head}has_best holds {has_best}, not the 1 or 0 nn.save writes: the file was edited")
        state = {key: int(values[head + key]) for key in PLATEAU_STATE if key != "best"}
        best = float(values[head + "best"]) if has_best else plateau.best_at_start()
        steps.append(plateau.resumer({**state, "best": best}))
    return steps


def _same(key: str, plateau: Any, name: str, saved: Any) -> None:
    """ValueError naming a setting of `plateau` that is not the file's `saved` (under `key`), and the fix."""
    mine = attribute(plateau, name)
    if saved != mine:
        raise ValueError(
            f"{key}: the file's ReduceLROnPlateau was saved with {name}={saved!r}, and this one has {name}={mine!r}, "
            f"so the resumed run would cut the lr otherwise: make it with {name}={saved!r}, as the saved run did, "
            "before loading"
        )


def _plateaus(found: Any, prefix: str) -> int:
    """How many ReduceLROnPlateaus' entries `found` (named after `prefix`) holds."""
    return sum(1 for name in found if name.startswith(prefix + SCHEDULE + PLATEAU) and name.endswith(".last_epoch"))


# Entries added to the file after it was first written, each era's all there or none: hand_set, the settings,
# the plateaus
_ADDED = (
    lambda name: name.endswith(".hand_set"),
    lambda name: f".{SETTING}" in name or f".{SCHEDULERS}" in name,
    lambda name: f"{SCHEDULE}{PLATEAU}" in name or name.endswith(SCHEDULE + PLATEAUS),
    lambda name: name.endswith(f".{FRACTION}"),
)


def _as_written(own: Layout, found: Any) -> Layout:
    """`own` without the entries a file written before them lacks."""
    for added in _ADDED:
        if not any(added(name) for name in found):
            own = {name: entry for name, entry in own.items() if not added(name)}
    return own


def _kinds(found: Any, prefix: str) -> str:
    """The kinds of the schedulers whose entries are `found` (named after `prefix`), in their order, each
    SequentialLR's own after it: "[SequentialLR of [LinearLR, StepLR]]"."""
    kinds = {}
    for name in found:
        head, sep, kind = name.removeprefix(prefix + SCHEDULE).rpartition(".kind.")
        if sep:
            kinds[tuple(head.split(".")[::2])] = kind  # "0.schedulers.1": (0, 1)

    def listed(path: tuple[str, ...]) -> str:
        inner = sorted((p for p in kinds if p[:-1] == path), key=lambda p: (len(p[-1]), p[-1]))  # "10" after "9"
        shown = (kinds[p] + (f" of {listed(p)}" if any(q[:-1] == p for q in kinds) else "") for p in inner)
        return f"[{', '.join(shown)}]"

    return listed(())


def _scheduler_entry(name: str) -> str:
    """What a scheduler's entry in a file is, for messages."""
    return "a scheduler's setting or state"
