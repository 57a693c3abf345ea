"""autograd.label_fix is public, "for losses of your own": it takes labels and a shape as such code holds them
(a list of labels, a shape as a list), as one_hot_hint does, and names the same fix as for arrays and tuples."""

import numpy as np

from autograd import label_fix, one_hot_hint

ONE_HOT = np.eye(3)[[0, 1, 2, 0]]


def test_labels_given_as_a_list_are_read_as_an_array():
    """A list raised AttributeError: 'list' object has no attribute 'shape'."""
    assert label_fix([0.0, 1.0, 2.0, 0.0], (4, 3), "my_loss") == label_fix(
        np.array([0.0, 1.0, 2.0, 0.0]), (4, 3), "my_loss"
    )
    assert label_fix(ONE_HOT.tolist(), (4, 3), "my_loss").startswith("for one-hot rows, labels.argmax(axis=1)")


def test_a_shape_given_as_a_list_names_the_same_fix_as_a_tuple():
    """[4, 3] was compared, as a list, with the labels' tuple shape: never equal, so one-hot rows were told the
    shape of class indices and whole numbers not astype(int)."""
    for labels in (ONE_HOT, np.array([0.0, 1.0, 2.0, 0.0]), np.array([0.5, 1.0, 2.0, 0.0])):
        assert label_fix(labels, [4, 3], "my_loss") == label_fix(labels, (4, 3), "my_loss")
    assert one_hot_hint(ONE_HOT, [4, 3]) == one_hot_hint(ONE_HOT, (4, 3)) != ""
