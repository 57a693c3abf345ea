"""nn.utils.rnn (pad_sequence, pack_padded_sequence, pad_packed_sequence, pack_sequence, unpad_sequence,
unpack_sequence) and RNN, LSTM, GRU on a PackedSequence, against torch 2.13 in float64: values, batch sizes,
indices, h_n and c_n, and every gradient (inputs, initial states, parameters) to 1e-12, for random lengths
(length 1, all equal, unsorted with enforce_sorted=False), bidirectional and stacked layers. Before, there was
no nn.utils.rnn, and padding by hand gave h_n at the padded end: another number than each sequence's own."""

import numpy as np
import pytest

import nn
import nn.utils.rnn as S
from autograd import ShapeError, Tensor
from nn.sequences import LengthError

torch = pytest.importorskip("torch", reason="PyTorch is the reference")
R = torch.nn.utils.rnn


def _close(ours, theirs):
    theirs = theirs.detach().numpy() if hasattr(theirs, "detach") else theirs
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-12)


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("batch_first", [False, True])
def test_padding_and_packing_are_torchs_with_their_gradients(seed, batch_first):
    rng = np.random.default_rng(seed)
    batch, lengths = int(rng.integers(1, 5)), None
    lengths = rng.integers(1, 7, batch)
    sequences = [rng.normal(size=(n, 2)) for n in lengths]
    for side in ("right", "left"):
        theirs = [torch.tensor(s, requires_grad=True) for s in sequences]
        ours = [Tensor(s, requires_grad=True) for s in sequences]
        options = {"batch_first": batch_first, "padding_value": -1.5, "padding_side": side}
        want, got = R.pad_sequence(theirs, **options), S.pad_sequence(ours, **options)
        _close(got.data, want)
        weights = rng.normal(size=want.shape)
        (want * torch.tensor(weights)).sum().backward()
        (got * Tensor(weights)).sum().backward()
        for a, b in zip(ours, theirs, strict=True):
            _close(a.grad, b.grad)
    enforce = seed % 2 == 0
    given = np.sort(lengths)[::-1].copy() if enforce else lengths
    padded = rng.normal(size=(int(lengths.max()) + 1, batch, 2))
    padded = padded.swapaxes(0, 1).copy() if batch_first else padded
    xt, x = torch.tensor(padded, requires_grad=True), Tensor(padded, requires_grad=True)
    want = R.pack_padded_sequence(xt, torch.tensor(given), batch_first=batch_first, enforce_sorted=enforce)
    got = S.pack_padded_sequence(x, given, batch_first=batch_first, enforce_sorted=enforce)
    for field in ("data", "batch_sizes", "sorted_indices", "unsorted_indices"):
        a, b = getattr(got, field), getattr(want, field)
        assert (a is None) == (b is None)
        if a is not None:
            _close(a.data, b)
    total = int(lengths.max()) + 2
    want_padded, want_lengths = R.pad_packed_sequence(want, batch_first, 3.0, total)
    got_padded, got_lengths = S.pad_packed_sequence(got, batch_first, 3.0, total)
    _close(got_padded.data, want_padded)
    _close(got_lengths.data, want_lengths)
    weights = rng.normal(size=want_padded.shape)
    (want_padded * torch.tensor(weights)).sum().backward()
    (got_padded * Tensor(weights)).sum().backward()
    _close(x.grad, xt.grad)
    for a, b in zip(S.unpack_sequence(got), R.unpack_sequence(want), strict=True):
        _close(a.data, b)
    for a, b in zip(
        S.unpad_sequence(got_padded, got_lengths, batch_first),
        R.unpad_sequence(want_padded, want_lengths, batch_first),
        strict=True,
    ):
        _close(a.data, b)
    packed = S.pack_sequence([Tensor(s) for s in sequences], enforce_sorted=False)
    _close(packed.data.data, R.pack_sequence([torch.tensor(s) for s in sequences], enforce_sorted=False).data)


def _layers(kind, rng, layers, bidirectional, proj_size):
    options = {"num_layers": layers, "bidirectional": bidirectional}
    options |= {"proj_size": proj_size} if proj_size else {}
    theirs = getattr(torch.nn, kind)(3, 4, dtype=torch.float64, **options)
    ours = getattr(nn, kind)(3, 4, dtype=np.float64, **options)
    for name, p in theirs.named_parameters():
        getattr(ours, name).data[...] = p.detach().numpy()
    return theirs, ours


@pytest.mark.parametrize("seed", range(24))
def test_a_recurrent_layer_on_packed_sequences_is_torchs(seed):
    rng = np.random.default_rng(seed)
    kind, layers, bidirectional = ("RNN", "LSTM", "GRU")[seed % 3], 1 + seed % 2, bool(seed // 2 % 2)
    batch = int(rng.integers(1, 5))
    lengths = (np.full(batch, 3), rng.integers(1, 6, batch), np.ones(batch, int), rng.integers(1, 6, batch))[seed % 4]
    enforce = seed % 5 == 0
    lengths = np.sort(lengths)[::-1].copy() if enforce else lengths
    proj = 2 if kind == "LSTM" and seed % 4 == 1 else 0
    theirs, ours = _layers(kind, rng, layers, bidirectional, proj)
    x0 = rng.normal(size=(int(lengths.max()) + seed % 2, batch, 3))
    states0 = [
        rng.normal(size=(layers * (1 + bidirectional), batch, proj or 4)),
        rng.normal(size=(layers * (1 + bidirectional), batch, 4)),
    ]
    states0 = states0 if kind == "LSTM" else states0[:1]
    xt, x = torch.tensor(x0, requires_grad=True), Tensor(x0, requires_grad=True)
    st, so = [torch.tensor(s, requires_grad=True) for s in states0], [Tensor(s, requires_grad=True) for s in states0]
    out_t, last_t = theirs(
        R.pack_padded_sequence(xt, torch.tensor(lengths), enforce_sorted=enforce),
        tuple(st) if kind == "LSTM" else st[0],
    )
    out, last = ours(S.pack_padded_sequence(x, lengths, enforce_sorted=enforce), tuple(so) if kind == "LSTM" else so[0])
    assert isinstance(out, S.PackedSequence)
    _close(out.data.data, out_t.data)
    last_t, last = (last_t, last) if kind == "LSTM" else ((last_t,), (last,))
    for a, b in zip(last, last_t, strict=True):
        _close(a.data, b)
    weights = [rng.normal(size=b.shape) for b in (out_t.data, *last_t)]
    sum((b * torch.tensor(w)).sum() for b, w in zip((out_t.data, *last_t), weights, strict=True)).backward()
    sum(((a * Tensor(w)).sum() for a, w in zip((out.data, *last), weights, strict=True)), Tensor(0.0)).backward()
    _close(x.grad, xt.grad)
    for a, b in zip(so, st, strict=True):
        _close(a.grad, b.grad)
    for name, p in theirs.named_parameters():
        _close(getattr(ours, name).grad, p.grad)


@pytest.mark.parametrize("kind", ["RNN", "LSTM", "GRU"])
def test_without_an_initial_state_and_built_batch_first_as_torchs(kind):
    """hx left out (zeros), a layer built batch_first (a PackedSequence is read by step all the same, as torch's),
    an Elman RNN's relu, and the packed sequence cast by .to(), as torch's."""
    rng = np.random.default_rng(7)
    options = {"batch_first": True, "num_layers": 2, "bidirectional": True}
    options |= {"nonlinearity": "relu"} if kind == "RNN" else {}
    theirs = getattr(torch.nn, kind)(3, 4, dtype=torch.float64, **options)
    ours = getattr(nn, kind)(3, 4, dtype=np.float64, **options)
    for name, p in theirs.named_parameters():
        getattr(ours, name).data[...] = p.detach().numpy()
    sequences = [rng.normal(size=(n, 3)).astype(np.float32).astype(np.float64) for n in (2, 5, 1, 5)]
    out_t, last_t = theirs(R.pack_sequence([torch.tensor(s) for s in sequences], enforce_sorted=False))
    packed = S.pack_sequence([Tensor(s, dtype=np.float32) for s in sequences], enforce_sorted=False).to(np.float64)
    out, last = ours(packed)
    padded_t, lengths_t = R.pad_packed_sequence(out_t, batch_first=True)
    padded, lengths = S.pad_packed_sequence(out, batch_first=True)
    _close(padded.data, padded_t)
    _close(lengths.data, lengths_t)
    for a, b in zip(last if kind == "LSTM" else (last,), last_t if kind == "LSTM" else (last_t,), strict=True):
        _close(a.data, b)


def test_the_last_state_is_each_sequences_own_not_the_padded_ends():
    rng = np.random.default_rng(0)
    gru = nn.GRU(2, 3, seed=0)
    x = Tensor(rng.normal(size=(4, 2, 2)))
    _, h_packed = gru(S.pack_padded_sequence(x, [4, 2]))
    _, h_short = gru(x[:2, 1:])
    _, h_padded = gru(x)
    np.testing.assert_allclose(h_packed.data[:, 1], h_short.data[:, 0], rtol=0, atol=1e-15)
    assert np.abs(h_padded.data[:, 1] - h_short.data[:, 0]).max() > 1e-3  # by hand: the padded end's


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda x: S.pack_padded_sequence(x, [2, 3, 1]), LengthError, "pass enforce_sorted=False"),
        (lambda x: S.pack_padded_sequence(x, [3, 0, 1], enforce_sorted=False), LengthError, "at least 1, got 0"),
        (lambda x: S.pack_padded_sequence(x, [5, 3, 1]), LengthError, "past the input's 4 steps"),
        (lambda x: S.pack_padded_sequence(x, [3, 1]), ShapeError, "one length per sequence (3)"),
        (lambda x: S.pack_padded_sequence(x[:, :0], []), LengthError, "no sequences"),  # was packed, then a zip error
        (lambda x: S.pack_padded_sequence(x, [2.5, 1, 1]), TypeError, "whole numbers"),
        (
            lambda x: S.pad_packed_sequence(S.pack_padded_sequence(x, [4, 3, 1]), total_length=3),
            ValueError,
            "total_length=3",
        ),
        (lambda x: S.pad_packed_sequence(x), TypeError, "takes a PackedSequence"),
        (lambda x: S.pad_sequence([Tensor(np.ones((2, 3))), Tensor(np.ones((3, 2)))]), ShapeError, "must agree"),
        (lambda x: S.pad_sequence([]), ValueError, "empty"),
        (lambda x: S.pad_sequence([x], padding_side="middle"), ValueError, "padding_side"),
        (lambda x: nn.GRU(5, 2)(S.pack_padded_sequence(x, [4, 3, 1])), ShapeError, "input_size=5"),
    ],
)
def test_refusals_name_the_problem_and_the_fix(call, error, words):
    with pytest.raises(error) as caught:
        call(Tensor(np.zeros((4, 3, 2))))
    assert words in str(caught.value)


def test_a_length_refusal_is_also_torchs_runtime_error():
    with pytest.raises(RuntimeError, match="enforce_sorted"):
        S.pack_padded_sequence(Tensor(np.zeros((4, 3, 2))), [1, 2, 3])


def test_a_compiled_step_gives_eagers_numbers_as_the_lengths_change():
    """A compiled step of a packed GRU and ctc_loss, called with other lengths and targets each time: eager's
    numbers on every call (the step reads the lengths: it runs eagerly, saying so, rather than replay old ones)."""
    import warnings

    import autograd
    import nn.functional as F

    gru, x = nn.GRU(3, 4, seed=0), Tensor(np.random.default_rng(0).normal(size=(5, 3, 3)))

    def step(x, lengths, targets):
        _, h = gru(S.pack_padded_sequence(x, lengths, enforce_sorted=False))
        return h.sum() + F.ctc_loss(x.log_softmax(2), targets, lengths, [2, 1, 1])

    compiled = autograd.compile(step)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for lengths, targets in (
            [([5, 3, 2], [[1, 2]] * 3)] * 2 + [([2, 5, 1], [[2, 1]] * 3)] * 2 + [([4, 4, 4], [[1, 1]] * 3)]
        ):
            assert compiled(x, np.array(lengths), np.array(targets)).item() == step(x, lengths, targets).item()


@pytest.mark.parametrize(
    ("rows", "sizes"),
    [(3, [3, 1]), (6, [3, 1]), (4, [1, 3]), (4, [[3, 1]]), (3, [3, 0]), (4, [3, 1.5]), (4, [3, np.nan])],
    ids=["fewer rows", "more rows", "sizes increasing", "sizes 2-d", "a size 0", "a size not whole", "a size NaN"],
)
@pytest.mark.parametrize("reader", ["GRU", "pad_packed_sequence"])
def test_a_packed_sequence_made_by_hand_that_does_not_fit_is_refused_by_every_reader(rows, sizes, reader):
    """A PackedSequence whose data and batch_sizes disagree: pad_packed_sequence refused it, but a GRU read it:
    6 rows for batch sizes [3, 1] gave an output of 4 rows, the last 2 dropped without a word; 3 rows met
    numpy's IndexError, sizes [1, 3] numpy's broadcast ValueError. Every reader refuses it now, in one message."""
    packed = S.PackedSequence(Tensor(np.ones((rows, 3))), Tensor(np.array(sizes)))
    read = nn.GRU(3, 2, seed=0, dtype=np.float64) if reader == "GRU" else S.pad_packed_sequence
    with pytest.raises(ShapeError, match=f"{reader}: the PackedSequence's data and batch_sizes do not fit"):
        read(packed)


def test_a_packed_sequence_given_its_sorted_indices_only_finds_its_unsorted_ones_as_torchs():
    """PackedSequence(data, batch_sizes, sorted_indices), as torch code rebuilds one: torch fills unsorted_indices
    with the inverse; here it stayed None, so pad_packed_sequence gave the sequences longest first, not in the
    batch's order (rows permuted, without a word), and a GRU's h_n likewise."""
    x0 = np.random.default_rng(9).normal(size=(4, 3, 3))
    lengths = [2, 4, 3]
    want = R.pack_padded_sequence(torch.tensor(x0), torch.tensor(lengths), enforce_sorted=False)
    want = R.PackedSequence(want.data, want.batch_sizes, want.sorted_indices)
    got = S.pack_padded_sequence(Tensor(x0), lengths, enforce_sorted=False)
    got = S.PackedSequence(got.data, got.batch_sizes, got.sorted_indices)
    _close(got.unsorted_indices.data, want.unsorted_indices)
    _close(S.pad_packed_sequence(got)[0].data, R.pad_packed_sequence(want)[0])
    theirs, ours = _layers("GRU", np.random.default_rng(9), 1, False, 0)
    _close(ours(got)[1].data, theirs(want)[1])


@pytest.mark.parametrize("reader", ["GRU", "pad_packed_sequence"])
@pytest.mark.parametrize(
    ("order", "inverse"), [([0, 0, 1], None), ([0, 1], None), ([2, 0, 1], [2, 0, 1]), ([1, 2, 0], [5, 0, 1])]
)
def test_packed_indices_that_are_no_order_of_the_batch_are_refused(reader, order, inverse):
    """sorted_indices [0, 0, 1] (a sequence twice, one never), of another batch size, or unsorted_indices not
    their inverse: the batch was read in that order without a word (h_n of sequence 0 twice). Refused now."""
    packed = S.pack_padded_sequence(Tensor(np.ones((4, 3, 3))), [4, 3, 1])
    index = lambda v: None if v is None else Tensor(np.array(v), dtype=np.int64)  # noqa: E731
    packed = S.PackedSequence(packed.data, packed.batch_sizes, index(order), index(inverse))
    read = nn.GRU(3, 2, seed=0, dtype=np.float64) if reader == "GRU" else S.pad_packed_sequence
    with pytest.raises(ShapeError, match=f"{reader}: the PackedSequence's sorted_indices"):
        read(packed)


@pytest.mark.parametrize("sizes", [[3, 1], np.array([3, 1]), Tensor([3.0, 1.0])], ids=["list", "array", "float"])
def test_a_layer_gives_int64_batch_sizes_however_the_packs_were_given(sizes):
    """Batch sizes a list (pad_packed_sequence took it; a GRU met "'list' object has no attribute 'data'") or
    a float Tensor (given back as they were): the output's are an int64 Tensor, as torch's."""
    out, _ = nn.GRU(3, 2, seed=0, dtype=np.float64)(S.PackedSequence(Tensor(np.ones((4, 3))), sizes))
    assert out.batch_sizes.dtype == np.int64 and out.batch_sizes.data.tolist() == [3, 1]


def test_indices_given_as_lists_reorder_a_layers_states_as_tensors_do():
    """sorted_indices as a list (torch code may build one so): the indices were checked and the unsorted ones
    worked out, but the layer met "'list' object has no attribute 'data'" reordering its states."""
    packed = S.pack_padded_sequence(
        Tensor(np.random.default_rng(3).normal(size=(4, 3, 3))), [2, 4, 3], enforce_sorted=False
    )
    gru = nn.GRU(3, 2, seed=0, dtype=np.float64)
    by_list = S.PackedSequence(packed.data, packed.batch_sizes, packed.sorted_indices.data.tolist())
    np.testing.assert_array_equal(gru(by_list)[1].data, gru(packed)[1].data)
