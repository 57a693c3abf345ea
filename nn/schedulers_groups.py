"""Schedulers over an optimizer of several param groups, as PyTorch's: each group's lr follows the schedule from its
own base (its initial_lr), as if each group were an optimizer of its own ("lane"). The schedulers' code reads and
sets `optimizer.lr`, `initial_lr` and `scheduled_lr` and its own `base_lr`...: `lane(optimizer, k)` puts group k's
values there (the optimizer's settings, and every scheduler's per-group attributes), and takes them back after, so
that the one code of a scheduler serves every group. With one group a lane changes nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from autograd import guard

T = TypeVar("T")

# what a scheduler keeps per group: its base, its last factor and lr, and whether its base carries a hand-set lr
LANE = ("base_lr", "_factor", "_last_lr", "hand_set")
# what an optimizer keeps per group besides its settings
OPTIMIZER_LANE = ("initial_lr", "scheduled_lr")


def many(optimizer: Any) -> bool:
    """Whether `optimizer` has several param groups (a scheduler then keeps lanes)."""
    return len(getattr(optimizer, "groups", ())) > 1


def per_group(owner: str, name: str, value: Any, optimizer: Any, what: str = "value") -> list[Any]:
    """PyTorch's argument of one value per param group (LambdaLR's lr_lambda, min_lr...) as one per group: a list or
    tuple of as many as the groups, or one value for every group. ValueError for another count."""
    count = len(getattr(optimizer, "groups", ())) or 1
    if isinstance(value, list | tuple):
        if len(value) != count:
            raise ValueError(
                f"{owner}: {name} holds one {what} per parameter group ({count} here), got {len(value)}: {value}"
            )
        return list(value)
    return [value] * count


def _schedulers(optimizer: Any, extra: Sequence[Any]) -> list[Any]:
    """Every scheduler of `optimizer` (those a SequentialLR runs too, and its plateaus), and `extra`, once each."""
    found: dict[int, Any] = {}

    def walk(items: Sequence[Any]) -> None:
        for s in items:
            found.setdefault(id(s), s)
            walk(getattr(s, "schedulers", ()))

    walk([*optimizer.schedulers, *optimizer.plateaus, *extra])
    return [s for s in found.values() if "_lanes" in vars(s)]


@contextmanager
def lane(optimizer: Any, k: int, *extra: Any) -> Iterator[None]:
    """Group `k`'s lr and settings as `optimizer`'s attributes, and each scheduler's (of the optimizer, and `extra`)
    group-k attributes as its own, while inside; written back to the group and the lanes after."""
    if not many(optimizer):
        yield
        return
    group, schedulers = optimizer.groups[k], _schedulers(optimizer, extra)
    own = vars(optimizer)
    own.update(group.settings)
    own.update({name: getattr(group, name) for name in OPTIMIZER_LANE})
    for s in schedulers:
        vars(s).update(s._lanes[k])
    try:
        yield
    finally:
        group.settings = {name: own.pop(name) for name in optimizer.setting_names}
        for name in OPTIMIZER_LANE:
            setattr(group, name, own.pop(name, None))
        for s in schedulers:
            s._lanes[k] = {name: vars(s).pop(name) for name in (*LANE, *s.per_group) if name in vars(s)}


def over_lanes(optimizer: Any, scheduler: Any, do: Callable[[int], T]) -> list[T]:
    """`do(k)` in each group's lane (once, k = 0, for one group), its results by group."""
    results = []
    for k in range(max(1, len(getattr(optimizer, "groups", ())))):
        with lane(optimizer, k, scheduler):
            results.append(do(k))
    return results


def start_lanes(scheduler: Any, optimizer: Any, **given: list[Any]) -> None:
    """Give `scheduler` a lane per group of `optimizer` (none for one group), holding `given`'s values by group."""
    if many(optimizer):
        scheduler._lanes = [{name: values[k] for name, values in given.items()} for k in range(len(optimizer.groups))]
    else:
        vars(scheduler).update({name: values[0] for name, values in given.items()})


def lane_values(scheduler: Any, name: str, guarded: bool = False) -> list[Any]:
    """The scheduler's attribute `name` in each group's lane (its own, for one group). `guarded`: each read through
    autograd.guard, so that a compiled step whose code reads them (get_last_lr()) is replayed only while they are
    as recorded, as one group's `opt.lr` is."""
    lanes = vars(scheduler).get("_lanes")
    if lanes is None:
        return [getattr(scheduler, name)]
    if guarded:
        views = vars(scheduler).setdefault("_lane_views", [])  # one each: a compiled step meets the same each call
        views += [LaneView(scheduler, k) for k in range(len(views), len(lanes))]
        return [guard(views[k], name) for k in range(len(lanes))]
    return [one.get(name, getattr(type(scheduler), name, None)) for one in lanes]  # else its class's default


def lane_states(scheduler: Any, state: Mapping[str, Any]) -> list[Any]:
    """A scheduler's state_dict() split into one per param group: itself for one group; with several, its
    base_lr and hand_set lists (one per group) dealt out. ValueError for lists of another length, and for lists
    (a state of several groups) loaded over one group."""
    if not isinstance(state, Mapping):
        return [state]  # the scheduler's own checks refuse what is not its state
    several, owner = many(scheduler.optimizer), type(scheduler).__name__
    count = len(getattr(scheduler.optimizer, "groups", ())) or 1
    split = {}
    for key in ("base_lr", "hand_set"):
        value = state.get(key, [None] * count if several else None)
        if not several and not isinstance(value, list | tuple):
            continue  # one group's: one value, as a state always held it
        if not isinstance(value, list | tuple) or len(value) != count:
            raise ValueError(
                f"{owner}.load_state_dict: {key} holds one value per param group ({count} here), got {value!r}"
            )
        split[key] = list(value)
    if not several:
        return [state]
    return [{**state, **{key: values[k] for key, values in split.items()}} for k in range(count)]


class LaneView:
    """Lane `k` of a scheduler (its values for param group k) as attributes, as they are when read: what
    autograd.guard checks of a group's lr that a compiled step's code reads (get_last_lr())."""

    __slots__ = ("scheduler", "k")

    def __init__(self, scheduler: Any, k: int) -> None:
        self.scheduler, self.k = scheduler, k

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") or name in LaneView.__slots__:  # copy's probes of an object not yet filled
            raise AttributeError(name)
        lanes = vars(self.scheduler).get("_lanes") or ()
        if self.k >= len(lanes) or name not in lanes[self.k]:
            raise AttributeError(f"lane {self.k} has no {name!r}")
        return lanes[self.k][name]


def attribute(scheduler: Any, name: str) -> Any:
    """The scheduler's attribute `name`: a list, one per param group, where it keeps one per group."""
    if name in getattr(scheduler, "per_group", ()) and "_lanes" in vars(scheduler):
        return lane_values(scheduler, name)
    return getattr(scheduler, name)


def lane_attribute_error(scheduler: Any, name: str) -> AttributeError:
    """The AttributeError for `name` read off a scheduler: where it is one kept per param group, saying so and
    where each group's is (it was Python's bare "object has no attribute")."""
    kind = type(scheduler).__name__
    if "_lanes" in vars(scheduler) and name in (*LANE, *scheduler.per_group):
        return AttributeError(
            f"{kind}.{name} is one per param group here ({len(vars(scheduler)['_lanes'])}): read base_lrs, "
            "get_last_lr() or state_dict(), which give each group's"
        )
    return AttributeError(f"{kind!r} object has no attribute {name!r}")
