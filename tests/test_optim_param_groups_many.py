"""Parameter groups (PyTorch's list of dicts, add_param_group): one group behaves as an optimizer always did; with
several, `opt.lr` reads and sets only where every group agrees (else a ValueError naming param_groups), torch's
refusals are torch's exception types, a group refused changes nothing, LBFGS refuses a second group, and the
state dict, nn.save/nn.load, nn.fit and autograd.compile take each group's settings (a compiled replay uses each
group's current ones, bit for bit as eager)."""

import numpy as np
import pytest
from compile_cases import assert_same, batches, mlp, replays, training_step

import autograd
import nn
from autograd import Tensor, Value


def _params(count=3, seed=0):
    rng = np.random.default_rng(seed)
    return [Tensor(rng.standard_normal((2, 3)), requires_grad=True) for _ in range(count)]


def test_one_group_as_a_dict_is_the_optimizer_of_old():
    a, b = _params(2), [Tensor(p.data.copy(), requires_grad=True) for p in _params(2)]
    grouped, plain = nn.SGD([{"params": a, "momentum": 0.9}], lr=0.1), nn.SGD(b, lr=0.1, momentum=0.9)
    assert grouped.lr == 0.1 and grouped.momentum == 0.9 and len(grouped.param_groups) == 1
    for _ in range(3):
        for p in a + b:
            p.grad = np.ones((2, 3))
        grouped.step()
        plain.step()
    assert_same([p.data for p in a], [p.data for p in b])
    assert grouped.state_dict().keys() == plain.state_dict().keys()
    grouped.lr = 0.5  # as always
    assert grouped.param_groups[0]["lr"] == 0.5


def test_a_setting_of_several_groups_reads_and_sets_only_where_they_agree():
    a, b, c = _params()
    opt = nn.SGD([{"params": [a], "weight_decay": 0.01}, {"params": [b, c], "weight_decay": 0.0}], lr=0.1)
    assert opt.lr == 0.1  # both groups hold it
    opt.lr = 0.2
    assert [g["lr"] for g in opt.param_groups] == [0.2, 0.2]
    with pytest.raises(ValueError, match=r"whose weight_decay differ .*param_groups\[k\]\['weight_decay'\]"):
        _ = opt.weight_decay
    with pytest.raises(ValueError, match="whose weight_decay differ"):
        opt.weight_decay = 0.1
    for g in opt.param_groups:
        g["lr"] *= 0.1
    assert [g["lr"] for g in opt.param_groups] == [0.2 * 0.1] * 2
    opt.param_groups[1]["lr"] = 0.5
    with pytest.raises(ValueError, match="whose lr differ"):
        _ = opt.lr
    with pytest.raises(ValueError, match="lr must be a finite number >= 0"):
        opt.param_groups[1]["lr"] = -1.0
    assert [g["lr"] for g in opt.param_groups] == [0.2 * 0.1, 0.5]


def test_torchs_refusals_with_torchs_exception_types():
    a, b, c = _params()
    with pytest.raises(ValueError, match="more than one parameter group"):
        nn.SGD([{"params": [a, b]}, {"params": [b]}], lr=0.1)
    with pytest.raises(KeyError, match="no 'params'"):
        nn.SGD([{"params": [a]}, {"lr": 0.1}], lr=0.1)
    with pytest.raises(TypeError, match="a set"):
        nn.SGD([{"params": {a}}], lr=0.1)
    with pytest.raises(TypeError, match="must be a dict"):
        nn.SGD([{"params": [a]}], lr=0.1).add_param_group([b])
    with pytest.raises(TypeError, match="mixed"):
        nn.SGD([{"params": [a]}, b], lr=0.1)
    with pytest.raises(ValueError, match="named"):
        nn.SGD([{"params": [("a", a)]}, {"params": [b]}], lr=0.1)
    with pytest.raises(ValueError, match="names a parameter 'w', a name a group before it gives"):
        nn.SGD([{"params": [("w", a)]}, {"params": [("w", b)]}], lr=0.1)
    named = nn.SGD([{"params": [("body.w", a)]}, {"params": [("head.w", b), ("head.b", c)]}], lr=0.1)
    assert named.param_names == ["body.w", "head.w", "head.b"]
    assert [g["param_names"] for g in named.param_groups] == [["body.w"], ["head.w", "head.b"]]
    # settings are checked as the constructor checks them (torch takes an lr of -1 in a group)
    with pytest.raises(ValueError, match="param group 1: .*lr must be a finite number >= 0"):
        nn.SGD([{"params": [a]}, {"params": [b], "lr": -1}], lr=0.1)
    with pytest.raises(ValueError, match="Nesterov"):
        nn.SGD([{"params": [a], "nesterov": True}], lr=0.1)
    # another optimizer's setting, or a misspelling, would be ignored (torch keeps it silently): refused
    with pytest.raises(KeyError, match="Adam has no setting 'momentum'"):
        nn.Adam([{"params": [a], "momentum": 0.9}])
    with pytest.raises(KeyError, match="did you mean 'weight_decay'"):
        nn.Adam([{"params": [a], "weight_deacy": 0.1}])
    opt = nn.Adam([{"params": [a], "name": "body"}, {"params": [b], "name": "head"}])  # the user's own key, kept
    assert [g["name"] for g in opt.param_groups] == ["body", "head"]


def test_a_group_refused_by_add_param_group_leaves_the_optimizer_as_it_was():
    a, b, c = _params()
    opt = nn.SGD([a], lr=0.1, momentum=0.9)
    for bad, error in [
        ({"params": [c], "lr": -1.0}, ValueError),
        ({"params": [a]}, ValueError),
        ({"params": [c], "nesterov": True, "dampening": 0.5}, ValueError),
        ({"lr": 0.1}, KeyError),
    ]:
        with pytest.raises(error):
            opt.add_param_group(bad)
        assert len(opt.param_groups) == 1 and opt.params == [a] and opt.lr == 0.1
    opt.param_groups[0]["initial_lr"] = 0.2  # as a scheduler resumed in PyTorch reads it: kept by the group
    opt.add_param_group({"params": [b, c], "lr": 0.01})
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.01] and opt.momentum == 0.9
    assert opt.param_groups[0]["initial_lr"] == 0.2 and "initial_lr" not in opt.param_groups[1]
    assert opt.param_groups[1]["params"] == [b, c] and opt.params == [a, b, c]
    for p in (a, b, c):
        p.grad = np.ones((2, 3))
    before = [p.data.copy() for p in (a, b, c)]
    opt.step()
    np.testing.assert_allclose(before[0] - a.data, 0.1)
    np.testing.assert_allclose(before[1] - b.data, 0.01)


def test_lbfgs_refuses_a_second_group_as_torchs():
    a, b, _ = _params()
    with pytest.raises(ValueError, match="doesn't support per-parameter options"):
        nn.LBFGS([{"params": [a]}, {"params": [b]}])
    opt = nn.LBFGS([{"params": [a], "lr": 0.5}])  # one group: taken
    assert opt.lr == 0.5
    with pytest.raises(ValueError, match="doesn't support per-parameter options"):
        opt.add_param_group({"params": [b]})
    assert opt.params == [a]


def test_values_in_groups_step_with_their_groups_settings():
    v, w = Value(1.0), Value(2.0)
    opt = nn.SGD([{"params": [v]}, {"params": [w], "lr": 0.5, "momentum": 0.9}], lr=0.1)
    v.grad, w.grad = 1.0, 1.0
    opt.step()
    assert (v.data, w.data) == (0.9, 1.5)
    state = opt.state_dict()
    assert "state.values1.buffer" in state and "state.values.buffer" not in state  # group 1's momentum only
    twins = Value(0.9), Value(1.5)
    other = nn.SGD([{"params": [twins[0]]}, {"params": [twins[1]], "momentum": 0.9}], lr=0.2)
    other.load_state_dict(state)
    for p in (v, w, *twins):
        p.grad = 1.0
    opt.step()
    other.step()
    assert (v.data, w.data) == (twins[0].data, twins[1].data)


def test_a_group_added_under_a_scheduler_is_refused():
    a, b, c = _params()
    for make in (lambda o: nn.schedulers.StepLR(o, 2), lambda o: nn.schedulers.ReduceLROnPlateau(o)):
        opt = nn.SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1)
        make(opt)
        with pytest.raises(ValueError, match="add every group first, then make the schedulers"):
            opt.add_param_group({"params": [c]})
        assert len(opt.param_groups) == 2


def test_a_state_of_groups_loads_only_into_the_same_groups():
    a, b, c = _params()
    opt = nn.Adam([{"params": [a]}, {"params": [b, c], "lr": 0.1, "amsgrad": True}], lr=0.01)
    for p in (a, b, c):
        p.grad = np.ones((2, 3))
    opt.step()
    state = opt.state_dict()
    assert state["group.1.lr"] == 0.1 and state["group.1.params"] == 2 and "state.1.v_max" in state
    other = nn.Adam([{"params": [a]}, {"params": [b, c], "amsgrad": True}], lr=0.5)
    other.load_state_dict(state)
    assert [g["lr"] for g in other.param_groups] == [0.01, 0.1] and other.param_groups[1]["amsgrad"] is True
    with pytest.raises(ValueError, match="holds 2 param group"):
        nn.Adam([a, b, c]).load_state_dict(state)
    with pytest.raises(ValueError, match="holds 1 param group"):
        other.load_state_dict(nn.Adam([a, b, c]).state_dict())
    saved = nn.SGD([{"params": [a]}, {"params": [b, c], "lr": 0.1}], lr=0.01).state_dict()
    regrouped = nn.SGD([{"params": [a, b]}, {"params": [c]}], lr=0.5)
    with pytest.raises(ValueError, match="param group holds 1 parameters and this SGD's 2"):
        regrouped.load_state_dict(saved)
    assert [g["lr"] for g in regrouped.param_groups] == [0.5, 0.5]  # unchanged


def test_save_and_load_a_model_with_an_optimizer_of_groups(tmp_path):
    model = mlp([3, 4, 2], "tanh")
    body, head = list(model.parameters())[:2], list(model.parameters())[2:]
    opt = nn.SGD([{"params": body, "weight_decay": 0.01}, {"params": head, "lr": 0.01}], lr=0.1, momentum=0.9)
    step = training_step(model, opt)
    for x, y in batches((5, 3), 2, 3):
        step(Tensor(x), y)
    nn.save(model, tmp_path / "m.npz", optimizer=opt)
    twin = mlp([3, 4, 2], "tanh", seed=7)
    params = list(twin.parameters())
    opt2 = nn.SGD([{"params": params[:2], "weight_decay": 0.0}, {"params": params[2:]}], lr=0.5, momentum=0.9)
    nn.load(twin, tmp_path / "m.npz", optimizer=opt2)
    assert [g["lr"] for g in opt2.param_groups] == [0.1, 0.01]
    assert [g["weight_decay"] for g in opt2.param_groups] == [0.01, 0.0]
    for x, y in batches((5, 3), 2, 2, seed=3):
        step(Tensor(x), y)
        training_step(twin, opt2)(Tensor(x), y)
    assert_same([p.data for p in model.parameters()], [p.data for p in twin.parameters()])


def test_a_compiled_step_uses_each_groups_current_settings_bit_for_bit():
    data = batches((6, 3), 2, 8)

    def run(compiled):
        model = mlp([3, 5, 2], "tanh")
        ps = list(model.parameters())
        opt = nn.Adam([{"params": ps[:2]}, {"params": ps[2:], "lr": 0.003, "betas": (0.8, 0.9)}], lr=0.01)
        sched = nn.schedulers.LambdaLR(opt, [lambda e: 0.9**e, lambda e: 1 / (1 + e)])
        model_step = training_step(model, opt)

        def step(x, y):  # the scheduler stepped inside the compiled function: replayed with each group's lr
            loss = model_step(x, y)
            sched.step()
            return loss

        run_ = autograd.compile(step, strict=True) if compiled else step
        losses = []
        for i, (x, y) in enumerate(data):
            if i == 4:
                opt.param_groups[1]["lr"] = 0.01  # by hand, between steps (LambdaLR overrides it from the next)
            opt.param_groups[0]["weight_decay"] = 0.01 * i
            opt.param_groups[1]["betas"] = (0.8, 0.9 + 0.01 * i)
            losses.append(run_(Tensor(x), y).data.copy())
        return losses, [p.data for p in model.parameters()], sched.get_last_lr(), run_

    *compiled, run_ = run(True)
    *eager, _ = run(False)
    assert_same(compiled, eager)
    assert replays(run_) >= 1


def test_the_cycles_take_one_number_per_group_and_check_each_groups_momentum():
    a, b, c = _params()
    opt = nn.SGD([{"params": [a]}, {"params": [b, c], "lr": 0.5}], lr=0.1, momentum=0.9)
    with pytest.raises(ValueError, match="base_lr holds one number per parameter group \\(2 here\\), got 3"):
        nn.schedulers.CyclicLR(opt, [0.01] * 3, 0.1)
    with pytest.raises(ValueError, match="max_lr holds one number per parameter group \\(2 here\\), got 3"):
        nn.schedulers.OneCycleLR(opt, [1.0, 2.0, 3.0], 10)
    opt.param_groups[1]["nesterov"] = True  # a momentum of 0 would be refused by this group alone
    with pytest.raises(ValueError, match="the cycle would set the momentum 0.0"):
        nn.schedulers.OneCycleLR(opt, 1.0, 10, base_momentum=[0.0, 0.0])
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5] and not opt.schedulers


def test_a_checkpoint_of_groups_and_their_schedulers_resumes_the_same_run(tmp_path):
    """nn.save of a model, an optimizer of two groups, a LambdaLR of one function per group and a plateau with a
    min_lr per group; nn.load into fresh ones made alike, and both runs go on the same (lrs and weights)."""

    def made(seed):
        model = mlp([3, 4, 2], "tanh", seed=seed)
        ps = list(model.parameters())
        opt = nn.SGD([{"params": ps[:2]}, {"params": ps[2:], "lr": 0.01}], lr=0.1, momentum=0.9)
        sched = nn.schedulers.LambdaLR(opt, [lambda e: 0.9**e, lambda e: 1 / (1 + e)])
        plateau = nn.schedulers.ReduceLROnPlateau(opt, patience=0, min_lr=[0.01, 0.0])
        return model, opt, sched, plateau

    model, opt, sched, plateau = made(0)
    data = batches((5, 3), 2, 8)
    for x, y in data[:4]:
        plateau.step(float(training_step(model, opt)(Tensor(x), y).data))
        sched.step()
    opt.param_groups[0]["lr"] = 0.05  # by hand after the schedule's: carried on by the resumed run
    nn.save(model, tmp_path / "m.npz", optimizer=opt)
    twin, opt2, sched2, plateau2 = made(7)
    nn.load(twin, tmp_path / "m.npz", optimizer=opt2)
    assert sched2.last_epoch == sched.last_epoch and sched2.state_dict() == sched.state_dict()
    assert [g["lr"] for g in opt2.param_groups] == [g["lr"] for g in opt.param_groups]
    for x, y in data[4:]:
        for m, o, s, p in ((model, opt, sched, plateau), (twin, opt2, sched2, plateau2)):
            p.step(float(training_step(m, o)(Tensor(x), y).data))
            s.step()
        assert sched2.get_last_lr() == sched.get_last_lr() and plateau2.get_last_lr() == plateau.get_last_lr()
    assert_same([p.data for p in model.parameters()], [p.data for p in twin.parameters()])
    other = nn.SGD(
        [{"params": list(twin.parameters())[:2]}, {"params": list(twin.parameters())[2:]}], lr=0.1, momentum=0.9
    )
    nn.schedulers.ReduceLROnPlateau(other, patience=0, min_lr=[0.02, 0.0])
    nn.schedulers.LambdaLR(other, [lambda e: 1.0, lambda e: 1.0])
    with pytest.raises(ValueError, match="min_lr"):
        nn.load(twin, tmp_path / "m.npz", optimizer=other)


def test_fit_trains_groups_and_records_each_groups_lr():
    model = mlp([3, 4, 2], "tanh")
    ps = list(model.parameters())
    opt = nn.SGD([{"params": ps[:2]}, {"params": ps[2:], "lr": 0.01}], lr=0.1)
    x, y = batches((16, 3), 2, 1)[0]
    history = nn.fit(model, nn.CrossEntropyLoss(), opt, (x, y), epochs=2, batch_size=8, verbose=False)
    assert history.lr == [[0.1, 0.01], [0.1, 0.01]]
    sched = nn.schedulers.StepLR(opt, 1, gamma=0.5)
    history = nn.fit(
        model, nn.CrossEntropyLoss(), opt, (x, y), epochs=2, batch_size=8, verbose=False, scheduler=sched, compile=True
    )
    assert history.lr == [[0.1, 0.01], [0.05, 0.005]] and [g["lr"] for g in opt.param_groups] == [0.025, 0.0025]


def test_a_schedulers_state_dict_of_groups_loads_into_one_made_alike():
    a, b, c = _params()

    def made():
        opt = nn.SGD([{"params": [a]}, {"params": [b, c], "lr": 0.02}], lr=0.1)
        return opt, nn.schedulers.CosineAnnealingLR(opt, 10, eta_min=0.001)

    opt, sched = made()
    for _ in range(4):
        sched.step()
    state = sched.state_dict()
    assert state["base_lr"] == [0.1, 0.02] and state["last_epoch"] == 4
    opt2, sched2 = made()
    sched2.load_state_dict(state)
    assert sched2.get_last_lr() == sched.get_last_lr() == [g["lr"] for g in opt2.param_groups]
    sched.step()
    sched2.step()
    assert sched2.get_last_lr() == sched.get_last_lr()
    with pytest.raises(ValueError, match="base_lr holds one value per param group"):
        sched2.load_state_dict({**state, "base_lr": 0.1})
    assert sched2.get_last_lr() == sched.get_last_lr()


def test_a_schedulers_base_lrs_and_lr_at_are_each_groups():
    a, b, _ = _params()
    opt = nn.SGD([{"params": [a]}, {"params": [b], "lr": 0.5}], lr=0.1)
    sched = nn.schedulers.StepLR(opt, 2, gamma=0.1)
    assert sched.base_lrs == [0.1, 0.5] and sched.lr_at(2) == pytest.approx([0.01, 0.05])
    with pytest.raises(AttributeError, match="base_lr is one per param group here .* read base_lrs"):
        _ = sched.base_lr
    with pytest.raises(AttributeError, match="has no attribute 'nothing'"):
        _ = sched.nothing
    one = nn.schedulers.StepLR(nn.SGD([a], lr=0.1), 2, gamma=0.1)
    assert one.base_lrs == [0.1] and one.lr_at(2) == pytest.approx(0.01) and one.base_lr == 0.1
