"""The losses as modules (nn.loss_modules): each is its function in nn.functional with its options
bound, under PyTorch's class name and arguments; in a compiled step and in nn.fit as the function is."""

import inspect

import numpy as np
import pytest
from compile_cases import assert_same, batches, mlp, replays, training_step

import autograd
import nn
from autograd import Tensor
from nn import functional as F
from nn.function_modules import options_of
from nn.loss_modules import LOSSES
from nn.loss_positions import DEPRECATED

RNG = np.random.default_rng(0)
LOGITS = RNG.standard_normal((5, 4))
LOG_PROBS = LOGITS - np.log(np.exp(LOGITS).sum(1, keepdims=True))
LABELS = RNG.integers(0, 4, 5)
WEIGHT = RNG.uniform(0.5, 1.5, 4)
TARGETS = RNG.standard_normal((5, 4))
PROBS = RNG.uniform(0.05, 0.95, (5, 4))
# CTC's (T, N, C) log-probabilities and its three other inputs, all constants: targets and both lengths
CTC = (LOG_PROBS.reshape(5, 1, 4), (np.array([[2, 3, 3]]), np.array([5]), np.array([3])))

# per class: (input, target, options other than the defaults)
CASES = {
    "CrossEntropyLoss": (LOGITS, LABELS, {"weight": WEIGHT, "label_smoothing": 0.1, "ignore_index": 2}),
    "NLLLoss": (LOG_PROBS, LABELS, {"weight": WEIGHT, "reduction": "sum"}),
    "BCELoss": (PROBS, PROBS[::-1], {"weight": WEIGHT}),
    "BCEWithLogitsLoss": (LOGITS, PROBS, {"pos_weight": WEIGHT, "reduction": "none"}),
    "MSELoss": (LOGITS, TARGETS, {"reduction": "sum"}),
    "L1Loss": (LOGITS, TARGETS, {}),
    "HuberLoss": (LOGITS, TARGETS, {"delta": 0.5}),
    "SmoothL1Loss": (LOGITS, TARGETS, {"beta": 0.5}),
    "KLDivLoss": (LOG_PROBS, PROBS / PROBS.sum(1, keepdims=True), {"reduction": "batchmean"}),
    "MarginRankingLoss": ((LOGITS, TARGETS), np.sign(TARGETS), {"margin": 0.5}),
    "HingeEmbeddingLoss": (PROBS, np.sign(TARGETS), {"margin": 0.7, "reduction": "sum"}),
    "SoftMarginLoss": (LOGITS, np.sign(TARGETS), {"reduction": "none"}),
    "CosineEmbeddingLoss": ((LOGITS, TARGETS), np.sign(TARGETS[:, 0]), {"margin": 0.2}),
    "TripletMarginLoss": ((LOGITS, TARGETS), PROBS, {"margin": 0.5, "p": 1, "swap": True}),  # PROBS: negatives
    "TripletMarginWithDistanceLoss": (
        (LOGITS, TARGETS),
        PROBS,
        {"distance_function": lambda a, b: 1 - F.cosine_similarity(a, b), "margin": 0.5, "swap": True},
    ),
    "MultiLabelSoftMarginLoss": (LOGITS, PROBS, {"weight": WEIGHT, "reduction": "none"}),
    "MultiLabelMarginLoss": (LOGITS, np.array([[3, 0, -1, 1]] * 4 + [[2, 2, 1, -1]]), {"reduction": "sum"}),
    "MultiMarginLoss": (LOGITS, LABELS, {"p": 2, "margin": 0.5, "weight": WEIGHT}),
    "GaussianNLLLoss": ((LOGITS, TARGETS), PROBS, {"full": True, "eps": 0.1}),  # PROBS: the variances
    "PoissonNLLLoss": (LOGITS, np.round(PROBS * 3), {"full": True, "reduction": "sum"}),
    "CTCLoss": (*CTC, {"blank": 1, "zero_infinity": True}),  # a tuple of targets: the inputs after the first
}


def _targets(t):
    """The inputs after those that take a gradient: one target, or CTC's targets and lengths (a tuple)."""
    return t if isinstance(t, tuple) else (t,)


def test_every_loss_has_a_case():
    assert set(CASES) == set(LOSSES)


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_a_loss_module_is_its_function_with_the_options_bound(name):
    x, t, options = CASES[name]
    xs = x if isinstance(x, tuple) else (x,)  # the losses of two inputs (margin ranking, cosine embedding)
    a, b = [Tensor(v, requires_grad=True) for v in xs], [Tensor(v, requires_grad=True) for v in xs]
    module, function = getattr(nn, name)(**options), LOSSES[name]
    out, expected = module(*a, *_targets(t)), function(*b, *_targets(t), **options)
    (out * np.arange(1.0, out.size + 1).reshape(out.shape)).sum().backward()
    (expected * np.arange(1.0, out.size + 1).reshape(out.shape)).sum().backward()
    assert_same([out.data, *(v.grad for v in a)], [expected.data, *(v.grad for v in b)])
    assert isinstance(module, nn.Module) and module.parameters() == []


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_the_options_are_pytorchs(name):
    """Each class's options are arguments of torch.nn's class of that name, and those it takes by
    position are PyTorch's, in PyTorch's order (its deprecated size_average and reduce among them: None)."""
    torch = pytest.importorskip("torch", reason="PyTorch's classes are the reference: pip install '.[reference]'")
    function = LOSSES[name]
    ours = inspect.signature(function).parameters
    theirs = inspect.signature(getattr(torch.nn, name)).parameters
    only = function.module_lacks  # the function's weight per element, not PyTorch's class's
    options = [p for p in ours.values() if p.kind is inspect.Parameter.KEYWORD_ONLY and p.name not in only]
    assert {p.name for p in options} <= set(theirs)
    assert all(p.default == theirs[p.name].default for p in options if not isinstance(p.default, np.ndarray))
    by_position = [p.name for p in theirs.values() if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD]
    assert list(getattr(nn, name)().positions) == by_position


def _torch_inputs(name):
    """The inputs, by name, of torch.nn.functional's function of the loss `name` and of torch.nn's module's
    forward: their parameters without a default (self left out)."""
    torch = pytest.importorskip("torch", reason="PyTorch's losses are the reference: pip install '.[reference]'")
    function = getattr(torch.nn.functional, LOSSES[name].__name__)
    forward = getattr(torch.nn, name).forward
    return tuple(
        [p.name for p in inspect.signature(f).parameters.values() if p.default is inspect.Parameter.empty]
        for f in (function, forward)
    )


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_the_inputs_are_named_as_pytorchs(name):
    """Code ported from PyTorch names the inputs: F.cross_entropy(input=x, target=y), criterion(input=x,
    target=y) (PoissonNLLLoss's forward: log_input=). chainrule's first were logits, pred, probs: a TypeError."""
    function_inputs, forward_inputs = _torch_inputs(name)
    ours = inspect.signature(LOSSES[name]).parameters.values()
    assert [p.name for p in ours if p.default is inspect.Parameter.empty] == function_inputs
    assert list(getattr(nn, name).inputs.parameters) == forward_inputs[1:]


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_inputs_by_name_are_those_by_position(name):
    x, t, options = CASES[name]
    inputs = (*(x if isinstance(x, tuple) else (x,)), *_targets(t))
    function_inputs, forward_inputs = _torch_inputs(name)
    function, module = LOSSES[name], getattr(nn, name)(**options)
    by_position = function(*map(Tensor, inputs), **options).data
    by_name = function(**dict(zip(function_inputs, map(Tensor, inputs))), **options).data
    called = module(**dict(zip(forward_inputs[1:], map(Tensor, inputs)))).data
    assert_same([by_name, called], [by_position, by_position])


def test_an_option_given_to_a_loss_modules_call_is_named():
    with pytest.raises(TypeError, match=r"MSELoss.forward takes \(input, target\).*nn.MSELoss\(reduction=...\)"):
        nn.MSELoss()(Tensor(LOGITS), TARGETS, reduction="sum")
    with pytest.raises(TypeError, match="missing a required argument: 'target'"):
        nn.MSELoss()(input=Tensor(LOGITS))
    with pytest.raises(TypeError, match=r"takes \(input, target\), by position or by name: .* argument 'logits'$"):
        nn.CrossEntropyLoss()(logits=Tensor(LOGITS), target=LABELS)  # no option: no hint to set it on the loss
    # PoissonNLLLoss's input is named as its option log_input (PyTorch's forward): given both, the hint too
    with pytest.raises(TypeError, match=r"multiple values for argument 'log_input'; .* nn.PoissonNLLLoss\(log_input="):
        nn.PoissonNLLLoss()(Tensor(LOGITS), Tensor(np.abs(TARGETS)), log_input=False)


@pytest.mark.parametrize("name", sorted(LOSSES))
def test_options_by_position_are_those_by_keyword(name):
    x, t, options = CASES[name]
    positions, defaults = LOSSES[name].module_positions, options_of(LOSSES[name])
    given = {k: options.get(k, defaults[k]) for k in positions if k not in DEPRECATED}
    args = [None if k in DEPRECATED else given[k] for k in positions]  # PyTorch's MSELoss(None, None, "sum")
    by_position, by_keyword = getattr(nn, name)(*args), getattr(nn, name)(**given)
    assert [getattr(by_position, k) for k in given] == [getattr(by_keyword, k) for k in given]
    assert len(positions) == 0 or repr(by_position) == repr(by_keyword)


def test_the_repr_shows_the_options_given():
    assert repr(nn.MSELoss()) == "MSELoss()"
    assert repr(nn.CrossEntropyLoss(label_smoothing=0.1)) == "CrossEntropyLoss(label_smoothing=0.1)"


def test_the_weight_is_kept_as_given_and_read_at_each_call():
    weight = np.ones(4)
    loss = nn.CrossEntropyLoss(weight)
    before = loss(Tensor(LOGITS), LABELS).item()
    weight[LABELS[0]] = 3.0
    assert (
        loss(Tensor(LOGITS), LABELS).item() == F.cross_entropy(Tensor(LOGITS), LABELS, weight=weight).item() != before
    )


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda: nn.MSELoss(size_average=True), "size_average (size_average=True) is PyTorch's deprecated"),
        (lambda: nn.MSELoss(reduce=False), "reduce (reduce=False) is PyTorch's deprecated spelling"),
        (lambda: nn.HuberLoss(beta=1.0), "it takes reduction, delta"),
        (lambda: nn.MSELoss("sum"), "size_average ('sum' by position) is PyTorch's deprecated spelling"),
        (lambda: nn.CrossEntropyLoss(WEIGHT, -1), "size_average (-1 by position) is PyTorch's deprecated"),
        (
            lambda: nn.TripletMarginLoss(1.0, 2, 1e-6, False, None, None, "sum", 1),
            "takes margin, p, eps, swap, size_average, reduce, reduction by position",
        ),
        (lambda: nn.NLLLoss(WEIGHT, weight=WEIGHT), "weight both by position and as weight="),
        (lambda: nn.TripletMarginLoss(0.5, margin=0.5), "margin both by position and as margin="),
    ],
)
def test_arguments_torch_takes_and_chainrule_does_not_are_named(make, words):
    with pytest.raises(TypeError, match=words.replace("(", r"\(").replace(")", r"\)")):
        make()


def test_option_values_are_checked_by_the_function_at_the_call():
    loss = nn.L1Loss(reduction="average")
    with pytest.raises(ValueError, match="reduction must be one of 'mean', 'sum', 'none'"):
        loss(Tensor(LOGITS), TARGETS)


def test_a_compiled_step_replays_a_loss_module_as_its_function():
    data = batches((6, 3), 3, 4)

    def run(loss_fn, compiled):
        model = mlp([3, 5, 3], "tanh")
        step = training_step(model, nn.SGD(model.parameters(), lr=0.1), loss_fn)
        run_ = autograd.compile(step, strict=True) if compiled else step
        losses = [run_(Tensor(x), y).data.copy() for x, y in data]
        return losses, [p.data for p in model.parameters()], run_

    *compiled, run_ = run(nn.CrossEntropyLoss(), True)
    *eager, _ = run(F.cross_entropy, False)
    assert_same(compiled, eager)
    assert replays(run_) == 1


def test_fit_takes_a_loss_module():
    X, y = nn.data.spirals(60, n_classes=3, seed=0)
    histories = []
    for loss in (nn.CrossEntropyLoss(), F.cross_entropy):
        model = mlp([2, 8, 3], "relu")
        opt = nn.Adam(model.parameters(), lr=0.01)
        histories.append(nn.fit(model, loss, opt, (X, y), epochs=2, batch_size=16, verbose=False).loss)
    assert histories[0] == histories[1]


def test_pytorchs_deprecated_options_by_position_are_taken_as_none_and_refused_otherwise():
    """nn.MSELoss(None, None, "sum"), PyTorch's size_average and reduce given as their default None, was a
    TypeError ("takes its options by keyword"): the class took options by position only up to size_average."""
    x, t = Tensor(LOGITS), TARGETS
    assert nn.MSELoss(None, None, "sum")(x, t).item() == F.mse_loss(x, t, reduction="sum").item()
    assert repr(nn.MSELoss(None, None, "sum")) == repr(nn.MSELoss(reduction="sum"))
    module = nn.CrossEntropyLoss(WEIGHT, None, 2, None, "none", 0.1)
    expected = F.cross_entropy(x, LABELS, weight=WEIGHT, ignore_index=2, reduction="none", label_smoothing=0.1)
    np.testing.assert_array_equal(module(x, LABELS).data, expected.data)
    assert nn.MSELoss(size_average=None, reduce=None).reduction == "mean"
    with pytest.raises(TypeError, match=r"MSELoss\(\): size_average \(False by position\) is PyTorch's deprecated"):
        nn.MSELoss(False)
    with pytest.raises(TypeError, match=r"BCELoss\(\): reduce \(reduce=False\) is PyTorch's deprecated"):
        nn.BCELoss(reduce=False)
    with pytest.raises(TypeError, match=r"MSELoss\(\) takes size_average, reduce, reduction by position"):
        nn.MSELoss(None, None, "sum", np.ones(3))  # the function's weight=, which PyTorch's class lacks
