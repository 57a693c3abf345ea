"""The bound on what convolution and pooling build for their geometry, checked before any allocation.

The arrays these ops build (a padded input, its windows copied as a GEMM's columns, a transposed
convolution's uncut output, the output itself) grow with the padding, stride and kernel, which are
numbers: `padding=20000` on a 1x1 input padded a 40001x40001 plane for an output of 4 entries, and
conv1d's `padding=10**8` on a small input made an output of 2e8 entries (15.8 GB with its backward).
The rule, the same for every op: an array of up to FLOOR entries is always built; a larger one a
padding makes may hold at most RATIO times the entries of the largest of the operands and the output
(what the caller gave and gets back; for an output that the padding itself grows, the output without
padding or of the input's size, which padding='same' keeps). And all that an op and its gradient
build at once must fit in memory: the columns, like a matmul's output, grow with the operands (a
long kernel on a long input), and memory alone bounds them. Anything else is one MemoryError naming
the argument, the size and the bound, before any work (a ValueError where the size is beyond any
address space, as creation's `check_count` rules). Max pooling's kernel may have up to KERNEL_STEPS
entries (a ValueError beyond).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .conv_args import as_given
from .conv_columns import Padding, Pair
from .creation_args import check_count
from .half_precision import adding_in

FLOOR = 2**24  # entries (128 MiB of float64): never refused, so small inputs take any geometry
RATIO = 64  # a padded input 64 times what the caller gave and gets back: far past any network's padding
# Max pooling steps in Python through its kernel's entries (each a pass over the output): 256 x 256 at most,
# a fraction of a second of steps. Its work, kernel entries times output, is a stride-1 pooling's in
# any engine (YOLO's 13 x 13 max pool reads each entry 169 times), so only memory bounds that.
KERNEL_STEPS = 2**16
# Max pooling builds no columns: its backward finds each maximum's index by stepping through the
# kernel, with arrays of the output's size of indices (intp) and their arithmetic, at most this many
# at once (measured in test_conv_memory_dtypes: under 4 even in float16, where each is 4 entries)
MAXIMA = 5
# what an output grown by its padding is measured against: padding='same' keeps the input's size, however
# long the kernel (a kernel of nearly the input's length leaves an output without padding of a few entries)
UNPADDED = "the output without padding or of the input's size"


def out_size(size: tuple[int, ...], kernel: Pair, stride: Pair, padding: Padding, dilation: Pair) -> Pair:
    """The output's size along each spatial axis: the windows that fit in the padded input."""
    return tuple(  # type: ignore[return-value]
        (n + sum(p) - d * (k - 1) - 1) // s + 1 for n, k, s, p, d in zip(size, kernel, stride, padding, dilation)
    )


def check_windows(
    fn: str,
    x: Any,
    kernel: Pair,
    stride: Pair,
    padding: Padding,
    dilation: Pair,
    weight: Any = None,
    dtype: Any = None,
) -> None:
    """conv2d's and pooling's geometry (a pooling has no weight): the padded input and the output its
    padding grows, and all that it and its gradient build (`built`), counted in `dtype`: what the op
    computes in (`computed`'s by default; avg pooling's mean_dtype, floats for integers)."""
    n, c, size = x.shape[0], x.shape[1], tuple(x.shape[2:])
    entries_of_kernel = math.prod(kernel)
    if fn.startswith("max_pool") and entries_of_kernel > KERNEL_STEPS:  # avg pooling is one product: memory bounds it
        raise ValueError(
            f"{fn}: kernel_size {as_given(fn, kernel)} has {_count(entries_of_kernel)} entries, which max "
            f"pooling steps through one by one, over the bound of {_count(KERNEL_STEPS)}: use a smaller kernel"
        )
    channels = c if weight is None else weight.shape[0]
    out = out_size(size, kernel, stride, padding, dilation)
    dtype = computed(x, weight) if dtype is None else np.dtype(dtype)
    padded = n * c * math.prod(m + sum(p) for m, p in zip(size, padding))
    output = n * channels * math.prod(out)
    if fn.startswith("max_pool"):  # no columns: it steps through the kernel (see MAXIMA)
        columns = MAXIMA * output * -(-np.dtype(np.intp).itemsize // dtype.itemsize)
    else:  # im2col's columns: each output position's window, over the input's channels (avg pooling's too)
        columns = n * c * entries_of_kernel * math.prod(out)
    entries = built(padded, columns, output)
    if x.dtype != dtype:  # the plane and its columns are built in the input's dtype too, then cast
        entries += -(-(padded + columns) * x.dtype.itemsize // dtype.itemsize)
    if entries <= FLOOR:  # the ordinary case, checked in a few operations
        return
    operands = max(n * c * math.prod(size), 0 if weight is None else math.prod(weight.shape))
    unpadded = (
        n * channels * math.prod(max(m, 0) for m in out_size(size, kernel, stride, ((0, 0),) * len(size), dilation))
    )
    unpadded = max(unpadded, n * channels * math.prod(size))  # what padding='same' makes, at stride 1
    symmetric = all(before == after for before, after in padding)  # shown as the caller gave it
    pads = f"padding {as_given(fn, tuple(p[0] for p in padding) if symmetric else padding)}"
    check_bound(fn, pads, "a padded input", padded, max(operands, output), "use less padding")
    check_bound(fn, pads, "an output", output, max(operands, unpadded), "use less padding", UNPADDED)
    check_memory(
        fn,
        f"kernel_size {as_given(fn, kernel)}: the arrays it and its gradient build",
        entries,
        adding_in(dtype),  # float16's gradient columns and their sums are float32 (conv_transpose2d's)
        "use a smaller kernel, input or batch",
    )


def computed(x: Any, weight: Any = None) -> np.dtype:
    """The dtype a convolution's arrays are built in: the operands' common one (a float32 input with a
    float64 weight makes float64 columns and output, twice the bytes of the input's dtype)."""
    return x.dtype if weight is None else np.result_type(x.dtype, weight.dtype)


def check_transposed(
    x: Any,
    weight: Any,
    groups: int,
    stride: Pair,
    pad: Pair,
    dilation: Pair,
    size: tuple[int, ...],
    fn: str = "conv_transpose2d",
) -> None:
    """conv_transpose2d's output (`fn`'s: conv_transpose1d's is its form at height 1) must fit in memory,
    the plane it is cut from (the output and the padding, which is cut off) holds to the bound on what
    geometry builds (conv_limits), and all that it and its gradient build must fit in memory."""
    out_channels = weight.shape[1] * groups
    output = x.shape[0] * out_channels * math.prod(size)  # Python ints: exact, however large
    check_memory(
        fn,
        f"an output of shape {as_given(fn, (x.shape[0], out_channels, *size))}",
        output,
        computed(x, weight),
        f"use a smaller stride {as_given(fn, stride)}, dilation {as_given(fn, dilation)} or input",
    )
    uncut = x.shape[0] * out_channels * math.prod(tuple(n + 2 * p for n, p in zip(size, pad)))
    given = max(math.prod(x.shape), math.prod(weight.shape), output)
    check_bound(
        fn,
        f"padding {as_given(fn, pad)}",
        "an output before its padding is cut",
        uncut,
        given,
        "use less padding",
    )
    # col2im's columns: each input position times the kernel, over the output's channels
    columns = x.shape[0] * out_channels * math.prod(weight.shape[2:]) * math.prod(x.shape[2:])
    check_memory(
        fn,
        f"kernel_size {as_given(fn, tuple(weight.shape[2:]))}: the arrays it and its gradient build",
        built(uncut, columns, output),
        adding_in(computed(x, weight)),  # float16's columns and their sums are float32
        "use a smaller kernel, input or batch",
    )


def built(plane: int, columns: int, output: int) -> int:
    """At most the entries a convolution or pooling and its gradient have alive at once (measured in
    test_conv_memory): the padded plane twice (the input's, or a transposed convolution's before its
    cut, and the gradient cut from col2im's), the columns of its windows (one GEMM's operand or result
    at a time; max pooling's maxima's indices instead), and the output three times over (it, its
    gradient and a GEMM's result before its layout)."""
    return 2 * plane + columns + 3 * output


def check_bound(fn: str, argument: str, what: str, entries: int, given: int, fix: str, of: str = "the output") -> None:
    """Refuse `what` of `entries` entries, made by `argument` (its name and value), where it exceeds the
    bound (see the module: `given` is the largest of the operands and `of`), asking no memory: that
    is asked once, for all an op builds (`check_memory`)."""
    bound = max(FLOOR, RATIO * given)
    if entries > bound:
        raise MemoryError(
            f"{fn}: {argument} would make {what} of {_count(entries)} entries, over the bound of {_count(bound)} "
            f"({RATIO} times the largest of the operands and {of}, at least {_count(FLOOR)}): {fix}"
        )
    _check_count(fn, f"{argument}: {what}", entries, fix)


def check_memory(fn: str, what: str, entries: int, dtype: np.dtype, fix: str) -> None:
    """Refuse at once `what`, of `entries` entries of `dtype`, where no memory holds it. numpy's empty()
    asks for it without writing it, and the system refuses at once what it can never give: under Linux's
    default overcommit, one block larger than all its memory and swap (23.5 GiB on a 24 GiB machine without
    swap), whatever is in use (two blocks of 15 GiB are each given); under vm.overcommit_memory=1 only
    what the address space cannot hold. A size beyond any address space is a ValueError before numpy sees
    it. Small arrays are not asked for: they fit."""
    if entries <= FLOOR:
        return
    _check_count(fn, what, entries, fix)
    try:
        fits = np.empty(entries, dtype) is not None
    except MemoryError:
        fits = False
    if not fits:
        raise MemoryError(
            f"{fn}: {what} ({_count(entries)} entries of {np.dtype(dtype)}) does not fit in memory: {fix}"
        )


def _check_count(fn: str, what: str, entries: int, fix: str) -> None:
    """A ValueError where `what` has more entries than any array can (creation's `check_count`, the
    project's one bound on any array's count), before numpy sees it."""
    try:
        check_count(entries, fn)
    except ValueError as error:
        raise ValueError(f"{error}: {what} would have {_count(entries)}: {fix}") from None


def _count(entries: int) -> str:
    """A count readable at any size: 1,234,567 or 4.0e+60 (from its digits: a float overflows past 1e308)."""
    digits = str(entries)
    return f"{entries:,}" if entries < 10**15 else f"{digits[0]}.{digits[1]}e+{len(digits) - 1}"
