"""nn.EmbeddingBag and F.embedding_bag against PyTorch: sums, means and maxes of bags (a 2-d input's rows, a 1-d
input cut at offsets, include_last_offset, empty bags, padding_idx left out), per_sample_weights, their values
and gradients (to the table and the weights) in float64 and float32, second derivatives against torch's own
composition (its embedding_bag has none past the first); the layer's table, options and repr; the refusals."""

import numpy as np
import pytest
from torch_reference import DTYPES, check, torch  # without torch: skipped

import autograd
import nn
from autograd import CompileError, ShapeError, Tensor
from nn import functional as F

TF = torch.nn.functional


def _case(rng, one_d):
    """Random indices into 6 rows (and offsets with an empty bag and repeated rows, for a 1-d input)."""
    if not one_d:
        return rng.integers(0, 6, (4, 3)), None
    index = rng.integers(0, 6, 9)
    return index, np.array([0, 2, 2, 5])  # bags of 2, 0, 3 and 4 indices


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
@pytest.mark.parametrize("one_d", [False, True])
@pytest.mark.parametrize("padding_idx", [None, 2, -1])
def test_embedding_bag_matches_torch(dtype, mode, one_d, padding_idx):
    rng = np.random.default_rng(["sum", "mean", "max"].index(mode) * 10 + one_d * 5 + (padding_idx or 0) + 1)
    index, offsets = _case(rng, one_d)
    table = rng.uniform(-2, 2, (6, 3))
    options = {"mode": mode, "padding_idx": padding_idx}
    off = None if offsets is None else torch.tensor(offsets)
    check(
        lambda w: F.embedding_bag(index, w, offsets, **options),
        lambda w: TF.embedding_bag(torch.tensor(index), w, off, **options),
        [table],
        dtype,
        second=False,
    )


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("one_d", [False, True])
def test_per_sample_weights_match_torch_with_second_derivatives(dtype, one_d):
    rng = np.random.default_rng(5)
    index, offsets = _case(rng, one_d)
    table, weights = rng.uniform(-2, 2, (6, 3)), rng.uniform(-2, 2, index.shape)
    off = None if offsets is None else torch.tensor(offsets)
    check(
        lambda w, s: F.embedding_bag(index, w, offsets, mode="sum", per_sample_weights=s),
        lambda w, s: TF.embedding_bag(torch.tensor(index), w, off, mode="sum", per_sample_weights=s),
        [table, weights],
        dtype,
        second=False,
    )
    # second derivatives: torch's of the same sums, written with index_add (its embedding_bag has none)
    bag = np.repeat(np.arange(4), 3) if offsets is None else np.searchsorted(offsets, np.arange(9), "right") - 1

    def composed(w, s):
        rows = w[torch.tensor(index.reshape(-1))] * s.reshape(-1, 1)
        return torch.zeros(4, 3, dtype=w.dtype).index_add(0, torch.tensor(bag), rows)

    check(
        lambda w, s: F.embedding_bag(index, w, offsets, mode="sum", per_sample_weights=s),
        composed,
        [table, weights],
        dtype,
    )


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_include_last_offset_and_ties_match_torch(mode):
    table = np.array([[1.0, 5.0], [3.0, 5.0], [2.0, 0.0]])
    index, offsets = np.array([0, 1, 2, 1, 0]), np.array([0, 2, 2, 5])
    for last in (False, True):
        check(
            lambda w, last=last: F.embedding_bag(index, w, offsets, mode=mode, include_last_offset=last),
            lambda w, last=last: TF.embedding_bag(
                torch.tensor(index), w, torch.tensor(offsets), mode=mode, include_last_offset=last
            ),
            [table],
            np.float64,
            second=False,
        )


def test_the_layer_is_torchs():
    bag = nn.EmbeddingBag(5, 3, mode="sum", padding_idx=1, seed=0)
    assert (
        repr(bag)
        == repr(torch.nn.EmbeddingBag(5, 3, mode="sum", padding_idx=1))
        == "EmbeddingBag(5, 3, mode='sum', padding_idx=1)"
    )
    assert repr(nn.EmbeddingBag(5, 3)) == repr(torch.nn.EmbeddingBag(5, 3))
    assert bag.weight.shape == (5, 3) and bag.weight.dtype == np.float32 and not bag.weight.data[1].any()
    theirs = torch.nn.EmbeddingBag(5, 3, mode="sum", padding_idx=1, _weight=torch.tensor(bag.weight.data))
    index, offsets, weights = np.array([0, 1, 4, 4, 2]), np.array([0, 3]), np.linspace(-1, 1, 5).astype(np.float32)
    ours = bag(index, offsets, per_sample_weights=weights).data
    expected = theirs(torch.tensor(index), torch.tensor(offsets), torch.tensor(weights)).detach().numpy()
    np.testing.assert_allclose(ours, expected, 1e-6, 1e-6)
    given = nn.EmbeddingBag(5, 3, _weight=np.ones((5, 3)), dtype=np.float64)
    assert given.weight.dtype == np.float64 and given.weight.data.all() and given.num_embeddings == 5


def test_the_layers_settings_are_checked_when_set():
    bag = nn.EmbeddingBag(4, 2)
    with pytest.raises(ValueError, match="mode must be one of 'sum', 'mean', 'max'"):
        bag.mode = "min"
    with pytest.raises(IndexError, match="padding_idx 4 is not a row"):
        bag.padding_idx = 4
    bag.mode = "sum"
    assert bag(np.array([[0, 1]])).shape == (1, 2)


def test_scale_grad_by_freq_set_on_a_max_bag_is_refused_as_torchs():
    """Set after the layer was made, scale_grad_by_freq=True on mode 'max' was taken, and halved the gradient of
    a row looked up twice (0.5 where the max's is 1); torch's forward refuses it, and so does this one."""
    bag = nn.EmbeddingBag(5, 3, mode="max", seed=0)
    bag.scale_grad_by_freq = True
    with pytest.raises(ValueError, match="mode 'max' does not scale the gradient by the frequency"):
        bag(np.array([[0, 0, 1]]))


def test_a_compiled_step_replays_2d_bags_and_runs_cut_bags_eagerly():
    bag = nn.EmbeddingBag(6, 3, mode="mean", seed=0, dtype=np.float64)
    step = autograd.compile(lambda x: bag(x).sum())
    batches = [np.random.default_rng(i).integers(0, 6, (4, 3)) for i in range(4)]
    assert [step(x).item() for x in batches] == [bag(x).sum().item() for x in batches]
    assert sum(r.program is not None for r in step.recordings.values()) == 1
    strict = autograd.compile(lambda x, o: bag(x, o).sum(), strict=True)
    with pytest.raises(CompileError, match="cuts bags from the indices' numbers"):
        strict(np.array([0, 1, 2]), np.array([0, 1]))


def test_a_compiled_training_step_replays_2d_bags_of_every_mode():
    """mode 'max' took max(dim=), whose indices a replay cannot read again: the step ran eagerly, its warning
    naming max(dim=); now every mode's 2-d bags replay, the gradient to the first of tied rows, eager's numbers."""
    for mode in ("sum", "mean", "max"):
        runs = []
        for compiled in (False, True):
            bag = nn.EmbeddingBag(6, 3, mode=mode, seed=0, dtype=np.float64)
            bag.weight.data[1] = bag.weight.data[0]  # ties between rows 0 and 1
            opt = nn.SGD(bag.parameters(), lr=0.5)

            def step(x, bag=bag, opt=opt):
                loss = (bag(x) ** 2).sum()
                opt.zero_grad()
                loss.backward()
                opt.step()
                return loss

            run = autograd.compile(step, strict=True) if compiled else step
            batches = [np.random.default_rng(i).integers(0, 6, (4, 3)) for i in range(5)]
            runs.append([(run(x).item(), bag.weight.data.copy()) for x in batches])
        assert sum(r.program is not None for r in run.recordings.values()) == 1
        for (loss, table), (eager_loss, eager_table) in zip(runs[1], runs[0]):
            assert loss == eager_loss and np.array_equal(table, eager_table)


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"offsets": np.array([1, 2])}, ValueError, r"offsets\[0\] must be 0"),
        ({"offsets": np.array([0, 3, 2])}, ValueError, "must not decrease"),
        ({"offsets": np.array([0, 9])}, ValueError, "not pass the input's length 4"),
        ({}, ValueError, "a 1-d input needs offsets"),
        ({"offsets": np.array([0, 2]), "per_sample_weights": np.ones(4)}, ValueError, "give mode='sum'"),
        ({"offsets": np.array([0, 2]), "mode": "max", "scale_grad_by_freq": True}, ValueError, "mode 'max' does not"),
        ({"offsets": np.array([0, 2]), "mode": "x"}, ValueError, "mode must be one of"),
        (
            {"offsets": np.array([0, 2]), "mode": "sum", "per_sample_weights": np.ones(3)},
            ShapeError,
            r"input's shape \(4,\)",
        ),
        ({"offsets": np.array([[0, 2]])}, ShapeError, "offsets must be a 1-d array of integers"),
        ({"offsets": np.array([0.0, 2.0])}, TypeError, "offsets must be a 1-d array of integers"),
        ({"offsets": np.array([0, 2]), "include_last_offset": True}, ValueError, "append 4"),
        ({"offsets": np.array([0, 2]), "sparse": True}, ValueError, "sparse=True"),
        ({"offsets": np.array([0, 2]), "padding_idx": 3}, IndexError, "padding_idx 3"),
    ],
)
def test_embedding_bag_refuses(kwargs, error, message):
    with pytest.raises(error, match=message):
        F.embedding_bag(np.array([0, 1, 2, 1]), Tensor(np.ones((3, 2))), **kwargs)


def test_bad_inputs_are_refused():
    table = Tensor(np.ones((3, 2)))
    with pytest.raises(ValueError, match="offsets must be None"):
        F.embedding_bag(np.array([[0, 1]]), table, np.array([0]))
    with pytest.raises(ShapeError, match="takes a 2-d input"):
        F.embedding_bag(np.zeros((1, 1, 1), int), table)
    with pytest.raises(IndexError, match="index 3 is out of range"):
        F.embedding_bag(np.array([[0, 3]]), table)
    with pytest.raises(TypeError, match="weight must be a 2-d Tensor"):
        F.embedding_bag(np.array([[0, 1]]), np.ones((3, 2)))


@pytest.mark.parametrize("mode", ["sum", "mean"])
def test_max_norm_and_scale_grad_by_freq_match_torch(mode):
    rng = np.random.default_rng(9)
    index, offsets, table = rng.integers(0, 6, 9), np.array([0, 4, 6]), rng.uniform(-2, 2, (6, 3))
    ours, theirs = Tensor(table.copy(), requires_grad=True), torch.tensor(table, requires_grad=True)
    options = {"mode": mode, "max_norm": 1.5, "norm_type": 3.0, "scale_grad_by_freq": True}
    out = F.embedding_bag(index, ours, offsets, **options)
    expected = TF.embedding_bag(torch.tensor(index), theirs, torch.tensor(offsets), **options)
    np.testing.assert_allclose(out.data, expected.detach().numpy(), 1e-12, 1e-12)
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), 1e-12, 1e-12)  # the rows scaled in place
    (out * Tensor(np.arange(9.0).reshape(3, 3))).sum().backward()
    (expected * torch.arange(9.0, dtype=torch.float64).reshape(3, 3)).sum().backward()
    np.testing.assert_allclose(ours.grad, theirs.grad.numpy(), 1e-12, 1e-12)


def test_scale_grad_by_freq_divides_each_row_by_its_own_count():
    """Each row's gradient divided by its count in the batch, as torch's embedding (then summed per bag); torch
    2.13's embedding_bag gives rows 3 and 5 of [0, 0, 3, 5, 5, 5] 0.5 and 3.0, where 1 and 1 are right."""
    index, table = np.array([[0, 0, 3, 5, 5, 5]]), np.random.default_rng(4).uniform(-2, 2, (8, 3))
    ours, theirs = Tensor(table, requires_grad=True), torch.tensor(table, requires_grad=True)
    F.embedding_bag(index, ours, mode="sum", scale_grad_by_freq=True).sum().backward()
    TF.embedding(torch.tensor(index), theirs, scale_grad_by_freq=True).sum(dim=1).sum().backward()
    np.testing.assert_array_equal(ours.grad, theirs.grad.numpy())
    assert ours.grad[[0, 3, 5], 0].tolist() == [1.0, 1.0, 1.0]


def test_from_pretrained_is_torchs():
    table = np.arange(12.0).reshape(4, 3)
    bag = nn.EmbeddingBag.from_pretrained(table, mode="max", padding_idx=0)
    theirs = torch.nn.EmbeddingBag.from_pretrained(torch.tensor(table), mode="max", padding_idx=0)
    assert repr(bag) == repr(theirs) and not bag.weight.requires_grad and bag.weight.dtype == np.float64
    index = np.array([[0, 1], [3, 2]])
    np.testing.assert_array_equal(bag(index).data, theirs(torch.tensor(index)).detach().numpy())
    assert nn.EmbeddingBag.from_pretrained(table, freeze=False).weight.requires_grad
    assert np.array_equal(bag.weight.data, table) and bag.weight.data is not table  # a copy, padding row kept
    with pytest.raises(ShapeError, match="2-d table of floats"):
        nn.EmbeddingBag.from_pretrained(np.ones(3))
