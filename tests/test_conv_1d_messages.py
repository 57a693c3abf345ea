"""The 1-d forms (conv1d, conv_transpose1d, max_pool1d, avg_pool1d, adaptive_avg_pool1d, and their
layers) run as their 2-d forms at height 1: their errors quote what the caller gave (a weight of shape
(3, 2, 3), a kernel 12, stride 2, the length), where they quoted the 2-d form's values ((3, 2, 1, 3),
(1, 12), (1, 2), the width)."""

import numpy as np
import pytest

import nn
from autograd import ShapeError, Tensor
from autograd.conv import (
    adaptive_avg_pool1d,
    avg_pool1d,
    conv1d,
    conv2d,
    conv_transpose1d,
    max_pool1d,
    max_pool2d,
)

X = np.ones((2, 4, 9))
WEIGHT_T = np.ones((4, 3, 3))

CASES = {
    "conv1d, channels": (
        lambda: conv1d(X, np.ones((3, 2, 3))),
        ShapeError,
        r"the weight of shape \(3, 2, 3\) with groups=1 takes 2",
    ),
    "conv1d, one example's channels": (
        lambda: conv1d(X[0], np.ones((3, 2, 3))),
        ShapeError,
        r"weight of shape \(3, 2, 3\) .*\(one example of shape \(4, 9\)",
    ),
    "conv1d, kernel": (
        lambda: conv1d(X, np.ones((3, 4, 12))),
        ShapeError,
        r"conv1d: the kernel 12 \(covering 12 with dilation 1\) is larger than the padded input 9:",
    ),
    "conv1d, dilation": (
        lambda: conv1d(X, np.ones((3, 4, 3)), dilation=5),
        ShapeError,
        r"the kernel 3 \(covering 11 with dilation 5\) is larger than the padded input 9",
    ),
    "conv1d, same": (
        lambda: conv1d(X, np.ones((3, 4, 3)), padding="same", stride=2),
        ValueError,
        r"conv1d: padding='same' needs stride 1, got stride 2:",
    ),
    "conv_transpose1d, output_padding": (
        lambda: conv_transpose1d(X, WEIGHT_T, stride=2, output_padding=2),
        ValueError,
        r"conv_transpose1d: output_padding 2 must be smaller than the stride 2 or the dilation 1$",
    ),
    "conv_transpose1d, padding": (
        lambda: conv_transpose1d(X, WEIGHT_T, padding=20),
        ShapeError,
        r"conv_transpose1d: padding 20 leaves an output of size -29:",
    ),
    "conv_transpose1d, empty input": (
        lambda: conv_transpose1d(np.ones((2, 4, 0)), WEIGHT_T),
        ShapeError,
        r"needs input of shape \(batch, channels, length\) with at least 1 along axes \(2,\), got shape \(2, 4, 0\)",
    ),
    "conv_transpose1d, empty weight": (
        lambda: conv_transpose1d(X, np.ones((4, 0, 3))),
        ShapeError,
        r"weight of shape \(in_channels, out_channels / groups, k\) .* axes \(0, 1, 2\), got shape \(4, 0, 3\)",
    ),
    "conv_transpose1d, output too large": (
        lambda: conv_transpose1d(X, WEIGHT_T, stride=10**12),
        MemoryError,
        r"an output of shape \(2, 3, 8000000000003\) .* use a smaller stride 1000000000000, dilation 1 or input",
    ),
    "max_pool1d, kernel": (
        lambda: max_pool1d(X, 12),
        ShapeError,
        r"max_pool1d: the kernel 12 \(covering 12 with dilation 1\) is larger than the padded input 9",
    ),
    "max_pool1d, a window in the padding": (
        lambda: max_pool1d(np.ones((1, 1, 2)), 2, padding=1, dilation=3),
        ValueError,
        r"max_pool1d: a window along the length \(at -1, 2, \.\.\., 2\) lies wholly in the padding 1",
    ),
    "max_pool1d, kernel entries": (
        lambda: max_pool1d(np.ones((1, 1, 70000)), 70000),
        ValueError,
        r"max_pool1d: kernel_size 70000 has 70,000 entries",
    ),
    "avg_pool1d, kernel": (
        lambda: avg_pool1d(X, 12),
        ShapeError,
        r"avg_pool1d: the kernel 12 \(covering 12 with dilation 1\) is larger than the padded input 9",
    ),
    "adaptive_avg_pool1d, output too large": (
        lambda: adaptive_avg_pool1d(X, 10**12),
        MemoryError,
        r"^adaptive_avg_pool1d: an output of shape \(2, 4, 1000000000000\) and the arrays",
    ),
    "Conv1d, channels": (
        lambda: nn.Conv1d(3, 2, 3)(Tensor(X)),
        ShapeError,
        r"^Conv1d\(3, 2, kernel_size=\(3,\)\) takes inputs of 3 channels .* \(4 channels: make the layer's",
    ),
    "MaxPool1d, kernel": (lambda: nn.MaxPool1d(12)(Tensor(X)), ShapeError, r"max_pool1d: the kernel 12 \(covering 12"),
    "AvgPool1d, kernel": (lambda: nn.AvgPool1d(12)(Tensor(X)), ShapeError, r"avg_pool1d: the kernel 12 \(covering 12"),
}


@pytest.mark.parametrize("call, error, words", CASES.values(), ids=CASES.keys())
def test_a_1d_form_s_error_quotes_what_its_caller_gave(call, error, words):
    with pytest.raises(error, match=words):
        call()


def test_the_2d_forms_still_quote_pairs():
    with pytest.raises(ShapeError, match=r"the weight of shape \(3, 2, 1, 3\) with groups=1 takes 2"):
        conv2d(np.ones((2, 4, 1, 9)), np.ones((3, 2, 1, 3)))
    with pytest.raises(ShapeError, match=r"the kernel \(1, 12\) \(covering \(1, 12\) with dilation \(1, 1\)\)"):
        max_pool2d(np.ones((2, 4, 1, 9)), (1, 12))
    with pytest.raises(ValueError, match=r"a window along the width \(at -1, 2, \.\.\., 2\)"):
        max_pool2d(np.ones((1, 1, 1, 2)), (1, 2), padding=(0, 1), dilation=(1, 3))
