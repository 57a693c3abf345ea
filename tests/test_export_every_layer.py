"""nn.export both ways for every layer with parameters that torch.nn has by the same name: a chainrule layer's
`to_torch_state_dict` loads strictly into torch's layer of the same arguments, and torch's `state_dict()` into
chainrule's by `from_torch_state_dict`, and each pair then computes the same outputs in float64 (eval mode).
test_export.py checks Linear stacks name by name; this checks every other layout (convolutions' and their
transposes' groups, recurrent layers' gates and directions, attention's projections) by what it computes."""

import warnings

import numpy as np
import pytest

import nn
from autograd import Tensor
from nn.export import from_torch_state_dict, to_torch_state_dict

torch = pytest.importorskip("torch", reason="PyTorch is not installed (pip install -e '.[reference]')")

IDS = np.array([[0, 4, 2], [1, 1, 3]])
CASES = [  # (layer, arguments, keyword arguments, input shapes, or IDS for indices)
    ("Linear", (5, 5), {}, [(3, 5)]),
    ("Bilinear", (3, 4, 5), {}, [(2, 3), (2, 4)]),
    ("Conv1d", (2, 3, 3), {"padding": 1}, [(1, 2, 7)]),
    ("Conv2d", (4, 4, 3), {"groups": 2, "stride": 2}, [(1, 4, 5, 5)]),
    ("Conv3d", (2, 2, 2), {}, [(1, 2, 4, 4, 4)]),
    ("ConvTranspose1d", (2, 3, 3), {}, [(1, 2, 5)]),
    ("ConvTranspose2d", (4, 2, 3), {"groups": 2}, [(1, 4, 4, 4)]),
    ("ConvTranspose3d", (2, 2, 2), {}, [(1, 2, 3, 3, 3)]),
    ("BatchNorm1d", (3,), {}, [(4, 3)]),
    ("BatchNorm2d", (3,), {}, [(2, 3, 2, 2)]),
    ("LayerNorm", (4,), {}, [(2, 4)]),
    ("GroupNorm", (2, 4), {}, [(2, 4, 3)]),
    ("InstanceNorm1d", (3,), {"affine": True, "track_running_stats": True}, [(2, 3, 5)]),
    ("RMSNorm", (4,), {}, [(2, 4)]),
    ("Embedding", (5, 3), {}, [IDS]),
    ("EmbeddingBag", (5, 3), {}, [IDS]),
    ("PReLU", (3,), {}, [(2, 3)]),
    ("RNN", (3, 4), {"num_layers": 2, "batch_first": True}, [(2, 5, 3)]),
    ("RNN", (3, 4), {"bidirectional": True}, [(5, 2, 3)]),
    ("LSTM", (3, 4), {"num_layers": 2}, [(5, 2, 3)]),
    ("LSTM", (3, 4), {"proj_size": 2}, [(5, 2, 3)]),
    ("GRU", (3, 4), {"bidirectional": True}, [(5, 2, 3)]),
    ("RNNCell", (3, 4), {}, [(2, 3)]),
    ("LSTMCell", (3, 4), {}, [(2, 3)]),
    ("GRUCell", (3, 4), {}, [(2, 3)]),
    ("MultiheadAttention", (4, 2), {}, [(3, 2, 4)] * 3),
    ("MultiheadAttention", (4, 2), {"kdim": 3, "vdim": 5, "add_bias_kv": True}, [(3, 2, 4), (3, 2, 3), (3, 2, 5)]),
    ("TransformerEncoderLayer", (4, 2), {"dim_feedforward": 8, "dropout": 0.0}, [(3, 2, 4)]),
    ("TransformerDecoderLayer", (4, 2), {"dim_feedforward": 8, "dropout": 0.0}, [(3, 2, 4), (3, 2, 4)]),
    ("Transformer", (), {"d_model": 4, "nhead": 2, "num_encoder_layers": 1, "num_decoder_layers": 1,
                         "dim_feedforward": 8, "dropout": 0.0}, [(3, 2, 4), (3, 2, 4)]),
]  # fmt: skip


def first(output) -> np.ndarray:
    output = output[0] if isinstance(output, tuple) else output
    return output.detach().numpy() if isinstance(output, torch.Tensor) else np.asarray(output.data)


def pair(name: str, args: tuple, kwargs: dict) -> tuple[nn.Module, "torch.nn.Module"]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # torch's Transformer on nested tensors
        return getattr(nn, name)(*args, **kwargs).double().eval(), getattr(torch.nn, name)(
            *args, **kwargs
        ).double().eval()


def outputs(ours: nn.Module, theirs: "torch.nn.Module", inputs: list) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(x) if isinstance(x, tuple) else x for x in inputs]
    with torch.no_grad():
        expected = first(theirs(*(torch.tensor(a) for a in arrays)))
    return first(ours(*(Tensor(a) if a.dtype.kind == "f" else a for a in arrays))), expected


@pytest.mark.parametrize(("name", "args", "kwargs", "inputs"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_a_layer_goes_to_torch_and_back_computing_the_same(name, args, kwargs, inputs):
    ours, theirs = pair(name, args, kwargs)
    theirs.load_state_dict(to_torch_state_dict(ours, as_tensors=True))  # strict: every name and shape
    np.testing.assert_allclose(*outputs(ours, theirs, inputs), rtol=1e-12, atol=1e-13)
    ours, theirs = pair(name, args, kwargs)
    from_torch_state_dict(ours, theirs.state_dict())
    np.testing.assert_allclose(*outputs(ours, theirs, inputs), rtol=1e-12, atol=1e-13)
