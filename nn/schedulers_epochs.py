"""PyTorch's epoch arguments of the schedulers, which chainrule's schedules (each a closed form of the
number of steps done, resumed from its state_dict) do not take: a `last_epoch` other than -1 and
`step(epoch)`, each refused with what to write instead."""

from __future__ import annotations

from typing import Any

from autograd import repr_of

from .arguments import is_int


def check_fresh(owner: str, last_epoch: Any) -> None:
    """PyTorch's last_epoch argument: -1 (its default, a schedule from its start) is taken; PyTorch resumes a
    schedule from any other (with the param groups' 'initial_lr'), which here its state does, so that is refused."""
    if is_int(last_epoch) and last_epoch == -1:
        return
    error = ValueError if is_int(last_epoch) else TypeError
    raise error(
        f"{owner}: last_epoch must be -1 (PyTorch's default: a fresh schedule), got {repr_of(last_epoch)}; PyTorch "
        "resumes a schedule from a last_epoch >= 0, as a chainrule scheduler does from its state: make it with "
        "last_epoch=-1, then call scheduler.load_state_dict(state)"
    )


def refuse_epoch(owner: str, epoch: Any, call: str = "step()") -> None:
    """`step(epoch)`, which PyTorch deprecates (a warning there; CosineAnnealingWarmRestarts's docs step it
    by fractions of an epoch, once a batch): TypeError saying what to write (`call`: a plateau's step takes
    its metrics), where the call's message was Python's "takes 1 positional argument"; None, its default, is
    taken."""
    if epoch is not None:
        raise TypeError(
            f"{owner}.{call} takes no epoch (got {repr_of(epoch)}): PyTorch deprecates step(epoch), and chainrule's "
            f"schedules count their steps; call {call} once per epoch (once per batch for a schedule of batches, "
            "with its lengths counted in batches), or jump with load_state_dict({'last_epoch': ..., ...})"
        )
