"""Why a compiled step runs eagerly, said in the user's terms: a gradient penalty taken with
autograd.gradients(..., create_graph=True) through tanh, elu or cross_entropy was blamed on "node 22 (where)",
"node 1 (constant) ... a random mask drawn with numpy" or "the step ran 40 tensor ops ... and 46 on the next",
none of which the step wrote. The numbers stay eager's; through sigmoid the penalty replays. An evaluation under
no_grad returning loss.item() ran eagerly (no_grad records no graph): its forward now replays, bit for bit."""

import contextlib

import numpy as np
import pytest
from compile_faithful_cases import check_refused, check_replayed

import autograd
import nn
from autograd import Tensor
from nn import functional as F

_RNG = np.random.default_rng(3)
BATCHES = [(_RNG.standard_normal((5, 4)), _RNG.standard_normal((5, 3))) for _ in range(6)]


def _penalized(activation, through):
    """A scenario: six SGD steps whose loss adds the squared gradient of `through` (the output's sum, or the
    cross-entropy) with respect to the input, taken with create_graph=True."""

    def scenario(compile):
        model = nn.Sequential(
            nn.Linear(4, 6, dtype=np.float64, seed=0), activation(), nn.Linear(6, 3, seed=1, dtype=np.float64)
        )
        opt = nn.SGD(model.parameters(), lr=0.01)

        def step(x, y):
            opt.zero_grad()
            xt = Tensor(x, requires_grad=True)
            out = model(xt)
            base = F.cross_entropy(out, y.argmax(1)) if through == "cross_entropy" else ((out - Tensor(y)) ** 2).mean()
            (g,) = autograd.gradients(base if through == "cross_entropy" else out.sum(), [xt], create_graph=True)
            loss = base + (g * g).mean()
            loss.backward()
            opt.step()
            return loss.item()

        run = compile(step)
        return [(run(x, y), [p.data.copy() for p in model.parameters()]) for x, y in BATCHES]

    return scenario


@pytest.mark.parametrize(
    ("activation", "through", "rule", "does"),
    [
        (nn.Tanh, "output", "tanh", "reads a condition or an index of its where op"),
        (nn.ELU, "output", "elu", "reads a condition or an index of its where op"),
        (nn.Tanh, "cross_entropy", "tanh", "(chooses its ops|reads a condition or an index of its where op)"),
        (nn.Sigmoid, "cross_entropy", "cross_entropy", "makes a constant"),
    ],
)
def test_a_penalty_through_a_rule_that_reads_the_numbers_names_it(activation, through, rule, does, monkeypatch):
    why = (
        rf"takes a gradient with create_graph=True \(autograd.gradients.*through {rule}: the derivative rule of "
        rf"{rule}, run on the graph for it, {does} from each call's numbers.*silu's"
    )
    assert check_refused(_penalized(activation, through), why, monkeypatch) == 0


@pytest.mark.parametrize("activation", [nn.SiLU, nn.GELU])
def test_a_penalty_through_a_rule_of_the_same_graph_replays(activation, monkeypatch):
    check_replayed(_penalized(activation, "output"), monkeypatch, replays_at_least=4)


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "abs"])
def test_a_penalty_whose_rule_reads_the_numbers_alike_on_both_recorded_calls_is_never_replayed(activation, monkeypatch):
    """Small inputs on the two recorded calls, where sigmoid's rule takes 1 - σ(x) everywhere (its condition
    all False on both), then inputs of ±20, where eager takes its tail e/(1 + e)²: the replays reused the
    recorded condition (a loss of 3.6215558017646e-17 where eager gives 3.6215557524944803e-17)."""
    xs = [np.full((3, 1), 0.3), np.full((3, 1), -0.2)] + [np.array([[20.0], [-21.0], [19.0]])] * 4

    def scenario(compile):
        w = Tensor(np.ones((1, 1)), requires_grad=True)
        opt = nn.SGD([w], lr=1e-6)

        def step(x):
            opt.zero_grad()
            xt = Tensor(x, requires_grad=True)
            (g,) = autograd.gradients(getattr(xt @ w, activation)().sum(), [xt], create_graph=True)
            loss = (g * g).sum()
            loss.backward()
            opt.step()
            return loss.item()

        run = compile(step)
        return [(run(x), w.data.copy()) for x in xs]

    why = rf"through {activation}: the derivative rule of {activation}, run on the graph for it, (reads|makes)"
    assert check_refused(scenario, why, monkeypatch) == 0


def _evaluation(loss_of, called_under_no_grad=False):
    """A scenario: a linear model evaluated on BATCHES (float32) by `loss_of(model, x, labels)` compiled (called
    under no_grad, or not), between eager SGD steps: the evaluations' numbers and the parameters."""

    def scenario(compile):
        model = nn.Linear(4, 3, seed=0, dtype=np.float32)
        opt = nn.SGD(model.parameters(), lr=0.1)
        run = compile(lambda x, labels: loss_of(model, x, labels))
        losses = []
        for x, y in BATCHES:
            x, labels = x.astype(np.float32), y.argmax(1)
            with autograd.no_grad() if called_under_no_grad else contextlib.nullcontext():
                losses.append(run(x, labels))
            opt.zero_grad()
            F.cross_entropy(model(x), labels).backward()
            opt.step()
        return losses, [p.data for p in model.parameters()]

    return scenario


def _under_no_grad(model, x, labels):
    with autograd.no_grad():
        return F.cross_entropy(model(x), labels).item()


def test_an_evaluation_under_no_grad_replays_its_forward(monkeypatch):
    # it ran eagerly ("no_grad records no graph"): its ops are now made again by each replay, needing no gradient
    check_replayed(_evaluation(_under_no_grad), monkeypatch, replays_at_least=4)


def test_an_evaluation_compiled_and_called_under_no_grad_replays_its_forward(monkeypatch):
    # such calls ran eagerly, unrecorded: now recorded apart from calls with grad on (their forward alone)
    evaluated = _evaluation(lambda model, x, labels: F.cross_entropy(model(x), labels).item(), True)
    check_replayed(evaluated, monkeypatch, replays_at_least=4)


def test_an_evaluation_of_a_detached_loss_is_told_why(monkeypatch):
    def detached(model, x, labels):
        return F.cross_entropy(model(x), labels).detach().item()

    assert check_refused(_evaluation(detached), r"returned t.item\(\) of a tensor detached", monkeypatch) == 0
