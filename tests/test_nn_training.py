"""nn losses, optimizers, save/load and fit (Ctrl-C in fit: test_trust_nn.py)."""

import numpy as np
import pytest

import nn
from autograd import ShapeError, Tensor, Value, gradcheck
from nn import functional as F


def test_losses_on_tensors_match_their_formulas_and_gradients():
    rng = np.random.default_rng(0)
    p, t = rng.normal(size=(5, 1)), rng.normal(size=(5, 1))
    assert F.mse_loss(Tensor(p), t).item() == pytest.approx(np.mean((p - t) ** 2))
    assert F.l1_loss(Tensor(p), t).item() == pytest.approx(np.mean(np.abs(p - t)))
    y = np.sign(t)
    assert F.hinge_loss(Tensor(p), y).item() == pytest.approx(np.mean(np.maximum(0, 1 - y * p)))
    prob, target = 1 / (1 + np.exp(-p)), (t > 0).astype(float)
    expected = -np.mean(target * np.log(prob) + (1 - target) * np.log(1 - prob))
    assert F.binary_cross_entropy(Tensor(prob), target).item() == pytest.approx(expected)
    for loss in (F.mse_loss, F.l1_loss, F.hinge_loss):
        assert gradcheck(lambda q, loss=loss: loss(q, y), [p + 0.01])  # away from the kinks of l1 and hinge
    assert gradcheck(lambda q: F.binary_cross_entropy(q.sigmoid(), target), [p])


def test_losses_on_lists_of_values_agree_with_tensors():
    p, t = [0.3, -1.2, 2.0], [1.0, -1.0, 1.0]
    values = [Value(x) for x in p]
    column = np.array(p).reshape(-1, 1)
    target = np.array(t).reshape(-1, 1)
    for loss in (F.mse_loss, F.l1_loss, F.hinge_loss):
        assert loss(values, t).data == pytest.approx(loss(Tensor(column), target).item())
    probs = [Value(0.2), Value(0.9)]
    assert F.binary_cross_entropy(probs, [0, 1]).data == pytest.approx(-(np.log(0.8) + np.log(0.9)) / 2)


def test_loss_shape_mismatch_is_an_error_not_a_broadcast():
    with pytest.raises(ShapeError, match=r"mse_loss: predictions of shape \(4, 1\) and targets of shape \(4,\) differ"):
        F.mse_loss(Tensor(np.zeros((4, 1))), np.zeros(4))
    with pytest.raises(ShapeError, match="3 predictions but 2 targets"):
        F.l1_loss([Value(1.0)] * 3, [1.0, 2.0])


def test_binary_cross_entropy_stays_finite_at_zero_and_one():
    p = Tensor(np.array([0.0, 1.0]), requires_grad=True)
    loss = F.binary_cross_entropy(p, np.array([1.0, 0.0]))
    assert loss.item() == pytest.approx(100.0)
    loss.backward()
    assert np.all(np.isfinite(p.grad))


def test_accuracy_for_classes_signs_and_probabilities():
    assert F.accuracy(np.array([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]]), np.array([1, 0, 0])) == pytest.approx(2 / 3)
    assert F.accuracy([Value(0.5), Value(-2.0)], [1, -1]) == 1.0
    assert F.accuracy(np.array([0.7, 0.2, 0.6]), np.array([1, 0, 0])) == pytest.approx(2 / 3)
    assert F.accuracy(Tensor(np.array([[1.0], [-1.0]])), np.array([1, 0]), threshold=0.0) == 1.0


def test_sgd_with_momentum_and_weight_decay_on_tensors_and_values():
    t = Tensor(np.array([1.0, 2.0]), requires_grad=True)
    v = Value(1.0)
    opt = nn.SGD([t, v], lr=0.1, momentum=0.9, weight_decay=0.01)
    expected_t, expected_v, buf_t, buf_v = t.data.copy(), 1.0, 0.0, 0.0
    for _ in range(3):
        t.grad, v.grad = np.array([0.5, -1.0]), 2.0
        g_t, g_v = t.grad + 0.01 * expected_t, 2.0 + 0.01 * expected_v
        buf_t, buf_v = 0.9 * buf_t + g_t, 0.9 * buf_v + g_v
        expected_t, expected_v = expected_t - 0.1 * buf_t, expected_v - 0.1 * buf_v
        opt.step()
    assert np.allclose(t.data, expected_t) and v.data == pytest.approx(expected_v)
    assert isinstance(v.data, float)


def test_adam_matches_its_formula():
    w = Tensor(np.array([0.5, -0.5]), requires_grad=True)
    opt = nn.Adam([w], lr=0.01)
    m = v = np.zeros(2)
    expected = w.data.copy()
    for step in range(1, 4):
        g = np.array([0.3, -0.1]) * step
        w.grad = g
        m, v = 0.9 * m + 0.1 * g, 0.999 * v + 0.001 * g * g
        expected = expected - 0.01 * (m / (1 - 0.9**step)) / (np.sqrt(v / (1 - 0.999**step)) + 1e-8)
        opt.step()
    assert np.allclose(w.data, expected)


def test_optimizer_step_counts_as_a_change_for_graphs_built_before_it():
    w = Tensor(np.ones(2), requires_grad=True, label="w")
    opt = nn.SGD([w], lr=0.1)
    loss = (w * w).sum()
    loss.backward()
    opt.step()
    with pytest.raises(RuntimeError, match="tensor 'w' was changed in place"):
        loss.backward()


def test_optimizers_refuse_bad_parameters():
    with pytest.raises(ValueError, match="got no parameters"):
        nn.Adam([])
    with pytest.raises(TypeError, match="takes Values and Tensors that require grad"):
        nn.SGD([Tensor([1.0])])


def test_save_and_load_round_trip(tmp_path):
    model = nn.Sequential(nn.Linear(3, 4, seed=0), nn.ReLU(), nn.Linear(4, 2, seed=1))
    path = tmp_path / "model.npz"
    nn.save(model, path)
    with np.load(path, allow_pickle=False) as archive:  # plain named arrays, no pickle
        assert sorted(archive.files) == ["layers.0.W", "layers.0.b", "layers.2.W", "layers.2.b"]
    other = nn.Sequential(nn.Linear(3, 4, seed=5), nn.ReLU(), nn.Linear(4, 2, seed=6))
    nn.load(other, path)
    assert all(np.array_equal(p.data, q.data) for p, q in zip(model.parameters(), other.parameters()))
    micro, copy = nn.MLP(2, [3, 1], seed=0), nn.MLP(2, [3, 1], seed=1)
    nn.save(micro, tmp_path / "micro.npz")
    nn.load(copy, tmp_path / "micro.npz")
    assert [p.data for p in copy.parameters()] == [p.data for p in micro.parameters()]


def test_a_crash_while_saving_leaves_the_old_file_and_no_debris(tmp_path, monkeypatch):
    model = nn.Linear(2, 2, seed=0)
    path = tmp_path / "model.npz"
    nn.save(model, path)
    before = path.read_bytes()

    def crash(f, array, **options):
        f.write(b"half an array")
        raise OSError("disk full")

    monkeypatch.setattr(np.lib.format, "write_array", crash)
    with pytest.raises(OSError, match="disk full"):
        nn.save(nn.Linear(2, 2, seed=1), path)
    assert path.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["model.npz"]


def test_loading_a_bad_file_names_the_problem_and_changes_nothing(tmp_path):
    model = nn.Linear(2, 2, seed=0)
    before = model.W.data.copy()
    (tmp_path / "junk.npz").write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ValueError, match="junk.npz is not a model saved by nn.save"):
        nn.load(model, tmp_path / "junk.npz")
    np.save(tmp_path / "single.npy", np.zeros(3))
    with pytest.raises(ValueError, match="an .npy file, a single array, not named parameters"):
        nn.load(model, tmp_path / "single.npy")
    np.savez(tmp_path / "objects.npz", W=np.array([object()], dtype=object))
    with pytest.raises(ValueError, match="objects.npz is not a model saved by nn.save"):
        nn.load(model, tmp_path / "objects.npz")
    nn.save(nn.Linear(3, 2), tmp_path / "other.npz")
    with pytest.raises(ValueError, match=r"other.npz does not fit this Linear: .*W has shape \(3, 2\), needs \(2, 2\)"):
        nn.load(model, tmp_path / "other.npz")
    assert np.array_equal(model.W.data, before)


def test_fit_returns_a_history_and_learns():
    X, y = nn.data.blobs(200, centers=3, std=0.5, seed=0)
    train, val = nn.data.train_val_split(X, y, 0.25, seed=0)
    model = nn.Sequential(nn.Linear(2, 16, seed=0), nn.ReLU(), nn.Linear(16, 3, seed=1))
    seen = []
    history = nn.fit(model, F.cross_entropy, nn.Adam(model.parameters(), lr=0.05), train, epochs=5, batch_size=16,
                     val_data=val, verbose=False, callbacks=[lambda e, m, h: seen.append(e)])  # fmt: skip
    assert seen == [1, 2, 3, 4, 5] and not history.interrupted
    assert len(history.loss) == len(history.val_accuracy) == len(history.seconds) == 5
    assert history.loss[-1] < history.loss[0] and history.val_accuracy[-1] > 0.9
    assert nn.predict(model, val[0]).shape == (len(val[0]), 3)


def test_fit_trains_micrograd_models_and_regression_without_a_metric():
    X, y = nn.data.moons(40, seed=0)
    model = nn.MLP(2, [8, 1], seed=0)
    history = nn.fit(model, lambda out, yb: F.hinge_loss(out, 2 * yb - 1), nn.SGD(model.parameters(), lr=0.1),
                     (X, y), epochs=3, batch_size=10, metric=None, verbose=False)  # fmt: skip
    assert len(history.loss) == 3 and history.accuracy == []


def test_plots_are_written(tmp_path):
    pytest.importorskip("matplotlib")
    from nn.plot import plot_decision_boundary, plot_history

    X, y = nn.data.moons(50, seed=0)
    model = nn.Sequential(nn.Linear(2, 8, seed=0), nn.ReLU(), nn.Linear(8, 2, seed=1))
    history = nn.fit(model, F.cross_entropy, nn.Adam(model.parameters(), 0.05), (X, y), epochs=2, val_data=(X, y),
                     verbose=False)  # fmt: skip
    plot_history(history, tmp_path / "curves.png")
    plot_decision_boundary(model, X, y, tmp_path / "boundary.png")
    plot_decision_boundary(nn.MLP(2, [4, 1], seed=0), X, y, tmp_path / "micro.png", resolution=10)
    for name in ("curves.png", "boundary.png", "micro.png"):
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_fit_steps_a_scheduler_after_each_epoch_and_records_the_lr():
    X, y = nn.data.moons(64, seed=0)
    model = nn.Sequential(nn.Linear(2, 8, seed=0), nn.ReLU(), nn.Linear(8, 2, seed=1))
    opt = nn.SGD(model.parameters(), lr=0.1)
    schedule = nn.schedulers.StepLR(opt, step_size=2, gamma=0.5)
    history = nn.fit(model, nn.functional.cross_entropy, opt, (X, y), epochs=5, scheduler=schedule, verbose=False)
    assert history.lr == pytest.approx([0.1, 0.1, 0.05, 0.05, 0.025])
    other = nn.SGD(model.parameters(), lr=0.1)
    with pytest.raises(TypeError, match="scheduler must be a scheduler of this optimizer"):
        nn.fit(model, nn.functional.cross_entropy, opt, (X, y), scheduler=nn.schedulers.StepLR(other, 1))
