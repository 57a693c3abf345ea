"""How a norm takes its roots: sqrt(var + eps) where that is right to rounding (most inputs), else hypot's path over
normal floats (subnormal slices scaled, an overflowing 2-norm refused); each choice read inside autograd.validate,
so a compiled step's replay checks that its numbers take the recorded path (else it runs eagerly). layer_norm,
group_norm, batch_norm, instance_norm (nn.norm_functions) and rms_norm share them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from autograd import Tensor, raw, validate, where


def subnormal_deviations(centered: Tensor, var: Tensor, axes: tuple[int, ...]) -> bool:
    """Whether some slice's deviations from the mean are subnormal, all of them (not all 0): their squares underflow,
    so its variance is 0, and they have few digits, the mean rounded to the subnormals' grid (layer_norm of
    [5e-324, 5e-324, 1e-323] with eps 1e-300 was 100% off, with eps 1e-5 100 ulps): the hypot path scales them.
    A look at the deviations only where a variance is 0; a replay of a compiled step checks that its variances
    are 0 where the recorded ones were, and then its deviations too (else it runs eagerly)."""
    if not decided("variances", _holds_zero, var):
        return False
    return decided("deviations", lambda c: _all_subnormal(c, axes), centered)


def _holds_zero(var: np.ndarray) -> bool:
    return bool(var.min(initial=np.inf) == 0)


def _all_subnormal(centered: np.ndarray, axes: tuple[int, ...]) -> bool:
    top = np.abs(centered).max(axis=axes, initial=0.0)
    return bool(((top > 0) & (top < np.finfo(centered.dtype).tiny)).any())


def normal_slices(
    x: Tensor,
    first: tuple[Tensor, Tensor | None],
    values_of: Callable[[Tensor], tuple[Tensor, Tensor | None]],
    axes: tuple[int, ...],
    kind: str,
    of: str,
) -> tuple[Tensor, Tensor | None, Tensor, np.ndarray | float]:
    """What a hypot root is taken of, and its 2-norms over `axes`, in normal floats: `first`, values_of(x) (the
    deviations from the mean and the mean for standardize, x and None for rms_norm), and again values_of(x·scale)
    where some norm is subnormal (`subnormal_scale`), the mean scaled back: (values, mean, norms, scale), scale
    1.0 where none is. A norm that overflows is refused (`refuse_infinite`, `of` what)."""
    values, mean = first
    norm = values.norm(2, dim=axes, keepdim=True)
    # only slices of finite input: an infinite value's norm is inf too, its outputs NaN and 0 (PyTorch's rms_norm);
    # read off x, not the deviations, which overflow from finite input ([3e38, -3e38, -3e38] in float32: refused)
    finite = abs(x.detach()).amax(dim=axes, keepdim=True).isfinite()
    overflowed = where(finite, norm.detach(), 0.0)
    validate(lambda v: refuse_infinite(kind, raw(v), of), overflowed)  # each replay of a compiled step checks it too
    scale = subnormal_scale(norm)
    if scale is None:
        return values, mean, norm, 1.0
    values, mean = values_of(x * scale)  # those slices again: their values normal floats, all digits kept
    return values, None if mean is None else mean / scale, values.norm(2, dim=axes, keepdim=True), np.asarray(scale)


def subnormal_scale(norm: Tensor) -> np.ndarray | None:
    """Per slice of a hypot path's 2-norms (of deviations, or rms_norm's values), 2^(mantissa bits + 2) where
    the norm is subnormal, else 1; None where none is (most inputs). A subnormal norm, and the mean and the
    deviations under it, have few digits (layer_norm of [1e-320, 3e-320, 4e-320] with eps 0 was 6e-4 off,
    rms_norm's 8e-5): scaled so, every entry of such a slice is a normal float (exactly), and the result, which
    the scale cancels out of (eps scaled too), keeps all its digits. A replay of a compiled step checks that its
    norms ask for the same scales (else it runs eagerly)."""
    scale = _subnormal_scale(raw(norm))
    validate(lambda v: same_path("subnormal norms", True, _same(_subnormal_scale(raw(v)), scale)), norm)
    return scale


def _subnormal_scale(norm: np.ndarray) -> np.ndarray | None:
    small = (norm > 0) & (norm < np.finfo(norm.dtype).tiny)
    if not small.any():
        return None
    return np.where(small, 2.0 ** (np.finfo(norm.dtype).nmant + 2), 1.0).astype(norm.dtype)


def _same(a: np.ndarray | None, b: np.ndarray | None) -> bool:
    return a is b or (a is not None and b is not None and np.array_equal(a, b))


def plain_root_is_right(mean_square: Tensor, eps: float, count: int, floor: float = 0.0) -> bool:
    """Whether sqrt(mean_square + eps) (a variance's, or rms_norm's mean of squares, over `count` entries) is right
    to rounding (`_plain_variance_is_right`), and each mean_square + eps at least `floor`; else the caller takes
    the hypot root. A replay of a compiled step checks that its mean squares take the path recorded (else it
    runs eagerly)."""
    return decided("variances", lambda v: _plain_variance_is_right(v, eps, count, floor), mean_square)


def decided(what: str, decide: Any, tensor: Tensor) -> bool:
    """decide(tensor's numbers), read only inside autograd.validate's check: a compiled step's replay runs the check
    again and stops (then runs eagerly) where this call's `what` take another path (same_path); a read outside the
    check would make the tensor data that a compiled evaluation under no_grad cannot make again."""
    seen: list[bool] = []

    def check(v: Any) -> None:
        now = decide(raw(v))
        if seen:
            same_path(what, seen[0], now)
        else:
            seen.append(now)

    validate(check, tensor)
    return seen[0]


def _plain_variance_is_right(var: np.ndarray, eps: float, count: int, floor: float = 0.0) -> bool:
    """Whether sqrt(var + eps), var the mean of the squared deviations, is right to rounding: var + eps finite
    (no square overflowed, and neither past half the largest float), and what squares lost below the floats (at
    most `count` times the least subnormal) under half a unit of var + eps (eps or every variance at least 2**54
    times that), and var + eps at least `floor` in each slice (rms_norm's). Two reductions of the small var; NaN
    fails them (the hypot path gives NaN too)."""
    lost, half = count * float(np.finfo(var.dtype).smallest_subnormal) * 2.0**54, np.finfo(var.dtype).max / 2
    top = var.max(initial=0.0)  # var and eps each at most half the largest float: their sum fits (eps 1e308 did not)
    least = var.min(initial=np.inf)
    return bool(top <= half and eps <= half and (eps >= lost or least >= lost) and least + eps >= floor)


def same_path(what: str, recorded: bool, now: bool) -> None:
    """For a compiled replay's `validate`: ValueError (the replay then runs the step eagerly) where this call's
    `what` (its variances, norms) take another path than the recorded call's."""
    if recorded != now:
        raise ValueError(f"the {what} of this call take another path than the recorded ones: run eagerly")


def refuse_infinite(kind: str, norm: np.ndarray, of: str = "deviations from the mean") -> None:
    """ValueError for an infinite 2-norm: only finite input whose 2-norm overflows gives one (an infinite or NaN
    deviation from the mean is NaN, and the outputs NaN, as in PyTorch; rms_norm's slices holding an infinite
    value are left out by the caller, `normal_slices`)."""
    if np.isinf(norm).any():
        raise ValueError(
            f"{kind}: the 2-norm of the {of} of its input overflows {norm.dtype} (above "
            f"{np.finfo(norm.dtype).max:.2g}): the activations before it have blown up; lower the learning rate, "
            "or train in float64 (model.double())"
        )
