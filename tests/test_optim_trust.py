"""Optimizers and schedulers where they could be silently wrong or half-done: an lr no optimizer
takes, an impossible loaded state, a step that fails after moving some parameters, a scheduler
changed by a call that failed, hyperparameters beyond a float, and schedulers chained on one
optimizer (as PyTorch's, or refused)."""

import math
import warnings

import numpy as np
import pytest

import nn
from autograd import ShapeError, Tensor, Value
from nn.optim import SGD, Adagrad, Adam, AdamW, RMSprop
from nn.schedulers import CosineAnnealingLR, LambdaLR, LinearLR, SequentialLR, StepLR


def param(n=2):
    return Tensor(np.ones(n), requires_grad=True)


def scheduler_state(s):
    """Everything a failed call must leave alone: the scheduler's and its optimizer's lr state."""
    o = s.optimizer
    return s.state_dict(), s.get_last_lr(), o.lr, o.initial_lr, list(o.schedulers)


# ---- 1. a scheduler sets only an lr an optimizer takes ----


@pytest.mark.parametrize(
    "lr, factor, message",
    [(0.1, -1.0, "LambdaLR: epoch 0 gives the factor -1.0, so the lr -0.1"), (10.0, 1e308, "so the lr inf")],
)
def test_lambda_lr_refuses_a_negative_or_infinite_lr_at_construction(lr, factor, message):
    o = SGD([param()], lr=lr)
    with pytest.raises(ValueError, match=message):
        LambdaLR(o, lambda e: factor)
    assert o.lr == lr and o.initial_lr is None and o.schedulers == []  # item 4: initial_lr not set either


def test_a_step_to_a_bad_lr_changes_nothing():
    o = SGD([param()], lr=0.1)
    s = LambdaLR(o, lambda e: 1.0 if e < 2 else -0.5)
    s.step()
    before = scheduler_state(s)
    with pytest.raises(ValueError, match="LambdaLR: epoch 2 gives the factor -0.5"):
        s.step()
    assert scheduler_state(s) == before and s.last_epoch == 1


# ---- 4. a failed load or step leaves the scheduler as it was; overflow is a ValueError ----


@pytest.mark.parametrize(
    "make, state, why",
    [  # an epoch past int64 is refused before its factor is computed (nn.save could not write it)
        (lambda o: CosineAnnealingLR(o, 10), {"last_epoch": 10**400, "base_lr": 0.1}, r"\.load_state_dict: last_epoch"),
        (lambda o: StepLR(o, 1, gamma=10), {"last_epoch": 400, "base_lr": 0.1}, ": the factor of epoch 400 overflows"),
    ],
    ids=["cosine of a huge epoch", "gamma ** epoch beyond a float"],
)
def test_an_overflowing_load_is_a_value_error_and_changes_nothing(make, state, why):
    s = make(SGD([param()], lr=0.1))
    before = scheduler_state(s)
    with pytest.raises(ValueError, match=f"{type(s).__name__}{why}"):
        s.load_state_dict(state)
    assert scheduler_state(s) == before


def test_a_step_that_overflows_changes_nothing():
    s = StepLR(SGD([param()], lr=0.1), 1, gamma=1e200)
    s.step()
    before = scheduler_state(s)
    with pytest.raises(ValueError, match="StepLR: the factor of epoch 2 overflows a float"):
        s.step()
    assert scheduler_state(s) == before


# ---- 2. an impossible optimizer state is refused at load ----

SECOND_MOMENTS = [(Adam, "v"), (AdamW, "v"), (Adagrad, "sum"), (RMSprop, "square_avg")]


def stepped(kind):
    w = param()
    opt = kind([w], lr=0.1)
    w.grad = np.ones(2)
    opt.step()
    return w, opt


@pytest.mark.parametrize("kind, slot", SECOND_MOMENTS)
def test_a_negative_second_moment_is_refused_at_load(kind, slot):
    w, opt = stepped(kind)
    before = opt.state_dict()
    state = opt.state_dict()
    state[f"state.0.{slot}"] = np.array([1.0, -1.0])
    with pytest.raises(ValueError, match=f"state.0.{slot} holds 1 value\\(s\\) out of range .*is >= 0"):
        opt.load_state_dict(state)
    after = opt.state_dict()
    assert after.keys() == before.keys() and all(np.array_equal(after[k], before[k]) for k in before)
    w.grad = np.ones(2)
    opt.step()
    assert np.isfinite(w.data).all()


def test_a_first_moment_may_be_negative():
    _, opt = stepped(Adam)
    state = opt.state_dict()
    state["state.0.m"] = -state["state.0.m"]
    opt.load_state_dict(state)
    assert (opt.state[0]["m"] < 0).all()


def test_nn_load_refuses_a_file_with_a_negative_second_moment(tmp_path):
    model = nn.Linear(2, 1, seed=0)
    opt = Adam(model.parameters(), lr=0.1)
    model(Tensor(np.ones((1, 2)))).sum().backward()
    opt.step()
    nn.save(model, tmp_path / "m.npz", optimizer=opt)
    with np.load(tmp_path / "m.npz") as saved:
        entries = dict(saved)
    (key,) = [k for k in entries if k.endswith("state.0.v")]
    entries[key] = -np.ones_like(entries[key])  # a file written by hand
    np.savez(tmp_path / "m.npz", **entries)
    fresh = Adam(model.parameters(), lr=0.5)
    with pytest.raises(ValueError, match="state.0.v holds 2 value\\(s\\) out of range"):
        nn.load(model, tmp_path / "m.npz", optimizer=fresh)
    assert fresh.state == {} and fresh.lr == 0.5


# ---- 3. a step checks every gradient and state before it moves anything ----


def test_a_gradient_of_the_wrong_shape_moves_no_parameter():
    a, b = param(3), param(2)
    opt = SGD([a, b], lr=0.1)
    a.grad, b.grad = np.ones(3), np.ones(2)
    b.data = np.ones(5)  # replaced with another shape after its backward
    with pytest.raises(ShapeError, match="a gradient of shape \\(2,\\) for a parameter of shape \\(5,\\)"):
        opt.step()
    assert (a.data == 1).all()


@pytest.mark.parametrize(
    "grad", ["0.5", "x", 1j, True, None], ids=["str of a number", "str", "complex", "bool", "None"]
)
def test_a_value_gradient_that_is_no_real_number_moves_nothing(grad):
    t, v = param(), Value(1.0)
    opt = SGD([t, v], lr=0.1)
    t.grad, v.grad = np.ones(2), grad
    with pytest.raises(TypeError, match="SGD: the gradient of Value\\(.*; a gradient is a real number"):
        opt.step()
    assert (t.data == 1).all() and v.data == 1.0


@pytest.mark.parametrize(
    "grad, error",
    [
        (np.ones(2) * 1j, TypeError),
        (np.array(["a", "b"]), TypeError),
        (np.ones(2, bool), TypeError),
        ([True, False], TypeError),
        (np.ones(2, np.float32), TypeError),
        (np.ones(3), ShapeError),
        (np.ones((1, 2)), ShapeError),
        (0.5, ShapeError),
    ],
    ids=["complex", "str", "bool", "list of bools", "float32", "longer", "more dims", "number"],
)
def test_a_tensor_gradient_assigned_is_checked_as_torch_checks_it(grad, error):
    """`.grad =` refuses what a later backward would broadcast into or an optimizer step by (PyTorch
    raises "assigned grad has data of a different size/type"); .grad is left as it was."""
    a = param()
    a.grad = np.full(2, 3.0)
    with pytest.raises(error, match=r"assigned to \.grad of a (float64 )?tensor"):
        a.grad = grad
    assert a.grad.tolist() == [3.0, 3.0]
    a.grad = [1, 2.5]  # numbers have no dtype of their own: they take the tensor's
    assert a.grad.tolist() == [1.0, 2.5] and a.grad.dtype == np.float64
    b = Tensor(np.ones(2, np.float32), requires_grad=True)
    b.grad = [1, 2.5]
    assert b.grad.dtype == np.float32
    a.grad = None
    assert a.grad is None


def test_a_parameter_reshaped_after_a_step_moves_nothing():
    a, b = param(), param()
    opt = Adam([a, b], lr=0.1)
    a.grad, b.grad = np.ones(2), np.ones(2)
    opt.step()
    before = {k: v.copy() for k, v in opt.state_dict().items()}
    a_data = a.data.copy()
    b.data, b.grad, a.grad = np.ones(4), np.ones(4), np.ones(2)
    with pytest.raises(ShapeError, match="its state 'm' for Tensor.* has shape \\(2,\\).* changed shape to \\(4,\\)"):
        opt.step()
    assert np.array_equal(a.data, a_data) and opt.state[0]["t"] == 1 and opt.state[1]["t"] == 1
    assert all(np.array_equal(opt.state_dict()[k], before[k]) for k in before)


# ---- 5. hyperparameters: real numbers a float can hold ----


@pytest.mark.parametrize("make", [lambda p: SGD(p, lr=10**400), lambda p: Adam(p, eps=10**400)], ids=["lr", "eps"])
def test_an_int_too_large_for_a_float_is_refused(make):
    with pytest.raises(ValueError, match="must be a finite number >= 0, got -?1000.*, too large for a float"):
        make([param()])


@pytest.mark.parametrize(
    "lr, error", [(True, TypeError), (math.nan, ValueError), (math.inf, ValueError), (-0.1, ValueError)]
)
def test_bools_nans_infinities_and_negatives_stay_refused(lr, error):
    with pytest.raises(error, match="SGD: lr must be"):
        SGD([param()], lr=lr)


def test_numpy_real_scalars_are_taken_as_python_floats():
    opt = Adam([param()], lr=np.float32(0.5), betas=(np.float64(0.9), np.float32(0.5)), eps=np.int64(0))
    assert opt.lr == 0.5 and type(opt.lr) is float and type(opt.eps) is float
    assert all(type(b) is float for b in opt.betas)


# ---- 6. schedulers on one optimizer chain as PyTorch's, or refuse to step ----


def chain_lrs(lib, optimizer, makes, steps_of):
    """The lr after making the schedulers `makes` one by one, then after each epoch's steps of the
    schedulers at the positions in each entry of `steps_of`."""
    made = []
    for make in makes:
        made.append(make(lib, optimizer))
    lr = (
        (lambda: optimizer.lr)
        if isinstance(optimizer, nn.optim.Optimizer)
        else (lambda: optimizer.param_groups[0]["lr"])
    )
    out = [lr()]
    for which in steps_of:
        for i in which:
            made[i].step()
        out.append(lr())
    return out


CHAINS = {
    "warmup and steps": ([lambda L, o: L.LinearLR(o, 0.5, 1.0, 4), lambda L, o: L.StepLR(o, 2, 0.1)], [(0, 1)] * 8),
    "steps and warmup": ([lambda L, o: L.StepLR(o, 3, 0.5), lambda L, o: L.LinearLR(o, 0.25, 0.75, 5)], [(0, 1)] * 9),
    "warmup and cosine to T_max": (
        [lambda L, o: L.LinearLR(o, 0.1, 1.0, 5), lambda L, o: L.CosineAnnealingLR(o, 8)],
        [(1, 0)] * 8,
    ),
    "three": (
        [lambda L, o: L.StepLR(o, 2, 0.7), lambda L, o: L.CosineAnnealingLR(o, 10), lambda L, o: L.LinearLR(o, 0.5)],
        [(0, 1, 2)] * 10,
    ),
    "a notebook cell run twice": (
        [lambda L, o: L.StepLR(o, 2, 0.5), lambda L, o: L.StepLR(o, 2, 0.5)],
        [(0,)] * 3 + [(1,)] * 5,  # the first made stepped, then only the remade one
    ),
}


@pytest.mark.parametrize("name", CHAINS)
def test_schedulers_on_one_optimizer_chain_as_torchs(name):
    torch = pytest.importorskip("torch", reason="PyTorch is the reference: pip install '.[reference]'")
    makes, steps_of = CHAINS[name]
    theirs_opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's warning: a scheduler stepped before the optimizer
        theirs = chain_lrs(torch.optim.lr_scheduler, theirs_opt, makes, steps_of)
    ours = chain_lrs(nn.schedulers, SGD([param()], lr=0.1), makes, steps_of)
    assert ours == pytest.approx(theirs, rel=1e-12, abs=1e-15)


def test_the_brief_example_gives_torchs_lr_after_construction():
    o = SGD([param()], lr=1.0)
    LinearLR(o, 0.5, 1.0, 4)
    StepLR(o, 2, 0.1)
    assert o.lr == 0.5


@pytest.mark.parametrize(
    "make_first, make_second",
    [
        (lambda o: LinearLR(o, 0.5), lambda o: LambdaLR(o, lambda e: 0.9**e)),
        (lambda o: LinearLR(o, 0.5), lambda o: CosineAnnealingLR(o, 10, eta_min=0.001)),
        (lambda o: LambdaLR(o, lambda e: 0.5), lambda o: StepLR(o, 2)),
    ],
    ids=["LambdaLR", "CosineAnnealingLR with eta_min", "StepLR beside a LambdaLR"],
)
def test_a_schedule_that_cannot_chain_refuses_to_step_beside_another(make_first, make_second):
    o = SGD([param()], lr=0.1)
    first = make_first(o)
    second = make_second(o)
    before = scheduler_state(second), scheduler_state(first)
    for s in (second, first):
        with pytest.raises(ValueError, match="sets the lr outright.*nn.schedulers.SequentialLR"):
            s.step()
    assert (scheduler_state(second), scheduler_state(first)) == before


def test_a_chained_cosine_refuses_to_step_past_t_max():
    o = SGD([param()], lr=0.1)
    cosine, steps = CosineAnnealingLR(o, 2), StepLR(o, 1, 0.5)
    for _ in range(2):
        cosine.step()
        steps.step()
    with pytest.raises(ValueError, match="past its T_max"):
        cosine.step()
    assert cosine.last_epoch == 2 and o.lr == 0.0


def test_sequential_lr_takes_its_schedulers_out_of_the_chain():
    o = SGD([param()], lr=0.1)
    warm, cosine = LinearLR(o, 0.5, total_iters=2), CosineAnnealingLR(o, 4, eta_min=0.01)
    sequence = SequentialLR(o, [warm, cosine], milestones=[2])
    assert o.schedulers == [sequence]
    lrs = [o.lr]
    for _ in range(4):
        sequence.step()
        lrs.append(o.lr)
    assert lrs == pytest.approx([0.05, 0.075, 0.1, 0.01 + 0.09 * (1 + math.cos(math.pi / 4)) / 2, 0.055])
    with pytest.raises(ValueError, match="SequentialLR"):
        warm.step()  # stepped on its own, it would fight the sequence


@pytest.mark.parametrize("make", [SGD, Adam, AdamW, RMSprop, Adagrad])
def test_a_step_with_a_read_only_parameter_is_refused_before_any_moves(make):
    """numpy's "output array is read-only" came from inside the update, after earlier parameters had moved."""
    frozen = np.ones(2)
    frozen.flags.writeable = False
    first, read_only = param(), Tensor(frozen, requires_grad=True)
    optimizer = make([first, read_only], lr=0.1)
    (first * read_only).sum().backward()
    with pytest.raises(ValueError, match="read-only .* a step cannot change it"):
        optimizer.step()
    assert np.all(first.data == 1) and not optimizer.state
