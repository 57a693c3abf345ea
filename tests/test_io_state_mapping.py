"""nn.save and nn.load with optimizer= record whose state is whose and the schedulers' settings, and
refuse, changing nothing, a file that does not match: an optimizer built on the model's parameters
in another order (or on another model's) took the saved moments onto the wrong parameters, and a
scheduler of other settings (StepLR(step_size=3) for a file of step_size=2) followed another
schedule, both silently (nn.io_params, nn.io_schedules)."""

import numpy as np
import pytest

import nn
from autograd import Tensor
from nn.io import OPTIMIZER_PREFIX
from nn.schedulers import CosineAnnealingLR, LinearLR, SequentialLR, StepLR

FORMATS = [".npz", ".safetensors"]
X = np.random.default_rng(0).normal(size=(8, 4))


def model():
    return nn.Sequential(nn.Linear(4, 4, seed=0), nn.Tanh(), nn.Linear(4, 4, seed=1))


def train(m, opt, schedulers=(), steps=3):
    for _ in range(steps):
        opt.zero_grad()
        (m(Tensor(X)) ** 2).mean().backward()
        opt.step()
        for s in schedulers:
            s.step()


def saved(path, params=lambda m: m.parameters(), chain=lambda o: [StepLR(o, step_size=2, gamma=0.5)]):
    """A model trained 3 steps by Adam (on `params` of it) and the schedulers `chain` makes, saved to `path`."""
    m = model()
    opt = nn.Adam(params(m), lr=0.1)
    train(m, opt, chain(opt))
    nn.save(m, path, optimizer=opt)
    return m


def snapshot(m, opt):
    """Everything a load could change: the model, the optimizer (state, lr) and its schedulers."""
    return (
        m.state_dict(),
        opt.state_dict(),
        (opt.lr, opt.initial_lr, opt.scheduled_lr),
        [(s.state_dict(), s.get_last_lr()) for s in opt.schedulers],
    )


def assert_unchanged(before, m, opt):
    after = snapshot(m, opt)
    for a, b in [(before[0], after[0]), (before[1], after[1])]:
        assert a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)
    assert before[2:] == after[2:]


def refused(path, m, opt, match):
    before = snapshot(m, opt)
    with pytest.raises(ValueError, match=match):
        nn.load(m, path, optimizer=opt)
    assert_unchanged(before, m, opt)


@pytest.mark.parametrize("suffix", FORMATS)
def test_the_file_names_each_optimizer_parameter_and_resumes_exactly(tmp_path, suffix):
    path = tmp_path / f"ckpt{suffix}"
    straight = model()
    opt = nn.Adam(straight.parameters(), lr=0.1)
    train(straight, opt, [StepLR(opt, step_size=2, gamma=0.5)], steps=4)
    saved(path)
    names = {name.removeprefix(OPTIMIZER_PREFIX) for name in _arrays(path)}
    assert {f"param.{i}.{n}" for i, (n, _) in enumerate(straight.named_parameters())} <= names
    assert {"schedule.0.setting.step_size", "schedule.0.setting.gamma"} <= names
    resumed = model()
    again = nn.Adam(resumed.parameters(), lr=0.1)
    scheduler = StepLR(again, step_size=2, gamma=0.5)
    nn.load(resumed, path, optimizer=again)
    train(resumed, again, [scheduler], steps=1)
    for (k, a), b in zip(straight.state_dict().items(), resumed.state_dict().values()):
        assert np.array_equal(a, b), k


@pytest.mark.parametrize("suffix", FORMATS)
def test_an_optimizer_over_the_parameters_in_another_order_is_refused_changing_nothing(tmp_path, suffix):
    path = tmp_path / f"ckpt{suffix}"
    saved(path)
    m = model()
    p = m.parameters()
    opt = nn.Adam([p[2], p[3], p[0], p[1]], lr=0.1)
    StepLR(opt, step_size=2, gamma=0.5)
    match = r"_optimizer\.param\.0: .* the model's 'layers\.2\.W', .* of the model's 'layers\.0\.W'.*: build the Adam "
    match += r".* same order"
    refused(path, m, opt, match)


@pytest.mark.parametrize("suffix", FORMATS)
def test_an_optimizer_over_another_part_of_the_model_is_refused(tmp_path, suffix):
    # fine-tuning the head, then resuming with an optimizer on the first layer: the same shapes, other parameters
    path = tmp_path / f"ckpt{suffix}"
    saved(path, params=lambda m: m.parameters()[2:])
    m = model()
    opt = nn.Adam(m.parameters()[:2], lr=0.1)
    StepLR(opt, step_size=2, gamma=0.5)
    refused(
        path,
        m,
        opt,
        r"parameter 0 is the model's 'layers\.0\.W', and the file's state .* of the model's 'layers\.2\.W'",
    )


def test_an_optimizer_over_more_parameters_than_the_saved_one_is_refused(tmp_path):
    path = tmp_path / "ckpt.npz"
    saved(path, params=lambda m: m.parameters()[:2])
    m = model()
    opt = nn.Adam(m.parameters(), lr=0.1)
    StepLR(opt, step_size=2, gamma=0.5)
    refused(path, m, opt, r"the file's optimizer held 2 parameters and this one holds 4")


@pytest.mark.parametrize("suffix", FORMATS)
def test_an_optimizer_of_another_model_is_refused_on_load(tmp_path, suffix):
    path = tmp_path / f"ckpt{suffix}"
    saved(path)
    m = model()
    opt = nn.Adam(model().parameters(), lr=0.1)
    StepLR(opt, step_size=2, gamma=0.5)
    refused(path, m, opt, r"the Adam holds none of this model's parameters .* build it on this model's")


@pytest.mark.parametrize("suffix", FORMATS)
def test_a_parameter_of_the_optimizers_own_keeps_its_place(tmp_path, suffix):
    """One that is not the model's (a loss's temperature) is saved as such, and must be at that place again."""
    path = tmp_path / f"ckpt{suffix}"

    def with_own(m):
        return [*m.parameters(), Tensor(np.ones(1), requires_grad=True)]

    saved(path, params=with_own)
    m = model()
    opt = nn.Adam(with_own(m), lr=0.1)
    StepLR(opt, step_size=2, gamma=0.5)
    nn.load(m, path, optimizer=opt)  # its place holds one of the optimizer's own again
    own_first = model()
    opt = nn.Adam(with_own(own_first)[::-1], lr=0.1)
    StepLR(opt, step_size=2, gamma=0.5)
    refused(
        path,
        own_first,
        opt,
        r"parameter 0 is not the model's .* of the model's 'layers\.0\.W'.*'layers\.2\.b', 'its own'\]",
    )
    with pytest.raises(ValueError, match="the Adam holds none of this model's parameters"):
        nn.save(model(), tmp_path / f"other{suffix}", optimizer=nn.Adam(model().parameters(), lr=0.1))


def test_a_marker_that_is_not_1_is_refused(tmp_path):
    path = tmp_path / "ckpt.npz"
    saved(path)
    arrays = _arrays(path) | {OPTIMIZER_PREFIX + "param.1.layers.0.b": np.array(0, np.int64)}
    np.savez(tmp_path / "edited.npz", **arrays)  # no checksum: loads unchecked
    m = model()
    opt = nn.Adam(m.parameters(), lr=0.1)
    StepLR(opt, step_size=2, gamma=0.5)
    refused(tmp_path / "edited.npz", m, opt, r"_optimizer\.param\.1\.layers\.0\.b holds 0, not the 1")


@pytest.mark.parametrize("suffix", FORMATS)
def test_a_file_written_before_the_names_and_settings_loads_as_it_did(tmp_path, suffix):
    path, old = tmp_path / f"ckpt{suffix}", tmp_path / f"old{suffix}"
    saved(path)
    arrays = _arrays(path)
    added = {n for n in arrays if ".param." in n or ".setting." in n}
    assert added  # what this change writes, left out as files written before it lack it
    _write(old, {n: a for n, a in arrays.items() if n not in added})
    m = model()
    opt = nn.Adam(m.parameters(), lr=0.1)
    scheduler = StepLR(opt, step_size=2, gamma=0.5)
    nn.load(m, old, optimizer=opt)
    assert scheduler.last_epoch == 3 and opt.lr == 0.05


SETTINGS = {  # a chain saved, another that differs only in a setting, and what the error names
    "step_size": (lambda o: [StepLR(o, 2, 0.5)], lambda o: [StepLR(o, 3, 0.9)], r"step_size=2, .* step_size=3"),
    "gamma": (lambda o: [StepLR(o, 2, 0.5)], lambda o: [StepLR(o, 2, 0.9)], r"gamma=0\.5, .* gamma=0\.9"),
    "T_max": (lambda o: [CosineAnnealingLR(o, 10)], lambda o: [CosineAnnealingLR(o, 20)], r"T_max=10, .* T_max=20"),
    "eta_min": (
        lambda o: [CosineAnnealingLR(o, 10, eta_min=0.01)],
        lambda o: [CosineAnnealingLR(o, 10, eta_min=0.02)],
        r"eta_min=0\.01, .* eta_min=0\.02",
    ),
    "total_iters": (lambda o: [LinearLR(o, 0.5, 1.0, 4)], lambda o: [LinearLR(o, 0.5, 1.0, 5)], r"total_iters=4, "),
    "start_factor": (lambda o: [LinearLR(o, 0.5)], lambda o: [LinearLR(o, 0.25)], r"start_factor=0\.5, "),
    "milestones": (
        lambda o: [SequentialLR(o, [LinearLR(o, 0.5, 1.0, 2), StepLR(o, 2, 0.5)], milestones=[2])],
        lambda o: [SequentialLR(o, [LinearLR(o, 0.5, 1.0, 2), StepLR(o, 2, 0.5)], milestones=[3])],
        r"schedule\.0\.setting\.milestones: the file's SequentialLR was saved with milestones=\[2\], .*=\[3\]",
    ),
    "a SequentialLR's scheduler's": (
        lambda o: [SequentialLR(o, [LinearLR(o, 0.5, 1.0, 2), StepLR(o, 2, 0.5)], milestones=[2])],
        lambda o: [SequentialLR(o, [LinearLR(o, 0.5, 1.0, 2), StepLR(o, 2, 0.7)], milestones=[2])],
        r"schedule\.0\.schedulers\.1\.setting\.gamma: the file's StepLR was saved with gamma=0\.5, .* make the StepLR",
    ),
    "a SequentialLR's scheduler's kind": (
        lambda o: [SequentialLR(o, [LinearLR(o, 0.5, 1.0, 2), StepLR(o, 2, 0.5)], milestones=[2])],
        lambda o: [SequentialLR(o, [LinearLR(o, 0.5, 1.0, 2), CosineAnnealingLR(o, 4)], milestones=[2])],
        r"schedulers \[SequentialLR of \[LinearLR, StepLR\]\] .* \[SequentialLR of \[LinearLR, CosineAnnealingLR\]\]",
    ),
}


@pytest.mark.parametrize("suffix", FORMATS)
@pytest.mark.parametrize("setting", SETTINGS)
def test_a_scheduler_of_other_settings_is_refused_changing_nothing(tmp_path, suffix, setting):
    path = tmp_path / f"ckpt{suffix}"
    chain, other, match = SETTINGS[setting]
    saved(path, chain=chain)
    m = model()
    opt = nn.Adam(m.parameters(), lr=0.1)
    other(opt)
    refused(path, m, opt, match)


def _arrays(path):
    if path.suffix == ".npz":
        with np.load(path) as f:
            return dict(f)
    from safetensors.numpy import load_file

    return load_file(path)


def _write(path, arrays):
    """`arrays` as a file of other tools writes it: no checksum."""
    if path.suffix == ".npz":
        np.savez(path, **arrays)
    else:
        from safetensors.numpy import save_file

        save_file(arrays, path)
