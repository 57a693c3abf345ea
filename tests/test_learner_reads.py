"""What a learner reads off a Tensor as PyTorch answers it: `.grad` of a computed tensor warns where it
is None (not a silent None), and a tensor read as one number raises PyTorch's exception types."""

import operator
import warnings

import numpy as np
import pytest
import torch

import autograd
import viz
from autograd import Tensor, no_grad, topological_order, zero_grad

NOT_KEPT = r"\.grad of a tensor computed by '\*' \(not a leaf\) is None: .*retain_grad\(\)"


def test_grad_of_a_computed_tensor_warns_where_it_is_none_as_torchs():
    """h.grad was None after backward without a word, which reads as "no gradient reached h"; PyTorch
    warns (a UserWarning naming retain_grad) and so does chainrule now, from the reading line."""
    w = Tensor(np.ones(3), requires_grad=True)
    h = w * 2
    h.sum().backward()
    with pytest.warns(UserWarning, match=NOT_KEPT) as caught:
        assert h.grad is None
    assert caught[0].filename == __file__  # the warning points at the line that reads .grad
    tw = torch.ones(3, requires_grad=True)
    th = tw * 2
    th.sum().backward()
    with pytest.warns(UserWarning, match="retain_grad"):
        assert th.grad is None


def test_no_warning_where_the_grad_is_kept_or_no_graph_is_recorded():
    """Leaves, tensors that retain their gradient, a gradient assigned by hand, tensors that need no
    gradient and results under no_grad read .grad silently, as in PyTorch."""
    w = Tensor(np.ones(3), requires_grad=True)
    kept, assigned = (w * 3).retain_grad(), w * 4
    assigned.grad = np.ones(3)
    with no_grad():
        outside = w * 5
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert w.grad is None and kept.grad is None and Tensor([1.0]).grad is None and outside.grad is None
        (kept.sum() + (w * 2).sum()).backward()
        assert kept.grad.tolist() == [1.0, 1.0, 1.0] and w.grad.tolist() == [5.0, 5.0, 5.0]
        assert assigned.grad.tolist() == [1.0, 1.0, 1.0] and not (w * 2).grad_computed


def test_chainrules_own_reads_of_a_computed_tensors_grad_are_silent():
    """The engine's micrograd-style _backward, zero_grad and viz read every node's .grad, where a computed
    tensor's is None at first: none of them warns (the warning is for the learner's own reads)."""
    w = Tensor(np.ones((2, 2)), requires_grad=True)
    h = (w * 2).tanh()
    y = h.sum()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        zero_grad([h, y], set_to_none=False)
        y.grad = np.ones(())
        for node in topological_order(y):
            node._backward()  # micrograd's pass by hand: each node's .grad read and written
        viz.draw(y, backward=True)
        viz.backward_steps(y)
    assert w.grad.shape == (2, 2) and h.grad.shape == (2, 2)  # set by the pass by hand


@pytest.mark.parametrize(
    "read",
    [float, int, complex, bool, lambda t: t.item(), operator.index],
    ids=["float", "int", "complex", "bool", "item", "index"],
)
@pytest.mark.parametrize("data", [[1.0, 2.0, 3.0], [], [1, 2, 3]], ids=["three", "empty", "int64"])
def test_many_elements_read_as_one_raise_torchs_exception_types(read, data):
    """float(t) raised a TypeError where PyTorch raises a ValueError; .item() and bool() raised numpy's
    ValueError where PyTorch raises a RuntimeError; operator.index of an integer tensor was refused
    however many elements it held. Each now raises PyTorch's type, and numpy's: float() and int() of an array
    raise a TypeError, as chainrule's did, which NotOneElementError was not (`except TypeError` missed it)."""
    dtype = np.int64 if data and isinstance(data[0], int) else np.float32
    theirs = torch.tensor(data, dtype=torch.int64 if dtype == np.int64 else torch.float32)
    with pytest.raises(Exception) as expected:
        read(theirs)
    with pytest.raises(expected.type, match=r"shape \(\d\,\)"):
        read(Tensor(np.array(data, dtype)))
    if expected.type is not TypeError:
        with pytest.raises(autograd.NotOneElementError):
            read(Tensor(np.array(data, dtype)))
    with pytest.raises(Exception) as numpys:  # float() and int() of an array raise a TypeError, item() and bool() not
        read(np.array(data, dtype))
    with pytest.raises(numpys.type):  # code written for numpy (or for chainrule's TypeError of before) catches it
        read(Tensor(np.array(data, dtype)))


def test_one_element_reads_as_torchs():
    """A one-element tensor reads as PyTorch's does, and a 0-d integer one is an index as PyTorch's and
    numpy's are (it was refused): `names[t.argmax()]` works."""
    for data in ([2], [[2]], 2):
        ours, theirs = Tensor(np.array(data, np.int64)), torch.tensor(data)
        for read in (float, int, bool, complex, lambda t: t.item()):
            assert read(ours) == read(theirs) and type(read(ours)) is type(read(theirs))
    assert operator.index(Tensor(np.array(2))) == 2 and operator.index(Tensor(np.array(True))) == 1
    assert ["a", "b", "c"][Tensor([1.0, 5.0, 2.0]).argmax()] == "b" and list(range(Tensor(np.array(2)))) == [0, 1]
    with pytest.raises(TypeError, match=r"dtype float32 and shape \(\) used as an index.*astype"):
        operator.index(Tensor(2.0))


def test_numpy_indexes_with_a_one_element_tensor_as_with_its_array():
    """A one-element tensor of shape (1,) is no index (PyTorch's is, so that numpy's a[t] drops an axis
    that a[array] keeps): numpy indexes with its array, as ever."""
    with pytest.raises(TypeError, match=r"shape \(1,\) used as an index: only a 0-d integer tensor"):
        operator.index(Tensor(np.array([1])))
    eye = np.eye(4)
    assert eye[Tensor(np.array([1]))].shape == eye[np.array([1])].shape == (1, 4)
    assert eye[Tensor(np.array(1))].shape == (4,)
    assert eye[Tensor(np.array([1, 3]))].tolist() == eye[[1, 3]].tolist()


def test_the_fix_bool_names_gives_the_truth_of_every_element():
    """bool(t)'s refusal said "ask (t > 0).any() or (t > 0).all()", which a negative element answers wrongly:
    for t = [-1, 2], (t > 0).all() is False where every element is true. It names t.any() and t.all()."""
    t = Tensor([-1.0, 2.0])
    with pytest.raises(autograd.NotOneElementError, match=r"ask t\.any\(\) or t\.all\(\)") as refused:
        bool(t)
    assert "> 0" not in str(refused.value)
    assert bool(t.all()) and bool(t.any()) and not bool(Tensor([0.0, 2.0]).all())  # the fix's answers are right


def test_complex_of_many_elements_names_complex():
    """complex(t) fell back to float(t) and its refusal said "float() of a tensor": it names complex()."""
    with pytest.raises(autograd.NotOneElementError, match=r"^complex\(\) of a tensor of shape \(2,\)"):
        complex(Tensor([1.0, 2.0]))
    assert complex(Tensor([2.0])) == complex(torch.tensor([2.0])) == 2 + 0j
