"""LBFGS's state as the named arrays of a state dict, and back. Its history of curvature pairs, lists of up to
history_size vectors while it trains, is laid out as fixed (history_size, n) arrays, the pairs in their first
`history` rows, oldest first, and zeros after: a layout nn.load checks from a file's headers alone, and which
reads no more than the history this optimizer was made to hold (history_size * n numbers, which a full
history takes anyway: a file cannot make it read more). Before a first iteration (the first step stopped at
once on tolerance_grad) the arrays hold zeros, H_diag 1."""

from __future__ import annotations

from typing import Any

import numpy as np

from .optim_state import COUNT

SLOT = "flat"  # the state's one slot: every parameter as one vector ("state.flat.d")
FLOAT = np.dtype(np.float64)
VECTORS = ("d", "prev_flat_grad")  # (n,) arrays
HISTORY = ("old_dirs", "old_stps")  # (history_size, n) arrays
COUNTS = ("func_evals", "n_iter", "history")


def history_layout(n: int, h: int, dtype: np.dtype) -> dict[str, tuple[tuple[int, ...], np.dtype]]:
    """(shape, dtype) of each array of the state of n numbers of `dtype` with room for h pairs: the counts of
    evaluations, of iterations and of pairs kept, the last direction d and step length t, the pairs y and s, ro
    (1 / y.s of each), H_diag (the initial Hessian's scale), the last gradient and loss."""
    return {name: ((), COUNT) for name in COUNTS} | {
        "d": ((n,), dtype),
        "t": ((), FLOAT),
        "old_dirs": ((h, n), dtype),
        "old_stps": ((h, n), dtype),
        "ro": ((h,), FLOAT),
        "H_diag": ((), FLOAT),
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
    arrays["ro"] = np.zeros(h)
    arrays["ro"][:k] = kept["ro"][-k:] if k else []
    started = kept["n_iter"] > 0
    for name in VECTORS:
        arrays[name] = kept[name] if started else np.zeros(shape, dtype)
    return arrays | {
        "t": kept["t"] if started else 0.0,
        "H_diag": kept["H_diag"] if started else 1.0,
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


def check_history(arrays: dict[str, np.ndarray], where: str) -> None:
    """Refuse (ValueError, naming the entry after `where`, "state.flat.") a loaded state (its arrays checked
    against `history_layout`, finite) that no step makes: fewer than one evaluation, a count of pairs beyond
    the iterations that could make them, ro of a kept pair not positive (y.s > 1e-10 keeps it), H_diag or the
    step length negative, or anything but zeros where no pair is kept (or before any iteration)."""
    evals, iterations, k = (int(arrays[name]) for name in COUNTS)
    if evals < 1 or iterations < 0:
        raise ValueError(
            f"{where}func_evals holds {evals} and {where}n_iter {iterations}: a state is made by a step, which "
            "evaluates the loss at least once"
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
    else:
        unused |= {name: arrays[name] for name in (*VECTORS, "t", "prev_loss")}
        unused["H_diag"] = arrays["H_diag"] - 1
    for name, rest in unused.items():
        if np.any(rest != 0):
            raise ValueError(
                f"{where}{name} holds values where no step writes any (after the {k} pair(s) kept, or before the "
                "first iteration): the state was edited or corrupted"
            )
