"""The hooks that note Python reading a tensor's numbers while a step is recorded (`.data`, `.numpy()`,
`tolist()`, `np.asarray(t)`, a comparison, argmax, `.grad`), by who reads them: autograd's own code, nn's
checks of their operands, or the step's own code (compile_record keeps the recording they note in)."""

from __future__ import annotations

import sys
from typing import Any

from .compile_record import current
from .graph import raw

_PACKAGE = __name__.rpartition(".")[0] + "."  # "autograd.": the engine's own modules
_NN = "nn."  # nn's modules
# the modules that carry out a public operator or numpy function for its caller (`t == u`, `t.lt(u)`,
# np.argmax(t), np.count_nonzero(t)): their frames stand for that caller's, who reads the numbers
_FORWARDING = {
    _PACKAGE + name
    for name in (
        "tensor_comparisons",
        "numpy_functions",
        "numpy_inspections",
        "numpy_ufuncs",
        "tensor_numpy",
        "numpy_arrangements",  # np.sort(t) is t.sort()
    )
}
# the functions that are a method of their first operand (`autograd.sort(x)` is `x.sort()`, see
# shape_functions): their frames, too, stand for their caller's
FORWARDERS: set[Any] = set()


def read_data(tensor: Any, depth: int = 2, into_python: bool = False, by: str = "") -> None:
    """Note that Python read a tensor's numbers (`.data`, `.numpy()`, `tolist()`, a comparison, a
    predicate, argmax: the hooks call this while a step is recorded). A parameter's: numbers computed
    from it outside the graph (a pruning mask) would be replayed as they were, while the parameter
    changes. A tensor the step computed, an input's, or a constant's: data made outside the graph may come from
    them (`autograd.where(abs(d) < 1, ...)`'s mask), and a replay would reuse it as recorded, even
    where it came out the same on both recorded calls. `into_python`: the numbers leave the tensors
    as an array or a list (`.data`, `.numpy()`, `.tolist()`, `np.asarray(t)`), and where the step's own
    code took them, whatever it does with them (a branch, a print, a check) a replay would not do:
    the step is not replayed. `by`: the function of autograd's that reads them to make data (an index: a max
    pool's return_indices), which the reason a step runs eagerly names. Not noted: reads by autograd's own code
    (the frame `depth` up from here,
    the code that called the public method, past the frames that carry out an operator or numpy
    function for it), and inside a replayed method (an optimizer's step: its own business)."""
    rec = current()
    if rec is None or rec.replaying or id(tensor) in rec.validating:
        return
    frame = sys._getframe(depth)
    while frame.f_globals.get("__name__") in _FORWARDING or frame.f_code in FORWARDERS:
        frame = frame.f_back
    held = tensor._made_by is None and id(tensor) not in rec.inputs  # a parameter or a constant, kept across calls
    through_raw = frame.f_code is raw.__code__
    if through_raw:
        frame = frame.f_back
    module = frame.f_globals.get("__name__", "")
    if module.startswith(_PACKAGE):
        return
    rec.read_ids.add(id(tensor))  # read by nn or the step: what came of its numbers is beyond the tape
    rec.read_where.setdefault(id(tensor), f"{module}.{frame.f_code.co_name}")
    if by and by not in rec.read_by:
        rec.read_by += (by,)
    users = not module.startswith(_NN)  # the step's own code; nn's reads are checks of its operands
    if through_raw and not users and (not held or tensor.requires_grad):
        # `raw(t)` in nn's losses, checking their operands: of a constant only (loss weights) a read, read
        # live by a replay while data made from them stays as recorded (a constant made from the inputs,
        # labels y.long(), is a read: nn makes arrays of it that no note follows)
        return
    if held and tensor.requires_grad:
        if by not in rec.read_parameter_by:  # "": the step's own code (p.data)
            rec.read_parameter_by += (by,)
    elif into_python and users:
        rec.took_numbers = True
    else:
        rec.read_numbers = True
        if not users and id(tensor) in rec.made and not rec.read_in_nn:  # labels made by ops, read by nn's loss
            rec.read_in_nn = rec.read_where[id(tensor)]


def read_grad() -> None:
    """Note that Python read a `.grad` while a step is recorded: where the step's own code did (a branch
    on a gradient's size, an lr set from its norm), a replay would not do it again. nn's optimizers read
    theirs in replayed methods, and nn's clipping runs the step eagerly itself."""
    rec = current()
    if rec is not None and not rec.replaying:
        module = sys._getframe(2).f_globals.get("__name__", "")
        if not module.startswith((_PACKAGE, _NN)):
            rec.took_numbers = True
