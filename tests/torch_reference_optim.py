"""chainrule's optimizers against torch.optim's, for the tests/test_torch_*optim*.py files: the same starting
parameters and gradients drawn once and given to both (`draws`), the two stepped alike (`steps_alike`), and
their parameters compared after each step in units in the last place of the largest magnitude each number has
held, its peak (`assert_steps_within_ulps`, `Peaks`).

Why the peak: PyTorch's CPU kernels fuse a multiply and an add into one rounding (lerp_, add_ with alpha,
addcmul_, addcdiv_, as fmadd) where numpy rounds each, so the two runs part by a rounding error or so a step; an
error carried from an earlier step is one of a value then held, hence of that value's ulp, not the current one's
(a parameter passing near 0 keeps the error it made when it was large). Without torch these tests are skipped
(torch comes from tests/torch_reference.py)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
from torch_reference import torch

import nn
from autograd import Tensor


def float64_default() -> Iterator[None]:
    """torch's default dtype float64 while a test runs (made a fixture by each optimizer test module: `float64_scalars
    = pytest.fixture(autouse=True)(float64_default)`): torch keeps NAdam's mu_product (and the optimizers' step
    counts) in its default dtype, chainrule keeps the product in float64 (in float32 torch's step size is about
    1e-7 off)."""
    before = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    yield
    torch.set_default_dtype(before)


def draws(
    rng: np.random.Generator, dtype: Any, shapes: Sequence[tuple[int, ...]], steps: int
) -> tuple[list[np.ndarray], list[list[np.ndarray]]]:
    """Starting values of parameters of `shapes` and their gradients at each of `steps` steps, drawn from `rng`
    (starts first, then each step's gradients in order): normal, so of mixed sign, with a fifth of the entries 0
    and the whole eighth step 0, where an optimizer's state moves without a gradient."""
    start = [rng.normal(size=s).astype(dtype) for s in shapes]
    grads = [
        [np.asarray(rng.normal(size=s) * (rng.random(s) > 0.2) * (step != 7), dtype) for s in shapes]
        for step in range(steps)
    ]
    return start, grads


def steps_alike(
    ours_opt: Any, theirs_opt: Any, ours: Sequence[Any], theirs: Sequence[torch.Tensor], grads: Any
) -> Iterator[tuple[int, int, np.ndarray, np.ndarray]]:
    """A chainrule optimizer and torch's stepped on the same gradients (`grads`: per step, one array per
    parameter, or None where no gradient reaches it): after each step, (step, i, our parameter i's data,
    torch's) for the caller to compare."""
    for step, gs in enumerate(grads, start=1):
        for p, q, g in zip(ours, theirs, gs):
            p.grad, q.grad = (None, None) if g is None else (g.copy(), torch.from_numpy(g.copy()))
        ours_opt.step()
        theirs_opt.step()
        for i, (p, q) in enumerate(zip(ours, theirs)):
            yield step, i, p.data, q.detach().numpy()


class Peaks:
    """The largest magnitude each of a run's parameters has held (its start included), each number's own, and
    the distance of chainrule's parameters from torch's in units in the last place of it."""

    def __init__(self, start: Sequence[np.ndarray]) -> None:
        self._peaks = [np.abs(a) for a in start]

    def assert_within(self, i: int, ours: np.ndarray, theirs: np.ndarray, bound: float, what: str) -> None:
        """Parameter i of chainrule (`ours`) within `bound` ulps of its peak, torch's `theirs` counted in the
        peak first, from torch's; bound 0 asks for the same numbers."""
        self._peaks[i] = np.maximum(self._peaks[i], np.abs(theirs))
        ulps = np.abs(ours - theirs) / np.spacing(self._peaks[i])
        assert np.all(ulps <= bound), f"{what}: {np.max(ulps)} ulps apart"


def assert_steps_within_ulps(
    name: str, options: dict[str, Any], start: Sequence[np.ndarray], grads: Any, bound: float, what: str
) -> tuple[Any, Any]:
    """nn.<name> and torch.optim.<name> with `options`, each over parameters starting at `start`, stepped alike
    on `grads`: after every step each parameter of chainrule's is in the dtype of torch's and within `bound`
    ulps of its peak from it (`Peaks`; `what` heads a failure's message). Returns the two optimizers."""
    ours = [Tensor(a.copy(), requires_grad=True) for a in start]
    theirs = [torch.tensor(a.copy(), requires_grad=True) for a in start]
    ours_opt, theirs_opt = getattr(nn, name)(ours, **options), getattr(torch.optim, name)(theirs, **options)
    peaks = Peaks(start)
    for step, i, data, expected in steps_alike(ours_opt, theirs_opt, ours, theirs, grads):
        where = f"{what}: parameter {i} after step {step}"
        assert data.dtype == expected.dtype, f"{where}: {data.dtype}, torch's {expected.dtype}"
        peaks.assert_within(i, data, expected, bound, where)
    return ours_opt, theirs_opt
