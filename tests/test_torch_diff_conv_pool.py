"""Convolution and pooling layers against torch.nn 2.13 over random combinations of the options users flip,
with copied weights (tests/module_reference.py: outputs, input and parameter gradients, float64 and
float32): Conv1d/Conv2d with every padding_mode and 'same'/'valid'/int padding, stride, dilation, groups
and bias; ConvTranspose1d/2d with output_padding, dilation and groups; max, average and power-average
pools 1-d to 3-d with padding, dilation, ceil_mode, count_include_pad and divisor_override; adaptive
average and max pools to sizes that do not divide the input (None keeping an axis); max pooling's indices
taken back by MaxUnpool. A few draws of each in the default run, many more under -m slow."""

import numpy as np
import pytest
from module_reference import TORCH_DTYPE, compare
from torch_reference import DTYPES, torch  # without torch: skipped

import nn

T = torch.nn
pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel lengths")  # torch's own
DEFAULT, SLOW = range(4), range(4, 64)


def _pair(name, dtype, *args, **options):
    """chainrule's layer `name` and torch's, built alike (torch's parameters are copied into ours)."""
    takes_dtype = name.startswith("Conv")
    ours = getattr(nn, name)(*args, **options, **({"dtype": dtype} if takes_dtype else {}))
    theirs = getattr(T, name)(*args, **options, **({"dtype": TORCH_DTYPE[np.dtype(dtype)]} if takes_dtype else {}))
    return ours, theirs


def _conv(seed):
    rng = np.random.default_rng(seed)
    dims, groups = int(rng.choice([1, 2])), int(rng.choice([1, 2, 3]))
    c_in, c_out = groups * int(rng.integers(1, 3)), groups * int(rng.integers(1, 3))
    kernel, stride, dilation = int(rng.integers(1, 4)), int(rng.integers(1, 3)), int(rng.integers(1, 3))
    mode = str(rng.choice(["zeros", "reflect", "replicate", "circular"]))
    padding = str(rng.choice(["same", "valid", "int"]))
    padding = int(rng.integers(0, 3)) if padding == "int" else padding
    stride = 1 if padding == "same" else stride
    reach = dilation * (kernel - 1)
    size = max(reach + 1 + int(rng.integers(0, 4)), padding + 1 if isinstance(padding, int) else 0)  # reflect's bound
    options = dict(stride=stride, padding=padding, dilation=dilation, groups=groups, padding_mode=mode)
    options["bias"] = bool(rng.integers(2))
    return f"Conv{dims}d", (c_in, c_out, kernel), options, (2, c_in, *(size,) * dims)


def _transposed(seed):
    rng = np.random.default_rng(seed)
    dims, groups = int(rng.choice([1, 2])), int(rng.choice([1, 2]))
    c_in, c_out = groups * int(rng.integers(1, 3)), groups * int(rng.integers(1, 3))
    kernel, stride, dilation = int(rng.integers(1, 4)), int(rng.integers(1, 4)), int(rng.integers(1, 3))
    options = dict(stride=stride, dilation=dilation, groups=groups, bias=bool(rng.integers(2)))
    options["padding"] = int(rng.integers(0, dilation * (kernel - 1) // 2 + 1))  # an output of 1 at least
    options["output_padding"] = int(rng.integers(0, max(stride, dilation)))
    return f"ConvTranspose{dims}d", (c_in, c_out, kernel), options, (2, c_in, *(int(rng.integers(1, 5)),) * dims)


def _pool(seed):
    rng = np.random.default_rng(seed)
    dims = int(rng.choice([1, 2, 3]))
    kind = str(rng.choice(["Max", "Avg", "LP"] if dims < 3 else ["Max", "Avg"]))
    kernel = int(rng.integers(1, 4))
    options = dict(stride=int(rng.integers(1, 4)), ceil_mode=bool(rng.integers(2)))
    if kind != "LP":
        options["padding"] = int(rng.integers(0, kernel // 2 + 1))
    if kind == "Max":
        options["dilation"] = int(rng.integers(1, 3))
    if kind == "Avg":
        options["count_include_pad"] = bool(rng.integers(2))
        if dims > 1 and rng.integers(3) == 0:
            options["divisor_override"] = int(rng.integers(1, 4))
    reach = options.get("dilation", 1) * (kernel - 1) + 1
    size = max(reach + int(rng.integers(0, 4)) - 2 * options.get("padding", 0), reach, 1)  # torch 3-d: >= kernel
    args = (float(rng.choice([1.0, 1.5, 2.0, 3.0])), kernel) if kind == "LP" else (kernel,)
    return f"{kind}Pool{dims}d", args, options, (2, 2, *(size,) * dims)


def _adaptive(seed):
    rng = np.random.default_rng(seed)
    dims, kind = int(rng.choice([1, 2, 3])), str(rng.choice(["Max", "Avg"]))
    sizes = tuple(int(v) for v in rng.integers(1, 6, dims))
    shape = (2, 2, *(int(v) for v in rng.integers(1, 8, dims)))
    if dims > 1 and rng.integers(3) == 0:
        sizes = (None, *sizes[1:])
    return f"Adaptive{kind}Pool{dims}d", (sizes if dims > 1 else sizes[0],), {}, shape


MAKERS = {"conv": _conv, "transposed": _transposed, "pool": _pool, "adaptive": _adaptive}


def _check(kind, seed, dtype):
    name, args, options, shape = MAKERS[kind](seed)
    ours, theirs = _pair(name, dtype, *args, **options)
    x = np.random.default_rng(seed).uniform(-1, 1, shape).astype(dtype)
    if name.startswith("LP"):
        x = np.abs(x) + 0.1  # a power average's root is not differentiable where a window sums to 0
    compare(ours, theirs, [x], lambda m, x: m(x), dtype, f"{name}{args} {options} on {shape}")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", DEFAULT)
@pytest.mark.parametrize("kind", MAKERS)
def test_layers_match_torch(kind, seed, dtype):
    _check(kind, seed, dtype)


@pytest.mark.slow
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("seed", SLOW)
@pytest.mark.parametrize("kind", MAKERS)
def test_more_layers_match_torch(kind, seed, dtype):
    _check(kind, seed, dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("dims, kernel, stride, padding", [(1, 3, 2, 1), (2, 2, 3, 0), (2, 3, 1, 1), (3, 2, 2, 1)])
def test_max_pool_indices_taken_back_by_unpool_match_torch(dims, kernel, stride, padding, dtype):
    options = dict(stride=stride, padding=padding)
    pool, their_pool = _pair(f"MaxPool{dims}d", dtype, kernel, return_indices=True, **options)
    unpool, their_unpool = _pair(f"MaxUnpool{dims}d", dtype, kernel, **options)
    shape = (2, 2, *(kernel + 3,) * dims)
    x = np.random.default_rng(dims).uniform(-1, 1, shape).astype(dtype)

    def call(layers, x):
        pooled, indices = layers[0](x)
        return layers[1](pooled, indices, output_size=x.shape[-dims:])

    compare((pool, unpool), (their_pool, their_unpool), [x], call, dtype, f"unpool {dims}-d {kernel} {options}")
