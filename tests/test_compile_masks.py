"""Masks built by comparisons and mask operators on a compiled step's inputs (`x == 0`, `~m`, `m & (x > 0)`,
`isnan(x) | (x != 0)`, `x.eq(0)`) ran the step eagerly: a comparison read its operands' numbers, and the mask was
data made outside the graph ('node 3 (constant) is data computed outside the graph that changed'). They are now
ops that make a constant (compile_masks), made again by each replay from that call's inputs: the step replays,
bit for bit eager's, also where the masks were the same on both recorded calls and change after. A comparison
of a tensor a gradient flows to (`out > 0`), and a mask used as a boolean index, still run the step eagerly."""

import warnings

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor


@autograd.unguarded
class _Calls:
    """How many times the step's Python ran (a replay runs none of it)."""

    count = 0


MASKED = {
    "where on x == 0": lambda model, x, m: autograd.where(x == 0, 1.0, model(x).sum() * x).sum(),
    "~m": lambda model, x, m: (model(x * ~m) ** 2).mean(),
    "m & (x > 0)": lambda model, x, m: (model(x.masked_fill(m & (x > 0), 0.0)) ** 2).mean(),
    "isnan(x) | (x != 0)": lambda model, x, m: (model(x.masked_fill(x.isnan() | (x != 0), 1.0)) ** 2).mean(),
    "x.eq(0), 0 < x": lambda model, x, m: (model(x * x.eq(0) + (0 < x)) ** 2).mean(),
    "m ^ True, x >= m": lambda model, x, m: (model(x * (m ^ True) * (x >= m)) ** 2).mean(),
}


def _batches(same_first_two, nan=False):
    """Eight (x, mask) batches, x with zeros (and a NaN, where asked), the first two alike where asked."""
    rng, out = np.random.default_rng(0), []
    for _ in range(8):
        x = rng.standard_normal((4, 3))
        x[rng.random((4, 3)) < 0.3] = 0
        x[0, 0] = np.nan if nan and rng.random() < 0.5 else x[0, 0]
        out.append((x, rng.random((4, 3)) < 0.5))
    if same_first_two:
        out[1] = tuple(a.copy() for a in out[0])
    return out


def _run(compiled, loss_of, batches):
    """Losses and parameters after each of the steps (a Linear trained by SGD), and how often its Python ran."""
    model = nn.Linear(3, 2, seed=0, dtype=np.float64)
    opt = nn.SGD(model.parameters(), lr=0.1)
    _Calls.count = 0

    def step(x, m):
        _Calls.count += 1
        opt.zero_grad()
        loss = loss_of(model, Tensor(x), Tensor(m))
        loss.backward()
        opt.step()
        return loss.item()

    run = autograd.compile(step) if compiled else step
    history = [(run(x, m), [p.data.copy() for p in model.parameters()]) for x, m in batches]
    return history, _Calls.count


@pytest.mark.parametrize("same_first_two", [False, True])
@pytest.mark.parametrize("case", MASKED)
def test_a_mask_made_from_the_inputs_replays_bit_for_bit(case, same_first_two):
    batches = _batches(same_first_two, nan=case.startswith("isnan"))
    eager, _ = _run(False, MASKED[case], batches)
    with warnings.catch_warnings():
        warnings.simplefilter("error", autograd.CompileWarning)
        compiled, ran = _run(True, MASKED[case], batches)
    # the two recordings, six replays; where the inputs were equal on both recorded calls, what else the step
    # makes anew on each call (where's 1.0, masked_fill's value) pins the replays to them: recorded once more
    assert ran == (4 if same_first_two and ran != 2 else 2)
    for (a, pa), (b, pb) in zip(eager, compiled):
        assert a == b or (a != a and b != b)
        assert all(np.array_equal(u, v) for u, v in zip(pa, pb))


def test_a_boolean_index_still_runs_eagerly_saying_its_shape_follows_the_data():
    loss_of = lambda model, x, m: (model(x)[x[:, 1] > 0] ** 2).sum()  # noqa: E731
    batches = _batches(True)
    eager, _ = _run(False, loss_of, batches)
    with pytest.warns(autograd.CompileWarning, match="getitem.* boolean mask"):
        compiled, _ = _run(True, loss_of, batches)
    assert [a for a, _ in eager] == [b for b, _ in compiled]


def test_a_mask_of_the_outputs_is_made_again_by_each_replay():
    """(out * (out > 0)).sum(): a mask of the graph's numbers ran the step eagerly; it is made again now."""
    loss_of = lambda model, x, m: (model(x) * (model(x) > 0)).sum()  # noqa: E731
    batches = _batches(True)
    eager, _ = _run(False, loss_of, batches)
    with warnings.catch_warnings():
        warnings.simplefilter("error", autograd.CompileWarning)
        compiled, ran = _run(True, loss_of, batches)
    assert ran < len(batches)
    for (a, pa), (b, pb) in zip(eager, compiled):
        assert a == b
        assert all(np.array_equal(u, v) for u, v in zip(pa, pb))


@pytest.mark.parametrize("other", [np.array([0j, 1j, -1j]), np.array([0.0, 0.5, -0.5], dtype=object)])
def test_a_comparison_with_an_array_of_no_tensor_dtype_runs_as_eagerly(other):
    """x > an array of complex numbers or objects (numpy compares them) raised a TypeError in a compiled step (the
    recording made a Tensor of that array, which Tensor() refuses), where eager gave a mask."""
    w = Tensor(np.ones(3), requires_grad=True)

    def step(x):
        x = Tensor(x)
        loss = (x * (x > other) * w).sum()
        loss.backward()
        return loss.item()

    batches = [np.array([0.25, 1.0, -1.0]) * k for k in range(1, 5)]
    eager = [step(x) for x in batches]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", autograd.CompileWarning)  # numbers read outside the graph: runs eagerly
        run = autograd.compile(step)
        assert [run(x) for x in batches] == eager
