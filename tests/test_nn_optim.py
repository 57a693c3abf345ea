"""The optimizers' state dicts (round trips, refusals that change nothing), saving them with the
model so that training resumes exactly (nn.save / nn.load with optimizer=), the new optimizers'
bad arguments, and gradient clipping's. The comparisons with PyTorch are in
tests/test_torch_reference_optim.py."""

import copy
import math

import numpy as np
import pytest

import nn
from autograd import Tensor, Value
from nn.clip import clip_grad_norm_, clip_grad_value_
from nn.functional import cross_entropy
from nn.io import OPTIMIZER_PREFIX
from nn.optim import SGD, Adagrad, Adam, AdamW, RMSprop

OPTIMIZERS = {
    "SGD momentum": lambda ps: SGD(ps, lr=0.05, momentum=0.9, nesterov=True),
    "Adam": lambda ps: Adam(ps, lr=0.01, betas=(0.8, 0.95)),
    "AdamW": lambda ps: AdamW(ps, lr=0.01, weight_decay=0.1),
    "RMSprop": lambda ps: RMSprop(ps, lr=0.01, momentum=0.5, centered=True),
    "Adagrad": lambda ps: Adagrad(ps, lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1),
}
RNG = np.random.default_rng(0)
X, Y = RNG.normal(size=(32, 3)), RNG.integers(0, 3, 32)


def model(seed=0):
    return nn.Sequential(nn.Linear(3, 5, seed=seed), nn.ReLU(), nn.Linear(5, 3, seed=seed + 1))


def train(m, opt, steps):
    for _ in range(steps):
        opt.zero_grad()
        cross_entropy(m(Tensor(X)), Y).backward()
        opt.step()


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_state_dict_round_trip_continues_exactly(name):
    m, twin = model(), model()
    opt = OPTIMIZERS[name](m.parameters())
    train(m, opt, 3)
    twin.load_state_dict(m.state_dict())
    twin_opt = OPTIMIZERS[name](twin.parameters())
    twin_opt.load_state_dict(opt.state_dict())
    assert twin_opt.state_dict().keys() == opt.state_dict().keys()
    train(m, opt, 4)
    train(twin, twin_opt, 4)
    for (k, a), b in zip(m.state_dict().items(), twin.state_dict().values()):
        assert np.array_equal(a, b), k


def test_state_dict_holds_arrays_hyperparameters_and_no_scratch():
    w = Tensor(np.ones(2, np.float32), requires_grad=True)
    opt = Adam([w], lr=0.5, betas=(0.8, 0.9))
    assert set(opt.state_dict()) == {
        "kind.Adam",
        "lr",
        "betas",
        "eps",
        "weight_decay",
        "amsgrad",
        "maximize",
        "decoupled_weight_decay",
    }  # no step yet: no state
    w.grad = np.ones(2, np.float32)
    opt.step()
    state = opt.state_dict()
    flags = {"amsgrad", "maximize", "decoupled_weight_decay"}
    assert (
        set(state) == {"kind.Adam", "lr", "betas", "eps", "weight_decay", "state.0.t", "state.0.m", "state.0.v"} | flags
    )
    assert state["betas"].tolist() == [0.8, 0.9] and state["state.0.t"].dtype == np.int64
    assert state["state.0.m"].dtype == np.float32
    state["state.0.m"][:] = 99  # a copy
    assert opt.state[0]["m"][0] != 99


def test_values_state_round_trips():
    ws = [Value(1.0), Value(-2.0)]
    opt = RMSprop(ws, lr=0.1, momentum=0.9)
    for w in ws:
        w.grad = 0.5
    opt.step()
    twin = RMSprop([Value(1.0), Value(-2.0)], lr=0.3, momentum=0.9)
    twin.load_state_dict(opt.state_dict())
    assert twin.lr == 0.1 and np.array_equal(twin.state["values"]["square_avg"], opt.state["values"]["square_avg"])


@pytest.mark.parametrize(
    "change, error, message",
    [
        (lambda s: s.pop("lr"), KeyError, "missing \\['lr'\\]"),
        (lambda s: s.update({"state.9.m": np.zeros(2)}), KeyError, "unexpected \\['state.9.m'\\]"),
        (lambda s: s.pop("state.0.v"), KeyError, "missing \\['state.0.v'\\]"),
        (lambda s: s.update({"state.0.m": np.zeros(3)}), ValueError, "state.0.m has shape \\(3,\\), needs \\(2,\\)"),
        (lambda s: s.update({"state.0.m": np.array([np.nan, 0])}), ValueError, "NaN or infinite"),
        (lambda s: s.update({"state.0.t": np.array(-1)}), ValueError, r"a count of steps \(from the step .*\) is >= 1"),
        (
            lambda s: s.update({"state.0.t": np.array(1.5)}),
            ValueError,
            "it is the optimizer.s state of a parameter, of integers",
        ),
        (lambda s: s.update({"lr": np.array(-1.0)}), ValueError, "lr must be a finite number >= 0"),
        (lambda s: s.update({"betas": np.array([0.9, 1.0])}), ValueError, "betas must be in \\[0, 1\\)"),
    ],
)
def test_a_bad_state_is_refused_and_changes_nothing(change, error, message):
    w = Tensor(np.ones(2), requires_grad=True)
    opt = Adam([w], lr=0.1)
    w.grad = np.ones(2)
    opt.step()
    state, before = opt.state_dict(), copy.deepcopy(opt.state_dict())
    change(state)
    with pytest.raises(error, match=f"cannot load this state into Adam: .*{message}"):
        opt.load_state_dict(state)
    after = opt.state_dict()
    assert after.keys() == before.keys() and all(np.array_equal(after[k], before[k]) for k in before)
    with pytest.raises(TypeError, match="takes a dict of arrays"):
        opt.load_state_dict([1, 2])


@pytest.mark.parametrize("suffix", [".npz", ".safetensors"])
@pytest.mark.parametrize("name", OPTIMIZERS)
def test_saved_with_the_model_training_resumes_exactly(tmp_path, name, suffix):
    path = tmp_path / f"checkpoint{suffix}"
    straight = model()
    straight_opt = OPTIMIZERS[name](straight.parameters())
    train(straight, straight_opt, 6)
    first = model()
    first_opt = OPTIMIZERS[name](first.parameters())
    train(first, first_opt, 3)
    nn.save(first, path, optimizer=first_opt)
    resumed = model(seed=7)
    resumed_opt = OPTIMIZERS[name](resumed.parameters())
    resumed_opt.lr = 123.0  # the file's lr wins
    nn.load(resumed, path, optimizer=resumed_opt)
    train(resumed, resumed_opt, 3)
    for (k, a), b in zip(straight.state_dict().items(), resumed.state_dict().values()):
        assert np.array_equal(a, b), k


def test_the_optimizer_entries_are_prefixed_and_required_both_ways(tmp_path):
    m = model()
    opt = Adam(m.parameters())
    train(m, opt, 1)
    with_state, without = tmp_path / "with.npz", tmp_path / "without.npz"
    nn.save(m, with_state, optimizer=opt)
    nn.save(m, without)
    names = set(np.load(with_state).files)
    assert {n for n in names if not n.startswith(OPTIMIZER_PREFIX)} == set(m.state_dict())
    whose = {f"param.{i}.{name}" for i, (name, _) in enumerate(m.named_parameters())}  # nn.io_params
    optimizer_names = {n.removeprefix(OPTIMIZER_PREFIX) for n in names if n.startswith(OPTIMIZER_PREFIX)}
    assert optimizer_names == set(opt.state_dict()) | whose | {"schedule.plateaus"}  # none: nn.io_schedules
    with pytest.raises(ValueError, match="holds an optimizer's state too .* optimizer=..."):
        nn.load(model(), with_state)
    fresh = model()
    with pytest.raises(ValueError, match="holds no optimizer's state .* load it without optimizer="):
        nn.load(fresh, without, optimizer=Adam(fresh.parameters()))
    with pytest.raises(TypeError, match="optimizer must be an Optimizer"):
        nn.save(m, with_state, optimizer="adam")


def test_a_file_that_does_not_fit_the_optimizer_changes_neither_model_nor_optimizer(tmp_path):
    m = model()
    opt = Adam(m.parameters(), lr=0.01)
    train(m, opt, 2)
    path = tmp_path / "adam.npz"
    nn.save(m, path, optimizer=opt)
    other = model(seed=5)
    sgd = SGD(other.parameters(), momentum=0.9)
    before = other.state_dict()
    with pytest.raises(
        ValueError,
        match="does not fit the optimizer SGD: it is the state of Adam \\(_optimizer.kind.Adam\\), not of SGD",
    ):
        nn.load(other, path, optimizer=sgd)
    assert all(np.array_equal(a, b) for a, b in zip(before.values(), other.state_dict().values()))
    assert sgd.state == {} and sgd.lr == 0.01 and sgd.momentum == 0.9

    # values that are bad (a NaN moment) are refused after the names fit: the model is not loaded either
    state = {k: v for k, v in np.load(path).items()}
    state[OPTIMIZER_PREFIX + "state.0.m"] = np.full_like(state[OPTIMIZER_PREFIX + "state.0.m"], np.nan)
    bad = tmp_path / "bad.npz"
    np.savez(bad, **state)
    fresh_opt = Adam(other.parameters())
    with pytest.raises(ValueError, match="state.0.m holds .* NaN"):
        nn.load(other, bad, optimizer=fresh_opt)
    assert all(np.array_equal(a, b) for a, b in zip(before.values(), other.state_dict().values()))
    assert fresh_opt.state == {} and fresh_opt.lr == 1e-3


@pytest.mark.parametrize(
    "make, error, message",
    [
        (lambda w: SGD(w, nesterov=True), ValueError, "SGD: Nesterov momentum needs a momentum > 0 and no dampening"),
        (lambda w: SGD(w, momentum=0.9, dampening=0.1, nesterov=True), ValueError, "no dampening"),
        (lambda w: SGD(w, dampening=-1), ValueError, "SGD: dampening must be a finite number >= 0"),
        (lambda w: AdamW(w, weight_decay=-0.1), ValueError, "AdamW: weight_decay must be a finite number >= 0"),
        (lambda w: RMSprop(w, alpha=1.0), ValueError, "RMSprop: alpha must be in \\[0, 1\\)"),
        (lambda w: RMSprop(w, momentum="0.9"), TypeError, "RMSprop: momentum must be a finite number >= 0, got str"),
        (lambda w: Adagrad(w, lr_decay=-1), ValueError, "Adagrad: lr_decay must be a finite number >= 0"),
        (lambda w: Adagrad(w, initial_accumulator_value=math.nan), ValueError, "initial_accumulator_value must"),
    ],
)
def test_bad_arguments_name_the_optimizer_and_the_argument(make, error, message):
    with pytest.raises(error, match=message):
        make([Tensor(np.ones(2), requires_grad=True)])


def test_defaults_are_torchs():
    w = [Tensor(np.ones(2), requires_grad=True)]
    assert (AdamW(w).lr, AdamW(w).weight_decay) == (1e-3, 1e-2)
    r = RMSprop(w)
    assert (r.lr, r.alpha, r.eps, r.momentum, r.centered) == (1e-2, 0.99, 1e-8, 0.0, False)
    a = Adagrad(w)
    assert (a.lr, a.lr_decay, a.initial_accumulator_value, a.eps) == (1e-2, 0.0, 0.0, 1e-10)


def test_clip_grad_norm_by_hand_on_values_and_tensors():
    v, t = Value(1.0), Tensor(np.zeros(2), requires_grad=True)
    v.grad, t.grad = 3.0, np.array([4.0, 0.0])
    none = Tensor(np.zeros(1), requires_grad=True)  # no gradient: skipped
    assert clip_grad_norm_([v, t, none], max_norm=1.0) == pytest.approx(5.0)
    assert v.grad == pytest.approx(0.6, rel=1e-5) and t.grad.tolist() == pytest.approx([0.8, 0.0], rel=1e-5)
    assert none.grad is None
    assert clip_grad_norm_([v, t], max_norm=10.0) == pytest.approx(1.0, rel=1e-5)  # below: unchanged
    assert v.grad == pytest.approx(0.6, rel=1e-5)
    clip_grad_value_([v, t], 0.7)
    assert v.grad == pytest.approx(0.6, rel=1e-5) and t.grad.tolist() == pytest.approx([0.7, 0.0])


def test_clip_grad_norm_refuses_bad_input_and_reports_a_nonfinite_norm():
    t = Tensor(np.zeros(2), requires_grad=True)
    t.grad = np.array([np.inf, 1.0])
    with pytest.raises(RuntimeError, match="the total norm of the gradients is inf"):
        clip_grad_norm_([t], 1.0, error_if_nonfinite=True)
    with pytest.warns(RuntimeWarning, match="invalid value"):  # scaled by 0, as torch: inf * 0 is NaN
        assert clip_grad_norm_([t], 1.0) == math.inf
    assert np.isnan(t.grad[0]) and t.grad[1] == 0
    for bad in (-1.0, math.nan):
        with pytest.raises(ValueError, match="max_norm must be a number >= 0"):
            clip_grad_norm_([t], bad)
    for bad in ("1", None):  # the wrong kind of thing: a TypeError, as elsewhere
        with pytest.raises(TypeError, match="max_norm must be a number >= 0"):
            clip_grad_norm_([t], bad)
        with pytest.raises(TypeError, match="clip_value must be a number >= 0"):
            clip_grad_value_([t], bad)
    with pytest.raises(ValueError, match="norm_type must be a number > 0 or math.inf"):
        clip_grad_norm_([t], 1.0, norm_type=0)
    with pytest.raises(TypeError, match="norm_type must be a number > 0 or math.inf, got str '2'"):
        clip_grad_norm_([t], 1.0, norm_type="2")
    with pytest.raises(TypeError, match="takes Values and Tensors"):
        clip_grad_value_([np.zeros(2)], 1.0)


def test_a_scalar_mlp_resumes_from_its_checkpoint(tmp_path):
    """micrograd's MLP on Values: the optimizer's state of the Values (packed) is saved and restored too."""
    xs, ys = [[2.0, 3.0], [3.0, -1.0], [0.5, 1.0]], [1.0, -1.0, 1.0]

    def steps(m, opt, n):
        for _ in range(n):
            opt.zero_grad()
            nn.functional.mse_loss([m(x) for x in xs], ys).backward()
            opt.step()

    straight = nn.MLP(2, [4, 1], seed=0)
    straight_opt = AdamW(straight.parameters(), lr=0.05)
    steps(straight, straight_opt, 6)
    first = nn.MLP(2, [4, 1], seed=0)
    first_opt = AdamW(first.parameters(), lr=0.05)
    steps(first, first_opt, 3)
    nn.save(first, tmp_path / "mlp.npz", optimizer=first_opt)
    resumed = nn.MLP(2, [4, 1], seed=1)
    resumed_opt = AdamW(resumed.parameters())
    nn.load(resumed, tmp_path / "mlp.npz", optimizer=resumed_opt)
    assert resumed_opt.state["values"]["t"] == 3 and resumed_opt.lr == 0.05
    steps(resumed, resumed_opt, 3)
    assert [p.data for p in resumed.parameters()] == [p.data for p in straight.parameters()]


def test_state_of_a_parameter_of_another_shape_is_refused():
    opt = SGD([Tensor(np.ones(3), requires_grad=True)], momentum=0.9)
    other = SGD([Tensor(np.ones(2), requires_grad=True)], momentum=0.9)
    other.params[0].grad = np.ones(2)
    other.step()
    with pytest.raises(
        ValueError, match=r"cannot load this state into SGD: state.0.buffer has shape \(2,\), needs \(3,\)"
    ):
        opt.load_state_dict(other.state_dict())
    assert opt.state == {}


@pytest.mark.parametrize(
    "make",
    [
        lambda ps: SGD(ps, lr=0.1),
        lambda ps: SGD(ps, lr=0.1, momentum=0.8, dampening=0.3, weight_decay=0.01),
        lambda ps: SGD(ps, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01),
        lambda ps: Adam(ps, weight_decay=0.1),
        lambda ps: Adam(ps, eps=0.0),
        lambda ps: AdamW(ps),
        lambda ps: RMSprop(ps, momentum=0.5, centered=True, weight_decay=0.1),
        lambda ps: Adagrad(ps, weight_decay=0.1),
    ],
    ids=[
        "SGD",
        "SGD momentum dampening decay",
        "SGD nesterov decay",
        "Adam decay",
        "Adam eps 0",
        "AdamW",
        "RMSprop",
        "Adagrad",
    ],
)
def test_a_step_after_the_first_allocates_no_array_of_the_parameters_size(make):
    import tracemalloc

    w = Tensor(RNG.normal(size=(100, 100)).astype(np.float32), requires_grad=True)  # 40 kB
    opt = make([w])
    w.grad = RNG.normal(size=w.shape).astype(np.float32)
    opt.step()  # the first makes the state and the scratch arrays
    tracemalloc.start()
    try:
        opt.step()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < w.data.nbytes // 4, peak


@pytest.mark.parametrize(
    "size", [1e200, 1e-170, 1e-161, 3e-160], ids=["overflowing", "underflowing", "subnormal", "subnormal-3"]
)
def test_clip_grad_norm_takes_the_norm_of_gradients_whose_squares_leave_the_float_range(size):
    """Squared, 1e200 overflows, 1e-170 underflows and 1e-161 is subnormal: the plain sum would give a
    total of inf (every gradient scaled to 0), 0 (none clipped) or one 0.6% off; the largest magnitude
    is taken out first instead."""
    p = Tensor(np.zeros(2), requires_grad=True)
    p.grad = np.array([size, size])
    total = nn.clip_grad_norm_([p], max_norm=size / 10)
    assert total == pytest.approx(size * np.sqrt(2), rel=1e-12)
    assert p.grad == pytest.approx([size / 10 / np.sqrt(2)] * 2, rel=1e-5)  # clipped, not zeroed


def test_a_setting_an_optimizer_lacks_is_refused_not_ignored():
    """adam.momentum = 0.9 and a misspelt opt.weight_deacy = 0.1 were kept as attributes nothing reads:
    training went on unchanged, without a word. A name of the caller's own is kept."""
    params = [Tensor(np.ones(2), requires_grad=True)]
    adam, sgd = Adam(params), SGD(params, lr=0.1)
    with pytest.raises(AttributeError, match="Adam has no setting 'momentum', and would ignore it; its settings"):
        adam.momentum = 0.9
    with pytest.raises(AttributeError, match="Adam has no setting 'nesterov'"):
        adam.nesterov = True
    with pytest.raises(AttributeError, match="SGD has no setting 'foreach'"):  # PyTorch's option, no setting
        sgd.foreach = True
    with pytest.raises(AttributeError, match="SGD has no setting 'weight_deacy'.*did you mean 'weight_decay'"):
        sgd.weight_deacy = 0.1
    assert not hasattr(adam, "momentum") and sgd.weight_decay == 0
    sgd.note = "run 3"
    sgd.lrs = [0.1]  # short names are the caller's own, however near a setting's
    assert sgd.note == "run 3" and sgd.lrs == [0.1]

    class CenteredAdam(Adam):  # a subclass of one's own reads the names it sets
        def __init__(self, params, centered=True):
            super().__init__(params)
            self.centered = centered

    assert CenteredAdam(params).centered is True


def test_clipping_counts_and_clips_a_parameter_listed_twice_once():
    """clip_grad_norm_([p, p], 1) measured 7.07 for a gradient of norm 5 and scaled it twice, to
    [0.06, 0.08] (as PyTorch's); an optimizer takes such a list's parameter once, with a warning."""
    p = Tensor(np.zeros(2), requires_grad=True)
    p.grad = np.array([3.0, 4.0])
    with pytest.warns(UserWarning, match="clip_grad_norm_ got the same parameter twice; it counts and is clipped once"):
        assert clip_grad_norm_([p, p], 1.0) == pytest.approx(5.0)
    np.testing.assert_allclose(p.grad, [0.6, 0.8], rtol=1e-5)
    with pytest.warns(UserWarning, match="clip_grad_value_ got the same parameter twice"):
        clip_grad_value_([p, p], 0.7)
    np.testing.assert_allclose(p.grad, [0.6, 0.7], rtol=1e-5)
