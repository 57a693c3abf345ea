"""A Value's label lives beside the node (autograd/value_labels.py), not in a slot of every node: most nodes
never get one, and the slot cost each of them 8 bytes and a store as it was made (126 bytes a node of the
scalar benchmark's graph, 118 now). Reading and writing it is unchanged, and a freed node's label is not
inherited by a new node given the same id."""

import pickle

from autograd import Tensor, Value


def test_no_value_carries_a_label_slot():
    assert not any("label" in getattr(k, "__slots__", ()) for k in Value.__mro__)


def test_labels_read_and_write_on_leaves_and_computed_values():
    x = Value(2.0, label="x")
    y = x * 3.0
    assert (x.label, y.label) == ("x", "")
    y.label = "y"
    x.label = "x2"
    assert (x.label, y.label) == ("x2", "y")
    assert repr(y) == "Value(data=6.0, grad=0.0, label='y')"
    y.label = ""
    assert y.label == "" and repr(y) == "Value(data=6.0, grad=0.0)"
    assert Value(1.0, "z").label == "z"  # micrograd's older Value(data, label)


def test_a_freed_nodes_label_is_not_a_new_nodes():
    reused = 0
    for _ in range(20):
        a = Value(1.0, label="gone")
        key = id(a)
        del a
        x = Value(2.0)
        made = [x, *(x * float(k) for k in range(4))]
        reused += any(id(v) == key for v in made)
        assert all(v.label == "" for v in made)
    assert reused  # some new node had a freed labelled one's id, so the test tested something


def test_a_label_goes_with_a_pickled_leaf_and_a_tensor_keeps_its_own():
    assert pickle.loads(pickle.dumps(Value(1.5, label="w"))).label == "w"  # noqa: S301
    assert pickle.loads(pickle.dumps(Value(1.5))).label == ""  # noqa: S301
    t = Tensor([1.0], label="t")
    t.label = "u"
    assert t.label == "u" and (t * 2.0).label == ""
