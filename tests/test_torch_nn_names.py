"""Which of torch.nn's layers and torch.nn.functional's functions (torch 2.13) nn lacks, each with the reason:
a name torch has that is neither in nn nor below fails here, and so does one below that nn has gained, so the
list stays true (the layers and functions nn has are checked against torch's one by one elsewhere:
tests/test_torch_signatures.py and the tests/test_torch_reference_*.py files)."""

import inspect

import pytest

import nn
import nn.functional as F

torch = pytest.importorskip("torch", reason="torch.nn's names are the reference")

_LAZY = "shapes inferred at the first call: give in_features / in_channels / num_features"
_NOT_YET = "not yet written"
LACKING_LAYERS = {
    "AdaptiveLogSoftmaxWithLoss": _NOT_YET,
    "Container": "torch's deprecated base class: nn.Module",
    "CrossMapLRN2d": "torch's forward keeps channel 0's square past its window (0.18 to 0.44 off its formula): "
    "nn.LocalResponseNorm is that formula",
    "DataParallel": "several devices; chainrule computes on the CPU",
    "SyncBatchNorm": "several devices; chainrule computes on the CPU: nn.BatchNorm*d",
    "FractionalMaxPool2d": _NOT_YET,
    "FractionalMaxPool3d": _NOT_YET,
    "LinearCrossEntropyLoss": _NOT_YET,
    "NLLLoss2d": "torch's deprecated alias: nn.NLLLoss takes (N, C, H, W)",
    "RNNBase": "torch's base class of RNN, LSTM, GRU",
    "RNNCellBase": "torch's base class of the cells",
}
LACKING_LAYERS |= {
    f"Lazy{kind}": _LAZY
    for kind in (
        "BatchNorm1d BatchNorm2d BatchNorm3d Conv1d Conv2d Conv3d ConvTranspose1d ConvTranspose2d ConvTranspose3d "
        "InstanceNorm1d InstanceNorm2d InstanceNorm3d Linear"
    ).split()
}
_IN_PLACE = (
    "in place on the input, as torch's; nn uses autograd's public API, which has no in-place activation "
    "(F.relu(x, inplace=True) is taken, computed out of place)"
)
LACKING_FUNCTIONS = dict.fromkeys(
    ("celu_", "elu_", "hardtanh_", "leaky_relu_", "relu_", "rrelu_", "selu_", "threshold_"), _IN_PLACE
)
LACKING_FUNCTIONS |= dict.fromkeys(
    ("fractional_max_pool2d", "fractional_max_pool2d_with_indices", "fractional_max_pool3d")
    + ("fractional_max_pool3d_with_indices", "linear_cross_entropy", "conv_tbc", "multi_head_attention_forward")
    + ("grouped_mm", "scaled_mm", "scaled_grouped_mm"),
    _NOT_YET,
)
LACKING_FUNCTIONS["native_channel_shuffle"] = "torch's kernel of channel_shuffle, without a gradient: channel_shuffle"
# torch.nn.functional's imports and dispatch helpers, no functions of its API
NOT_API = {"Callable", "DType", "Optional", "ScalingType", "SwizzleType", "Tensor", "assert_int_or_pair"}
NOT_API |= {"boolean_dispatch", "handle_torch_function", "has_torch_function", "has_torch_function_unary"}
NOT_API |= {"has_torch_function_variadic"}


def test_the_layers_nn_lacks_are_those_listed():
    torch_layers = {
        n
        for n in dir(torch.nn)
        if not n.startswith("_")
        and inspect.isclass(getattr(torch.nn, n))
        and issubclass(getattr(torch.nn, n), torch.nn.Module)
    }
    assert sorted(torch_layers - set(nn.__all__)) == sorted(LACKING_LAYERS)


def test_the_functions_nn_functional_lacks_are_those_listed():
    torch_functions = {
        n for n in dir(torch.nn.functional) if not n.startswith("_") and callable(getattr(torch.nn.functional, n))
    }
    assert sorted(torch_functions - set(F.__all__) - NOT_API) == sorted(LACKING_FUNCTIONS)
