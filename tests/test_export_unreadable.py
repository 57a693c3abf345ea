"""nn.export.from_torch_state_dict names the key it cannot read, what it got and the fix (a meta,
sparse, nested, quantized or float8 tensor; None, text), with the right error type, and changes
nothing: torch's own errors said none of it, and None or text read as a shape mismatch."""

import warnings

import numpy as np
import pytest

import nn
from nn.export import from_torch_state_dict, to_torch_state_dict

PREFIX = r"^cannot load this PyTorch state dict into Linear: "


@pytest.fixture
def torch():
    torch = pytest.importorskip("torch", reason="PyTorch is not installed (pip install -e '.[reference]')")
    torch.set_num_threads(1)
    return torch


def _refused(entry, error, message):
    """Load a Linear(3, 4)'s state with `entry` as its weight: `error` matching `message`, the model unchanged."""
    model = nn.Linear(3, 4, seed=0)
    state = to_torch_state_dict(model) | {"weight": entry}
    before = model.state_dict()
    with pytest.raises(error, match=PREFIX + message):
        from_torch_state_dict(model, state)
    for name, value in model.state_dict().items():
        np.testing.assert_array_equal(value, before[name])


@pytest.mark.parametrize(
    ("entry", "got"),
    [(None, "NoneType"), ("0.5", "str"), ({"w": 1.0}, "dict"), (np.array([[None] * 3] * 4), "ndarray")],
)
def test_what_holds_no_numbers_is_a_type_error_naming_the_key(entry, got):
    _refused(entry, TypeError, rf"weight is a {got} holding no numbers \(numpy reads it as .*\); give its tensor")


def test_a_ragged_list_is_a_value_error_naming_the_key():
    _refused([[1.0, 2.0, 3.0], [1.0]], ValueError, "weight is no array: ")


UNREADABLE = {
    "sparse COO": (lambda t: t.randn(4, 3).to_sparse(), TypeError, r"layout torch\.sparse_coo, .*\.to_dense\(\)"),
    "sparse CSR": (lambda t: t.randn(4, 3).to_sparse_csr(), TypeError, r"layout torch\.sparse_csr, .*\.to_dense\(\)"),
    "nested": (
        lambda t: t.nested.nested_tensor([t.randn(3)] * 4),
        TypeError,
        "of nested layout, .*give a regular tensor",
    ),
    "quantized": (
        lambda t: t.quantize_per_tensor(t.randn(4, 3), 0.1, 0, t.qint8),
        TypeError,
        r"torch\.qint8 tensor, quantized; pass it \.dequantize\(\)",
    ),
    "float8": (
        lambda t: t.randn(4, 3).to(t.float8_e4m3fn),
        TypeError,
        r"torch\.float8_e4m3fn tensor, of a dtype numpy cannot read; .*\.float\(\)",
    ),
    "meta": (
        lambda t: t.empty(4, 3, device="meta"),
        ValueError,
        r"torch\.float32 tensor on the meta device, which holds no values; materialise the model",
    ),
}


@pytest.mark.parametrize("kind", UNREADABLE)
def test_a_tensor_numpy_cannot_read_is_named_with_its_fix(torch, kind):
    make, error, message = UNREADABLE[kind]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # torch's notes that these layouts are in beta
        entry = make(torch)
    _refused(entry, error, "weight is a .*" + message)


def test_lazy_conjugate_and_negative_views_are_read(torch):
    model = nn.Linear(3, 4, seed=0)
    weight = torch.randn(4, 3)
    from_torch_state_dict(model, {"weight": weight._neg_view(), "bias": torch.zeros(4)})
    np.testing.assert_array_equal(model.W.data, -weight.numpy().T)
