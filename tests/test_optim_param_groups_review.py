"""Param groups probed as a user porting PyTorch code would: a setting PyTorch takes in a group but never reads
(Adagrad's initial_accumulator_value: every sum starts at the constructor's) is refused rather than honoured
with numbers torch would not give."""

import numpy as np
import pytest
from torch_reference import torch  # without torch: skipped

import nn
import viz
from autograd import Tensor


def _both(seed=0):
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(shape) for shape in ((3, 2), (2,), (2, 2))]
    ours = [Tensor(a.copy(), requires_grad=True) for a in arrays]
    return ours, [torch.tensor(a.copy(), requires_grad=True) for a in arrays]


def test_adagrads_sums_start_at_the_constructors_initial_accumulator_value_as_torchs():
    """torch.optim.Adagrad starts every sum at `defaults["initial_accumulator_value"]` and ignores a group's (a
    group of 0.5 under a constructor's 0 starts at 0): 0.0149 apart after 12 steps where chainrule honoured the
    group's. A group's that differs is refused (ValueError naming the constructor), one equal to it taken."""
    ours, theirs = _both()
    with pytest.raises(ValueError, match="initial_accumulator_value.*constructor"):
        nn.Adagrad([{"params": ours[:2], "initial_accumulator_value": 0.5}, {"params": ours[2:]}], lr=0.1)
    opt = nn.Adagrad([{"params": ours[:2]}], lr=0.1, initial_accumulator_value=0.3)
    with pytest.raises(ValueError, match="initial_accumulator_value.*constructor"):
        opt.add_param_group({"params": ours[2:], "initial_accumulator_value": 0.0})
    assert len(opt.param_groups) == 1  # the group refused left it as it was
    opt.add_param_group({"params": ours[2:], "lr": 0.01, "initial_accumulator_value": 0.3})
    mine = torch.optim.Adagrad([{"params": theirs[:2]}], lr=0.1, initial_accumulator_value=0.3)
    mine.add_param_group({"params": theirs[2:], "lr": 0.01, "initial_accumulator_value": 0.3})
    rng = np.random.default_rng(1)
    for _ in range(12):
        for o, t in zip(ours, theirs):
            g = rng.standard_normal(o.shape)
            o.grad, t.grad = g.copy(), torch.tensor(g)
        opt.step()
        mine.step()
    for o, t in zip(ours, theirs):
        np.testing.assert_allclose(o.data, t.detach().numpy(), rtol=0, atol=1e-12)


def test_fits_history_lr_is_one_list_per_epoch_for_every_epoch_of_several_groups():
    """Two groups of one lr under LambdaLR([1, 0.5**e]) agree in epoch 1 only: History.lr was [0.1, [0.1, 0.05],
    [0.1, 0.025]], a float then lists, which a plot or a zip over it misreads. Now each epoch's is the groups'
    list (get_last_lr's shape) wherever the optimizer has several groups."""
    rng = np.random.default_rng(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    ps = list(model.parameters())
    opt = nn.SGD([{"params": ps[:2]}, {"params": ps[2:]}], lr=0.1)
    sched = nn.schedulers.LambdaLR(opt, [lambda e: 1.0, lambda e: 0.5**e])
    x, y = rng.standard_normal((8, 3)), rng.integers(0, 2, 8)
    history = nn.fit(model, nn.CrossEntropyLoss(), opt, (x, y), epochs=3, batch_size=8, verbose=False, scheduler=sched)
    assert history.lr == [[0.1, 0.1], [0.1, 0.05], [0.1, 0.025]]


def test_viz_draws_groups_that_differ_only_in_keys_no_step_reads(tmp_path):
    """Groups of one set of settings that differ in the user's own key ("name", for logging) or a scheduler's
    initial_lr were refused as holding "different settings" (the rule drawn would be true of both); they are
    drawn now, and groups of different settings refused naming the setting that differs."""
    model = nn.Sequential(nn.Linear(2, 3, seed=0), nn.Tanh(), nn.Linear(3, 1, seed=1))
    loss = ((model(Tensor(np.ones((4, 2)))) - Tensor(np.ones((4, 1)))) ** 2).mean()
    loss.backward()
    ps = list(model.parameters())
    named = nn.SGD([{"params": ps[:2], "name": "body"}, {"params": ps[2:], "name": "head"}], lr=0.1, momentum=0.9)
    named.param_groups[1]["initial_lr"] = 0.2
    viz.save_html(loss, tmp_path / "named.html", optimizer=named)
    assert (tmp_path / "named.html").exists()
    differ = nn.SGD([{"params": ps[:2]}, {"params": ps[2:], "momentum": 0.5}], lr=0.1, momentum=0.9)
    with pytest.raises(ValueError, match=r"param groups hold different ones \(momentum\)"):
        viz.save_html(loss, tmp_path / "differ.html", optimizer=differ)


def test_groups_given_as_an_iterator_are_taken_as_torchs():
    """torch.optim takes any iterable of groups (`iter(groups)`, a generator); chainrule took only a list or a
    tuple and met an iterator of dicts with a TypeError saying parameters and groups were mixed, which they
    were not. Now an iterator of groups is its groups, and an iterator of parameters its parameters."""
    ours, _ = _both()
    grouped = nn.SGD(iter([{"params": ours[:2]}, {"params": ours[2:], "lr": 0.5}]), lr=0.1)
    assert [g["lr"] for g in grouped.param_groups] == [0.1, 0.5]
    generated = nn.SGD(({"params": [p], "lr": 0.1 * (k + 1)} for k, p in enumerate(ours)), lr=0.1)
    assert [len(g["params"]) for g in generated.param_groups] == [1, 1, 1]
    assert nn.SGD(iter(ours), lr=0.1).params == ours
    with pytest.raises(TypeError, match="mixed"):
        nn.SGD(iter([ours[0], {"params": ours[1:]}]), lr=0.1)


def test_a_schedulers_state_of_several_groups_loaded_over_one_group_names_the_groups():
    """A StepLR's state over 2 groups loaded into one over a 1-group optimizer was refused saying "hand_set must
    be True, False or None, got [False, False]", which names no groups; now it says base_lr holds one value per
    group, as the other mismatches (1 into 2, 3 into 2) always did."""
    ours, _ = _both()
    two = nn.SGD([{"params": ours[:2]}, {"params": ours[2:], "lr": 0.5}], lr=0.1)
    saved = nn.schedulers.StepLR(two, 2)
    saved.step()
    one = nn.schedulers.StepLR(nn.SGD(ours, lr=0.1), 2)
    with pytest.raises(ValueError, match=r"base_lr holds one value per param group \(1 here\), got \[0.1, 0.5\]"):
        one.load_state_dict(saved.state_dict())
    assert one.last_epoch == 0 and one.get_last_lr() == [0.1]  # left as it was


def test_a_groups_params_or_the_groups_changed_in_place_are_refused_not_lost():
    """torch trains a parameter appended to `opt.param_groups[0]["params"]`; chainrule's list was a copy, so the
    append was lost without a word (the parameter never moved), as was `opt.param_groups.append(group)`. Both
    lists now refuse changes in place (TypeError naming add_param_group); reading and copying them is as before."""
    ours, _ = _both()
    opt = nn.SGD([{"params": ours[:2]}], lr=0.1)
    group = opt.param_groups[0]
    for change in (
        lambda: group["params"].append(ours[2]),
        lambda: group["params"].extend(ours[2:]),
        lambda: group["params"].__iadd__(ours[2:]),
        lambda: group["params"].__setitem__(0, ours[2]),
        lambda: opt.param_groups.append({"params": ours[2:]}),
        lambda: opt.param_groups.insert(0, {"params": ours[2:]}),
        lambda: opt.param_groups.pop(),
    ):
        with pytest.raises(TypeError, match="add_param_group"):
            change()
    assert group["params"] == ours[:2] and len(opt.param_groups) == 1
    assert list(group["params"]) + [ours[2]] == ours and [g["lr"] for g in opt.param_groups] == [0.1]


@pytest.mark.parametrize(
    "read",
    [
        lambda opt, sched: opt.param_groups[1]["lr"],
        lambda opt, sched: sched.get_last_lr()[1],
        lambda opt, sched: opt.lr,  # several groups of one lr: theirs
    ],
    ids=["param_groups", "get_last_lr", "opt.lr"],
)
def test_a_compiled_step_that_reads_a_groups_lr_a_scheduler_moves_inside_it_is_not_replayed_stale(read):
    """A compiled step that branched on a group's lr (`opt.param_groups[1]["lr"]`, `sched.get_last_lr()[1]`, or
    `opt.lr` where the groups agree) while a StepLR inside it halved the lr each call was replayed with the branch
    recorded: losses 1.14 from eager's, no warning (one group's `opt.lr` read so runs eagerly, saying why). A
    group's setting read by the step's code is now guarded as `opt.lr` is: the losses are eager's."""
    import warnings

    from compile_cases import batches, mlp

    import autograd
    import nn.functional as F

    def run(compiled):
        model = mlp([3, 5, 2], "tanh")
        ps = list(model.parameters())
        opt = nn.SGD([{"params": ps[:2]}, {"params": ps[2:], "lr": 0.05}], lr=0.05)
        sched = nn.schedulers.StepLR(opt, 1, 0.5)

        def step(x, y):
            loss = F.cross_entropy(model(x), y)
            if read(opt, sched) < 0.02:
                loss = loss * 2
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            return loss

        run_ = autograd.compile(step) if compiled else step
        with warnings.catch_warnings(record=True) as said:
            warnings.simplefilter("always")
            losses = [float(run_(Tensor(x), y).data) for x, y in batches((6, 3), 2, 8)]
        return losses, [str(w.message) for w in said if isinstance(w.message, autograd.CompileWarning)]

    (compiled, said), (eager, _) = run(True), run(False)
    assert compiled == eager
    # the reason named is the scheduler's (it said "a layer made or given inside it, nn.Linear(...)")
    assert said and all("scheduler" in s and "nn.Linear" not in s for s in said)


def test_the_defaults_changed_in_place_are_refused_not_lost():
    """torch's `opt.defaults["lr"] = 0.5` before add_param_group gives the group added lr 0.5; chainrule's defaults
    were a copy, so the group got the constructor's 0.1 without a word. They now refuse changes (TypeError naming
    the group's own settings); read and copied as a dict as before."""
    ours, _ = _both()
    opt = nn.SGD([{"params": ours[:2]}], lr=0.1, momentum=0.9)
    for change in (
        lambda: opt.defaults.__setitem__("lr", 0.5),
        lambda: opt.defaults.update(lr=0.5),
        lambda: opt.defaults.pop("lr"),
        lambda: opt.defaults.setdefault("foo", 1),
    ):
        with pytest.raises(TypeError, match="add_param_group"):
            change()
    assert (
        opt.defaults["lr"] == 0.1 and {**opt.defaults, "lr": 0.5}["lr"] == 0.5 and dict(opt.defaults)["momentum"] == 0.9
    )
    opt.add_param_group({"params": ours[2:]})
    assert opt.param_groups[1]["lr"] == 0.1


@pytest.mark.parametrize("key", ["LR", "lrr", "Weight_Decay", "momentun"])
def test_a_groups_short_or_capitalised_misspelling_is_refused_too(key):
    """A group's key that misspells a setting is refused (torch would ignore it and train the group at the
    constructor's lr); only those of 5 letters or more were caught: `{"params": head, "LR": 1e-3}` or `"lrr"` was
    kept as the user's own key, and the group trained at the constructor's lr. Keys of one's own stay taken."""
    ours, _ = _both()
    with pytest.raises(KeyError, match="did you mean"):
        nn.SGD([{"params": ours[:2]}, {"params": ours[2:], key: 1e-3}], lr=0.1, momentum=0.9)
    opt = nn.SGD([{"params": ours[:2]}], lr=0.1, momentum=0.9)
    with pytest.raises(KeyError, match="did you mean"):
        opt.param_groups[0][key] = 1e-3
    kept = nn.SGD([{"params": ours, "name": "all", "lr_scale": 0.5, "layer_id": 3, "wd": 1}], lr=0.1)
    assert (kept.param_groups[0]["name"], kept.param_groups[0]["lr_scale"]) == ("all", 0.5)


@pytest.mark.parametrize("how", ["constructor, two groups", "constructor, one group", "add_param_group"])
def test_a_groups_initial_lr_given_with_it_is_the_schedules_base_as_torchs(how):
    """torch's schedulers keep an "initial_lr" a group was given (setdefault): LambdaLR(0.5 ** e) over a group of
    lr 0.1 given initial_lr 0.3 runs 0.3, 0.15, 0.075, 0.0375. chainrule kept the key as the user's own and
    scheduled from 0.1 (0.1, 0.05, ...; the group listed "initial_lr" twice), where setting it afterwards
    (`param_groups[1]["initial_lr"] = 0.3`) gave torch's: one rule now serves both."""

    def lrs(lib, opt_of, scheduler):
        p, q = (lib(np.ones(2)) for _ in range(2))
        if how == "constructor, one group":
            opt = opt_of([{"params": [q], "initial_lr": 0.3}], lr=0.1)
        elif how == "constructor, two groups":
            opt = opt_of([{"params": [p]}, {"params": [q], "lr": 0.1, "initial_lr": 0.3}], lr=0.1)
        else:
            opt = opt_of([p], lr=0.1)
            opt.add_param_group({"params": [q], "lr": 0.1, "initial_lr": 0.3})
        sched, seen = scheduler(opt, lambda e: 0.5**e), []
        for _ in range(4):
            seen.append([g["lr"] for g in opt.param_groups])
            opt.step()
            sched.step()
        assert list(opt.param_groups[-1]).count("initial_lr") == 1
        return seen

    ours = lrs(lambda a: Tensor(a, requires_grad=True), nn.SGD, nn.schedulers.LambdaLR)
    theirs = lrs(lambda a: torch.tensor(a, requires_grad=True), torch.optim.SGD, torch.optim.lr_scheduler.LambdaLR)
    assert ours == theirs
