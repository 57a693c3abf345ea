"""Refuse to compute where this thread's processor flushes subnormal floats to zero.

`torch.set_flush_denormal(True)`, or loading a library built with -ffast-math, sets the processor to read subnormal
inputs as 0 (DAZ) and to return 0 for subnormal results (FTZ), for the whole thread. chainrule's results near the
ends of the float range are worked out with subnormals (a norm of entries near the least float scaled up first, a
tail's slope that underflows gradually, the checks that tell a partial sum overflowed), and under the flag some of
them come out NaN or wrong without a word (float32 hypot(3e38, 3e38)'s slope NaN, where it is 0.7071). So an op, a
backward pass, a compiled step and the creation functions that convert or compute (tensor(), full, arange, linspace)
refuse to run there.

One division and a comparison tell either mode alone (tests/test_flush_to_zero.py sets each): 1e-300 / 1e10 rounds
to a subnormal, returned as 0 under FTZ, and the comparison reads that subnormal as 0 under DAZ. From normal numbers,
module globals, so that Python does not fold the expression when it compiles it: a subnormal literal (1e-310) is
parsed as 0 under the flag, so a module compiled from its source there holds 0, and so does the .pyc then written,
for later processes too (one loaded from an up-to-date .pyc keeps its bits).

`import autograd` refuses first, before any module holding such a literal (sigmoid_tanh_slopes' 4e-323, the only one
in autograd, nn and viz) is compiled or works out numbers as it loads. nn and viz import autograd first, so refuse
with it; once autograd is loaded they import under the flag without a word: no global or literal of theirs differs
there (each module's float globals and constants compared, with the flag and without).
"""

from __future__ import annotations

NORMAL, SCALE = 1e-300, 1e10
# C's fesetenv(FE_DFL_ENV) (glibc's FE_DFL_ENV is the pointer -1), which clears both modes: for a flag
# a library built with -ffast-math set where PyTorch, whose set_flush_denormal(False) clears them too, is absent
_DEFAULT_ENVIRONMENT = '`import ctypes; ctypes.CDLL("libm.so.6").fesetenv(ctypes.c_void_p(-1))`'


def refuse_flushed(where: str) -> None:
    """Raise FloatingPointError naming `where` if this thread flushes subnormals to zero."""
    if NORMAL / SCALE == 0.0:
        raise FloatingPointError(
            f"{where}: this thread's processor flushes subnormal floats to zero (torch.set_flush_denormal(True), or "
            "a library built with -ffast-math, sets it), and chainrule's results near the ends of the float range "
            "would be wrong without a word there; turn it off first: torch.set_flush_denormal(False), or, without "
            f"PyTorch, {_DEFAULT_ENVIRONMENT} restores the processor's default (glibc)"
        )
