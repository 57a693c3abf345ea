"""`x in t`, f"{t:.3f}", copy.copy(t) and pickle of a Tensor, each compared with PyTorch 2.13's answer.
Before: `2.0 in Tensor(2.0)` was False and `2.0 in` a matrix raised; f"{Tensor(2.5):.2f}" was a TypeError;
copy.copy(t) took t's `.grad` array (a backward into the copy added onto the original's gradient); a computed
tensor's copy or pickle kept (or failed on) its place in the graph with a misleading error."""

import copy
import pickle
from fractions import Fraction

import numpy as np
import pytest
import torch

import autograd
from autograd import Tensor, Value

M = np.array([[1.0, 2.0], [3.0, 4.0]])


@pytest.mark.parametrize(
    "data, x",
    [
        (2.0, 2.0),
        (2.0, 3.0),
        (M, 4.0),
        (M, 5),
        (M, np.float32(3.0)),
        (M, np.array([3.0, 4.0])),
        (M, np.array([4.0, 3.0])),
    ],
)
def test_in_asks_whether_any_element_equals_it_as_torchs(data, x):
    ours = x in Tensor(data)
    theirs = (torch.tensor(x) if isinstance(x, np.ndarray) else x) in torch.tensor(data)
    assert ours is theirs


def test_in_takes_a_tensor_and_refuses_what_is_no_number():
    assert Tensor([3.0, 4.0]) in Tensor(M)
    assert Tensor([4.0, 4.0]) in Tensor(M)  # any element equal, broadcast: torch's answer too
    assert torch.tensor([4.0, 4.0]) in torch.tensor(M)
    for other in ("a", [3.0, 4.0], None):
        with pytest.raises(TypeError, match=r"^`x in t` takes a number or a tensor"):
            other in Tensor(M)  # noqa: B015
        with pytest.raises(RuntimeError, match="only supports Tensor or scalar"):
            other in torch.tensor(M)  # noqa: B015
    for other in (1 + 0j, np.array(["a"]), np.array([None])):  # no number a Tensor holds: was AttributeError or False
        with pytest.raises(TypeError, match=r"^`x in t` takes a number or a tensor"):
            other in Tensor(M)  # noqa: B015
    for other in (Fraction(3), 2**70):  # real numbers `==` cannot compare: was AttributeError ('bool' ... 'any')
        with pytest.raises(
            TypeError, match=r"^`x in t` takes a number or a tensor .*, which it cannot compare: give float\(x\)$"
        ):
            other in Tensor(M)  # noqa: B015
    assert float(Fraction(3)) in Tensor(M)


def test_a_0d_tensor_formats_its_number_as_torchs():
    for data in (2.5, np.float32(1 / 3), np.int64(7)):
        for spec in (".2f", ">8.3e", "g"):
            assert f"{Tensor(data, dtype=np.asarray(data).dtype):{spec}}" == f"{torch.tensor(data):{spec}}"
    t = Tensor(2.5, requires_grad=True)
    assert f"{t * 2:.1f}" == "5.0"  # a computed one too, as torch's
    assert f"{t}" == str(t)  # no spec: as before
    printed = []  # inside a transform, as a Value's and torch.func.grad's: was a TypeError ("would drop its gradient")
    assert autograd.grad(lambda x: printed.append(f"{x:.2f}") or (x * x).sum())(Tensor(1.5)).item() == 3.0
    assert printed == ["1.50"]
    with pytest.raises(TypeError, match="unsupported format string"):
        f"{Tensor([2.5]):.2f}"  # noqa: B018 (more than 0-d: refused, as torch's and numpy's)
    with pytest.raises(TypeError, match="unsupported format string"):
        f"{torch.tensor([2.5]):.2f}"  # noqa: B018


def test_copy_of_a_leaf_shares_its_data_not_its_grad_as_torchs():
    w = Tensor(np.ones(2), requires_grad=True, label="w")
    w.grad = np.full(2, 3.0)
    c = copy.copy(w)
    assert c is not w and c.requires_grad and c.label == "w" and c.grad is None  # torch's copy has no grad
    tw = torch.ones(2, requires_grad=True)
    tw.grad = torch.full((2,), 3.0)
    assert copy.copy(tw).grad is None
    (c * 2).sum().backward()
    assert w.grad.tolist() == [3.0, 3.0] and c.grad.tolist() == [2.0, 2.0]  # c.grad was [5, 5]
    c.data[0] = 7.0  # the same data, as torch's copy shares its storage
    assert w.data[0] == 7.0


@pytest.mark.parametrize("what, copier", [("copy.copy", copy.copy), ("pickle", lambda t: pickle.dumps(t))])
def test_a_computed_tensor_is_refused_by_copy_and_pickle_as_by_deepcopy(what, copier):
    x = Tensor(np.ones(2), requires_grad=True)
    for y in (x * 2, x @ x, x.sum()):  # x @ x pickled, and its copy's backward blamed a change in place
        with pytest.raises(RuntimeError, match=rf"^{what} of a tensor computed in a graph .*t\.detach\(\)"):
            copier(y)
        copier(y.detach())
    assert pickle.loads(pickle.dumps(x)).requires_grad  # noqa: S301 (a leaf pickles, as before)


def test_a_value_formats_its_number_as_a_0d_tensor_does():
    """f"{loss:.4f}" of a Value was Python's bare TypeError; torch's 0-d tensor formats its number."""
    v = Value(2.0) * 1.25
    assert f"{v:.2f}" == f"{torch.tensor(2.5):.2f}" == "2.50"
    assert f"{v:>8.1e}" == f"{torch.tensor(2.5):>8.1e}"
    assert f"{v}" == str(v)  # no spec: as before
    printed = []
    assert autograd.grad(lambda x: printed.append(f"{x:.2f}") or x * 2)(1.5) == 2.0  # a transform's too
    assert printed == ["1.50"]
