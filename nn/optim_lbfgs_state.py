"""LBFGS's state as the named arrays of a state dict, and back. Its history of curvature pairs, lists of up to
history_size vectors while it trains, is laid out as fixed (history_size, n) arrays, the pairs in their first
`history` rows, oldest first, and zeros after: a layout nn.load checks from a file's headers alone, and which
reads no more than the history this optimizer was made to hold (history_size * n numbers, which a full
history takes anyway: a file cannot make it read more). Before a first iteration (the first step stopped at
once on tolerance_grad) the arrays hold zeros, H_diag 1."""

from __future__ import annotations

from typing import Any

import numpy as np

from autograd import ShapeError

from .optim_state import COUNT

SLOT = "flat"  # the state's one slot: every parameter as one vector ("state.flat.d")
FLOAT = np.dtype(np.float64)
VECTORS = ("d", "prev_flat_grad")  # (n,) arrays
HISTORY = ("old_dirs", "old_stps")  # (history_size, n) arrays
COUNTS = ("func_evals", "n_iter", "history")
AGREE = 1e-3  # how near ro and H_diag are to what a loaded state's pairs make: rounding stays far below


def history_layout(n: int, h: int, dtype: np.dtype) -> dict[str, tuple[tuple[int, ...], np.dtype]]:
    """(shape, dtype) of each array of the state of n numbers of `dtype` with room for h pairs: the counts of
    evaluations, of iterations and of pairs kept, the last direction d and step length t, the pairs y and s, ro
    (1 / y.s of each), H_diag (the initial Hessian's scale), the last gradient and loss. t, ro and H_diag are of
    `dtype`, as a step makes them: a load refuses a number beyond it, which became inf with a RuntimeWarning."""
    return {name: ((), COUNT) for name in COUNTS} | {
        "d": ((n,), dtype),
        "t": ((), dtype),
        "old_dirs": ((h, n), dtype),
        "old_stps": ((h, n), dtype),
        "ro": ((h,), dtype),
        "H_diag": ((), dtype),
        "prev_flat_grad": ((n,), dtype),
        "prev_loss": ((), FLOAT),
    }


def packed(kept: dict[str, Any], h: int, shape: tuple[int, ...], dtype: np.dtype) -> dict[str, Any]:
    """The working state `kept` (its pairs in lists) as `history_layout`'s arrays, the newest h pairs."""
    k = min(len(kept["old_dirs"]), h)
    arrays: dict[str, Any] = {"func_evals": kept["func_evals"], "n_iter": kept["n_iter"], "history": k}
    for name in HISTORY:
        rows = np.zeros((h, *shape), dtype)
        if k:
            rows[:k] = kept[name][-k:]
        arrays[name] = rows
    arrays["ro"] = np.zeros(h, dtype)
    arrays["ro"][:k] = kept["ro"][-k:] if k else []
    started = kept["n_iter"] > 0
    for name in VECTORS:
        arrays[name] = kept[name] if started else np.zeros(shape, dtype)
    return arrays | {
        "t": kept["t"] if started else dtype.type(0.0),
        "H_diag": kept["H_diag"] if started else dtype.type(1.0),
        "prev_loss": kept["prev_loss"] if started else 0.0,
    }


def unpacked(arrays: dict[str, Any], dtype: np.dtype) -> dict[str, Any]:
    """The working state of a loaded state's checked arrays (`check_history`; counts already ints): the pairs as
    lists of rows, the scalars in the parameters' `dtype` as a step makes them (its dot products')."""
    state = {"func_evals": arrays["func_evals"], "n_iter": arrays["n_iter"]}
    if not state["n_iter"]:
        return state | {"old_dirs": [], "old_stps": [], "ro": []}
    k = arrays["history"]
    return state | {
        "old_dirs": list(arrays["old_dirs"][:k]),
        "old_stps": list(arrays["old_stps"][:k]),
        "ro": [dtype.type(r) for r in arrays["ro"][:k]],
        "d": arrays["d"],
        "t": dtype.type(arrays["t"]),
        "H_diag": dtype.type(arrays["H_diag"]),
        "prev_flat_grad": arrays["prev_flat_grad"],
        "prev_loss": float(arrays["prev_loss"]),
    }


def check_made_for(kept: dict[str, Any], size: int, dtype: np.dtype | None = None) -> None:
    """ShapeError where the working state `kept` was made for parameters of another size than they have now (a
    .data replaced: a step would mix the two, a state dict could not lay it out), TypeError where of another
    dtype than `dtype` (model.double(): a step refuses; a state dict, not given one, saves it converted)."""
    d = kept.get("d")
    if d is not None and d.shape != (size,):
        raise ShapeError(
            f"LBFGS: its state was made for parameters of {d.size} numbers, and they hold {size} now (a .data of "
            "another shape): make a new LBFGS for them"
        )
    if d is not None and dtype is not None and d.dtype != dtype:
        raise TypeError(
            f"LBFGS: its state is {d.dtype}, made before the parameters became {dtype} (model.to(), .double()); "
            "convert the model first, then make the LBFGS"
        )


def check_history(arrays: dict[str, np.ndarray], where: str) -> None:
    """Refuse (ValueError, naming the entry after `where`, "state.flat.") a loaded state (its arrays checked
    against `history_layout`, finite) that no step makes: fewer than one evaluation, more iterations than
    evaluations (a step evaluates once before its iterations, and once or more in each but its last), a count
    of pairs beyond the iterations that could make them, ro of a kept pair not positive (y.s > 1e-10 keeps it),
    H_diag or the step length negative, ro or H_diag not what the pairs make (`_check_pairs`), or anything but
    zeros where no pair is kept (or before any iteration)."""
    evals, iterations, k = (int(arrays[name]) for name in COUNTS)
    if evals < 1 or not 0 <= iterations <= evals:
        raise ValueError(
            f"{where}func_evals holds {evals} and {where}n_iter {iterations}: a state is made by a step, which "
            "evaluates the loss at least once, and by iterations of at least one evaluation each"
        )
    if not 0 <= k <= max(iterations - 1, 0):
        raise ValueError(
            f"{where}history holds {k} pairs, beyond the {max(iterations - 1, 0)} that {iterations} iteration(s) "
            "can keep (one from each after the first)"
        )
    ro = arrays["ro"]
    if np.any(ro[:k] <= 0):
        raise ValueError(
            f"{where}ro holds {ro[:k].min().item()!r} for a kept pair; it is 1 / y.s, and y.s > 1e-10 is kept"
        )
    unused = {"ro": ro[k:], **{name: arrays[name][k:] for name in HISTORY}}
    if iterations:
        if arrays["H_diag"] < 0 or arrays["t"] < 0:
            raise ValueError(
                f"{where}H_diag holds {arrays['H_diag'].item()!r} and {where}t {arrays['t'].item()!r}: the Hessian's "
                "scale is y.s / y.y >= 0, a step length >= 0; else the next step would climb"
            )
        _check_pairs(arrays, k, where)
    else:
        unused |= {name: arrays[name] for name in (*VECTORS, "t", "prev_loss")}
        unused["H_diag"] = arrays["H_diag"] - 1
    for name, rest in unused.items():
        if np.any(rest != 0):
            raise ValueError(
                f"{where}{name} holds values where no step writes any (after the {k} pair(s) kept, or before the "
                "first iteration): the state was edited or corrupted"
            )


def _check_pairs(arrays: dict[str, np.ndarray], k: int, where: str) -> None:
    """ValueError where ro or H_diag is not what the k kept pairs (y, s) make: 1 / y.s for each, y.s / y.y of
    the newest (1 while none is kept). A history that lies makes directions that climb, and the step then
    failed blaming the loss or lr, or stalled. y.s is computed as the step computed it; it may differ by what
    another machine's dot product rounds (n eps |y| |s|) and AGREE of itself."""
    h, one = arrays["H_diag"].item(), np.float64(1)
    if not k and h != 1:
        raise ValueError(f"{where}H_diag holds {h!r} with no pair kept, where a step leaves it 1: the state was edited")
    with np.errstate(all="ignore"):  # a file's rows of zeros or huge numbers: judged, not warned about
        for i, (y, s, ro) in enumerate(zip(arrays["old_dirs"][:k], arrays["old_stps"][:k], arrays["ro"][:k])):
            ys = np.float64(y @ s)
            gap = AGREE * abs(ys) + y.size * np.finfo(y.dtype).eps * np.linalg.norm(y) * np.linalg.norm(s)
            if not abs(one / ro - ys) <= gap:
                raise ValueError(
                    f"{where}ro holds {ro.item()!r} for pair {i}, and 1 / y.s of its pair is {(one / ys).item()!r}: "
                    "the history was edited or corrupted (a history that lies makes directions that climb)"
                )
        if k and not abs(h - ys / (y @ y)) <= gap / (y @ y):
            raise ValueError(
                f"{where}H_diag holds {h!r}, and y.s / y.y of the newest pair is {(ys / (y @ y)).item()!r}: the "
                "history was edited or corrupted"
            )
