"""What the forty-first session's argument checks (the fuzzer of public callables) must not take away or garble:
arguments that worked before them (a label of None, a dtype named as a string "torch.float64", tensordot's dims
as an array, lerp's bool weight in the tensor's dtype), the operator a refusal of a reflected mask operator names,
and the right error type for a comparison with what numpy cannot compare."""

from __future__ import annotations

import sys

import numpy as np


def test_matmuls_forward_calls_no_numpy_function_of_pythons_per_product():
    """An eager step's overhead: the forward of `x @ W` (three per MLP step) reads its operands' dims and dtypes as
    attributes. np.ndim there added two Python calls a product (chainrule_step at batch 1: 835 calls, not 826)."""
    from autograd.op_table_matmul import _matmul, _product

    a, b = np.ones((1, 4), np.float32), np.ones((4, 3), np.float32)

    def numpy_calls(f):
        seen: list[str] = []

        def tracer(frame, event, arg):
            if event == "call" and "numpy" in frame.f_code.co_filename:
                seen.append(frame.f_code.co_name)

        sys.setprofile(tracer)
        try:
            f(a, b)
        finally:
            sys.setprofile(None)
        return seen

    assert numpy_calls(_matmul) == numpy_calls(_product)  # the product's own alone (np.inner's dispatcher)
