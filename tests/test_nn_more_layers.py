"""PyTorch's layers added to nn (LogSoftmax, Softmin, GLU, PReLU, Threshold, the shrinks,
CosineSimilarity, PairwiseDistance, the padding layers, PixelShuffle, PixelUnshuffle, Unflatten,
Upsample) against torch.nn's of the same arguments (forward, the inputs' gradients, second
derivatives where smooth; float64 and float32), PReLU's weight gradient too; each bad argument
refused with one error naming it; the layers that had no function call nn.functional's."""

import numpy as np
import pytest
from torch_reference import DTYPES, assert_close, check, torch  # without torch: skipped

import nn
from autograd import ShapeError, Tensor
from nn import functional as F

RNG = np.random.default_rng(5)
X4 = RNG.standard_normal((2, 4, 3, 6))
X3 = RNG.standard_normal((2, 3, 7))
T = torch.nn

# (ours, PyTorch's, the input, second derivatives compared)
CASES = [
    (nn.LogSoftmax(dim=1), T.LogSoftmax(dim=1), X4, True),
    (nn.Softmin(1), T.Softmin(1), X4, True),
    (nn.GLU(), T.GLU(), X4, True),
    (nn.GLU(1), T.GLU(1), X4, True),
    (nn.Hardshrink(), T.Hardshrink(), X4, False),
    (nn.Softshrink(0.3), T.Softshrink(0.3), X4, False),
    (nn.Tanhshrink(), T.Tanhshrink(), X4, True),
    (nn.Threshold(0.1, 20.0), T.Threshold(0.1, 20.0), X4, False),
    (nn.Threshold(0.1, 20.0, True), T.Threshold(0.1, 20.0, True), X4, False),
    (nn.PReLU(), T.PReLU(), X4, True),
    (nn.PReLU(4, 0.1), T.PReLU(4, 0.1), X4, True),
    (nn.Unflatten(1, (2, -1)), T.Unflatten(1, (2, -1)), X4, False),
    (nn.PixelShuffle(2), T.PixelShuffle(2), X4, False),
    (nn.PixelUnshuffle(3), T.PixelUnshuffle(3), X4, False),
    (nn.Upsample(scale_factor=2), T.Upsample(scale_factor=2), X4, False),
    (nn.Upsample(size=(4, 9), mode="bilinear"), T.Upsample(size=(4, 9), mode="bilinear"), X4, True),
    (
        nn.Upsample(scale_factor=1.5, mode="linear", align_corners=True),
        T.Upsample(scale_factor=1.5, mode="linear", align_corners=True),
        X3,
        True,
    ),
    (nn.ZeroPad1d((2, 1)), T.ZeroPad1d((2, 1)), X3, False),
    (nn.ZeroPad2d(1), T.ZeroPad2d(1), X4, False),
    (nn.ConstantPad1d(2, 3.5), T.ConstantPad1d(2, 3.5), X3, False),
    (nn.ConstantPad2d((1, 0, -1, 2), -1.0), T.ConstantPad2d((1, 0, -1, 2), -1.0), X4, False),
    (nn.ReflectionPad1d((3, 1)), T.ReflectionPad1d((3, 1)), X3, False),
    (nn.ReflectionPad2d((1, 2, 2, 1)), T.ReflectionPad2d((1, 2, 2, 1)), X4, False),
    (nn.ReplicationPad1d(4), T.ReplicationPad1d(4), X3, False),
    (nn.ReplicationPad2d((0, 3, 1, 2)), T.ReplicationPad2d((0, 3, 1, 2)), X4, False),
    (nn.CircularPad1d(2), T.CircularPad1d(2), X3, False),
    (nn.CircularPad2d((1, 1, 2, 0)), T.CircularPad2d((1, 1, 2, 0)), X4, False),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("ours", "theirs", "x", "second"), CASES, ids=[repr(c[0]) for c in CASES])
def test_each_layer_is_torch_s(ours, theirs, x, second, dtype):
    check(ours, lambda t: theirs.to(t.dtype)(t.clone()), [x], dtype, second=second)  # PReLU's weight in t's dtype


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    ("ours", "theirs"),
    [(nn.CosineSimilarity(), T.CosineSimilarity()),
     (nn.CosineSimilarity(dim=-1, eps=0.1), T.CosineSimilarity(-1, 0.1)),
     (nn.PairwiseDistance(), T.PairwiseDistance()),
     (nn.PairwiseDistance(1.5, 0.0, True), T.PairwiseDistance(1.5, 0.0, True))],
    ids=repr,
)  # fmt: skip
def test_each_layer_of_two_inputs_is_torch_s(ours, theirs, dtype):
    check(ours, theirs, [X4, RNG.standard_normal((1, 4, 3, 6))], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_prelu_s_weight_gets_torch_s_gradient(dtype):
    ours, theirs = nn.PReLU(4, 0.1, dtype=dtype), T.PReLU(4, 0.1, dtype=getattr(torch, np.dtype(dtype).name))
    ours.weight.data[...] = theirs.weight.data.numpy() * np.arange(1, 5)
    with torch.no_grad():
        theirs.weight.mul_(torch.arange(1, 5))
    x = np.concatenate([X4, np.zeros((1, 4, 3, 6))]).astype(dtype)  # zeros: the kink, slope weight, weight's gradient 0
    (ours(Tensor(x)) ** 2).sum().backward()
    (theirs(torch.tensor(x)) ** 2).sum().backward()
    assert_close("PReLU weight's gradient", ours.weight.grad, theirs.weight.grad.numpy(), dtype)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()] == ["weight"]


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: nn.PReLU(0), ValueError, r"PReLU: num_parameters must be at least 1"),
        (lambda: nn.PReLU(2.5), TypeError, r"PReLU: num_parameters must be an int"),
        (lambda: nn.PReLU(init=float("nan")), ValueError, r"PReLU: init must be a finite number"),
        (lambda: nn.Threshold(0.1), TypeError, r"Threshold needs value \(PyTorch's has no default\)"),
        (lambda: nn.Softshrink(-1.0), ValueError, r"softshrink: lambd must be >= 0"),
        (lambda: nn.Hardshrink(lambd="a"), TypeError, r"hardshrink: lambd must be a real number"),
        (lambda: nn.GLU(dim=1.5), TypeError, r"GLU: dim must be an int"),
        (lambda: nn.LogSoftmax(dim="1"), TypeError, r"LogSoftmax: axis must be an int"),
        (lambda: nn.Softmin(1, axis=1), TypeError, r"Softmin\(\) got both dim="),
        (
            lambda: nn.CosineSimilarity(eps=-1.0),
            ValueError,
            r"CosineSimilarity: eps must be a finite number of at least 0",
        ),
        (lambda: nn.PairwiseDistance(p=0), ValueError, r"pairwise_distance: p must be a number above 0, or inf"),
        (lambda: nn.PairwiseDistance(keepdim=1), TypeError, r"PairwiseDistance: keepdim must be True or False"),
        (lambda: nn.ZeroPad2d((1, 2)), TypeError, r"ZeroPad2d: padding must be an int or a tuple of 4 ints"),
        (lambda: nn.ConstantPad1d(1, "a"), TypeError, r"ConstantPad1d: value must be a number"),
        (lambda: nn.PixelShuffle(0), ValueError, r"PixelShuffle: upscale_factor must be at least 1"),
        (lambda: nn.Unflatten(1, (2, -1, -1)), TypeError, r"Unflatten: unflattened_size must be"),
        (lambda: nn.Upsample(), ValueError, r"interpolate takes one of size and scale_factor"),
        (lambda: nn.Upsample(2, 2), ValueError, r"interpolate takes one of size and scale_factor"),
        (
            lambda: nn.Upsample(scale_factor=2, mode="nearest-exactly"),
            ValueError,
            r"interpolate: mode must be one of 'nearest', 'nearest-exact'",
        ),
        (lambda: nn.Upsample(scale_factor=2, align_corners=True), ValueError, r"align_corners is for the modes linear"),
        (
            lambda: nn.Upsample(scale_factor=-2),
            ValueError,
            r"interpolate: scale_factor must be a finite number above 0",
        ),
    ],
)
def test_bad_arguments_are_refused_when_the_layer_is_made(make, error, message):
    with pytest.raises(error, match=message):
        make()


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: nn.GLU()(Tensor(np.ones((2, 3)))), ShapeError, r"glu halves axis -1, which must be of even size"),
        (lambda: nn.PixelShuffle(2)(Tensor(np.ones((1, 3, 2, 2)))), ShapeError, r"divisible by upscale_factor² \(4\)"),
        (lambda: nn.Unflatten(1, (3, 3))(Tensor(X4)), ShapeError, r"Unflatten: axis 1 of input of shape"),
        (lambda: nn.PReLU(3)(Tensor(X4)), ShapeError, r"prelu: weight must hold one number or one per channel \(4"),
        (lambda: nn.Upsample(scale_factor=2, mode="bilinear")(Tensor(X3)), ShapeError, r"takes input \(N, C, H, W\)"),
        (
            lambda: F.interpolate(Tensor(X4), scale_factor=2, antialias=True),
            ValueError,
            r"antialias=True is for the modes bilinear and bicubic of input \(N, C, H, W\), got mode 'nearest'",
        ),
        (
            lambda: F.linear(Tensor(X3), Tensor(np.ones((7, 4)))),
            ShapeError,
            r"a chainrule Linear's W is \(in, out\): pass layer.W.T",
        ),
        (
            lambda: F.batch_norm(Tensor(X4), None, None),
            ValueError,
            r"training=False normalises by running_mean and running_var",
        ),
        (lambda: F.embedding(np.array([1]), np.ones((3, 2))), TypeError, r"embedding: weight must be a 2-d Tensor"),
        (lambda: F.embedding(np.array([3]), Tensor(np.ones((3, 2)))), IndexError, r"embedding index 3 is out of range"),
        (lambda: F.dropout2d(Tensor(X3)), ShapeError, r"dropout2d takes input of shape \(N, C, H, W\)"),
        (lambda: F.threshold(Tensor(X3), 0.5), TypeError, r"threshold needs value"),
        (lambda: F.group_norm(Tensor(X4), 3), ShapeError, r"divisible by num_groups \(3\)"),
        (
            lambda: F.layer_norm(Tensor(X4), (4, 6)),
            ShapeError,
            r"layer_norm: normalized_shape \(4, 6\) must be the last",
        ),
    ],
)
def test_bad_input_is_refused_at_the_call(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_reprs_show_the_arguments():
    assert repr(nn.PReLU(4)) == "PReLU(num_parameters=4)"
    assert repr(nn.Threshold(0.1, 20)) == "Threshold(threshold=0.1, value=20)"
    assert repr(nn.ZeroPad2d(1)) == "ZeroPad2d((1, 1, 1, 1))"
    assert repr(nn.ConstantPad1d(2, 3.5)) == "ConstantPad1d(padding=(2, 2), value=3.5)"
    assert repr(nn.Upsample(scale_factor=2)) == "Upsample(scale_factor=2.0, mode='nearest')"
    assert repr(nn.GLU(1)) == "GLU(dim=1)"
    assert repr(nn.LogSoftmax(1)) == "LogSoftmax(dim=1)"


@pytest.mark.parametrize("name", ["Softmax", "LogSoftmax", "Softmin"])
def test_a_softmax_layers_repr_names_the_axis_it_takes(name):
    """PyTorch's repr for an axis given (dim=, not numpy's axis=); given none, the last one it takes: it
    showed axis=None, as if it took no axis or all."""
    for given in (0, 1, -1, 2):
        assert repr(getattr(nn, name)(given)) == repr(getattr(nn, name)(axis=given)) == repr(getattr(T, name)(given))
    layer = getattr(nn, name)()
    assert repr(layer) == f"{name}(dim=-1)"
    with pytest.warns(UserWarning, match="given no axis"):  # 3 axes: PyTorch would take dim 0
        taken = layer(Tensor(X3)).data
    assert np.array_equal(taken, getattr(nn, name)(dim=-1)(Tensor(X3)).data)


@pytest.mark.parametrize(
    ("layer", "module", "function"),
    [
        (lambda: nn.LayerNorm(6), "nn.norm", "layer_norm"),
        (lambda: nn.GroupNorm(2, 4), "nn.norm", "group_norm"),
        (lambda: nn.BatchNorm2d(4), "nn.norm", "batch_norm"),
        (lambda: nn.BatchNorm2d(4).eval(), "nn.norm", "batch_norm"),
        (lambda: nn.Embedding(5, 3, padding_idx=0), "nn.embedding", "lookup"),
        (lambda: nn.Linear(6, 2), "nn.layers", "affine"),
    ],
)
def test_the_layers_compute_with_their_function(layer, module, function, monkeypatch):
    """One place for each computation: the layer calls what nn.functional's form calls."""
    import importlib

    calls, where = [], importlib.import_module(module)
    original = getattr(where, function)
    monkeypatch.setattr(where, function, lambda *a, **k: calls.append(1) or original(*a, **k))
    made = layer()
    made(np.array([[1, 2], [0, 4]]) if isinstance(made, nn.Embedding) else Tensor(X4.astype(np.float32)))
    assert calls == [1]


def test_functional_lists_its_public_api():
    public = set(F.__all__)
    assert {"linear", "embedding", "layer_norm", "batch_norm", "group_norm", "dropout2d", "softmin", "prelu"} <= public
    assert {"threshold", "glu", "hardshrink", "softshrink", "tanhshrink", "cosine_similarity"} <= public
    assert {"pairwise_distance", "pixel_shuffle", "pixel_unshuffle", "interpolate", "relu", "cross_entropy"} <= public
    assert dir(F) == sorted(public) and not {"np", "functools", "inspect", "Any"} & set(dir(F))
    assert all(callable(getattr(F, name)) for name in public)
    assert F.loss_reduction and F.LOSS_THRESHOLDS  # not public, yet importable where they were (now nn.metrics')


def test_prelu_at_its_kink_infinities_and_nan():
    """PyTorch's values and gradients at 0 (the slope weight, weight's gradient 0) and ±inf; at NaN the
    value and weight's gradient NaN as PyTorch's, and x's gradient NaN too (the NaN policy,
    docs/edge-points.md; PyTorch's is the weight)."""
    x = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 2.0, -3.0]).reshape(7, 1)
    ours, weight = Tensor(x, requires_grad=True), Tensor(np.array([0.25]), requires_grad=True)
    out = F.prelu(ours, weight)
    out.backward(np.ones_like(x))
    theirs, their_weight = (
        torch.tensor(x, requires_grad=True),
        torch.tensor([0.25], dtype=torch.float64, requires_grad=True),
    )
    torch.nn.functional.prelu(theirs, their_weight).backward(torch.ones_like(theirs))
    np.testing.assert_array_equal(out.data, torch.nn.functional.prelu(theirs, their_weight).detach().numpy())
    expected = theirs.grad.numpy().copy()
    expected[4] = np.nan
    np.testing.assert_array_equal(ours.grad, expected)
    assert np.isnan(weight.grad).all() and np.isnan(their_weight.grad.numpy()).all()
