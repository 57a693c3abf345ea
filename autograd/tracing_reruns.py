"""When a transform may run f again: a run of f that combined a traced number with a tensor (MixedNodes) is run again
with the number traced otherwise (tracing.trace), unless that run changed memory that outlives it in place or drew
random numbers, which a second run would do twice."""

from __future__ import annotations

import traceback
import weakref

from .graph_errors import MixedNodes


def outlived(changed: dict[int, weakref.ref], error: MixedNodes) -> bool:
    """Whether memory that a failed run of f changed in place (weak references to it in `changed`), or a draw,
    outlives the run: held by anything but the run's frames (a module's buffer, a tensor outside f that a view of
    f's shares), so running f again would change it twice. Tensors f made are gone with its frames (cleared of
    their locals here): not counted. `changed` is emptied, for the next run."""
    traceback.clear_frames(error.__traceback__)
    alive = any(ref() is not None for ref in list(changed.values()))
    changed.clear()
    return alive


def rerun_refused(transform: str, floats_as_values: bool) -> MixedNodes:
    """The error of a run of f that mixed node types after it changed a tensor in place or drew random numbers: running
    f again as the next way would (`floats_as_values`: narrow numpy floats as Values; else numbers as 0-d Tensors) would
    make those changes twice, silently (BatchNorm's running statistics moved twice, num_batches_tracked 2)."""
    if floats_as_values:
        took, then, fix = (
            "a numpy float argument (float32, float16), traced as a 0-d Tensor, with Values",
            "a Value",
            "a Python float, float(x): traced as a Value from the start",
        )
    else:
        took, then, fix = (
            "a number argument, traced as a Value, with a tensor",
            "a 0-d Tensor",
            "a 0-d array, np.array(1.5), or a Tensor: traced as a Tensor from the start",
        )
    return MixedNodes(
        f"{transform}: f combined {took}, and would run again with it as {then}; but this run changed a tensor in "
        "place (a BatchNorm's running statistics in training, a .grad by backward) or made a random draw (a dropout "
        f"mask), which running f again would do twice (this run's changes stay made). Give it as {fix}, f runs once"
    )
