"""A transform given a Python number traces it as a Value, and runs f again with it as a 0-d Tensor when f combines
it with a tensor. What f changed on the first run stayed changed, so a model in training mode run on the way moved
BatchNorm's running statistics twice (num_batches_tracked 2 after one grad call) and drew its dropout masks twice,
silently. Such a run is now refused, naming the cause and the fix (the number as a 0-d array, traced as a Tensor from
the start: f runs once); an f that changed nothing runs again as before."""

import threading

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor

X = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75], [0.1, 0.2, 0.3]])


def _number(x):
    """A transform's answer as a float (a 0-d Tensor's, for an array argument)."""
    return float(np.asarray(getattr(x, "data", x)))


def _batch_norm_model():
    return nn.Sequential(nn.Linear(3, 4, seed=0), nn.BatchNorm1d(4))


@pytest.mark.parametrize("transform", ["grad", "value_and_grad", "hessian"])
def test_a_run_that_moved_running_statistics_is_not_run_again(transform):
    model = _batch_norm_model()
    before = model[1].running_mean.copy()
    f = getattr(autograd, transform)(lambda s: (model(Tensor(X)) * s).sum())
    with pytest.raises(TypeError, match=r"np\.array\(1\.5\)") as caught:
        f(1.5)
    assert "changed" in str(caught.value) and "twice" in str(caught.value)
    # the first run's change is the only one: once, not twice
    assert int(model[1].num_batches_tracked) == 1
    once = _batch_norm_model()
    once(Tensor(X))
    np.testing.assert_array_equal(model[1].running_mean, once[1].running_mean)
    assert not np.array_equal(model[1].running_mean, before)


def test_a_run_that_drew_a_dropout_mask_is_not_run_again():
    dropout = nn.Dropout(0.5, seed=3)
    with pytest.raises(TypeError, match="random draw"):
        autograd.grad(lambda s: (dropout(Tensor(X)) * s).sum())(1.5)


def test_the_fix_the_message_names_runs_f_once():
    model = _batch_norm_model()
    g = autograd.grad(lambda s: (model(Tensor(X)) * s).sum())(np.array(1.5))
    assert int(model[1].num_batches_tracked) == 1
    once = _batch_norm_model()
    expected = once(Tensor(X)).detach().sum().item()
    assert _number(g) == pytest.approx(expected, rel=1e-6)


def test_a_run_that_changed_nothing_still_runs_again():
    w = Tensor(np.array([1.0, 2.0, 3.0]))
    assert autograd.grad(lambda s: (w * s).sum())(1.5) == pytest.approx(6.0)
    model = _batch_norm_model().eval()  # no statistics moved: runs again, as before
    g = autograd.grad(lambda s: (model(Tensor(X)) * s).sum())(1.5)
    assert _number(g) == pytest.approx(model(Tensor(X)).sum().item())


def test_a_narrow_float_traced_as_a_tensor_is_not_run_again_as_a_value_after_a_draw():
    """np.float32 is traced as a 0-d Tensor first; meeting a Value, f would run again with it as a Value."""
    v = autograd.Value(2.0)

    def f(s):
        autograd.drawn(lambda: np.ones(2))  # a draw: a generator would move twice
        return v * s

    with pytest.raises(TypeError, match=r"float\(x\)"):
        autograd.grad(f)(np.float32(1.5))
    assert autograd.grad(lambda s: v * s)(np.float32(1.5)) == pytest.approx(2.0)  # nothing changed: runs again


def test_a_run_that_changed_only_its_own_tensors_still_runs_again():
    """Tensors f makes and changes in place are gone after its run: running it again changes nothing seen twice."""
    w = Tensor(np.array([1.0, 2.0, 3.0]))

    def written(s):
        y = autograd.zeros(3)
        y[0] = 4.0  # f's own tensor, written in place
        return (y * w * s).sum()

    def added(s):
        y = w * 1.0
        y += 1.0
        return (y * s).sum()

    assert autograd.grad(written)(1.5) == pytest.approx(4.0)
    assert autograd.grad(added)(1.5) == pytest.approx(9.0)
    np.testing.assert_array_equal(w.data, [1.0, 2.0, 3.0])


def test_a_change_through_a_view_of_an_outside_tensor_is_seen():
    """f's own view of a tensor that outlives it shares that tensor's count: the change is the tensor's."""
    w = Tensor(np.array([1.0, 2.0, 3.0]))

    def f(s):
        view = w[0:2]
        view += 1.0  # w changes: twice if f ran again
        return (w * s).sum()

    with pytest.raises(TypeError, match="changed a tensor in place"):
        autograd.grad(f)(1.5)
    np.testing.assert_array_equal(w.data, [2.0, 3.0, 3.0])


def test_a_change_made_by_a_nested_transform_is_seen_by_the_outer_one():
    model = _batch_norm_model()

    def f(s):
        autograd.grad(lambda t: (model(Tensor(X)) * t).sum())(np.array(2.0))  # moves the statistics once
        return (Tensor(X) * s).sum()

    with pytest.raises(TypeError, match="changed a tensor in place"):
        autograd.grad(f)(1.5)
    assert int(model[1].num_batches_tracked) == 1


def test_a_run_that_added_into_a_grad_outside_f_is_not_run_again():
    """backward inside f adds into the .grad of a tensor that outlives it: twice would double it (4, not 2)."""
    p = Tensor(np.ones(3), requires_grad=True)

    def f(s):
        (p * 2.0).sum().backward()
        return (Tensor(X) * s).sum()

    with pytest.raises(TypeError, match="changed a tensor in place"):
        autograd.grad(f)(1.5)
    np.testing.assert_array_equal(p.grad, [2.0, 2.0, 2.0])

    def local(s):  # a leaf of f's own: its .grad goes with it
        q = Tensor(np.ones(3), requires_grad=True)
        (q * 2.0).sum().backward()
        return (Tensor(X) * s).sum()

    assert autograd.grad(local)(1.5) == pytest.approx(X.sum())


def test_a_change_is_noted_for_the_transform_of_its_own_thread():
    """Two threads each in a transform, B's started while A's f runs: A's change of its tensor was noted in B's list
    (one for all threads), A saw none and ran f again, changing the tensor twice."""
    w = Tensor(np.zeros(3))
    a_in_f, b_started, a_done = threading.Event(), threading.Event(), threading.Event()
    outcome = {}

    def in_a(s):
        a_in_f.set()
        assert b_started.wait(10)
        w.data += 1.0  # in place: the change A's transform must see
        return (Tensor(X) * s).sum()

    def run_a():
        try:
            autograd.grad(in_a)(1.5)
            outcome["a"] = "ran again"
        except TypeError as e:
            outcome["a"] = str(e)
        finally:
            a_done.set()

    def in_b(s):
        b_started.set()
        assert a_done.wait(10)
        return s * 2.0

    a = threading.Thread(target=run_a)
    a.start()
    try:
        assert a_in_f.wait(10)
        assert autograd.grad(in_b)(1.5) == pytest.approx(2.0)
    finally:
        b_started.set()
        a.join(10)
    assert "changed a tensor in place" in outcome["a"]
    np.testing.assert_array_equal(w.data, [1.0, 1.0, 1.0])


def test_the_notes_of_a_long_run_hold_only_what_still_lives():
    """An f that writes 2,000 tensors of its own in place (a loop) and one buffer 2,000 times: the notes grew by one
    per change (4,000); now one per array still alive, the buffer's."""
    from autograd.tensor_versions import CHANGED

    w = Tensor(np.zeros(3))
    sizes = []

    def f(s):
        for _ in range(2000):
            y = autograd.zeros(3)
            y += 1.0
            w.data += 1.0
        del y
        sizes.append(len(CHANGED.changes))
        return (Tensor(X) * s).sum()

    with pytest.raises(TypeError, match="changed a tensor in place"):
        autograd.grad(f)(1.5)
    assert sizes == [1]


def test_a_draw_of_a_tensor_that_requires_grad_is_seen():
    """randn(..., requires_grad=True) draws outside autograd.drawn (a parameter is no constant to draw again): the
    generator moved twice, silently, and f's second run drew other numbers than its first."""
    autograd.manual_seed(0)
    calls = []

    def f(s):
        calls.append(autograd.randn(3, requires_grad=True).data.copy())
        return (Tensor(X) * s).sum()

    with pytest.raises(TypeError, match="random draw"):
        autograd.grad(f)(1.5)
    assert len(calls) == 1
