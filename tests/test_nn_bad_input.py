"""nn refuses bad arguments with one clear error naming them, before anything changes: flags that are
not True/False, sizes that are bytes or too large to build, inputs that are not Tensors or arrays,
models and functions that are not ones (an audit's findings)."""

import numpy as np
import pytest
from cpu_time import cpu_seconds_at_most

import nn
import nn.functional as F
from autograd import Tensor, Value
from nn.micro import MAX_SCALAR_PARAMETERS


def test_train_takes_only_true_or_false_and_changes_nothing_otherwise():
    model = nn.Sequential(nn.BatchNorm1d(2), nn.Dropout(0.5))
    model.eval()
    for mode in ("False", None, 0.0, np.array([1, 0])):
        with pytest.raises(ValueError, match="train: mode must be True or False"):
            model.train(mode)
        assert not any(m.training for m in model.modules())
    assert model.train(np.True_).layers[0].training is True  # numpy's bool is a bool, kept as Python's


def test_fit_checks_its_flags_before_any_epoch():
    model = nn.Sequential(nn.Linear(2, 3, seed=0))
    before = model.layers[0].W.data.copy()
    data = (np.ones((6, 2), np.float32), np.arange(6) % 3)
    for flag, value in [("verbose", np.array([1, 0])), ("progress", "no"), ("compile", "no"), ("verbose", None)]:
        with pytest.raises(TypeError, match=f"fit: {flag}.* must be True or False"):
            nn.fit(model, F.cross_entropy, nn.SGD(model.parameters(), lr=0.1), data, **{flag: value})
    assert np.array_equal(model.layers[0].W.data, before)


@pytest.mark.parametrize("dtype", [np.int64, np.bool_])
def test_dropout_refuses_integer_and_bool_input(dtype):
    x = Tensor(np.ones((2, 1, 2, 2), dtype=dtype))
    for drop in (lambda: F.dropout(x, 0.3), lambda: nn.Dropout(0.3)(x), lambda: nn.Dropout2d(0.3)(x)):
        with pytest.raises(TypeError, match="takes floating-point input"):
            drop()


@pytest.mark.parametrize("seed", [2.5, True, "abc", -1])
def test_mlp_takes_seeds_by_the_rule_of_linear(seed):
    for make in (lambda: nn.Linear(2, 2, seed=seed), lambda: nn.MLP(2, [2], seed=seed)):
        with pytest.raises((TypeError, ValueError), match="seed must be"):
            make()


def test_mlp_seeded_by_a_generator_repeats():
    first = nn.MLP(2, [3, 1], seed=np.random.default_rng(5)).parameters()
    again = nn.MLP(2, [3, 1], seed=np.random.default_rng(5)).parameters()
    assert [p.data for p in first] == [p.data for p in again]


def test_bytes_are_not_taken_as_sizes_or_inputs():
    with pytest.raises(TypeError, match="LayerNorm: normalized_shape must be an int or a list of sizes, got bytes"):
        nn.LayerNorm(b"\x03")
    with pytest.raises(TypeError, match="MLP: nouts must be a list of layer sizes"):
        nn.MLP(2, b"\x03\x01")
    with pytest.raises(TypeError, match="^MLP takes a list of Values or numbers, got bytes"):
        nn.MLP(2, [1], seed=0)(b"ab")


def test_micrograds_models_given_a_tensor_point_to_nn_linear():  # it was Value * Tensor's "use a number or a Value"
    with pytest.raises(
        TypeError, match="got a Tensor: micrograd's Neuron, Layer and MLP compute with Values.*nn.Linear"
    ):
        nn.MLP(2, [3, 1], seed=0)(Tensor([1.0, 2.0]))


@pytest.mark.parametrize(
    "make, flag",
    [
        (lambda v: nn.Linear(2, 2, bias=v), "bias"),
        (lambda v: nn.Conv2d(1, 1, 1, bias=v), "bias"),
        (lambda v: nn.BatchNorm1d(3, affine=v), "affine"),
        (lambda v: nn.BatchNorm2d(3, track_running_stats=v), "track_running_stats"),
        (lambda v: nn.LayerNorm(3, elementwise_affine=v), "elementwise_affine"),
        (lambda v: nn.LayerNorm(3, bias=v), "bias"),
        (lambda v: nn.GroupNorm(1, 3, affine=v), "affine"),
        (lambda v: nn.ReLU(inplace=v), "inplace"),
        (lambda v: F.kl_div(Tensor(np.log([[0.5, 0.5]])), np.array([[0.2, 0.8]]), log_target=v), "log_target"),
        (lambda v: nn.export.to_torch_state_dict(nn.Linear(2, 2), as_tensors=v), "as_tensors"),
        (lambda v: nn.clip_grad_norm_([], 1.0, error_if_nonfinite=v), "error_if_nonfinite"),
        (lambda v: F.accuracy_for(np.array([0, 1]), logits=v), "logits"),
        (lambda v: nn.data.Batches(np.ones((2, 1)), np.ones(2), shuffle=v), "shuffle"),
        (lambda v: nn.data.train_val_split(np.ones((2, 1)), np.ones(2), shuffle=v), "shuffle"),
        (lambda v: nn.SGD([Tensor([1.0], requires_grad=True)], momentum=0.9, nesterov=v), "nesterov"),
    ],
)
@pytest.mark.parametrize("value", ["False", None, 1, np.array([True, False])])
def test_flags_are_true_or_false_only(make, flag, value):
    with pytest.raises(TypeError, match=f"{flag}.* must be True or False, got"):
        make(value)
    make(np.False_)  # numpy's bools are taken


def test_flags_judged_by_value_not_by_truth():
    assert len(nn.Linear(2, 2, bias=np.False_).parameters()) == 1
    x, t = Tensor(np.log([[0.5, 0.5]])), np.array([[0.2, 0.8]])
    assert F.kl_div(x, t, log_target=np.False_).item() == F.kl_div(x, t, log_target=False).item()


def test_an_optimizers_saved_flag_still_loads():
    params = [Tensor([1.0], requires_grad=True)]
    state = nn.SGD(params, momentum=0.9, nesterov=True).state_dict()
    fresh = nn.SGD(params, momentum=0.9)
    fresh.load_state_dict(state)  # its flag is the integer 1 in the state
    assert fresh.nesterov is True


@pytest.mark.parametrize(
    "make",
    [
        lambda: nn.Neuron(10**8),
        lambda: nn.Layer(3, 10**8),
        lambda: nn.MLP(10**400, [1]),
        lambda: nn.MLP(2, [MAX_SCALAR_PARAMETERS, 1]),
    ],
)
def test_micrograd_modules_too_large_to_build_are_refused_at_once(make):
    with (
        cpu_seconds_at_most(0.5),
        pytest.raises(ValueError, match="scalar parameters, more than the 10,000,000 Values"),
    ):
        make()


def test_spirals_refuses_more_arms_than_points_at_once():
    with (
        cpu_seconds_at_most(0.5),
        pytest.raises(ValueError, match=r"spirals: n_classes \(1000000000\) must be at most n \(30\)"),
    ):
        nn.data.spirals(30, n_classes=10**9)
    assert len(nn.data.spirals(3, n_classes=3)[1]) == 3


@pytest.mark.parametrize(
    "layer",
    [nn.BatchNorm1d(3), nn.LayerNorm(3), nn.GroupNorm(1, 3), nn.Softmax(dim=1), nn.Flatten(), nn.Dropout(0.5)],
)
def test_layers_take_arrays_and_lists_as_tensors(layer):
    x = np.arange(12, dtype=np.float32).reshape(4, 3)
    layer.eval()
    expected = layer(Tensor(x)).data
    assert np.allclose(layer(x).data, expected)
    assert np.allclose(layer(x.tolist()).data, expected)


def test_softmax_functions_take_arrays():
    x = np.array([[1.0, 2.0, 3.0]])
    assert np.allclose(F.softmax(x, dim=1).data, Tensor(x).softmax(axis=1).data)
    assert np.allclose(F.log_softmax(x, dim=1).data, Tensor(x).log_softmax(axis=1).data)


@pytest.mark.parametrize("bad", [None, 2.0, True, Value(1.0)])
@pytest.mark.parametrize(
    "layer, name",
    [(nn.BatchNorm1d(3), "BatchNorm1d"), (nn.Flatten(), "Flatten"), (nn.Dropout(0.5), "Dropout")]
    + [(nn.Dropout2d(0.5), "Dropout2d"), (nn.Softmax(), "Softmax"), (F.softmax, "softmax")],
)
def test_layers_refuse_what_is_no_array_naming_themselves(layer, name, bad):
    with pytest.raises(TypeError, match=f"{name} takes a Tensor"):
        layer(bad)


@pytest.mark.parametrize("bad", [None, "model", nn.Linear])
def test_model_functions_refuse_what_is_no_module(bad):
    X, y = np.ones((2, 2)), np.array([0, 1])
    for name, call in [
        ("predict", lambda: nn.predict(bad, X)),
        ("evaluate", lambda: nn.evaluate(bad, F.cross_entropy, X, y)),
        ("gradcheck_module", lambda: nn.gradcheck_module(bad, F.cross_entropy, X, y)),
    ]:
        with pytest.raises(TypeError, match=f"{name}: model must be an nn.Module"):
            call()


def test_a_loss_that_cannot_be_called_is_refused_before_it_is_needed():
    X, y = np.ones((2, 2)), np.array([0, 1])
    with pytest.raises(TypeError, match="evaluate: loss must be callable"):
        nn.evaluate(nn.Linear(2, 2), None, X, y)
    with pytest.raises(TypeError, match="evaluate: metric must be callable"):
        nn.evaluate(nn.Linear(2, 2), F.cross_entropy, X, y, metric="accuracy")
    with pytest.raises(TypeError, match="gradcheck_module: loss must be callable"):
        nn.gradcheck_module(nn.Linear(2, 2), None, X, y)


def test_predict_refuses_x_without_rows():
    with pytest.raises(TypeError, match="predict: X must be an array of examples"):
        nn.predict(nn.Linear(2, 2), 2.0)


@pytest.mark.parametrize(
    "make, words",
    [
        (lambda: nn.SGD(None), "SGD: params must be a list of parameters"),
        (lambda: nn.Adam(None), "Adam: params must be a list of parameters"),
        (lambda: nn.clip_grad_norm_(None, 1.0), "clip_grad_norm_: parameters must be a list of parameters"),
        (lambda: nn.clip_grad_value_(None, 1.0), "clip_grad_value_: parameters must be a list of parameters"),
        (lambda: nn.ModuleList(3), "ModuleList: modules must be a list of Modules"),  # None: none, PyTorch's default
        (lambda: nn.ModuleDict(3), "ModuleDict: modules must be a dict of Modules"),
        (lambda: nn.save(nn.Linear(2, 2), None), "nn.save: path must be a file name"),
        (lambda: nn.load(nn.Linear(2, 2), None), "nn.load: path must be a file name"),
        (lambda: F.accuracy_for(None), "accuracy_for: labels must be an array of examples"),
    ],
)
def test_none_for_a_collection_or_a_path_is_named(make, words):
    with pytest.raises(TypeError, match=words):
        make()


def test_sequential_lr_refuses_none():
    opt = nn.SGD([Tensor([1.0], requires_grad=True)], lr=0.1)
    with pytest.raises(TypeError, match="SequentialLR: schedulers must be a list of schedulers"):
        nn.schedulers.SequentialLR(opt, None, [1])


@pytest.mark.parametrize(
    "make, words",
    [
        (lambda: nn.MLP(2, [1], nonlin=["relu"]), "nonlin must be a name"),
        (
            lambda: nn.Linear(2, 2, init=["he"]),
            "Linear: init must be a name, one of 'lesson', 'he', 'xavier', got list",
        ),
        (lambda: nn.init.calculate_gain(["relu"]), "calculate_gain: nonlinearity must be a name"),
    ],
)
def test_a_list_for_a_name_is_named(make, words):
    with pytest.raises((TypeError, ValueError), match=words):
        make()


def test_micrograd_flags_for_nonlin_include_numpys():
    assert nn.Neuron(2, nonlin=np.False_).activation == "linear"
    assert nn.Neuron(2, nonlin=np.True_).activation == "relu"


def test_dropout_passes_integers_through_where_it_drops_nothing_as_pytorch():
    ints = Tensor(np.arange(3))
    assert nn.Dropout(0.5).eval()(ints) is ints
    assert nn.functional.dropout(ints, 0.5, training=False) is ints
    assert nn.Dropout(0.0)(ints) is ints
    with pytest.raises(TypeError, match="floating-point"):
        nn.Dropout(0.5)(ints)


@pytest.mark.parametrize("make", [lambda s: nn.MLP(2, s), lambda s: nn.LayerNorm(s)], ids=["MLP", "LayerNorm"])
def test_a_memoryview_is_no_list_of_sizes(make):
    with pytest.raises(TypeError, match="memoryview"):
        make(memoryview(b"\x03\x01"))


@pytest.mark.parametrize(
    "call",
    [
        lambda t: nn.Embedding(4, 2)([[0, 1], [2]]),
        lambda t: F.accuracy(t, [[0, 1], [2]]),
        lambda t: F.mse_loss(t, [[1.0, 2.0], [3.0]]),
        lambda t: F.binary_cross_entropy(t.sigmoid(), [[1.0, 0.0], [1.0]]),
        lambda t: F.nll_loss(t, [[0, 1], [1]]),
    ],
    ids=["Embedding", "accuracy", "mse_loss", "binary_cross_entropy", "nll_loss"],
)
def test_a_ragged_list_is_named_as_fit_names_it(call):
    with pytest.raises(ValueError, match="has rows of different lengths"):
        call(Tensor(np.ones((2, 2))))


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [({"p": 0}, ValueError), ({"dim": 5}, np.exceptions.AxisError), ({"p": 3, "dim": 5}, np.exceptions.AxisError)],
)
def test_normalize_names_itself_for_a_p_or_dim_its_norm_refuses(kwargs, error):
    """The error named norm() (or movedim()) alone, which the caller of normalize never called."""
    with pytest.raises(error, match=r"^normalize: "):
        nn.functional.normalize(Tensor(np.ones((2, 3))), **kwargs)
