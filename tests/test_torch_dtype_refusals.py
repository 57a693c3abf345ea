"""Where PyTorch 2.13 refuses a dtype, chainrule refuses it too, in one clear TypeError, rather than give a number
PyTorch would not: logcumsumexp of ints and bools (numpy's logaddexp took them as float64), median of bools, and a
scatter src of another dtype than the input (promoted: float32 zeros came back float64)."""

import numpy as np
import pytest

from autograd import Tensor

torch = pytest.importorskip("torch")


@pytest.mark.parametrize("data", [np.array([1, 2, 3]), np.array([True, False, True])])
def test_logcumsumexp_of_ints_and_bools_is_refused_as_torchs(data):
    with pytest.raises(NotImplementedError):
        torch.logcumsumexp(torch.tensor(data), 0)
    with pytest.raises(TypeError, match=rf"logcumsumexp needs a float tensor .*got {data.dtype}: \.astype\(float\)"):
        Tensor(data).logcumsumexp(0)


def test_median_of_bools_is_refused_as_torchs_and_of_ints_is_an_int_as_torchs():
    flags = np.array([True, False, True])
    for theirs in (lambda t: torch.median(t), lambda t: torch.median(t, 0)):
        with pytest.raises(NotImplementedError):
            theirs(torch.tensor(flags))
    for mine in (lambda t: t.median(), lambda t: t.median(0)):
        with pytest.raises(TypeError, match=r"median\(\) of a bool tensor.*\.astype\(int\)"):
            mine(Tensor(flags))
    ints = np.array([3, 1, 2, 5])
    assert Tensor(ints).median().item() == torch.median(torch.tensor(ints)).item() == 2
    assert Tensor(ints).median().dtype == np.int64


@pytest.mark.parametrize("src", [np.array([1.0, 2.0]), np.array([1, 2])])
def test_scatter_of_a_src_of_another_dtype_is_refused_as_torchs(src):
    with pytest.raises(RuntimeError, match="Expected self.dtype to be equal to src.dtype"):
        torch.zeros(3).scatter(0, torch.tensor([0, 1]), torch.tensor(src))
    x = Tensor(np.zeros(3, dtype=np.float32))
    with pytest.raises(TypeError, match=rf"scatter: src of {src.dtype} into a tensor of float32; give src\.astype"):
        x.scatter(0, np.array([0, 1]), Tensor(src, dtype=src.dtype))
    same = x.scatter(0, np.array([0, 1]), Tensor(src.astype(np.float32), dtype=np.float32))
    assert same.dtype == np.float32 and same.tolist() == [1.0, 2.0, 0.0]
    assert x.scatter(0, np.array([0, 1]), 2).dtype == np.float32  # a number is a value, cast (torch's too)


def test_scatter_of_a_list_src_of_another_dtype_names_a_fix_a_list_has():
    """A list has no astype, which the message asked for: it names np.asarray, which then runs."""
    x, at = Tensor(np.zeros(3, dtype=np.float32)), np.array([0, 1])
    with pytest.raises(
        TypeError, match=r"src of float64 into a tensor of float32; give np\.asarray\(src, dtype=np\.float32\)"
    ):
        x.scatter(0, at, [1.5, 2.5])
    assert x.scatter(0, at, np.asarray([1.5, 2.5], dtype=np.float32)).tolist() == [1.5, 2.5, 0.0]
