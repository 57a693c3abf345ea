"""The 3-d convolution and pooling (conv3d, conv_transpose3d, max_pool3d, avg_pool3d, the adaptive pools,
max_unpool3d) and their layers against PyTorch: forward, the gradients of the input and the weight, and the
second derivatives, in float64 and float32, on random geometries (strides, paddings incl. 'same' and
'valid', dilations, groups, ceil_mode, count_include_pad, divisor_override, output sizes); the layers with
copied weights, every padding_mode; one example without its batch axis; the arguments both refuse."""

import numpy as np
import pytest
from module_reference import compare
from torch_reference import DTYPES, F, check, torch  # without torch: skipped

import autograd
import nn
from autograd import ShapeError, Tensor


def _triple(rng, lo, hi):
    return tuple(int(v) for v in rng.integers(lo, hi + 1, 3))


def _conv_geometry(rng):
    """Random conv3d arguments whose kernel fits the padded input: (input shape, weight shape, keywords)."""
    groups = int(rng.choice([1, 2]))
    kernel, dilation = _triple(rng, 1, 3), _triple(rng, 1, 2)
    padding = rng.choice(["same", "valid", "ints"])
    stride = (1, 1, 1) if padding == "same" else _triple(rng, 1, 2)
    pads = _triple(rng, 0, 1) if padding == "ints" else (0, 0, 0)
    size = tuple(d * (k - 1) + 1 - 2 * p + int(rng.integers(0, 3)) for k, d, p in zip(kernel, dilation, pads))
    c_in, c_out = 2 * groups, 2 * groups
    options = {"stride": stride, "padding": pads if padding == "ints" else str(padding)}
    options |= {"dilation": dilation, "groups": groups}
    return (2, c_in, *(max(n, 1) for n in size)), (c_out, c_in // groups, *kernel), options


@pytest.mark.parametrize("dtype", DTYPES)
def test_conv3d_matches_torch_forward_gradients_second(dtype):
    rng = np.random.default_rng(30)
    for _ in range(6):
        xs, ws, options = _conv_geometry(rng)
        x, w, b = rng.uniform(-1, 1, xs), rng.uniform(-1, 1, ws), rng.uniform(-1, 1, ws[0])
        check(
            lambda x, w, b, o=options: autograd.conv3d(x, w, b, **o),
            lambda x, w, b, o=options: F.conv3d(x, w, b, **o),
            [x, w, b],
            dtype,
        )


@pytest.mark.parametrize("dtype", DTYPES)
def test_conv_transpose3d_matches_torch_forward_gradients_second(dtype):
    rng = np.random.default_rng(31)
    for _ in range(6):
        groups = int(rng.choice([1, 2]))
        kernel, stride, dilation = _triple(rng, 1, 3), _triple(rng, 1, 3), _triple(rng, 1, 2)
        padding = tuple(int(rng.integers(0, d * (k - 1) // 2 + 1)) for k, d in zip(kernel, dilation))  # output >= 1
        extra = tuple(int(rng.integers(0, max(s, d))) for s, d in zip(stride, dilation))
        options = dict(stride=stride, padding=padding, output_padding=extra, groups=groups, dilation=dilation)
        u = rng.uniform(-1, 1, (2, 2 * groups, *_triple(rng, 1, 3)))
        w, b = rng.uniform(-1, 1, (2 * groups, 2, *kernel)), rng.uniform(-1, 1, 2 * groups)
        check(
            lambda u, w, b, o=options: autograd.conv_transpose3d(u, w, b, **o),
            lambda u, w, b, o=options: F.conv_transpose3d(u, w, b, **o),
            [u, w, b],
            dtype,
        )


def _pool_geometry(rng):
    kernel = _triple(rng, 1, 3)
    stride = _triple(rng, 1, 3)
    padding = tuple(int(rng.integers(0, k // 2 + 1)) for k in kernel)
    size = _triple(rng, 3, 5)
    return size, dict(kernel_size=kernel, stride=stride, padding=padding, ceil_mode=bool(rng.integers(2)))


@pytest.mark.parametrize("dtype", DTYPES)
def test_max_pool3d_matches_torch_values_indices_gradients(dtype):
    rng = np.random.default_rng(32)
    for _ in range(8):
        size, options = _pool_geometry(rng)
        options["dilation"] = _triple(rng, 1, 2) if not any(options["padding"]) else 1
        x = rng.permutation(2 * 2 * int(np.prod(size))).reshape(2, 2, *size) / 7.0  # distinct: no ties
        check(lambda x, o=options: autograd.max_pool3d(x, **o), lambda x, o=options: F.max_pool3d(x, **o), [x], dtype)
        ours = autograd.max_pool3d(x, **options, return_indices=True)[1]
        theirs = F.max_pool3d(torch.tensor(x), **options, return_indices=True)[1]
        np.testing.assert_array_equal(ours.data, theirs.numpy())


def test_max_pool3d_dilated_and_padded_with_ceil_mode_matches_torch():
    # the windows' bounds checks run per axis only where padding and dilation meet: the random geometries
    # above take dilation only without padding
    options = dict(kernel_size=(3, 2, 3), stride=(2, 3, 1), padding=(1, 1, 0), dilation=(2, 1, 2), ceil_mode=True)
    x = np.random.default_rng(33).permutation(2 * 3 * 5 * 6 * 7).reshape(2, 3, 5, 6, 7) / 7.0
    check(lambda x: autograd.max_pool3d(x, **options), lambda x: F.max_pool3d(x, **options), [x], np.float64)
    ours = autograd.max_pool3d(x, **options, return_indices=True)[1]
    np.testing.assert_array_equal(ours.data, F.max_pool3d(torch.tensor(x), **options, return_indices=True)[1].numpy())


def test_depthwise_conv3d_matches_torch():
    # groups equal to the input's channels, two filters each, with every other option off its default
    rng = np.random.default_rng(34)
    x, w, b = rng.uniform(-1, 1, (2, 3, 5, 6, 4)), rng.uniform(-1, 1, (6, 1, 3, 2, 2)), rng.uniform(-1, 1, 6)
    options = dict(stride=(2, 1, 1), padding=(1, 0, 1), dilation=(1, 2, 1), groups=3)
    check(
        lambda x, w, b: autograd.conv3d(x, w, b, **options),
        lambda x, w, b: F.conv3d(x, w, b, **options),
        [x, w, b],
        np.float64,
    )


def test_max_pool3d_takes_the_first_of_tied_maxima_as_torch():
    x = np.zeros((1, 1, 3, 3, 3))
    check(lambda x: autograd.max_pool3d(x, 2, stride=1), lambda x: F.max_pool3d(x, 2, stride=1), [x], np.float64)


@pytest.mark.parametrize("dtype", DTYPES)
def test_avg_pool3d_matches_torch_with_every_option(dtype):
    rng = np.random.default_rng(33)
    for _ in range(8):
        size, options = _pool_geometry(rng)
        options["count_include_pad"] = bool(rng.integers(2))
        options["divisor_override"] = [None, 5][int(rng.integers(2))]
        x = rng.uniform(-2, 2, (2, 2, *size))
        check(lambda x, o=options: autograd.avg_pool3d(x, **o), lambda x, o=options: F.avg_pool3d(x, **o), [x], dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_adaptive_pools_3d_match_torch(dtype):
    rng = np.random.default_rng(34)
    for output in [1, 2, (3, 4, 2), (None, 3, 5), (5, 4, 6)]:
        x = rng.permutation(2 * 5 * 4 * 6 * 2).reshape(2, 2, 5, 4, 6) / 9.0
        for ours, theirs in [
            (autograd.adaptive_avg_pool3d, F.adaptive_avg_pool3d),
            (autograd.adaptive_max_pool3d, F.adaptive_max_pool3d),
        ]:
            check(lambda x, f=ours, o=output: f(x, o), lambda x, f=theirs, o=output: f(x, o), [x], dtype)
        got = autograd.adaptive_max_pool3d(x, output, return_indices=True)[1]
        want = F.adaptive_max_pool3d(torch.tensor(x), output, return_indices=True)[1]
        np.testing.assert_array_equal(got.data, want.numpy())


def test_max_unpool3d_undoes_max_pool3d_as_torch():
    rng = np.random.default_rng(35)
    x = rng.permutation(2 * 7 * 6 * 5).reshape(1, 2, 7, 6, 5) / 3.0
    values, indices = F.max_pool3d(torch.tensor(x), 2, return_indices=True)
    check(
        lambda v: autograd.max_unpool3d(v, indices.numpy(), 2, output_size=(7, 6, 5)),
        lambda v: F.max_unpool3d(v, indices, 2, output_size=(7, 6, 5)),
        [values.numpy()],
        np.float64,
    )


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mode", ["zeros", "reflect", "replicate", "circular"])
def test_conv3d_layer_matches_torch_in_every_padding_mode(mode, dtype):
    options = dict(stride=(1, 2, 1), padding=(1, 2, 1), dilation=(2, 1, 1), groups=2, padding_mode=mode)
    ours = nn.Conv3d(4, 2, (2, 3, 2), **options, dtype=dtype)
    theirs = torch.nn.Conv3d(4, 2, (2, 3, 2), **options).to(getattr(torch, np.dtype(dtype).name))
    x = np.random.default_rng(36).uniform(-1, 1, (2, 4, 4, 5, 3)).astype(dtype)
    compare(ours, theirs, [x], lambda m, x: m(x), dtype, f"Conv3d {mode}")


@pytest.mark.parametrize("dtype", DTYPES)
def test_3d_layers_match_torch_with_copied_weights(dtype):
    torch_dtype = getattr(torch, np.dtype(dtype).name)
    x = np.random.default_rng(37).uniform(-1, 1, (2, 4, 5, 4, 6)).astype(dtype)
    pairs = {
        "Conv3d same": (nn.Conv3d(4, 3, 3, padding="same", bias=False), torch.nn.Conv3d(4, 3, 3, padding="same")),
        "ConvTranspose3d": (
            nn.ConvTranspose3d(4, 2, (2, 3, 2), stride=2, padding=(0, 1, 1), output_padding=(1, 0, 1), groups=2),
            torch.nn.ConvTranspose3d(4, 2, (2, 3, 2), stride=2, padding=(0, 1, 1), output_padding=(1, 0, 1), groups=2),
        ),
        "MaxPool3d": (nn.MaxPool3d(3, 2, 1, ceil_mode=True), torch.nn.MaxPool3d(3, 2, 1, ceil_mode=True)),
        "AvgPool3d": (nn.AvgPool3d((2, 3, 2), count_include_pad=False, padding=1), None),
        "AdaptiveAvgPool3d": (nn.AdaptiveAvgPool3d((3, None, 4)), torch.nn.AdaptiveAvgPool3d((3, None, 4))),
        "AdaptiveMaxPool3d": (nn.AdaptiveMaxPool3d((2, 3, 4)), torch.nn.AdaptiveMaxPool3d((2, 3, 4))),
    }
    pairs["Conv3d same"][1].bias = None
    pairs["AvgPool3d"] = (pairs["AvgPool3d"][0], torch.nn.AvgPool3d((2, 3, 2), count_include_pad=False, padding=1))
    for name, (ours, theirs) in pairs.items():
        if ours.parameters():
            ours = ours.to(dtype)
        compare(ours, theirs.to(torch_dtype), [x], lambda m, x: m(x), dtype, name)
    assert repr(pairs["MaxPool3d"][0]) == repr(pairs["MaxPool3d"][1])
    assert repr(pairs["ConvTranspose3d"][0]) == repr(pairs["ConvTranspose3d"][1])


def test_one_example_without_its_batch_axis():
    rng = np.random.default_rng(38)
    x, w = rng.uniform(-1, 1, (2, 3, 4, 5)), rng.uniform(-1, 1, (3, 2, 2, 2, 2))
    for ours, theirs in [
        (lambda x: autograd.conv3d(x, w, padding=1), lambda x: F.conv3d(x, torch.tensor(w), padding=1)),
        (lambda x: autograd.max_pool3d(x, 2), lambda x: F.max_pool3d(x, 2)),
        (lambda x: autograd.avg_pool3d(x, 2), lambda x: F.avg_pool3d(x, 2)),
        (lambda x: autograd.adaptive_max_pool3d(x, 2), lambda x: F.adaptive_max_pool3d(x, 2)),
    ]:
        check(ours, theirs, [x], np.float64)


BAD = {
    "conv3d of a 3-d input": (
        lambda: autograd.conv3d(np.ones((2, 3, 3)), np.ones((1, 2, 1, 1, 1))),
        ShapeError,
        r"conv3d needs input of shape \(batch, channels, depth, height, width\), or one example's",
    ),
    "conv3d channels": (
        lambda: autograd.conv3d(np.ones((1, 3, 3, 3, 3)), np.ones((1, 2, 1, 1, 1))),
        ShapeError,
        r"conv3d: the input has 3 channels \(axis 1\), but the weight of shape \(1, 2, 1, 1, 1\) with groups=1 takes 2",
    ),
    "conv3d kernel larger than the padded input": (
        lambda: autograd.conv3d(np.ones((1, 1, 2, 3, 3)), np.ones((1, 1, 5, 1, 1)), padding=(1, 0, 0)),
        ShapeError,
        r"conv3d: the kernel \(5, 1, 1\) .* is larger than the padded input \(4, 3, 3\): use a smaller kernel",
    ),
    "conv3d a pair for three axes": (
        lambda: autograd.conv3d(np.ones((1, 1, 3, 3, 3)), np.ones((1, 1, 1, 1, 1)), stride=(1, 2)),
        TypeError,
        r"conv3d: stride must be an int or a tuple of 3 ints, got \(1, 2\)",
    ),
    "conv3d same with a stride": (
        lambda: autograd.conv3d(np.ones((1, 1, 3, 3, 3)), np.ones((1, 1, 1, 1, 1)), stride=2, padding="same"),
        ValueError,
        r"padding='same' needs stride 1",
    ),
    "conv_transpose3d channels": (
        lambda: autograd.conv_transpose3d(np.ones((1, 3, 2, 2, 2)), np.ones((2, 1, 1, 1, 1))),
        ShapeError,
        r"conv_transpose3d: the input has 3 channels, but the weight \(2, 1, 1, 1, 1\) takes 2",
    ),
    "max_pool3d padding over half the kernel": (
        lambda: autograd.max_pool3d(np.ones((1, 1, 4, 4, 4)), 2, padding=(0, 2, 0)),
        ValueError,
        r"max_pool3d: padding \(0, 2, 0\) must be at most half the kernel size \(2, 2, 2\)",
    ),
    "avg_pool3d kernel larger than the input": (
        lambda: autograd.avg_pool3d(np.ones((1, 1, 2, 4, 4)), 3),
        ShapeError,
        r"avg_pool3d: the kernel \(3, 3, 3\) .* is larger than the padded input \(2, 4, 4\)",
    ),
    "adaptive_avg_pool3d empty": (
        lambda: autograd.adaptive_avg_pool3d(np.ones((1, 1, 0, 2, 2)), 1),
        ShapeError,
        r"adaptive_avg_pool3d needs an input of depth, height and width at least 1",
    ),
    "adaptive_max_pool3d two sizes": (
        lambda: autograd.adaptive_max_pool3d(np.ones((1, 1, 2, 2, 2)), (1, 1)),
        TypeError,
        r"adaptive_max_pool3d: output_size must be an int or a tuple of 3 ints",
    ),
    "max_unpool3d index outside": (
        lambda: autograd.max_unpool3d(np.ones((1, 1, 1, 1, 1)), np.array([[[[[8]]]]]), 2),
        IndexError,
        r"max_unpool3d: index 8 lies outside an output plane of \(2, 2, 2\) \(8 entries\)",
    ),
    "Conv3d on a 3-d input": (
        lambda: nn.Conv3d(2, 2, 1)(Tensor(np.ones((2, 3, 3)))),
        ShapeError,
        r"conv3d needs input of shape \(batch, channels, depth, height, width\)",
    ),
    "BatchNorm3d on images": (
        lambda: nn.BatchNorm3d(2)(Tensor(np.ones((2, 2, 3, 3)))),
        ShapeError,
        r"\(N, C, D, H, W\)",
    ),
}


@pytest.mark.parametrize("case", BAD)
def test_bad_input_is_one_clear_error(case):
    call, kind, message = BAD[case]
    with pytest.raises(kind, match=message):
        call()
