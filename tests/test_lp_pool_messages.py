"""The refusals of lp_pool and of the p-norm rows (pdist, cdist, pairwise_distance, normalize) name the function the
user called and the user's dtype: each said "lp_pool" (from pdist too), and a float32 pool taken in float64 said its
steps "leave float64's range" (then no word of float32), suggesting nothing the user could see was wrong."""

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor


def _refusal(fn, data, dtype, second=True):
    x = Tensor(np.array(data, dtype), requires_grad=True)
    with np.errstate(all="ignore"), pytest.raises(FloatingPointError) as caught:
        fn(x).sum().backward(create_graph=second)
        x.grad.sum().backward()
    return str(caught.value)


def test_a_float32_pool_taken_in_float64_names_float32():
    """[1e-30, 1e-30] at p = 7: its sum leaves float32, so the window is taken in float64, whose root's second
    slope y^-13 leaves float64 too."""
    message = _refusal(lambda x: F.lp_pool1d(x[None, None], 7.0, 2), [1e-30, 1e-30], np.float32)
    assert message.startswith("lp_pool1d at p = 7.0:"), message
    assert "float32 input" in message and "float64's range" in message, message


def test_a_float32_pool_taken_in_float32_names_float32():
    message = _refusal(lambda x: F.lp_pool2d(x[None, None, None], 7.0, (1, 2)), [1e4, 1e4], np.float32)
    assert message.startswith("lp_pool2d at p = 7.0:") and "float32's range" in message, message
    assert "take the pool in float64" in message, message


def test_a_layer_names_itself():
    message = _refusal(lambda x: nn.LPPool1d(7.0, 2)(x[None, None]), [1e-25, 1e-25], np.float64)
    assert message.startswith("LPPool1d at p = 7.0:") and "float64's range" in message, message
    assert "take the pool in float64" not in message, message


@pytest.mark.parametrize(
    ("name", "fn", "at"),
    [
        ("pdist", lambda x, p: F.pdist(x, p), "(0,)"),
        ("cdist", lambda x, p: F.cdist(x[:1], x[1:], p), "(0, 0)"),
        ("pairwise_distance", lambda x, p: F.pairwise_distance(x[:1], x[1:], p, eps=0.0), "(0,)"),
    ],
)
@pytest.mark.parametrize("p", [3.0, 20.0])
def test_the_distances_name_themselves(name, fn, at, p):
    """float32 [1e-30, 1e-31] from 0: at p = 3 the gradient is taken straight (no second derivatives), at p = 20
    the second derivatives' steps leave float32."""
    message = _refusal(lambda x: fn(x, p), [[1e-30, 1e-31], [0.0, 0.0]], np.float32)
    assert message.startswith(f"{name} at p = {p}:"), message
    assert "lp_pool" not in message and "window" not in message, message
    if p == 20.0:  # the row's index among the rows (its norm's kept axis of one left out): (0, 0) before
        assert f"the row at {at} " in message, message


def test_a_sum_lost_at_the_bottom_names_the_pool():
    x = Tensor(np.array([[[5e-324, 5e-324]]]), requires_grad=True)
    with np.errstate(all="ignore"), pytest.raises(FloatingPointError, match=r"^lp_pool1d at p = 20.0: .*float64"):
        F.lp_pool1d(x, 20.0, 2)


def test_one_create_graph_backward_reads_the_extremes_once(monkeypatch):
    """The first-order check (`_trouble`) and the second-order one (`refuse_second_order`) each read the extremes of
    |g|, y and |x|: six passes over the batch for one backward; now three, shared."""
    import nn.lp_pool_direct as direct

    reads = []
    real = direct.extremes
    monkeypatch.setattr(direct, "extremes", lambda a: reads.append(a.shape) or real(a))
    import nn.lp_pool_second_order as second_order

    monkeypatch.setattr(second_order, "extremes", lambda a: reads.append(a.shape) or real(a))
    x = Tensor(np.random.default_rng(0).uniform(0.01, 1, (2, 3, 8, 8)).astype(np.float32), requires_grad=True)
    F.lp_pool2d(x, 3.0, 2).sum().backward(create_graph=True)
    assert sorted(reads) == sorted([(2, 3, 4, 4), (2, 3, 4, 4), (2, 3, 8, 8)]), reads
