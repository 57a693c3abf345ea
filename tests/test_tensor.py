"""Tensor: construction, dtypes, gradients' lifetime, the graph core's modes, and bad input."""

import math
import threading
import warnings

import numpy as np
import pytest

from autograd import (
    AnomalyError,
    Op,
    ShapeError,
    Tensor,
    detect_anomaly,
    exp,
    grad,
    gradcheck,
    gradients,
    no_grad,
    zero_grad,
)


def test_construction_and_dtypes():
    assert Tensor([1, 2, 3]).dtype == np.float32  # Python lists become float32
    assert Tensor(2.5).dtype == np.float32 and Tensor(2.5).shape == ()
    assert Tensor(np.zeros(2, np.float64)).dtype == np.float64  # float64 is kept
    assert Tensor(np.zeros(2, np.float32)).dtype == np.float32
    assert Tensor(np.zeros(2, np.float16)).dtype == np.float32
    assert Tensor(np.array([1, 2])).dtype.kind == "i"  # integer arrays stay, as labels
    assert Tensor([1, 2], dtype=np.float64).dtype == np.float64


def test_numpy_2_promotion_keeps_float32_with_python_numbers():
    x = Tensor(np.ones(3, np.float32))
    assert (x * 2.5).dtype == np.float32
    assert (1 / x + 3).dtype == np.float32
    assert (x**2).dtype == np.float32
    assert (x * np.ones(3)).dtype == np.float64  # a float64 array is a strong type
    w = Tensor(np.ones(3, np.float32), requires_grad=True)
    (w * 0.1).sum().backward()
    assert w.grad.dtype == np.float32


def test_array_like_protocol():
    x = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True, label="x")
    assert (x.shape, x.ndim, x.size, len(x)) == ((2, 3), 2, 6, 2)
    assert x.T.shape == (3, 2) and np.asarray(x.detach()).shape == (2, 3) and x.numpy() is x.data
    assert x.sum().item() == 15.0
    d = x.detach()
    assert d.data is x.data and not d.requires_grad and d.op is None
    r = np.ones((2, 3)) * x  # numpy hands the product to Tensor
    assert isinstance(r, Tensor) and r.op.name == "*"
    assert "requires_grad=True" in repr(x) and "label='x'" in repr(x)
    assert "op='sum'" in repr(x.sum()) and x.sum(axis=1).op_params == {"axis": 1, "keepdims": False}
    with pytest.raises(TypeError, match="0-d"):
        len(Tensor(1.0))


def test_bad_construction():
    with pytest.raises(TypeError, match="Tensor\\(\\) needs numbers, got str"):
        Tensor("abc")
    with pytest.raises(TypeError, match="only floating-point tensors can require gradients, got dtype int"):
        Tensor(np.array([1, 2]), requires_grad=True)
    with pytest.raises(TypeError, match="use .detach\\(\\)"):
        Tensor(Tensor([1.0]))
    with pytest.raises(TypeError, match="cannot combine a Tensor with str"):
        Tensor([1.0]) + "a"


def test_grad_is_none_until_reached_and_kept_on_leaves_only():
    w = Tensor(np.ones(3), requires_grad=True)
    unused = Tensor(np.ones(3), requires_grad=True)
    assert w.grad is None
    h = w * 2
    kept = (w * 3).retain_grad()
    (h.sum() + kept.sum()).backward()
    assert w.grad.tolist() == [5.0, 5.0, 5.0] and unused.grad is None
    assert kept.grad.tolist() == [1.0, 1.0, 1.0]
    with pytest.warns(UserWarning, match="retain_grad"):  # as PyTorch's: a computed tensor's None is told
        assert h.grad is None


def test_retain_grad_on_a_tensor_that_does_not_require_grad_raises_as_torchs():
    """It set a flag that no backward ever read: .grad stayed None without a word (PyTorch raises:
    "can't retain_grad on Tensor that has requires_grad=False")."""
    for t in (Tensor(np.ones(3)), Tensor(np.ones(3), requires_grad=True).detach()):
        with pytest.raises(RuntimeError, match=r"retain_grad\(\) on a tensor that does not require grad"):
            t.retain_grad()
    w = Tensor(np.ones(3), requires_grad=True)
    assert w.retain_grad() is w  # a leaf keeps its gradient anyway


def test_gradients_accumulate_across_backward_and_reset_with_zero_grad():
    w = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    y = (w * w).sum()
    y.backward()
    y.backward()
    assert w.grad.tolist() == [4.0, 8.0]
    zero_grad([w])
    assert w.grad is None


def test_leaf_gradients_are_arrays_of_their_own():
    a = Tensor(np.ones(3), requires_grad=True)
    b = Tensor(np.ones(3), requires_grad=True)
    (a + b).sum().backward()  # the rule of + hands one array to both
    assert a.grad is not b.grad
    a.grad *= 2  # writable, and b's gradient is untouched
    assert b.grad.tolist() == [1.0, 1.0, 1.0]


def test_reused_tensor_gets_the_sum_of_its_gradients():
    x = Tensor(np.array([3.0]), requires_grad=True)
    b = x + x
    (b + b).sum().backward()
    assert x.grad.tolist() == [4.0]


def test_constants_get_no_gradient():
    x = Tensor(np.ones((2, 2)))
    w = Tensor(np.ones((2, 2)), requires_grad=True)
    (x @ w).sum().backward()
    assert x.grad is None and w.grad is not None
    assert not (x @ x).requires_grad and (x @ x).op is None


def test_backward_of_a_non_scalar_needs_a_seed():
    w = Tensor(np.ones((2, 3)), requires_grad=True)
    y = w * 2
    with pytest.raises(ShapeError, match=r"backward\(\) on a tensor of shape \(2, 3\) needs a gradient of that shape"):
        y.backward()
    y.backward(np.full((2, 3), 0.5))
    assert np.all(w.grad == 1.0)
    with pytest.raises(ShapeError, match=r"the gradient has shape \(3,\), the tensor \(2, 3\)"):
        y.backward(np.ones(3))
    with pytest.raises(RuntimeError, match="does not require grad"):
        Tensor([1.0]).sum().backward()


def test_shape_mismatch_names_the_op_and_both_shapes():
    with pytest.raises(ShapeError, match=r"\+: shapes \(2, 3\) and \(4,\) do not fit"):
        Tensor(np.ones((2, 3))) + Tensor(np.ones(4))
    with pytest.raises(ShapeError, match=r"@: shapes \(2, 3\) and \(2, 3\) do not fit"):
        Tensor(np.ones((2, 3))) @ np.ones((2, 3))
    with pytest.raises(ShapeError, match=r"concatenate: shapes \(2, 3\) and \(3, 3\) do not fit"):
        from autograd import concatenate

        concatenate([np.ones((2, 3)), Tensor(np.ones((3, 3)))], axis=1)


def test_a_gradient_of_the_wrong_shape_is_an_error_naming_the_op_and_both_shapes():
    summed = Op("sloppy", lambda x: x * 2, lambda g, out, x: (g.sum(axis=0),))
    w = Tensor(np.ones((4, 3)), requires_grad=True)
    with pytest.raises(
        ShapeError, match=r"rule of op 'sloppy' gave a gradient of shape \(3,\) for input 0 of shape \(4, 3\)"
    ):
        summed(w).sum().backward()


def test_changing_data_in_place_after_use_is_detected():
    w = Tensor(np.ones(3), requires_grad=True, label="w")
    y = (w * w).sum()
    w.data -= 0.1  # an optimizer step before the backward
    with pytest.raises(RuntimeError, match=r"tensor 'w' was changed in place after \* used it"):
        y.backward()
    y = (w * w).sum()
    y.backward()  # a graph built after the change is fine
    x = Tensor(np.ones(2), requires_grad=True)
    z = (x.exp()).sum()
    with no_grad():
        x[0] = 5.0
    with pytest.raises(RuntimeError, match=r"tensor of shape \(2,\) was changed in place after exp used it"):
        z.backward()


def test_assignment_into_a_tensor_that_requires_grad_needs_no_grad():
    x = Tensor(np.ones(2), requires_grad=True)
    with pytest.raises(RuntimeError, match="do it under autograd.no_grad"):
        x[0] = 3.0
    with no_grad():
        x[0] = 3.0
    assert x.data.tolist() == [3.0, 1.0]


def test_no_grad_and_its_thread_locality_for_tensors():
    w = Tensor(np.ones(2), requires_grad=True)
    with no_grad():
        y = w * 2
    assert not y.requires_grad and y.op is None
    seen = {}
    t = threading.Thread(target=lambda: seen.setdefault("req", (w * 2).requires_grad))
    with no_grad():
        t.start()
        t.join()
    assert seen["req"]


def test_detect_anomaly_names_the_op_that_made_nan():
    x = Tensor(np.array([1.0, -1.0]), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # which element, from which input, how many: "gave array of shape (2,)" said none of it
        message = (
            r"log\(array of shape \(2,\)\) gave nan at \[1\], where the input is -1.0 \(1 of 2 elements not finite"
        )
        with detect_anomaly(), pytest.raises(AnomalyError, match=message):
            x.log()
        y = (x * 0).sqrt().sum()
        with detect_anomaly(), pytest.raises(AnomalyError, match=r"backward of sqrt.* gave inf at \[0\] \(2 of 2"):
            y.backward()


def test_gradcheck_on_float32_checks_in_float64_and_says_so():
    x = np.array([0.3, -0.7], np.float32)
    with pytest.warns(UserWarning, match="input 0 is float32; checking in float64"):
        assert gradcheck(lambda t: (t.tanh() * t).sum(), [x])


def test_gradcheck_reports_tensor_elements():
    wrong = Op("wrong", lambda x: x * x, lambda g, out, x: (g * 3 * x,))
    with pytest.raises(AssertionError, match=r"input 0\[1\] +2 +6 +4 .*<- fails"):
        gradcheck(lambda t: wrong(t).sum(), [np.array([0.0, 2.0])])


def test_grad_and_gradients_on_arrays():
    f = lambda x: (x**3).sum()  # noqa: E731
    x = np.array([1.0, 2.0])
    assert grad(f)(x).tolist() == [3.0, 12.0]
    assert grad(lambda x: grad(f)(x).sum())(x).tolist() == [6.0, 12.0]
    w = Tensor(x, requires_grad=True)
    (g,) = gradients((w * w).sum(), [w])
    assert g.tolist() == [2.0, 4.0] and w.grad is None


def test_user_op_on_tensors_with_the_same_functions_as_scalars():
    softplus = Op("softplus", lambda x: np.log1p(np.exp(x)), lambda g, out, x: (g * (1 - exp(-out)),))
    x = np.array([-1.0, 0.5, 2.0])
    assert gradcheck(lambda t: softplus(t).sum(), [x])
    assert gradcheck(lambda t: grad(lambda u: softplus(u).sum())(t).sum(), [x])
    assert math.isclose(softplus(0.0), math.log(2.0))
