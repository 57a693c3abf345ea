"""A convolution layer given an input of another channel count names itself, as Linear names its width: the
functional's words ("conv2d: ... the weight of shape (8, 3, 3, 3) with groups=1") name a call the learner did
not write."""

import re

import numpy as np
import pytest

import nn
from autograd import ShapeError, Tensor

CASES = [  # layer, an input of 1 channel, the axes the message names
    (nn.Conv1d(3, 8, 3), (2, 1, 5), "axis 1 of (batch, channels, length)"),
    (nn.Conv2d(3, 8, 3), (2, 1, 5, 5), "axis 1 of (batch, channels, height, width)"),
    (nn.Conv3d(3, 8, 3), (2, 1, 5, 5, 5), "axis 1 of (batch, channels, depth, height, width)"),
    (nn.Conv2d(3, 8, 3), (1, 5, 5), "axis 0 of (channels, height, width)"),  # one example, no batch axis
    (nn.Conv2d(3, 8, 3, padding=1, padding_mode="reflect"), (2, 1, 5, 5), "axis 1 of (batch, channels, height, width)"),
    (nn.ConvTranspose1d(3, 8, 3), (2, 1, 5), "axis 1 of (batch, channels, length)"),
    (nn.ConvTranspose2d(3, 8, 3), (2, 1, 5, 5), "axis 1 of (batch, channels, height, width)"),
    (nn.ConvTranspose3d(3, 8, 3), (2, 1, 5, 5, 5), "axis 1 of (batch, channels, depth, height, width)"),
]


@pytest.mark.parametrize("layer, shape, axes", CASES)
def test_a_wrong_channel_count_names_the_layer_what_it_takes_and_the_fix(layer, shape, axes):
    """It said "conv2d: the input has 1 channels (axis 1), but the weight of shape (8, 3, 3, 3) with groups=1
    takes 3: give input of 3 channels, or a weight whose second axis is 1": no layer, a functional's words."""
    dims = layer.weight.ndim - 2
    words = (
        f"{type(layer).__name__}(3, 8, kernel_size={(3,) * dims}) takes inputs of 3 channels ({axes}), got an "
        f"input of shape {shape} (1 channel: make the layer's in_channels 1, or give it inputs of 3 channels)"
    )
    for x in (Tensor(np.ones(shape, np.float32)), np.ones(shape), np.ones(shape).tolist()):
        with pytest.raises(ShapeError, match=f"^{re.escape(words)}$"):
            layer(x)
    right = list(shape)
    right[-dims - 1] = 3
    assert layer(Tensor(np.ones(right, np.float32))).shape[-dims - 1] == 8  # 3 channels pass


def test_groups_count_the_channels_the_layer_takes():
    layer = nn.Conv2d(4, 8, 3, groups=2)
    with pytest.raises(ShapeError, match=r"^Conv2d\(4, 8, kernel_size=\(3, 3\)\) takes inputs of 4 channels.*\(2 chan"):
        layer(Tensor(np.ones((2, 2, 5, 5))))


def test_an_input_of_another_rank_is_still_the_functional_s_to_name():
    with pytest.raises(ShapeError, match=r"^conv2d needs input of shape \(batch, channels, height, width\)"):
        nn.Conv2d(3, 8, 3)(Tensor(np.ones((5, 5))))
