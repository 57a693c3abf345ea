"""An input itself in a compiled step's index tuple (`out[rows, z]`) is that input, even where it is also a view of
another input: with z = y[1:] on the two recorded calls, the replays made z again as the next call's y[1:], and
gave losses of their own (3.35 for eager's 3.44 on the third call) once the caller's z was an array of its own."""

import numpy as np
from compile_faithful_cases import trained

import autograd
import nn
from autograd import Tensor

F = nn.functional


def _batches(views):
    """(x, y, z) batches, z = y[1:] on the first `views` calls and an array of its own after."""
    rng = np.random.default_rng(0)
    out = []
    for k in range(6):
        y = rng.integers(0, 3, 4)
        out.append((rng.standard_normal((4, 3)), y, y[1:] if k < views else rng.integers(0, 3, 3)))
    return out


def test_an_input_in_an_index_that_is_a_view_of_another_input_is_read_as_itself():
    def loss_of(model, x, y, z):
        return -F.log_softmax(model(Tensor(x)), axis=1)[np.arange(3), z].sum()

    for views in (2, 6):
        batches = _batches(views)
        eager = trained(loss_of, batches, False, nn.Linear(3, 3, seed=0).double()).losses
        compiled, said, run, _ = trained(loss_of, batches, True, nn.Linear(3, 3, seed=0).double())
        assert compiled == eager and not said
        assert [r.program is not None for r in run.recordings.values()] == [True]


def test_an_index_beside_the_labels_made_by_numpy_from_them_is_named_as_data_that_changed():
    """`out[np.arange(4)[y], y]`: the rows are a copy numpy made of y, changed from call to call, beside y itself;
    the step runs eagerly, and the warning said that a view of an input was made another way (a slice, strides),
    where it is data made outside the graph that changed."""
    rng = np.random.default_rng(0)
    batches = [(rng.standard_normal((4, 3)), rng.integers(0, 3, 4)) for _ in range(4)]

    def loss_of(model, x, y):
        return -F.log_softmax(model(Tensor(x)), axis=1)[np.arange(4)[y], y].sum()

    compiled, said, _, _ = trained(loss_of, batches, True)
    assert compiled == trained(loss_of, batches, False).losses
    (message,) = said
    assert "keyword arguments (an index, a condition, labels) that changed" in message and "another way" not in message


def test_the_warning_names_a_ravel_that_copies_as_one_of_labels_of_two_columns_or_more():
    """The warning gave `y.ravel()` of Fortran-ordered labels as a copy; of (n, 1) labels in Fortran order it is a
    view (numpy calls such an array C-contiguous too), and replays. Of (n, 2) labels it copies."""
    rng = np.random.default_rng(0)
    column = np.asfortranarray(rng.integers(0, 3, (4, 1)))
    assert np.shares_memory(column.ravel(), column)
    batches = [(rng.standard_normal((4, 3)), np.asfortranarray(rng.integers(0, 3, (2, 2)))) for _ in range(3)]
    said = trained(lambda model, x, y: F.cross_entropy(model(Tensor(x)), y.ravel()), batches, True).said
    assert len(said) == 1 and "y.ravel() of (n, 2) labels in Fortran order" in said[0]


def test_a_mask_input_in_an_index_tuple_whose_count_changes_is_named_as_a_boolean_index():
    """`out[mask, 1]` with the mask an input: replayed while its count of True stays the recorded one; where the
    count changed (3 for 2 on the fourth call), the step ran eagerly saying only that getitem "is a different op, or
    has different inputs", where `out[mask]` names the boolean mask whose count sets the result's shape."""
    rng = np.random.default_rng(0)
    masks = [[1, 1, 0, 0], [0, 1, 1, 0], [1, 0, 0, 1], [1, 1, 1, 0], [1, 0, 0, 0], [0, 1, 0, 1]]
    batches = [(rng.standard_normal((4, 3)), np.array(m, bool)) for m in masks]

    def loss_of(model, x, mask):
        return -F.log_softmax(model(Tensor(x)), axis=1)[mask, 1].sum()

    compiled, said, _, _ = trained(loss_of, batches, True)
    assert compiled == trained(loss_of, batches, False).losses
    assert len(said) == 1 and "indexes with a boolean mask" in said[0]


class _Named(list):
    """A list subclass built as `_Named(name, items)`, not from its items alone."""

    def __init__(self, name, items):
        super().__init__(items)
        self.name = name


def test_an_input_in_a_list_subclass_not_built_from_its_items_replays():
    """An op given the step's input in a list subclass of its own signature (`ws=_Named("ws", [y])`): since the
    input itself in a keyword argument is a view a replay makes again, compile rebuilt the list from its items,
    `_Named(items)`, and raised a TypeError on the second call, then ran the step eagerly; the list is now remade
    as list's own constructor makes it, with its attributes (trees.remade), and the step replays with eager's
    numbers."""
    scaling = autograd.Op("scaling", lambda x, *, ws: x * ws[0], lambda g, out, x, *, ws: (g * ws[0],))

    def loss_of(model, x, y):
        return scaling(model(Tensor(x)), ws=_Named("ws", [y[:, None]])).sum()

    rng = np.random.default_rng(0)
    batches = [(rng.standard_normal((4, 3)), rng.standard_normal(4)) for _ in range(4)]
    compiled, said, _, _ = trained(loss_of, batches, True)
    assert compiled == trained(loss_of, batches, False).losses and said == []
