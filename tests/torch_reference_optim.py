"""chainrule's optimizers against torch.optim's, for the tests/test_torch_*optim*.py files: the same starting
parameters and gradients drawn once and given to both (`draws`), the two stepped alike (`steps_alike`), and
their parameters compared after each step in units in the last place of the largest magnitude each number has
held, its peak (`assert_steps_within_ulps`, `Peaks`).

Why the peak: PyTorch's CPU kernels fuse a multiply and an add into one rounding (lerp_, add_ with alpha,
addcmul_, addcdiv_, as fmadd) where numpy rounds each, so the two runs part by a rounding error or so a step; an
error carried from an earlier step is one of a value then held, hence of that value's ulp, not the current one's
(a parameter passing near 0 keeps the error it made when it was large).

Why float32 is judged against float64: torch's float32 kernels round differently on different CPUs (the vector width
and whether an op is fused), so chainrule's float32 distance from torch's float32 run is a property of the machine
too (on an AVX512 machine three runs were 4.5 and 5 ulps apart, where the last machine's had stayed within 4). A
float32 run is therefore judged against the same optimizer in float64 (torch's, from the same float32 starts and
gradients: each of its roundings 2^-29 of a float32 ulp), which chainrule must be no further from than torch's
float32 run is, plus FLOAT32_MARGIN. Both distances come in the message. Without torch these tests are skipped
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


# ulps of the peak chainrule's float32 run may be further than torch's float32 run from float64 (the largest of
# each over a run): chainrule rounds apart each multiply and add that torch fuses, an extra rounding of half an ulp
# or so per fused op a step, some of it carried. Over the 552 float32 runs of the optimizer test files (the slow
# seeds included) the most by which chainrule's exceeded torch's was 3.0, with torch's AVX512 kernels and with its
# scalar ones (ATEN_CPU_CAPABILITY=default)
FLOAT32_MARGIN = 4


class Peaks:
    """The largest magnitude each of a run's parameters has held (its start included), each number's own, and
    the distance of a run's parameters from a reference's in units in the last place of it."""

    def __init__(self, start: Sequence[np.ndarray]) -> None:
        self._peaks = [np.abs(np.asarray(a, np.float64)) for a in start]

    def ulps(self, i: int, found: np.ndarray, reference: np.ndarray) -> np.ndarray:
        """How far parameter i's `found` is from `reference`, in ulps (of found's dtype) of its peak, the
        reference counted in the peak first; a NaN in either is infinitely far (a largest distance keeps it)."""
        self._peaks[i] = np.maximum(self._peaks[i], np.abs(reference))
        spacing = np.spacing(self._peaks[i].astype(found.dtype)).astype(np.float64)
        distance = np.abs(found.astype(np.float64) - reference) / spacing
        return np.where(np.isnan(distance), np.inf, distance)

    def assert_within(self, i: int, ours: np.ndarray, theirs: np.ndarray, bound: float, what: str) -> None:
        """Parameter i of chainrule (`ours`) within `bound` ulps of its peak from torch's `theirs`; bound 0
        asks for the same numbers."""
        ulps = self.ulps(i, ours, theirs)
        assert np.all(ulps <= bound), f"{what}: {np.max(ulps)} ulps apart"


def assert_steps_within_ulps(
    name: str, options: dict[str, Any], start: Sequence[np.ndarray], grads: Any, bound: float, what: str
) -> tuple[Any, Any]:
    """nn.<name> and torch.optim.<name> with `options`, each over parameters starting at `start`, stepped alike
    on `grads`: after every step each parameter of chainrule's is in the dtype of torch's and, in float64, within
    `bound` ulps of its peak from torch's (`Peaks`; 0: the same numbers, in either dtype); in float32 no further
    from the float64 run's than torch's float32 run, plus FLOAT32_MARGIN (the module says why). `what` heads a
    failure's message. Returns the two optimizers."""
    ours = [Tensor(a.copy(), requires_grad=True) for a in start]
    theirs = [torch.tensor(a.copy(), requires_grad=True) for a in start]
    ours_opt, theirs_opt = getattr(nn, name)(ours, **options), getattr(torch.optim, name)(theirs, **options)
    exact = _float64_steps(name, options, start, grads) if start[0].dtype == np.float32 and bound else None
    peaks = Peaks(start)
    farthest = {"ours": 0.0, "torch": 0.0, "where": "the start"}
    for step, i, data, expected in steps_alike(ours_opt, theirs_opt, ours, theirs, grads):
        where = f"parameter {i} after step {step}"
        assert data.dtype == expected.dtype, f"{what}: {where}: {data.dtype}, torch's {expected.dtype}"
        reference = expected if exact is None else exact[step - 1][i]
        ours_ulps = float(np.max(peaks.ulps(i, data, reference), initial=0.0))
        if exact is not None:
            farthest["torch"] = max(farthest["torch"], np.max(peaks.ulps(i, expected, reference), initial=0.0))
        if ours_ulps > farthest["ours"]:
            farthest |= {"ours": ours_ulps, "where": where}
    if exact is not None:
        assert farthest["ours"] <= farthest["torch"] + FLOAT32_MARGIN, (
            f"{what}: {farthest['ours']:.2f} ulps from the float64 run (at {farthest['where']}), torch's float32 "
            f"run {farthest['torch']:.2f}: more than {FLOAT32_MARGIN} further"
        )
    elif farthest["ours"] > bound:
        _assert_within_sensitivity(name, options, start, grads, bound, farthest["ours"], f"{what}: {farthest['where']}")
    return ours_opt, theirs_opt


# how many times torch's own distance from its run started one ulp away chainrule's float64 run may be from torch's:
# each of chainrule's roundings that differs from torch's is carried on as a change of the start is. Over the
# optimizer test files the most measured was 1.6 (Adam, 3.25 ulps apart where torch moved 2), on Adafactor's
# eps2 0.5 case 1.33 (6 ulps, torch 4.5: its step scales with the parameters' root mean square)
SENSITIVITY_FACTOR = 2


def _assert_within_sensitivity(
    name: str, options: dict[str, Any], start: Sequence[np.ndarray], grads: Any, bound: float, ours: float, what: str
) -> None:
    """A float64 run `ours` ulps from torch's, past `bound`: allowed (bound 0 aside) where the run carries
    roundings that far, within SENSITIVITY_FACTOR times the most torch's run moves (in ulps of the peaks) when
    every starting number is moved one ulp up. Run only past the bound, so the passing runs cost nothing more."""
    moved = 0.0
    if bound:
        unmoved = _float64_steps(name, options, start, grads)
        nudged = _float64_steps(name, options, [np.nextafter(a, np.inf) for a in start], grads)
        peaks = Peaks(start)
        for now, then in zip(unmoved, nudged):
            moved = max(
                [moved] + [float(np.max(peaks.ulps(i, a, b), initial=0.0)) for i, (a, b) in enumerate(zip(then, now))]
            )
    assert ours <= SENSITIVITY_FACTOR * moved, (
        f"{what}: {ours} ulps apart, more than {bound}; torch moved {moved} from its own run started one ulp "
        f"away, and {SENSITIVITY_FACTOR} times that is less"
    )


def _float64_steps(name: str, options: dict[str, Any], start: Sequence[np.ndarray], grads: Any) -> list[list[Any]]:
    """torch.optim.<name>'s parameters after each step in float64, from the (float32) `start` and `grads`."""
    params = [torch.tensor(a.astype(np.float64), requires_grad=True) for a in start]
    optimizer = getattr(torch.optim, name)(params, **options)
    after = []
    for gs in grads:
        for p, g in zip(params, gs):
            p.grad = None if g is None else torch.from_numpy(g.astype(np.float64))
        optimizer.step()
        after.append([p.detach().numpy().copy() for p in params])
    return after
