"""autograd.compile and a step that writes in place into its inputs, or into tensors computed from them:
eagerly the writes are allowed and the caller sees them; a replay, which follows the graph and reads the
data the caller gives, would not make them. Such a step runs eagerly, with eager's numbers and a
CompileWarning, and a write that eager refuses is refused with eager's error."""

import warnings

import numpy as np
import pytest
from compile_faithful_cases import check_refused, check_replayed

import autograd
import nn
from autograd import Tensor
from nn import functional as F

INPUT_CHANGED = "changed the data of one of its inputs"
COMPUTED_WRITTEN = "wrote in place .* into a tensor computed from its Tensor inputs alone"
TENSOR_CHANGED = "changed outside an nn optimizer"


def _trained(step_body, batches):
    """A scenario for check_refused: a fresh two-layer model trained by a step that runs
    `step_body(model, *inputs)` for its logits, on fresh copies of the same batches; the losses and
    the inputs as the calls left them (the caller sees an input's change)."""

    def scenario(compile):
        model = nn.Sequential(nn.Linear(2, 8, seed=0), nn.ReLU(), nn.Linear(8, 3, seed=1))
        opt = nn.SGD(model.parameters(), lr=0.1)

        def step(inputs, y):
            opt.zero_grad()
            loss = F.cross_entropy(step_body(model, inputs), y)
            loss.backward()
            opt.step()
            return loss.item()

        run, seen = compile(step), []
        for make_inputs, y in batches():
            inputs = make_inputs()
            seen.append((run(inputs, y), inputs if not isinstance(inputs, Tensor) else inputs.numpy().copy()))
        return seen

    return scenario


def _numpy_batches():
    rng = np.random.default_rng(3)
    xs, ys = rng.standard_normal((5, 4, 2)), rng.integers(0, 3, (5, 4))
    return [((lambda x=x: x.copy()), y) for x, y in zip(xs, ys)]


def _scaled(model, x):
    x *= 0.5  # the repro: the batch array halved in place before it is read
    return model(autograd.Tensor(x))


def _column_zeroed(model, x):
    x[:, 0] = 0.0
    return model(autograd.Tensor(x))


def _written_after_reading(model, x):
    logits = model(autograd.Tensor(x.copy()))
    x[:] = 0.0  # after its last read: still a change the caller sees
    return logits


def _in_a_dict(model, batch):
    batch["x"] *= 0.5
    return model(autograd.Tensor(batch["x"]))


def _in_a_list(model, batch):
    batch[1][0, 0] = 3.0
    return model(autograd.Tensor(batch[0] + batch[1]))


def _dict_batches():
    return [((lambda make=make: {"x": make()}), y) for make, y in _numpy_batches()]


def _list_batches():
    return [((lambda make=make: [make(), make()]), y) for make, y in _numpy_batches()]


@pytest.mark.parametrize(
    ("body", "batches"),
    [
        (_scaled, _numpy_batches),
        (_column_zeroed, _numpy_batches),
        (_written_after_reading, _numpy_batches),
        (_in_a_dict, _dict_batches),
        (_in_a_list, _list_batches),
    ],
)
def test_a_step_writing_its_numpy_inputs_runs_eagerly_with_eager_numbers(body, batches, monkeypatch):
    assert check_refused(_trained(body, batches), INPUT_CHANGED, monkeypatch) == 0


def test_a_step_writing_a_tensor_inputs_array_runs_eagerly():
    """Through the array behind a Tensor input (no hook sees a numpy write): its change is seen too."""

    def step_body(model, xt):
        xt.numpy()[:, 1] *= 2.0
        return model(xt)

    tensors = [((lambda make=make: Tensor(make())), y) for make, y in _numpy_batches()]
    eager = _trained(step_body, lambda: tensors)(lambda f: f)
    with pytest.warns(autograd.CompileWarning):
        compiled = _trained(step_body, lambda: tensors)(autograd.compile)
    assert [loss for loss, _ in compiled] == [loss for loss, _ in eager]
    for (_, a), (_, b) in zip(compiled, eager):
        np.testing.assert_array_equal(a, b)


def test_inputs_left_alone_are_replayed_even_holding_nans(monkeypatch):
    """The comparison is bit for bit: a NaN in an input that the step does not change is unchanged."""

    def scenario(compile):
        model = nn.Linear(2, 3, seed=0)
        opt = nn.SGD(model.parameters(), lr=0.1)

        def step(x, y, unused):
            opt.zero_grad()
            loss = F.cross_entropy(model(Tensor(x)), y)
            loss.backward()
            opt.step()
            return loss.item()

        run = compile(step)
        return [run(x(), y, np.array([np.nan, -0.0])) for x, y in _numpy_batches()]

    check_replayed(scenario, monkeypatch, replays_at_least=3)


def _tensor_step_scenario(step_body):
    """The second repro's step, on a fresh nn.Linear(4, 3), given Tensor inputs: its losses and inputs."""

    def scenario(compile):
        model = nn.Linear(4, 3, seed=0)
        opt = nn.SGD(model.parameters(), lr=0.1)

        def step(xt, y):
            opt.zero_grad()
            loss = F.cross_entropy(model(step_body(xt)), y)
            loss.backward()
            opt.step()
            return loss.item()

        run, rng, seen = compile(step), np.random.default_rng(4), []
        for _ in range(4):
            xt = Tensor(rng.standard_normal((6, 4)))
            seen.append((run(xt, np.zeros(6, dtype=int)), xt.numpy().copy()))
        return seen

    return scenario


def _computed_assigned(xt):
    c = xt * 2.0
    c[:, 0] = 0.0
    return c


def _computed_scaled_through_another_name(xt):
    c = xt * 2.0
    same = c
    c *= 3.0  # eagerly in place: `same` sees it
    return same


def _view_added_to(xt):
    v = xt[:, :2]
    v += 1.0  # eagerly changes xt, the caller's tensor
    return xt


def _transpose_scaled(xt):
    v = xt.T
    v *= 2.0
    return xt


def _assigned_into_a_constant(xt):
    c = Tensor(np.zeros((6, 4)))
    c[:, 1] = xt[:, 0] * 3.0  # eagerly a value that needs no gradient: nothing lost
    return c + xt


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (_computed_assigned, COMPUTED_WRITTEN),
        (_computed_scaled_through_another_name, COMPUTED_WRITTEN),
        (_view_added_to, COMPUTED_WRITTEN),
        (_transpose_scaled, COMPUTED_WRITTEN),
        (_assigned_into_a_constant, TENSOR_CHANGED),
    ],
)
def test_writes_into_tensors_computed_from_tensor_inputs_run_eagerly_with_eager_numbers(body, why, monkeypatch):
    assert check_refused(_tensor_step_scenario(body), why, monkeypatch) == 0


@pytest.mark.parametrize(
    "body",
    [
        lambda xt, w: (w * 2.0).__setitem__((slice(None), 0), 0.0),  # computed from a parameter
        lambda xt, w: (xt[:, :3] * w[0]).__setitem__((slice(None), 0), 0.0),  # from an input and a parameter
    ],
)
def test_writes_eager_refuses_are_refused_with_eagers_error(body):
    """A tensor that requires grad for real (a parameter's gradient flows through it) is refused, as eagerly."""
    errors = []
    for compile in (lambda f: f, autograd.compile):
        model = nn.Linear(3, 3, seed=0)

        def step(xt, model=model):
            body(xt, model.W)

        with pytest.raises(RuntimeError) as caught:
            compile(step)(Tensor(np.ones((2, 3))))
        errors.append(str(caught.value))
    assert errors[0] == errors[1]
    assert "requires grad" in errors[0]


def _losses_of_a_write_after_a_read(compiled, variant):
    model = nn.Linear(4, 3, seed=0)
    opt = nn.SGD(model.parameters(), lr=0.1)

    def step(xt, y):
        opt.zero_grad()
        c = xt * 2.0
        if variant == "read before the write":
            d = c + 1
            c[:, 0] = 0.0
        elif variant == "a view read before the write":
            d = c[:, :] * 1.0
            c[:, 0] = 5.0
        elif variant == "+= after a read":
            d = c * 3
            c += 1.0
        else:  # the model read c before the write: eagerly its backward refuses the change too
            out = model(c)
            c[:, 0] = 0.0
            return F.cross_entropy(out, y).backward()
        loss = F.cross_entropy(model(d), y)
        loss.backward()
        opt.step()
        return loss.item()

    run = autograd.compile(step) if compiled else step
    rng = np.random.default_rng(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", autograd.CompileWarning)
        return [run(Tensor(rng.normal(size=(6, 4))), rng.integers(0, 3, 6)) for _ in range(4)]


@pytest.mark.parametrize("variant", ["read before the write", "a view read before the write", "+= after a read"])
def test_a_tensor_read_from_inputs_before_they_are_written_backs_as_eagerly(variant):
    """d computed from c before c's write: eagerly no graph holds either; recorded, d's node must not
    refuse c's change (its gradients reach only the inputs' stand-ins)."""
    assert _losses_of_a_write_after_a_read(True, variant) == _losses_of_a_write_after_a_read(False, variant)


def test_a_write_after_a_parameters_op_read_it_is_refused_as_eagerly():
    for compiled in (False, True):
        with pytest.raises(RuntimeError, match="was changed in place after"):
            _losses_of_a_write_after_a_read(compiled, "the model read it")
