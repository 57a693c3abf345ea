"""Every module and factory that allocates from sizes the caller gives refuses, before allocating, what no
memory holds: one MemoryError naming the function, the sizes and the fix. `nn.Linear(10**6, 10**6)`,
`zeros((10**6, 10**6))` and `arange(0, 1e15)` ended in numpy's "Unable to allocate 7.28 TiB for an array
...", naming neither the layer nor its sizes; an op on an expanded tensor, which copies it in full, too.
The counts checked hold at least what is built at once, as tracemalloc measures it."""

import numpy as np
import pytest
from test_bounded_inputs import peak_bytes

import autograd as ag
import nn
from nn import data, parameter

BIG = 10**6
MODULES = [
    (lambda: nn.Linear(BIG, BIG), "Linear: in_features=1000000, out_features=1000000", "in_features, out_features"),
    (lambda: nn.Conv2d(10**5, 10**5, 3), "Conv2d: in_channels=100000, out_channels=100000", "kernel_size"),
    (lambda: nn.ConvTranspose1d(10**5, 10**5, 5), "ConvTranspose1d: in_channels=100000", "out_channels"),
    (lambda: nn.Embedding(10**9, 10**4), "Embedding: num_embeddings=1000000000, embedding_dim=10000", "embedding_dim"),
    (lambda: nn.LSTM(BIG, BIG), "LSTM: input_size=1000000, hidden_size=1000000, num_layers=1", "hidden_size"),
    (lambda: nn.GRU(10, 10**5, num_layers=10**3), "GRU: input_size=10, hidden_size=100000, num_layers=1000", "num_la"),
    (lambda: nn.RNNCell(BIG, BIG), "RNNCell: input_size=1000000, hidden_size=1000000", "hidden_size"),
    (lambda: nn.MultiheadAttention(BIG, 1), "MultiheadAttention: embed_dim=1000000", "embed_dim"),
    (lambda: nn.BatchNorm1d(10**12), "BatchNorm1d: num_features=1000000000000", "num_features"),
    (lambda: nn.InstanceNorm2d(10**12, affine=True), "InstanceNorm2d: num_features=1000000000000", "num_features"),
    (lambda: nn.LayerNorm((BIG, BIG)), "LayerNorm: normalized_shape=\\(1000000, 1000000\\)", "normalized_shape"),
    (lambda: nn.RMSNorm((BIG, BIG)), "RMSNorm: normalized_shape=\\(1000000, 1000000\\)", "normalized_shape"),
    (lambda: nn.GroupNorm(1, 10**12), "GroupNorm: num_channels=1000000000000", "num_channels"),
    (lambda: nn.PReLU(10**12), "PReLU: num_parameters=1000000000000", "num_parameters"),
]


@pytest.mark.parametrize(("make", "named", "fix"), MODULES)
def test_a_module_whose_parameters_no_memory_holds_is_refused_before_any_is_drawn(make, named, fix):
    with pytest.raises(MemoryError, match=f"{named}.*does not fit in memory: give smaller .*{fix}"):
        make()


FACTORIES = [
    (lambda: ag.zeros(BIG, BIG), "zeros: a tensor of shape \\(1000000, 1000000\\)"),
    (lambda: ag.ones((BIG, BIG), dtype=np.int8), "ones: a tensor of shape \\(1000000, 1000000\\) .* of int8"),
    (lambda: ag.full((BIG, BIG), 2.0), "full: a tensor of shape"),
    (lambda: ag.eye(10**7), "eye: a tensor of shape \\(10000000, 10000000\\)"),
    (lambda: ag.arange(0, 1e15), "arange: a tensor of shape \\(1000000000000000,\\) and the float64 values"),
    (lambda: ag.arange(10**15, dtype=np.int64), "arange: a tensor of shape \\(1000000000000000,\\)"),
    (lambda: ag.linspace(0, 1, 10**15), "linspace: a tensor of shape \\(1000000000000000,\\)"),
    (lambda: ag.randn(BIG, BIG), "randn: a tensor of shape \\(1000000, 1000000\\) and the float64 values"),
    (lambda: ag.rand(BIG, BIG, dtype=np.float16), "rand: a tensor .* and the float32 values it is cast from"),
    (lambda: ag.randint(0, 5, (BIG, BIG)), "randint: a tensor of shape \\(1000000, 1000000\\)"),
    (lambda: ag.zeros_like(ag.zeros(1).expand(BIG, BIG)), "zeros_like: a tensor of shape \\(1000000, 1000000\\)"),
    (lambda: ag.ones_like(np.broadcast_to(np.int8(1), (BIG, BIG))), "ones_like: a tensor .* of int8"),
    (lambda: ag.randn_like(ag.zeros(1).expand(BIG, BIG)), "randn: a tensor of shape \\(1000000, 1000000\\)"),
]


@pytest.mark.parametrize(("make", "named"), FACTORIES)
def test_a_factory_refuses_a_tensor_no_memory_holds_naming_its_shape(make, named):
    with pytest.raises(MemoryError, match=f"{named}.*does not fit in memory: give a smaller shape"):
        make()


def test_an_op_that_copies_an_expanded_tensor_in_full_names_itself_and_the_fix():
    wide = ag.ones(1, 1, requires_grad=True).expand(BIG, BIG)
    with pytest.raises(MemoryError, match="exp: Unable to allocate .* shapes: \\(1000000, 1000000\\)\\): use smaller"):
        wide.exp()
    with pytest.raises(MemoryError, match="\\+: .*reduce before expanding, x.sum\\(\\) \\* n"):
        wide + ag.ones(1)


def test_ordinary_sizes_are_made_as_before():
    assert nn.Linear(3, 4).W.shape == (3, 4) and ag.arange(0, 1, 0.25).tolist() == [0, 0.25, 0.5, 0.75]
    lstm = nn.LSTM(3, 4, num_layers=2, bidirectional=True, proj_size=2)
    assert lstm.weight_ih_l1_reverse.shape == (16, 4) and lstm.weight_hr_l1.shape == (2, 4)
    assert not hasattr(nn.LSTM(3, 4), "weight_hr_l0") and nn.GRU(3, 4, bias=False).bias_hh_l0 is None


@pytest.mark.parametrize(
    "make",
    [
        lambda dtype: nn.Linear(500, 1000, dtype=dtype),
        lambda dtype: nn.Embedding(1000, 300, dtype=dtype),
        lambda dtype: nn.Conv2d(64, 64, 5, dtype=dtype),
        lambda dtype: nn.GRU(200, 300, dtype=dtype),
        lambda dtype: nn.LSTM(300, 400, num_layers=2, bidirectional=True, proj_size=200, dtype=dtype),
        lambda dtype: nn.MultiheadAttention(256, 4, kdim=100, vdim=50, add_bias_kv=True, dtype=dtype),
        lambda dtype: nn.BatchNorm1d(10**6, dtype=dtype),
        lambda dtype: nn.LayerNorm((1000, 1000), dtype=dtype),
    ],
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_what_a_module_is_checked_for_holds_what_it_builds_at_once(make, dtype, monkeypatch):
    """And no more than that: the float64 draw counted twice (1.5 to 1.67 of the peak) refused a float32
    nn.Linear(40000, 40000) on a 24 GiB machine, which builds it in 18 GiB."""
    asked = []
    monkeypatch.setattr(parameter, "check_memory", lambda fn, what, n, dtype, fix: asked.append(n * dtype.itemsize))
    measured = peak_bytes(lambda: make(dtype))
    assert measured <= asked[0] + 2**16 <= 1.2 * measured, (measured, asked)  # 64 KiB: Python's own objects


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    "make",
    [
        lambda dtype: ag.randn(1000, 1000, dtype=dtype),
        lambda dtype: ag.rand(1000, 1000, dtype=dtype),
        lambda dtype: ag.arange(0.0, 10**6, dtype=dtype),
        lambda dtype: ag.linspace(0, 1, 10**6, dtype=dtype),
        lambda dtype: ag.ones(2000, 500, dtype=dtype),
    ],
)
def test_what_a_factory_is_checked_for_holds_what_it_builds_at_once(make, dtype, monkeypatch):
    """In float64 too: randn, arange and linspace copied their float64 values to cast them to float64, two
    arrays at once (16 MB of randn(1000, 1000) where 8 MB was checked)."""
    from autograd import creation_memory

    asked = []
    monkeypatch.setattr(
        creation_memory, "check_memory", lambda fn, what, n, dtype, fix: asked.append(n * dtype.itemsize)
    )
    measured = peak_bytes(lambda: make(dtype))
    assert measured <= asked[0] + 2**16 <= 2 * measured, (measured, asked)  # 64 KiB: Python's own objects


DATASETS = [
    (lambda: data.moons(10**12), "moons: n=1000000000000"),
    (lambda: data.circles(10**12), "circles: n=1000000000000"),
    (lambda: data.spirals(10**12), "spirals: n=1000000000000, n_classes=3"),
    (lambda: data.blobs(10, features=10**12), "blobs: n=10, centers=3, features=1000000000000"),
    (lambda: data.linear_regression(10**12), "linear_regression: n=1000000000000, features=1"),
    (lambda: data.make_classification(10, n_features=10**7), "make_classification: n_samples=10, n_features=10000000"),
]


@pytest.mark.parametrize(("make", "named"), DATASETS)
def test_a_data_set_no_memory_holds_is_refused_before_it_is_drawn(make, named):
    with pytest.raises(MemoryError, match=f"{named}.*does not fit in memory: give fewer samples or features"):
        make()


@pytest.mark.parametrize(
    "make",
    [
        lambda: data.moons(10**5),
        lambda: data.circles(10**5),
        lambda: data.spirals(10**5),
        lambda: data.blobs(10**5, features=10),
        lambda: data.linear_regression(10**5, features=10),
        lambda: data.linear_regression(10**5, features=2),
        lambda: data.blobs(10**5),
        lambda: data.make_classification(10**5, n_features=10),
        lambda: data.make_classification(10**3, n_features=1000),
    ],
)
def test_what_a_data_set_is_checked_for_holds_what_it_builds_at_once(make, monkeypatch):
    asked = []
    """And not much more: 6 arrays' worth refused linear_regression(3 * 10**8), 7 GB at its peak, on 24 GiB."""
    monkeypatch.setattr(data, "check_memory", lambda fn, what, n, dtype, fix: asked.append(n * dtype.itemsize))
    measured = peak_bytes(make)
    assert measured <= asked[0] <= 2.5 * measured, (measured, asked)
