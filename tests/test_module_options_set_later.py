"""An option of a layer or a loss set after it is made (`criterion.label_smoothing = 0.5`,
`conv.stride = 2`, `softmax.dim = 0`) is the one its next call uses, as in PyTorch, and reads back as
set. Before, losses and activations kept their options in a dict and conv layers in another, so such
an attribute was set beside them and ignored: the old numbers, silently (found by a helper's audit)."""

import numpy as np
import pytest

import nn
from autograd import Tensor

RNG = np.random.default_rng(0)
X4 = Tensor(RNG.standard_normal((2, 4, 6, 6)).astype(np.float32))
X2 = Tensor(RNG.standard_normal((5, 3)).astype(np.float32))
Y = np.array([0, 1, 2, 1, 0])
P = Tensor(RNG.random((5, 3)).astype(np.float32))

CASES = [  # (class, its arguments, option, new value, the call)
    (nn.CrossEntropyLoss, {}, "label_smoothing", 0.5, lambda m: m(X2, Y)),
    (nn.CrossEntropyLoss, {}, "weight", np.array([1.0, 0.0, 5.0], np.float32), lambda m: m(X2, Y)),
    (nn.CrossEntropyLoss, {}, "ignore_index", 1, lambda m: m(X2, Y)),
    (nn.NLLLoss, {}, "reduction", "sum", lambda m: m(X2, Y)),
    (nn.HuberLoss, {}, "delta", 0.1, lambda m: m(X2 * 4, P)),
    (nn.SmoothL1Loss, {}, "beta", 0.1, lambda m: m(X2 * 4, P)),
    (nn.BCEWithLogitsLoss, {}, "pos_weight", np.array([2.0, 1.0, 3.0], np.float32), lambda m: m(X2, P)),
    (nn.KLDivLoss, {"reduction": "batchmean"}, "log_target", True, lambda m: m(X2, P)),
    (nn.LeakyReLU, {}, "negative_slope", 0.5, lambda m: m(X2)),
    (nn.Hardtanh, {}, "max_val", 0.2, lambda m: m(X2)),
    (nn.ELU, {}, "alpha", 0.3, lambda m: m(X2)),
    (nn.Softplus, {}, "threshold", 0.5, lambda m: m(X2)),
    (nn.GELU, {}, "approximate", "tanh", lambda m: m(X2)),
    (nn.Conv2d, {"in_channels": 4, "out_channels": 2, "kernel_size": 3, "seed": 0}, "stride", 2, lambda m: m(X4)),
    (nn.Conv2d, {"in_channels": 4, "out_channels": 2, "kernel_size": 3, "seed": 0}, "padding", 1, lambda m: m(X4)),
    (nn.Conv2d, {"in_channels": 4, "out_channels": 2, "kernel_size": 3, "seed": 0}, "dilation", 2, lambda m: m(X4)),
    (
        nn.ConvTranspose2d,
        {"in_channels": 4, "out_channels": 2, "kernel_size": 3, "seed": 0},
        "stride",
        2,
        lambda m: m(X4),
    ),
    (nn.Softmax, {"dim": 1}, "dim", 0, lambda m: m(X2)),
]


@pytest.mark.parametrize("cls, given, option, value, call", CASES, ids=[f"{c[0].__name__}.{c[2]}" for c in CASES])
def test_an_option_set_later_is_the_one_the_next_call_uses(cls, given, option, value, call):
    module = cls(**given)
    before = call(module).data
    setattr(module, option, value)
    after, made_so = call(module).data, call(cls(**{**given, option: value})).data
    assert getattr(module, option) is value
    assert after.shape != before.shape or not np.array_equal(after, before)  # the option makes a difference here
    np.testing.assert_array_equal(after, made_so)


def test_options_read_back_with_their_defaults_as_pytorch_s():
    loss = nn.CrossEntropyLoss()
    assert (loss.weight, loss.reduction, loss.ignore_index, loss.label_smoothing) == (None, "mean", -100, 0.0)
    assert nn.LeakyReLU(0.2).negative_slope == 0.2 and nn.Softplus().threshold == 20.0  # PyTorch's
    assert repr(nn.CrossEntropyLoss(label_smoothing=0.1)) == "CrossEntropyLoss(label_smoothing=0.1)"


def test_an_option_set_later_is_kept_as_the_constructor_keeps_it():
    """A size given as an array or numpy ints reads back as a tuple of ints, and a negative padding_idx
    counts from the end, as when given to the constructor (found by a review)."""
    conv = nn.Conv2d(4, 2, 3, seed=0)
    conv.stride = np.array([2, 2])
    assert conv.stride == (2, 2) and "stride=(2, 2)" in repr(conv)
    emb = nn.Embedding(4, 2, seed=0)
    emb.padding_idx = -1
    rows = emb(np.array([0, 3, 3]))
    rows.sum().backward()
    np.testing.assert_array_equal(emb.weight.grad[3], [0.0, 0.0])
    np.testing.assert_array_equal(emb.weight.grad[0], [1.0, 1.0])
