"""Where each leaf a recorded call returned comes from (a tensor, `t.item()` of one, a value returned as it is),
refusing the numbers a replay could not compute again (compile_tape reads a tape with it)."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from .compile_containers import a_kind
from .compile_entries import Unreplayable
from .compile_made import MadeByOp
from .compile_reads import Read
from .compile_recording import Recording
from .tensor_class import Tensor


def outputs_of(
    rec: Recording, out_leaves: list[Any], index: dict[int, int], made: dict[int, MadeByOp]
) -> list[tuple[str, Any]]:
    """Where each returned leaf comes from: ("tensor", entry), ("read", entry) for `t.item()` of an
    op's result or an input (a parameter's would be read after the optimizer calls), or ("value", x),
    which a replay returns as it is (`difference` checks it is the same object on both calls). A
    number computed in Python is refused: a replay would return the first call's."""
    reads = {id(v): t for t, v in rec.reads}
    # an op's result, an input, or a constant an op made under no_grad of the graph's numbers, made again
    computed = {
        id(t)
        for t, _ in rec.reads
        if t._made_by is not None or id(t) in rec.inputs or (id(t) in made and made[id(t)].of_graph)
    }
    outputs: list[tuple[str, Any]] = []
    returned: set[int] = set()
    for x in out_leaves:
        if isinstance(x, Tensor):
            outputs.append(("tensor", index[id(x)]))
        elif isinstance(x, Read) and id(reads.get(id(x))) in computed:  # `return loss.item()`
            if x.branched:
                raise Unreplayable(
                    "the step compared t.item() (or took bool(), int() or round() of it) and returned it: a branch "
                    "on it would not be replayed. Compute with tensor ops (autograd.where) instead"
                )
            outputs.append(("read", index[id(reads[id(x)])]))
            returned.add(id(x))  # once or more: `a = loss.item(); return a, a`
        elif isinstance(x, Read) and id(reads.get(id(x))) in rec.from_graph:  # `return loss.detach().item()`
            raise Unreplayable(
                "the step returned t.item() of a tensor detached from the model's tensors (loss.detach()), or "
                "computed under no_grad from one whose numbers it read (numpy on them): a replay could not compute "
                "it again and would return the first call's number. Return loss.item() itself (under no_grad too: "
                "an evaluation's loss replays)"
            )
        elif isinstance(x, numbers.Number | np.generic):
            kind = "float" if isinstance(x, Read) else type(x).__name__
            raise Unreplayable(
                f"the step returned {a_kind(kind)} that is not t.item() of a tensor it computed (an accuracy or a "
                "count computed with numpy, a number made in Python): a replay would return the first call's. Return a "
                "Tensor of the step, or t.item() of one"
            )
        else:
            outputs.append(("value", x))
    if reads.keys() - returned:
        raise Unreplayable(
            "the step read a tensor's value in Python (bool(t), t.item(), an `if` on a tensor) and did not "
            "return it: a branch on it would not be replayed. Compute with tensor ops (autograd.where) instead"
        )
    return outputs
