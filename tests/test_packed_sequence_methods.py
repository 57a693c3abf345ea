"""PackedSequence's methods beside `to()`, as torch 2.13's: the casts `float()`, `double()`, `half()`, `long()`,
`int()` (the data cast, batch sizes and index sets as they are; the pack itself where nothing changes), `cpu()`,
`is_cuda` and `is_pinned()`, which ported code calls (they met an AttributeError), answered as chainrule's CPU
tensors and modules answer; and the index sets read one way by every reader (a list, an array or a Tensor)."""

import numpy as np
import pytest
from torch_reference import torch

import nn
from autograd import Tensor
from nn.utils import rnn as S

R = torch.nn.utils.rnn

CASTS = {"float": np.float32, "double": np.float64, "half": np.float16, "long": np.int64, "int": np.int32}


def _packs(dtype=np.float64):
    x = np.random.default_rng(0).normal(size=(4, 3, 2)).astype(dtype)
    ours = S.pack_padded_sequence(Tensor(x), [2, 4, 3], enforce_sorted=False)
    theirs = R.pack_padded_sequence(torch.tensor(x), torch.tensor([2, 4, 3]), enforce_sorted=False)
    return ours, theirs


@pytest.mark.parametrize("cast", CASTS)
def test_casts_cast_the_data_alone_as_torchs(cast):
    ours, theirs = _packs()
    got, want = getattr(ours, cast)(), getattr(theirs, cast)()
    assert type(got) is S.PackedSequence and got.data.dtype == CASTS[cast]
    assert str(want.data.dtype) == "torch." + {"float": "float32", "double": "float64", "half": "float16"}.get(
        cast, np.dtype(CASTS[cast]).name
    )
    np.testing.assert_array_equal(got.data.data, want.data.numpy())
    for name in ("batch_sizes", "sorted_indices", "unsorted_indices"):
        assert getattr(got, name) is getattr(ours, name)


def test_a_cast_to_the_datas_own_dtype_is_the_pack_itself_as_torchs():
    ours, theirs = _packs()
    assert ours.double() is ours and theirs.double() is theirs
    assert ours.float().float() is not ours


def test_a_pack_is_on_the_cpu_as_chainrules_tensors_and_modules_are():
    ours, theirs = _packs()
    assert ours.cpu() is ours and theirs.cpu() is theirs
    assert (ours.is_cuda, ours.is_pinned()) == (theirs.is_cuda, theirs.is_pinned()) == (False, False)
    assert nn.Linear(2, 2).cpu().W.device == ours.data.device == "cpu"


def test_a_cast_pack_runs_through_a_layer_of_its_dtype():
    ours, _ = _packs()
    out, h = nn.GRU(2, 3, seed=0)(ours.float())  # float32 layer, float32 pack
    assert out.data.dtype == h.dtype == np.float32


@pytest.mark.parametrize("given", ["list", "array", "Tensor"])
def test_index_sets_given_any_way_are_read_alike(given):
    """sorted_indices as a list, an array or a Tensor: one reading (index_order) for the inverse the pack works out,
    the checks, and the order a layer's states are taken in."""
    ours, _ = _packs()
    order = ours.sorted_indices.data
    made = {"list": order.tolist(), "array": order.copy(), "Tensor": Tensor(order.copy(), dtype=np.int64)}[given]
    rebuilt = S.PackedSequence(ours.data, ours.batch_sizes, made)
    np.testing.assert_array_equal(rebuilt.unsorted_indices.data, ours.unsorted_indices.data)
    gru = nn.GRU(2, 3, seed=0, dtype=np.float64)
    np.testing.assert_array_equal(gru(rebuilt)[1].data, gru(ours)[1].data)
