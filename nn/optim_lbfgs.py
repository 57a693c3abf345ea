"""L-BFGS, as torch.optim.LBFGS 2.13 (after minFunc): a quasi-Newton method for full-batch problems (curve
fitting, regression, style transfer, small scientific models) whose step(closure) runs up to `max_iter`
iterations, each along the direction the two-loop recursion makes from the last `history_size` curvature
pairs, with a fixed step of lr or a strong-Wolfe line search (nn.optim_lbfgs_search). Its state (counts, the
last direction and step, the history, the Hessian scale, the last gradient and loss) is one, over all the
parameters as one vector (nn.optim_lbfgs_flat); a step that fails (a NaN or an infinity in a loss or a
gradient, an error in the closure) puts the parameters and that state back as they were."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np

from autograd import Tensor, enable_grad, type_name

from .arguments import is_int, one_number
from .optim_base import Optimizer, settings_given
from .optim_closure import checked_closure
from .optim_finite import first_not_finite
from .optim_lbfgs_flat import Flat, flat_dtype
from .optim_lbfgs_search import Trial, strong_wolfe
from .optim_lbfgs_state import SLOT, check_history, check_made_for, history_layout, packed, unpacked
from .state_checks import INT64_MAX

CURVATURE = 1e-10  # a pair (y, s) is kept only where y.s is above this, as PyTorch's: else H would not stay positive
NEEDS_CLOSURE = (
    "LBFGS.step needs a closure that computes the loss again, as torch.optim.LBFGS's: it evaluates the loss and "
    "its gradient several times a step. Write def closure(): optimizer.zero_grad(); loss = ...; loss.backward(); "
    "return loss, then optimizer.step(closure)"
)
EAGER = (
    "LBFGS.step(closure) evaluates the closure's loss and backward several times inside the step, as many as its "
    "tolerances decide, which a replay could not do: the compiled function runs eagerly"
)


class LBFGS(Optimizer):
    """torch.optim.LBFGS's algorithm and settings: step(closure) calls the closure (zero_grad, loss, backward,
    return the loss) as often as it needs, and returns the first loss. Each iteration's direction is -H g (the
    two-loop recursion over the kept pairs y = g_new - g_old, s = t * d, each kept where y.s > 1e-10; H's scale
    y.s / y.y), its step t = lr (the very first min(1, 1 / sum|g|) * lr), or the strong-Wolfe line search's
    (line_search_fn="strong_wolfe"). A step ends after max_iter iterations or max_eval evaluations (None:
    max_iter * 5 // 4), or when max|g| <= tolerance_grad, the slope along d > -tolerance_change, max|t d| <=
    tolerance_change or the loss changed by less than tolerance_change. Settings are checked as every
    optimizer's: integers >= 1, tolerances >= 0, line_search_fn None or "strong_wolfe"."""

    hyperparameters = ("lr", "tolerance_grad", "tolerance_change")
    integers = ("max_iter", "max_eval", "history_size")
    choices = {"line_search_fn": (None, "strong_wolfe")}
    torch_options = ()  # torch.optim.LBFGS takes none of foreach, fused, capturable, differentiable
    needs_closure = True
    many_groups_taken = False  # one vector of every parameter: as torch.optim.LBFGS, several param groups are refused

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1,
        max_iter: int = 20,
        max_eval: int | None = None,
        tolerance_grad: float = 1e-7,
        tolerance_change: float = 1e-9,
        history_size: int = 100,
        line_search_fn: str | None = None,
        **torch_options: Any,  # none taken: refused naming PyTorch's options (nn.optim_options)
    ) -> None:
        if max_eval is None and is_int(max_iter):  # PyTorch's default; a max_iter that is no int is refused next
            max_eval = min(int(max_iter) * 5 // 4, INT64_MAX)  # within what a state dict holds
        super().__init__(params, **settings_given(locals()))

    def step(self, closure: Callable[[], Any] | None = None) -> Any:  # type: ignore[override]
        """Up to max_iter iterations on the closure's loss; returns the closure's first loss. FloatingPointError
        where a loss or a gradient the closure gives holds NaN or an infinity, and any error the closure raises,
        with the parameters and the state as they were when step was called."""
        if closure is None:
            raise TypeError(NEEDS_CLOSURE)
        checked_closure(self, closure, EAGER)
        flat = Flat(self)
        if not flat.size:
            raise ValueError("LBFGS: its parameters hold no numbers (every Tensor is empty): there is nothing to fit")
        flat.check_writable()
        work = self._working_state(flat)
        before = flat.snapshot()
        try:
            loss = self._minimise(closure, flat, work)
        except BaseException:
            flat.restore(before)
            raise
        self.state[SLOT] = work
        return loss

    def _check_moved(self, flat: Flat, t: Any) -> None:
        """FloatingPointError where the last move (by t times the direction, with no evaluation after it: the
        last iteration's, without a line search) made a parameter NaN or infinite: lr too large for its numbers."""
        for p in flat.params:
            if not np.isfinite(p.data).all():
                raise FloatingPointError(
                    f"LBFGS: its last move, by a step length of {t!r} along the direction, made {self._called(p)} NaN "
                    "or infinite, so the parameters and the optimizer's state are as they were before the step: "
                    'lower lr, or use line_search_fn="strong_wolfe"'
                )

    def _working_state(self, flat: Flat) -> dict[str, Any]:
        """A copy of the state for this step to change (its lists copied; its arrays are never written in place),
        the history cut to history_size (a smaller one set since keeps the newest pairs). ShapeError or TypeError
        where the parameters changed size or dtype since it was made."""
        kept = self.state.get(SLOT)
        if kept is None:
            return {"func_evals": 0, "n_iter": 0, "old_dirs": [], "old_stps": [], "ro": []}
        check_made_for(kept, flat.size, flat.dtype)
        h = self.history_size
        return kept | {name: kept[name][-h:] for name in ("old_dirs", "old_stps", "ro")}

    def _minimise(self, closure: Callable[[], Any], flat: Flat, st: dict[str, Any]) -> Any:
        """torch.optim.LBFGS.step's iterations on `st` (the working state), moving the parameters."""
        lr, tolerance_grad, tolerance_change = self.lr, self.tolerance_grad, self.tolerance_change
        max_iter, max_eval, h = self.max_iter, self.max_eval, self.history_size

        def evaluate() -> tuple[Any, float, np.ndarray]:
            with enable_grad():
                returned = closure()
            st["func_evals"] += 1
            return returned, self._loss(returned), flat.gradient()

        first, loss, g = evaluate()
        if np.abs(g).max() <= tolerance_grad:
            return first
        evals, iteration, optimal = 1, 0, False
        while iteration < max_iter:
            iteration += 1
            st["n_iter"] += 1
            if st["n_iter"] == 1:
                d = -g
                st.update(old_dirs=[], old_stps=[], ro=[], H_diag=1)
            else:
                y, s = g - st["prev_flat_grad"], st["d"] * st["t"]
                ys = y @ s
                if ys > CURVATURE:
                    if len(st["old_dirs"]) == h:
                        del st["old_dirs"][0], st["old_stps"][0], st["ro"][0]
                    st["old_dirs"].append(y)
                    st["old_stps"].append(s)
                    st["ro"].append(1.0 / ys)
                    st["H_diag"] = ys / (y @ y)
                d = _two_loop(g, st["old_dirs"], st["old_stps"], st["ro"], st["H_diag"])
            flat.hold(d)
            if first_not_finite([d]) is not None:
                raise FloatingPointError(
                    "LBFGS: the direction its history makes holds NaN or an infinity (a curvature pair beyond the "
                    f"range of {d.dtype}), so the parameters and the optimizer's state are as they were before the "
                    "step. Scale the problem (the loss, or the parameters) nearer to 1"
                )
            st.update(d=d, prev_flat_grad=g, prev_loss=loss)
            t = min(1.0, 1.0 / np.abs(g).sum()) * lr if st["n_iter"] == 1 else lr
            st["t"] = t
            slope = g @ d
            if slope > -tolerance_change:  # not downhill enough to go on
                break
            if self.line_search_fn == "strong_wolfe":
                start = flat.snapshot()

                def along(t: Any, start: list[Any] = start, d: np.ndarray = d) -> tuple[float, np.ndarray]:
                    _check_length(t)
                    flat.move(t, d)
                    _, f, grad = evaluate()
                    flat.restore(start)
                    return f, grad

                trial, used = strong_wolfe(along, d, Trial(0, loss, g, slope), t, tolerance_change, max_eval - evals)
                loss, g, t = trial.f, trial.g, trial.t
                st["t"] = t
                flat.move(t, d)
                optimal = np.abs(g).max() <= tolerance_grad
            else:
                flat.move(t, d)
                used = 0
                if iteration != max_iter:  # the last iteration's loss is the next step's first
                    _, loss, g = evaluate()
                    used, optimal = 1, np.abs(g).max() <= tolerance_grad
                else:  # nothing evaluates the parameters it moved to: they are looked at here
                    self._check_moved(flat, t)
            evals += used
            if (
                iteration == max_iter
                or evals >= max_eval
                or optimal
                or np.abs(d * t).max() <= tolerance_change
                or abs(loss - st["prev_loss"]) < tolerance_change
            ):
                break
        return first

    def _loss(self, returned: Any) -> float:
        """The closure's loss as a float (PyTorch's float(loss): a number, a Value, a Tensor of one element);
        TypeError for anything else, FloatingPointError for NaN or an infinity."""
        number = one_number(returned)
        if number is None and isinstance(returned, Tensor) and returned.size == 1:  # PyTorch's float() takes it
            number = one_number(returned.data.reshape(()))
        if number is None:
            raise TypeError(
                f"LBFGS.step: the closure returned {type_name(returned)} {returned!r}; it must return the loss (a "
                "number, a Value or a Tensor of one element), which the step compares between evaluations"
            )
        if not math.isfinite(number):
            raise FloatingPointError(
                f"LBFGS: the closure's loss is {number} at an evaluation of this step; a step on it would make the "
                "parameters NaN or infinite, so the parameters and the optimizer's state are as they were before "
                "the step. Find the op that made it with autograd.detect_anomaly(); lower lr, or use "
                'line_search_fn="strong_wolfe"'
            )
        return number

    def _slots(self) -> dict[Any, tuple[tuple[int, ...], np.dtype]]:
        """One slot of state, over every parameter as one vector."""
        return {SLOT: ((sum(t.size for t in self.tensors) + len(self.values),), flat_dtype(self))}

    def slot_layout(self, shape: tuple[int, ...], dtype: np.dtype) -> dict[str, tuple[tuple[int, ...], np.dtype]]:
        return history_layout(shape[0], self.history_size, dtype)

    def _check_history_size(self, shapes: dict[str, tuple[int, ...]], prefix: str) -> None:
        """ValueError for a state whose history has room for another number of pairs than history_size: its arrays
        are (history_size, n), and a file is read no further than this optimizer's own history could hold."""
        rows = tuple(shapes.get(f"{prefix}state.{SLOT}.ro", ()))
        if len(rows) == 1 and rows[0] != self.history_size:  # any other shape: refused as every layout's misfit
            raise ValueError(
                f"its history holds room for {rows[0]} pairs "
                f"({prefix}state.{SLOT}.ro "
                f"has shape {rows}), saved with history_size={rows[0]}, and this LBFGS's history_size is "
                f"{self.history_size}: make it with the history_size the state was saved with"
            )

    def saved_slot(self, slot: Any) -> dict[str, Any]:
        kept = self.state.get(slot)
        if kept is None:
            return {}
        (size,), dtype = self._slots()[SLOT]
        check_made_for(kept, size)
        return packed(kept, self.history_size, (size,), dtype)

    def check_loaded_slot(self, kept: dict[str, np.ndarray], where: str) -> None:
        check_history(kept, where)

    def check_state(self, entries: Any, *, prefix: str = "") -> None:
        self._check_history_size({k: shape for k, (shape, _) in entries.items()}, prefix)
        super().check_state(entries, prefix=prefix)

    def load_state_dict(self, state: Any, *, prefix: str = "") -> None:
        if isinstance(state, Mapping):
            ro = f"{prefix}state.{SLOT}.ro"  # its history's shape alone: what numpy cannot read, the load names
            try:
                self._check_history_size({ro: _shape(state[ro])} if ro in state else {}, prefix)
            except ValueError as e:
                raise ValueError(f"cannot load this state into LBFGS: {e.args[0]}") from None
        super().load_state_dict(state, prefix=prefix)
        if SLOT in self.state:
            self.state[SLOT] = unpacked(self.state[SLOT], flat_dtype(self))


def _shape(value: Any) -> tuple[int, ...]:
    """`value`'s shape where numpy reads one; () where it cannot (a list of Tensors that require grad), for the load's
    own reading to refuse it, naming its key."""
    try:
        return np.shape(value)
    except (TypeError, ValueError):
        return ()


def _two_loop(g: np.ndarray, dirs: list[np.ndarray], stps: list[np.ndarray], ro: list[Any], scale: Any) -> np.ndarray:
    """-H g by the two-loop recursion over the pairs (y, s) = (dirs[i], stps[i]), oldest first, ro[i] = 1 / y.s,
    H's initial scale `scale`: a new array (torch.optim.LBFGS's order of operations)."""
    q = -g
    alphas = [None] * len(dirs)
    for i in range(len(dirs) - 1, -1, -1):
        alphas[i] = (stps[i] @ q) * ro[i]
        q -= alphas[i] * dirs[i]
    r = q * scale
    for i in range(len(dirs)):
        beta = (dirs[i] @ r) * ro[i]
        r += (alphas[i] - beta) * stps[i]
    return r


def _check_length(t: Any) -> None:
    """FloatingPointError for a step length the line search made that is not finite (its cubic through equal
    points): the parameters there would be NaN."""
    if not math.isfinite(t):
        raise FloatingPointError(
            f"LBFGS: the strong-Wolfe line search tried a step length of {t}; the parameters and the optimizer's "
            "state are as they were before the step. Raise tolerance_change above 0, or lower lr"
        )
