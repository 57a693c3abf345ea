"""fit's look keeps what the model holds once and gives back the objects themselves: a big plain array of a module's
(not a parameter) is copied once, not once for the copy the look runs and once more to put back; an object of
__slots__ a module writes into gets its slots back; an object array's elements come back as the objects they were.
"""

import numpy as np
import pytest
from test_trust_files import peak_while

import nn
from nn import functional as F
from nn.step_undo import kept_attributes, put_back
from nn.train_examples import check_examples

X = np.random.default_rng(0).normal(size=(8, 3))
Y = np.array([0, 1, 2, 0, 1, 2, 0, 1])


class _Table(nn.Module):
    """A Linear beside a big plain array it reads (a lookup table, not a parameter)."""

    def __init__(self, rows):
        super().__init__()
        self.head = nn.Linear(3, 3, dtype=np.float64, seed=0)
        self.table = np.zeros((rows, 1000))

    def forward(self, x):
        return self.head(x)


def test_the_look_copies_a_big_plain_array_once():
    """A module holding 80 MB in a plain array: the look held a copy of it in the copy of the model it runs and
    another to put it back with, a peak of 2.0 times its bytes."""
    model = _Table(10_000)
    size = model.table.nbytes
    batches = nn.data.Batches(X, Y, 4, shuffle=False)
    error, peak = peak_while(lambda: check_examples(model, F.cross_entropy, batches, (X, Y), None))
    assert error is None and peak < 1.2 * size, (error, peak / size)


class _Counter:
    """An object of __slots__, no __dict__, that a module counts in."""

    __slots__ = ("count", "sizes")

    def __init__(self):
        self.count, self.sizes = 0, []


class _Counted(nn.Module):
    def __init__(self, counter):
        super().__init__()
        self.head, self.counter = nn.Linear(3, 3, dtype=np.float64, seed=0), counter

    def forward(self, x):
        self.counter.count += 1
        self.counter.sizes.append(len(x))
        return self.head(x)


def test_an_object_of_slots_a_module_counts_in_is_put_back():
    """A loss running the model's own module: its counter, an object of __slots__, was left as the look made it
    (count 1, sizes [3])."""
    counter = _Counter()
    sizes = counter.sizes
    model = nn.Sequential(nn.Linear(3, 3, dtype=np.float64, seed=0))
    model.side = _Counted(counter)
    loss = lambda out, labels: F.cross_entropy(model.side(out), labels)
    check_examples(model, loss, nn.data.Batches(X, Y, 4, shuffle=False), (X, Y), None)
    assert model.side.counter is counter and counter.count == 0 and counter.sizes is sizes and sizes == []


class _Owner:
    """What a scheduler or a module is to put_back: an object whose attributes are kept."""


def test_an_object_arrays_elements_come_back_as_themselves():
    """Each element of an object array came back as its copy: the list the user holds was no longer in it."""
    owner, first, second = _Owner(), [1], {"a": 2}
    owner.items = np.empty(2, dtype=object)
    owner.items[0], owner.items[1] = first, second
    kept = [kept_attributes([owner], {})]
    first.append(5)
    owner.items[1] = None
    put_back(kept)
    assert owner.items[0] is first and owner.items[1] is second and first == [1] and second == {"a": 2}


def test_a_frozen_dataclass_a_slot_set_since_and_an_array_array_are_put_back():
    """Objects without a __dict__ were left as the step made them: a frozen dataclass of slots written past its
    __setattr__, a slot (mangled, beside a __dict__) unset before, an array.array written into."""
    import array
    import dataclasses

    @dataclasses.dataclass(frozen=True, slots=True)
    class Frozen:
        sizes: list

    class Slotted:
        __slots__ = ("__kept", "later", "__dict__")

    owner, frozen, slotted, numbers = _Owner(), Frozen([1]), Slotted(), array.array("d", [1.0, 2.0])
    sizes, slotted._Slotted__kept = frozen.sizes, [1]
    owner.frozen, owner.slotted, owner.numbers = frozen, slotted, numbers
    kept = [kept_attributes([owner], {})]
    object.__setattr__(frozen, "sizes", [9])
    slotted.later, numbers[0] = 5, 7.0
    slotted._Slotted__kept.append(2)
    put_back(kept)
    assert frozen.sizes is sizes and sizes == [1] and not hasattr(slotted, "later")
    assert slotted._Slotted__kept == [1] and numbers.tolist() == [1.0, 2.0] and owner.numbers is numbers


class _FilledOnce(nn.Module):
    """Fills a table on its first forward and makes it read-only then, a guard against writes after."""

    def __init__(self):
        super().__init__()
        self.head, self.table, self.filled = nn.Linear(3, 3, dtype=np.float64, seed=0), np.zeros(3), False

    def forward(self, x):
        if not self.filled:
            self.table[...], self.table.flags.writeable, self.filled = 1.0, False, True
        return self.head(x) * self.table


def test_an_array_the_look_makes_read_only_is_given_back_writeable_and_as_it_was():
    """The look's copy of the model shares its plain arrays: a table it filled and made read-only was left so (ones,
    read-only, its flag put back unset), and the first step's fill raised 'assignment destination is read-only'."""
    model = _FilledOnce()
    table = model.table
    nn.fit(model, F.cross_entropy, nn.optim.SGD(model.parameters(), lr=0.1), (X, Y), batch_size=4, verbose=False)
    assert model.table is table and not table.flags.writeable and table.tolist() == [1.0, 1.0, 1.0]
    model = _FilledOnce()
    check_examples(model, F.cross_entropy, nn.data.Batches(X, Y, 4, shuffle=False), (X, Y), None)
    assert model.table.flags.writeable and model.table.tolist() == [0.0, 0.0, 0.0] and not model.filled


def test_a_read_only_array_made_writeable_and_written_into_is_put_back_read_only():
    """A step that made a read-only array writeable and wrote into it: its numbers and its flag come back, and a
    read-only buffer left alone is not made writeable."""
    owner, frozen, still = _Owner(), np.arange(3.0), np.arange(2.0)
    frozen.flags.writeable = still.flags.writeable = False
    owner.frozen, owner.still = frozen, still
    kept = [kept_attributes([owner], {})]
    frozen.flags.writeable = True
    frozen[...] = -1.0
    put_back(kept)
    assert frozen.tolist() == [0.0, 1.0, 2.0] and not frozen.flags.writeable and not still.flags.writeable


def test_a_read_only_buffer_is_not_called_a_batch_of_one_refused():
    """The look's copy shared the model's read-only running mean: BatchNorm's write into it on a batch of one raised,
    and fit said the batch of one was refused ('make batch_size one of [3, 5]'), where the first step's forward says
    the data is read-only, with batch_size 5 too."""
    model = nn.Sequential(nn.BatchNorm2d(2, dtype=np.float64))
    model[0].running_mean.flags.writeable = False
    images, optimizer = np.random.default_rng(1).normal(size=(5, 2, 3, 3)), nn.optim.SGD(model.parameters(), lr=0.1)
    loss = lambda out, labels: (out * 0.0).sum()  # noqa: E731
    with pytest.raises(ValueError, match="read-only") as refusal:
        nn.fit(model, loss, optimizer, (images, np.zeros(5)), batch_size=4, metric=None, verbose=False)
    assert "batch of one" not in str(refusal.value)


class _Flattens(nn.Module):
    """A Linear beside a plain array its forward reshapes in place (`arr.shape = ...`), a buffer too."""

    def __init__(self):
        super().__init__()
        self.head = nn.Linear(3, 3, dtype=np.float64, seed=0)
        self.table = np.arange(6.0).reshape(2, 3)
        self.register_buffer("counts", np.zeros((2, 2)))

    def forward(self, x):
        self.table.shape = (6,)
        self.counts.shape = (4,)
        return self.head(x)


def test_an_array_the_look_reshapes_in_place_keeps_its_shape():
    """The look's copy shares the model's writeable arrays (not copied twice): one its forward reshaped in place
    (`arr.shape = (6,)`) stayed reshaped on the user's model, (6,) for (2, 3), its numbers put back skipped."""
    model = _Flattens()
    check_examples(model, F.cross_entropy, nn.data.Batches(X, Y, 4, shuffle=False), (X, Y), None)
    assert model.table.shape == (2, 3) and model.counts.shape == (2, 2)
    assert np.array_equal(model.table, np.arange(6.0).reshape(2, 3)) and not model.counts.any()


class _Resizes(nn.Module):
    """A Linear beside a plain array and a buffer its forward resizes in place (ndarray.resize: another size)."""

    def __init__(self, which):
        super().__init__()
        self.head = nn.Linear(3, 3, dtype=np.float64, seed=0)
        self.table = np.arange(6.0).reshape(2, 3).copy()
        self.register_buffer("counts", np.arange(4.0).reshape(2, 2).copy())
        self.which = which

    def forward(self, x):
        getattr(self, self.which).resize((3, 3), refcheck=False)
        return self.head(x)


@pytest.mark.parametrize("which", ["table", "counts"])
def test_an_array_the_look_resizes_in_place_is_refused_not_left_resized(which):
    """An array resized in place (another size) cannot be put back in place: it was left so on the user's model,
    (3, 3) for (2, 3), 3 zeros added, without a word (a buffer raised 'could not broadcast ... (2,2) into (3,3)')."""
    model = _Resizes(which)
    with pytest.raises(
        ValueError,
        match=r"resized in place \(ndarray.resize\) .*, shape \(2, [23]\) -> \(3, 3\): it cannot be put back",
    ):
        check_examples(model, F.cross_entropy, nn.data.Batches(X, Y, 4, shuffle=False), (X, Y), None)
