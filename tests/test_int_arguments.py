"""One rule for an int argument in each layer (autograd.shape_args.is_int, nn.arguments.is_int): a Python
or numpy integer or a 0-d integer array (numpy takes one for an axis) is an int; a bool, a float and
a 1-element array are not. Each call below once took only some of these."""

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor
from nn import functional as F

IMAGES = Tensor(np.ones((1, 2, 4, 4)))
KERNEL = Tensor(np.ones((2, 1, 3, 3)))
LOGITS, LABELS = Tensor(np.zeros((2, 3))), np.array([0, 2])


def optimizer():
    return nn.SGD([Tensor(np.zeros(2), requires_grad=True)], lr=0.1)


CALLS = {  # name: a call taking n where an int is asked for; n = 1, 2 or 3 gives a valid call
    "conv2d stride": lambda n: autograd.conv2d(IMAGES, KERNEL, stride=n, groups=2),
    "conv2d groups": lambda n: autograd.conv2d(IMAGES, KERNEL, groups=n),
    "zeros size": lambda n: autograd.zeros(3, n),
    "eye k": lambda n: autograd.eye(3, k=n),
    "linspace steps": lambda n: autograd.linspace(0, 1, n),
    "manual_seed": lambda n: autograd.manual_seed(n),
    "randint high": lambda n: autograd.randint(0, n, (2,)),
    "cross_entropy ignore_index": lambda n: autograd.cross_entropy(LOGITS, LABELS, ignore_index=n),
    "Conv2d kernel_size": lambda n: nn.Conv2d(2, 2, n),
    "Embedding padding_idx": lambda n: nn.Embedding(4, 2, n),
    "CrossEntropyLoss ignore_index": lambda n: nn.CrossEntropyLoss(ignore_index=n)(LOGITS, LABELS),
    "Dropout seed": lambda n: nn.Dropout(0.5, seed=n),
    "Batches batch_size": lambda n: nn.data.Batches(np.zeros((4, 2)), np.zeros(4), batch_size=n),
    # StepLR's step_size and a plateau's patience take 2.0, as torch's (test_torch_diff_scheduler_whole_floats)
    "CosineAnnealingWarmRestarts T_0": lambda n: nn.schedulers.CosineAnnealingWarmRestarts(optimizer(), T_0=n),
    "OneCycleLR total_steps": lambda n: nn.schedulers.OneCycleLR(optimizer(), max_lr=1.0, total_steps=n),
}


@pytest.mark.parametrize("name", CALLS)
@pytest.mark.parametrize(
    "make", [int, np.int32, np.int64, np.uint8, np.array], ids=["int", "int32", "int64", "uint8", "0-d"]
)
def test_every_int_argument_takes_python_and_numpy_integers_and_0d_integer_arrays(name, make):
    CALLS[name](make(2))


@pytest.mark.parametrize("name", CALLS)
@pytest.mark.parametrize(
    "bad", [True, 2.0, np.array([2]), np.array(2.0), "2"], ids=["bool", "float", "1-d", "0-d float", "text"]
)
def test_every_int_argument_refuses_bools_floats_arrays_and_text_with_a_message(name, bad):
    with pytest.raises((TypeError, ValueError)) as caught:
        CALLS[name](bad)
    assert str(caught.value)  # one error, saying something (each call's own words are tested where it is)


# ---- an accepted int is used as a Python int: a numpy one would compute in its own width ----


@pytest.mark.parametrize("size", [np.uint8(200), np.array(200, np.uint8)], ids=["uint8", "0-d uint8"])
def test_a_narrow_batch_size_still_covers_every_row(size):
    X, y = np.zeros((300, 1), np.float32), np.arange(300)
    assert nn.predict(nn.Linear(1, 1, seed=0), X, batch_size=size).shape == (300, 1)  # was 200: 200 + 200 wrapped
    assert [len(b) for _, b in nn.data.Batches(X, y, batch_size=size, shuffle=False)] == [200, 100]


def test_a_narrow_count_of_epochs_trains_every_epoch():
    X = np.zeros((3, 1), np.float32)
    model = nn.Linear(1, 1, seed=0)
    history = nn.fit(model, F.mse_loss, nn.SGD(model.parameters(), lr=0.1), (X, X), epochs=np.uint8(255),
                     batch_size=3, verbose=False, metric=None)  # fmt: skip
    assert len(history.loss) == 255  # epochs + 1 wrapped to 0: no epoch at all


def test_a_layer_keeps_python_ints_of_its_options_not_the_callers_array():
    stride = np.array(2)
    conv = nn.Conv2d(1, 2, 3, stride=stride, seed=0)
    stride[...] = 1  # changing the caller's array later changes nothing
    assert conv(Tensor(np.ones((1, 1, 7, 7), np.float32))).shape == (1, 2, 3, 3)
    assert "stride=(2, 2)" in repr(conv)
    assert repr(nn.CrossEntropyLoss(ignore_index=np.array(2))) == "CrossEntropyLoss(ignore_index=2)"
    assert nn.LayerNorm(np.array(3)).normalized_shape == (3,)


def test_numpy_scalars_of_other_widths_for_a_probability_and_a_seed():
    assert F.dropout(Tensor(np.ones(8, np.float32)), np.float16(0.5)).shape == (8,)  # p * 2**32 overflowed float16
    p = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    assert autograd.gradcheck_params(lambda: (p * p).sum(), [p], max_per_param=1, seed=np.array(1))


def test_layers_keep_sizes_given_as_lists_and_arrays_as_tuples_of_their_own():
    x = Tensor(np.ones((1, 1, 8, 8), np.float32))
    stride, size = np.array([1, 1]), [2, 2]
    conv, pool = nn.Conv2d(1, 1, 3, stride=stride, seed=0), nn.MaxPool2d(size)
    stride[:], size[0] = 2, 3  # the caller's array and list changed later: the layers are not
    assert conv(x).shape == (1, 1, 6, 6) and pool(x).shape == (1, 1, 4, 4)
    assert "dilation=(2, 2)" in repr(nn.Conv2d(1, 1, 3, dilation=np.array([2, 2])))  # was refused
    assert "padding=(1, 1)" in repr(nn.Conv2d(1, 1, 3, padding=np.array([1, 1])))  # repr raised
    assert nn.AdaptiveAvgPool2d([1, np.int64(2)]).output_size == (1, 2)


def test_a_loss_keeps_its_weights_as_given_whatever_their_numbers():
    x, y = Tensor(np.random.default_rng(0).normal(size=(4, 3))), np.array([0, 1, 2, 1])
    for weight in ([1, 2, 3], [1.0, 2.0, 3.0]):
        loss = nn.CrossEntropyLoss(weight=weight)
        before = loss(x, y).item()
        weight[0] = 10  # kept, not copied: the change shows in the next call, ints or floats alike
        assert loss(x, y).item() != before


@pytest.mark.parametrize("size", [np.array(3.0), np.array(True)])
def test_layer_norm_names_a_0d_array_that_is_no_int(size):
    with pytest.raises(TypeError, match="LayerNorm: each size of normalized_shape must be an int"):
        nn.LayerNorm(size)
