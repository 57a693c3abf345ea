"""nn's losses, optimizers and fit where they could be silently wrong: gradients to targets, confident
predictions in float32, parameters given twice, Adam's corner cases, a torn step on Ctrl-C, bad arguments."""

import numpy as np
import pytest

import nn
from autograd import ShapeError, Tensor, Value
from nn import functional as F


def _torch_bce(p, t):
    """PyTorch's binary_cross_entropy (mean) and its gradients in p and t, in float64: each log held at -100
    or above, d/dp = (p - t) / max(p (1 - p), 1e-12), d/dt = -logit(p)."""
    with np.errstate(divide="ignore"):
        log_p, log_1p = np.log(p), np.log(1 - p)
        loss = -np.mean(t * np.maximum(log_p, -100) + (1 - t) * np.maximum(log_1p, -100))
    return loss, (p - t) / np.maximum(p * (1 - p), 1e-12) / p.size, (log_1p - log_p) / p.size


# ---- 1. targets that require grad get their gradient ----


def test_losses_send_gradients_to_targets_that_require_grad():
    p_data, t_data = np.array([0.2, 0.7, 0.4]), np.array([0.1, 0.9, 0.5])
    labels = np.array([1.0, -1.0, 1.0])
    expected = {
        F.mse_loss: (t_data, -2 * (p_data - t_data) / 3),
        F.l1_loss: (t_data, -np.sign(p_data - t_data) / 3),
        F.binary_cross_entropy: (t_data, _torch_bce(p_data, t_data)[2]),
        F.hinge_loss: (labels, -p_data * (1 - p_data * labels > 0) / 3),
    }
    for loss, (target, grad) in expected.items():
        p, t = Tensor(p_data, requires_grad=True), Tensor(target, requires_grad=True)
        loss(p, t).backward()
        assert np.allclose(t.grad, grad), loss.__name__
        ps, ts = [Value(x) for x in p_data], [Value(x) for x in target]
        loss(ps, ts).backward()
        assert np.allclose([v.grad for v in ts], grad), loss.__name__
        assert np.allclose([v.grad for v in ps], p.grad), loss.__name__
    v, w = Value(0.3), Value(0.5)
    F.mse_loss(v, w).backward()
    assert w.grad == pytest.approx(-2 * (0.3 - 0.5))


def test_target_tensors_keep_refusing_another_shape():
    with pytest.raises(ShapeError, match=r"predictions of shape \(3, 1\) and targets of shape \(3,\) differ.*reshape"):
        F.mse_loss(Tensor(np.zeros((3, 1))), Tensor(np.zeros(3), requires_grad=True))


def test_plain_targets_stay_constants():
    p = Tensor(np.array([0.5, 1.5]), requires_grad=True)
    target = np.array([1.0, 1.0])
    F.mse_loss(p, target).backward()
    assert np.allclose(p.grad, [-0.5, 0.5]) and np.array_equal(target, [1.0, 1.0])


# ---- 2. binary cross-entropy on confident predictions ----


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_binary_cross_entropy_matches_pytorch_on_confident_predictions(dtype):
    p_data = np.array([1.0, 1 - 1e-9, 0.0, 1.0, 1 - 1e-9, 0.0, 0.3, 1e-30], dtype=dtype)
    t_data = np.array([1.0, 1.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0], dtype=dtype)
    p, t = Tensor(p_data, requires_grad=True), Tensor(t_data, requires_grad=True)
    loss = F.binary_cross_entropy(p, t)
    loss.backward()
    expected, grad_p, grad_t = _torch_bce(p_data.astype(np.float64), t_data.astype(np.float64))
    assert loss.dtype == dtype and loss.item() == pytest.approx(expected, rel=1e-6)
    assert p.grad.dtype == dtype and np.allclose(p.grad, grad_p, rtol=1e-6)
    finite = np.isfinite(grad_t)  # PyTorch's -logit(p) is infinite at p = 0 or 1; here both logs are held
    assert np.all(np.isfinite(t.grad)) and np.allclose(t.grad[finite], grad_t[finite], rtol=1e-5)


def test_binary_cross_entropy_on_values_of_zero_and_one():
    for p, t in [(1.0, 1.0), (1.0, 0.0), (0.0, 0.0), (0.0, 1.0), (0.25, 1.0)]:
        v = Value(p)
        loss = F.binary_cross_entropy(v, t)
        loss.backward()
        expected, grad, _ = _torch_bce(np.array([p]), np.array([t]))
        assert loss.data == pytest.approx(expected) and v.grad == pytest.approx(grad[0]), (p, t)


# ---- 3. the same parameter twice ----


def test_a_parameter_given_twice_is_stepped_once_with_a_warning():
    for make in (lambda ps: nn.Adam(ps, lr=0.1), lambda ps: nn.SGD(ps, lr=0.1, momentum=0.9)):
        once, twice = (
            Tensor(np.array([1.0, -2.0]), requires_grad=True),
            Tensor(np.array([1.0, -2.0]), requires_grad=True),
        )
        v_once, v_twice = Value(3.0), Value(3.0)
        opt_once = make([once, v_once])
        with pytest.warns(UserWarning, match="got the same parameter twice; it is updated once"):
            opt_twice = make([twice, v_twice, twice, v_twice])
        for w, v in ((once, v_once), (twice, v_twice)):
            w.grad, v.grad = np.array([0.5, 0.25]), 1.0
        opt_once.step()
        opt_twice.step()
        assert np.array_equal(once.data, twice.data) and v_once.data == v_twice.data


# ---- 4. Adam with eps = 0, and arguments out of range ----


def test_adam_with_eps_zero_leaves_a_parameter_with_zero_gradient_where_it_is():
    w = Tensor(np.array([0.5, -0.25], dtype=np.float32), requires_grad=True)
    opt = nn.Adam([w], lr=0.01, eps=0.0)
    for _ in range(200):
        w.grad = np.array([0.0, 0.1], dtype=np.float32)
        opt.step()
    assert w.data[0] == np.float32(0.5)
    assert w.data[1] == pytest.approx(-0.25 - 200 * 0.01, rel=1e-4)  # Adam's step on a constant gradient: lr


@pytest.mark.parametrize(
    ("make", "name"),
    [
        (lambda ps: nn.Adam(ps, lr=-0.1), "lr"),
        (lambda ps: nn.SGD(ps, lr=float("nan")), "lr"),
        (lambda ps: nn.Adam(ps, betas=(1.0, 0.999)), "betas"),
        (lambda ps: nn.Adam(ps, betas=(0.9, -0.1)), "betas"),
        (lambda ps: nn.Adam(ps, eps=-1e-8), "eps"),
        (lambda ps: nn.Adam(ps, weight_decay=-0.1), "weight_decay"),
        (lambda ps: nn.SGD(ps, weight_decay=-0.1), "weight_decay"),
        (lambda ps: nn.SGD(ps, momentum=-0.9), "momentum"),
    ],
)
def test_optimizer_arguments_out_of_range_are_refused(make, name):
    with pytest.raises(ValueError, match=f"{name} must be"):
        make([Value(1.0)])


def test_optimizer_arguments_of_the_wrong_type_are_refused():
    with pytest.raises(TypeError, match="lr must be a finite number >= 0, got str '0.1'"):
        nn.SGD([Value(1.0)], lr="0.1")
    with pytest.raises(TypeError, match=r"betas must be a pair"):
        nn.Adam([Value(1.0)], betas=0.9)


# ---- 5. Adam's moments flushed alike ----


def test_flushing_tiny_moments_keeps_the_step_ratio():
    """m small but v subnormal (float32): with eps = 0 the step is lr * m / sqrt(v), of order lr. Flushing v
    alone (to 0) would turn it into m / 0."""
    w = Tensor(np.zeros(1, dtype=np.float32), requires_grad=True)
    opt = nn.Adam([w], lr=0.01, eps=0.0)
    w.grad = np.zeros(1, dtype=np.float32)
    opt.step()
    state = opt.state[0]
    state["t"], state["m"][:], state["v"][:] = 63, 1e-20, 1e-40
    m, v, expected = np.float64(1e-20), np.float64(np.float32(1e-40)), 0.0
    for t in (64, 65):  # the moments are flushed after the step of t = 64
        opt.step()
        m, v = 0.9 * m, 0.999 * v
        expected -= 0.01 * (m / (1 - 0.9**t)) / np.sqrt(v / (1 - 0.999**t))
    assert np.isfinite(w.data[0]) and w.data[0] == pytest.approx(expected, rel=1e-3)


def test_moments_decayed_to_nothing_are_flushed():
    w = Tensor(np.array([1.0], dtype=np.float32), requires_grad=True)
    opt = nn.Adam([w], lr=0.01)
    w.grad = np.array([1.0], dtype=np.float32)
    opt.step()
    state = opt.state[0]
    state["t"], state["m"][:], state["v"][:] = 127, 1e-33, 1e-34
    opt._since_flush[0] = 63  # the parameter's own count times the flush (nn.optim_flush): the next step is its 64th
    w.grad = np.zeros(1, dtype=np.float32)
    opt.step()
    assert state["m"][0] == 0 and state["v"][0] == 0


def test_float16_moments_are_not_flushed_away():
    """float16's tiny * 1e8 is inf in float16: every moment was below it, and every 64th step zeroed them
    all (and Adam's default eps rounds to 0 there: nothing bounds a flush, none is made)."""
    w = Tensor(np.zeros(2), dtype=np.float16, requires_grad=True)
    opt = nn.Adam([w], lr=1e-3)
    for _ in range(64):
        w.grad = np.array([0.5, -0.25], dtype=np.float16)
        opt.step()
    m = opt.state[0]["m"]
    assert m.tolist() == pytest.approx([0.5 * (1 - 0.9**64), -0.25 * (1 - 0.9**64)], rel=1e-2)


def test_a_tiny_eps_keeps_tiny_moments_that_still_take_steps_as_pytorch():
    """Gradients of 1e-30 in float32 with eps = 1e-30: g * g underflows, v is 0, and m / eps takes whole
    steps; flushing m (below tiny * 1e8) made the 64th step's successor a tenth of PyTorch's."""
    torch = pytest.importorskip("torch")
    g = np.full(3, 1e-30, np.float32)
    ours, theirs = Tensor(np.zeros(3, np.float32), requires_grad=True), torch.zeros(3, requires_grad=True)
    opts = nn.Adam([ours], lr=0.01, eps=1e-30), torch.optim.Adam([theirs], lr=0.01, eps=1e-30)
    for _ in range(70):
        ours.grad, theirs.grad = g.copy(), torch.tensor(g)
        for opt in opts:
            opt.step()
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-6)


# ---- 6. weight decay ----


def test_weight_decay_matches_the_formulas_by_hand():
    start, grads = np.array([0.5, -1.5]), [np.array([0.3, -0.2]) * k for k in (1, -2, 3)]
    w_adam, w_sgd = Tensor(start.copy(), requires_grad=True), Tensor(start.copy(), requires_grad=True)
    adam = nn.Adam([w_adam], lr=0.05, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)
    sgd = nn.SGD([w_sgd], lr=0.05, momentum=0.9, weight_decay=0.1)
    x_adam, x_sgd, m, v, buffer = start.copy(), start.copy(), 0.0, 0.0, None
    for t, g in enumerate(grads, start=1):
        w_adam.grad, w_sgd.grad = g.copy(), g.copy()
        adam.step()
        sgd.step()
        d = g + 0.1 * x_adam  # L2 (PyTorch's Adam), not AdamW's decoupled decay
        m, v = 0.8 * m + 0.2 * d, 0.99 * v + 0.01 * d * d
        x_adam = x_adam - 0.05 * (m / (1 - 0.8**t)) / (np.sqrt(v / (1 - 0.99**t)) + 1e-6)
        d = g + 0.1 * x_sgd
        buffer = d if buffer is None else 0.9 * buffer + d
        x_sgd = x_sgd - 0.05 * buffer
    assert np.allclose(w_adam.data, x_adam, rtol=1e-12) and np.allclose(w_sgd.data, x_sgd, rtol=1e-12)


# ---- 8. more arguments that would be silently wrong ----


def test_loss_of_a_value_against_targets_of_another_size():
    with pytest.raises(ShapeError, match="1 predictions but 3 targets"):
        F.mse_loss(Value(1.0), np.array([1.0, 2.0, 3.0]))


def test_losses_refuse_what_is_not_a_prediction_or_a_target():
    with pytest.raises(TypeError, match="predictions must be a Tensor, a Value or a list of Values, got ndarray"):
        F.mse_loss(np.zeros(3), np.zeros(3))
    with pytest.raises(TypeError, match="targets must be numbers"):
        F.mse_loss(Tensor(np.zeros(1)), None)
    with pytest.raises(TypeError, match="targets must be numbers"):
        F.l1_loss([Value(1.0)], ["a"])
    with pytest.raises(TypeError, match="a Tensor that requires grad"):
        F.mse_loss([Value(1.0)], Tensor(np.ones(1), requires_grad=True))
    with pytest.raises(ValueError, match="no predictions"):
        F.mse_loss([], [])
    with pytest.raises(ValueError, match="no predictions"):
        F.mse_loss(Tensor(np.zeros((0, 1))), np.zeros((0, 1)))


def test_losses_refuse_values_out_of_their_range():
    with pytest.raises(ValueError, match=r"probabilities must lie in \[0, 1\], got 1.5.*sigmoid"):
        F.binary_cross_entropy(Tensor(np.array([0.5, 1.5])), np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match=r"probabilities must lie in \[0, 1\], got nan"):
        F.binary_cross_entropy([Value(float("nan"))], [1.0])
    with pytest.raises(ValueError, match=r"targets must lie in \[0, 1\], got -1.0"):
        F.binary_cross_entropy(Tensor(np.array([0.5, 0.5])), np.array([-1.0, 1.0]))
    with pytest.raises(ValueError, match=r"labels must be -1 or \+1, got 0.0.*2 \* labels - 1"):
        F.hinge_loss([Value(0.5), Value(-0.5)], [0, 1])


def test_accuracy_refuses_sizes_that_do_not_match_instead_of_broadcasting():
    scores = np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]])
    assert F.accuracy(scores, np.array([[1], [0], [0]])) == pytest.approx(2 / 3)  # a column of labels is fine
    with pytest.raises(ShapeError, match=r"3 rows of class scores but labels of shape \(1,\)"):
        F.accuracy(scores, np.array([1]))
    with pytest.raises(ShapeError, match=r"3 rows of class scores but labels of shape \(3, 2\).*argmax"):
        F.accuracy(scores, np.eye(2)[[1, 0, 0]])
    with pytest.raises(ShapeError, match=r"predictions of shape \(3,\) and labels of shape \(2,\)"):
        F.accuracy(np.array([0.7, 0.2, 0.6]), np.array([1, 0]))


def test_accuracy_refuses_nan_no_examples_and_labels_it_cannot_read():
    with pytest.raises(ValueError, match="1 of 2 predictions are NaN"):
        F.accuracy(np.array([0.7, np.nan]), np.array([1, 0]))
    with pytest.raises(ValueError, match="1 of 4 predictions are NaN"):  # examples counted, not scores
        F.accuracy(np.array([[0.7, 0.3], [np.nan, np.nan], [0.1, 0.9], [0.5, 0.4]]), np.array([1, 0, 1, 0]))
    with pytest.raises(ValueError, match="no predictions"):
        F.accuracy(np.zeros(0), np.zeros(0))
    with pytest.raises(ValueError, match=r"labels 0/1 or -1/\+1, got 2"):
        F.accuracy(np.array([0.7, 0.2]), np.array([1, 2]))
    with pytest.raises(ValueError, match="threshold"):
        F.accuracy(np.eye(3), np.arange(3), threshold=0.5)


def test_optimizers_refuse_a_lone_tensor_and_tensors_that_are_not_leaves():
    w = Tensor(np.ones((3, 2)), requires_grad=True)
    with pytest.raises(TypeError, match=r"a list of parameters.*\[w\]"):
        nn.SGD(w)
    with pytest.raises(ValueError, match="not a leaf"):
        nn.Adam([w * 2])


def test_optimizers_take_a_generator_once_and_refuse_a_gradient_of_another_shape():
    model = nn.Linear(2, 3, seed=0)
    opt = nn.SGD(p for p in model.parameters())
    assert len(opt.params) == 2
    model.W.grad = np.ones((2, 3), model.W.dtype)
    model.W.data = np.ones(3)
    with pytest.raises(ShapeError, match=r"gradient of shape \(2, 3\) for a parameter of shape \(3,\)"):
        opt.step()


def test_accuracy_refuses_class_labels_out_of_range():
    with pytest.raises(ValueError, match=r"class labels must be integers in \[0, 2\), got 2"):
        F.accuracy(np.array([[0.1, 0.9], [0.8, 0.2]]), np.array([2, 0]))
