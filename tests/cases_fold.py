"""Gradchecks (first and second derivatives) of unfold and fold: tests/test_tensor_ops.py reads GRADCHECK,
name -> (the op as users call it, inputs), as its TENSOR_ONLY. Overlapping windows (stride 1, a kernel
of 2), padding and dilation."""

import numpy as np

import autograd

IMAGE = np.linspace(-1.0, 1.5, 2 * 3 * 4).reshape(1, 2, 3, 4)
COLUMNS = np.linspace(0.5, -1.25, 8 * 6).reshape(1, 8, 6)  # 2 channels of a 2 x 2 kernel, 2 x 3 windows

GRADCHECK: dict = {
    "unfold": (lambda t: autograd.unfold(t, 2, dilation=(1, 2), padding=1), [IMAGE]),
    "fold": (lambda t: autograd.fold(t, (3, 4), 2), [COLUMNS]),
}
