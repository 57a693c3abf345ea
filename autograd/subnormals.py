"""Refuse to compute where this thread's processor flushes subnormal floats to zero.

`torch.set_flush_denormal(True)`, or loading a library built with -ffast-math, sets the processor to read subnormal
inputs as 0 (DAZ) and to return 0 for subnormal results (FTZ), for the whole thread. chainrule's results near the
ends of the float range are worked out with subnormals (a norm of entries near the least float scaled up first, a
tail's slope that underflows gradually, the checks that tell a partial sum overflowed), and under the flag some of
them come out NaN or wrong without a word (float32 hypot(3e38, 3e38)'s slope NaN, where it is 0.7071). So an op, a
backward pass and a compiled step refuse to run there.

Two operations tell both modes: 1e-300 / 1e10 rounds to a subnormal, returned as 0 under FTZ, and that subnormal
times 1 reads as 0 * 1 under DAZ. From normal numbers: a subnormal written in a module (1e-310) is read as 0 when the
module is loaded under the flag, and would stay 0 after it is turned off. The operands are module globals, so that
Python does not fold the expression when it compiles it. The packages refuse to be imported under the flag too: the
numbers a module works out when it is loaded would keep the flag's zeros for the process's life.
"""

from __future__ import annotations

NORMAL, SCALE, ONE = 1e-300, 1e10, 1.0


def refuse_flushed(where: str) -> None:
    """Raise FloatingPointError naming `where` if this thread flushes subnormals to zero."""
    if NORMAL / SCALE * ONE == 0.0:
        raise FloatingPointError(
            f"{where}: this thread's processor flushes subnormal floats to zero (torch.set_flush_denormal(True), or "
            "a library built with -ffast-math, sets it), and chainrule's results near the ends of the float range "
            "would be wrong without a word there; turn it off first: torch.set_flush_denormal(False)"
        )
