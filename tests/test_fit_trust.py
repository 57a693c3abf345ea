"""What `nn.fit` promises holds: a step stopped on a non-finite loss leaves the model as the step
before left it (buffers too) or says why it cannot; fit refuses an optimizer, data or val_data it
could not train or validate on before training; the data helpers and the IDX reader refuse bad
arguments and files with one clear error naming the fix."""

import math

import numpy as np
import pytest
from test_nn_data import idx_bytes, write_mnist

import nn
from autograd import ShapeError
from nn import functional as F
from nn.idx import IDXError


def _blobs():
    return nn.data.blobs(64, seed=0)


def _batch_norm_model():
    return nn.Sequential(nn.Linear(2, 4, seed=0), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 3, seed=1))


# 1. A stop on a non-finite loss keeps its promise


def test_a_failing_loss_after_the_forward_also_puts_the_buffers_back():
    X, y = _blobs()
    model = _batch_norm_model()
    before = {name: b.copy() for name, b in model.named_buffers()}
    with pytest.raises(TypeError, match="the loss returned float"):
        nn.fit(model, lambda out, yb: 1.0, nn.SGD(model.parameters()), (X, y), verbose=False)
    for name, b in model.named_buffers():
        assert np.array_equal(b, before[name])


def _nan_gradient_loss(out, yb):
    """Finite, but the gradient of sqrt at 0 is infinite, and times 0 NaN: a step on it would make every weight NaN."""
    return F.cross_entropy(out, yb) + ((out - out.detach()) ** 2).sum().sqrt()


@pytest.mark.parametrize("compile", [False, True])
def test_a_nan_gradient_is_refused_before_the_step_and_its_parameter_named(compile):
    """The first step's gradient is NaN though its loss is finite: the step made W NaN and the next loss said so, a
    batch late, the weights lost; now the optimizer refuses it before anything moves (nn.optim_finite) and fit names
    the parameter, its batch, and keeps the model (BatchNorm's running statistics too) as the step before left it."""
    X, y = _blobs()
    model = _batch_norm_model() if not compile else nn.Linear(2, 3, seed=0)  # compile trains a buffered model eagerly
    before = {name: np.array(a) for name, a in [*model.state_dict().items()]}
    with np.errstate(all="ignore"), pytest.raises(FloatingPointError) as caught:
        nn.fit(model, _nan_gradient_loss, nn.SGD(model.parameters()), (X, y), batch_size=8, verbose=False,
               compile=compile)  # fmt: skip
    message = str(caught.value)
    assert "in epoch 1, batch 1 the loss is finite but the gradient of the parameter" in message
    assert "NaN" in message and "keeps the weights of the step before" in message and "detect_anomaly()" in message
    for name, a in model.state_dict().items():
        np.testing.assert_array_equal(a, before[name], err_msg=name)


def test_weights_not_finite_before_fit_are_said_to_be():
    X, y = _blobs()
    model = nn.Linear(2, 3, seed=0)
    model.b.data[1] = np.inf
    with np.errstate(all="ignore"), pytest.raises(FloatingPointError, match="parameter 'b' was not finite before fit"):
        nn.fit(model, F.cross_entropy, nn.SGD(model.parameters()), (X, y), verbose=False)


# 2. fit refuses what it cannot train or validate on, before training


def test_fit_refuses_an_optimizer_of_another_model_s_parameters():
    X, y = _blobs()
    model, other = nn.Linear(2, 3, seed=0), nn.Linear(2, 3, seed=1)
    before = model.W.data.copy()
    with pytest.raises(ValueError, match=r"holds none of this model's parameters.*nn.SGD\(model.parameters\(\)\)"):
        nn.fit(model, F.cross_entropy, nn.SGD(other.parameters()), (X, y), verbose=False)
    assert np.array_equal(model.W.data, before)


def test_fit_trains_with_an_optimizer_of_part_of_the_model_or_of_more_than_it():
    X, y = _blobs()
    model = nn.Sequential(nn.Linear(2, 4, seed=0), nn.ReLU(), nn.Linear(4, 3, seed=1))
    frozen = model.layers[0].W.data.copy()
    nn.fit(model, F.cross_entropy, nn.SGD(model.layers[2].parameters()), (X, y), verbose=False)
    assert np.array_equal(model.layers[0].W.data, frozen)
    temperature = nn.Linear(3, 3, seed=2)  # parameters the loss uses besides the model's
    history = nn.fit(model, lambda out, yb: F.cross_entropy(temperature(out), yb),
                     nn.SGD(model.parameters() + temperature.parameters()), (X, y), verbose=False)  # fmt: skip
    assert len(history.loss) == 1


@pytest.mark.parametrize("empty", ["slice", "split"])
def test_fit_refuses_data_without_examples(empty):
    X, y = _blobs()
    data = (X[:0], y[:0]) if empty == "slice" else nn.data.train_val_split(X, y, val_fraction=1.0)[0]
    model = nn.Linear(2, 3, seed=0)
    with pytest.raises(ValueError, match="fit: data has no examples"):
        nn.fit(model, F.cross_entropy, nn.SGD(model.parameters()), data, verbose=False)
    with pytest.raises(ValueError, match="fit: data has no examples"):
        nn.fit(model, F.cross_entropy, nn.SGD(model.parameters()), nn.data.Batches(*data), verbose=False)


@pytest.mark.parametrize(
    "val_data, error, message",
    [
        (lambda X, y: (X[:10], y[:5]), ValueError, "val_data has 10 examples but 5 labels"),
        (lambda X, y: (X[:10], y[:10].astype(float)), TypeError, "val_data's labels are float64 but the training"),
        (lambda X, y: (X[:0], y[:0]), ValueError, "val_data has no examples; .* val_data=None"),
        (lambda X, y: ({"a": 1}, y[:1]), TypeError, "val_data's X must be an array of examples"),
    ],
)
def test_fit_refuses_bad_val_data_before_training(val_data, error, message):
    X, y = _blobs()
    model = nn.Linear(2, 3, seed=0)
    before = model.W.data.copy()
    with pytest.raises(error, match=message) as caught:
        nn.fit(model, F.cross_entropy, nn.SGD(model.parameters()), (X, y), val_data=val_data(X, y), verbose=False)
    assert np.array_equal(model.W.data, before) and not hasattr(caught.value, "history")


def test_fit_validates_regression_targets_of_any_kind_and_lists():
    X, y, _, _ = nn.data.linear_regression(20, seed=0)
    model = nn.Linear(1, 1, seed=0)
    val = (X.tolist(), np.round(y).astype(int).tolist())  # float losses take integer targets
    history = nn.fit(model, F.mse_loss, nn.SGD(model.parameters()), (X, y), val_data=val, metric=None, verbose=False)
    assert np.isfinite(history.val_loss[0])


# 4. Errors of the right type, naming the fix


def test_fit_refuses_a_loss_of_several_numbers_saying_to_reduce_it():
    X, y = _blobs()
    model = nn.Linear(2, 3, seed=0)
    before = model.W.data.copy()
    with pytest.raises(ShapeError, match=r"the loss must be one number, got one of shape \(32, 3\).*\.mean\(\)"):
        nn.fit(model, lambda out, yb: out * 1.0, nn.SGD(model.parameters()), (X, y), verbose=False)
    assert np.array_equal(model.W.data, before)
    one = nn.fit(model, lambda out, yb: F.cross_entropy(out, yb).reshape(1), nn.SGD(model.parameters()), (X, y),
                 verbose=False)  # fmt: skip
    assert len(one.loss) == 1  # one number in a shape (1,), as torch's backward takes it


def test_fit_refuses_one_callback_not_in_a_list():
    X, y = _blobs()
    model = nn.Linear(2, 3, seed=0)
    with pytest.raises(TypeError, match=r"callbacks must be a list of callables.*write callbacks=\[f\]"):
        nn.fit(model, F.cross_entropy, nn.SGD(model.parameters()), (X, y), verbose=False, callbacks=print)


def test_predict_on_no_rows_gives_no_outputs_or_refuses_where_their_shape_is_unknown():
    X, _ = _blobs()
    assert nn.predict(nn.Linear(2, 3, seed=0), X[:0]).shape == (0, 3)
    with pytest.raises(ValueError, match="predict: X has no rows"):
        nn.predict(nn.MLP(2, [3, 2], seed=0), X[:0])


@pytest.mark.parametrize(
    "make, error, message",
    [
        (lambda: nn.data.moons(-5), ValueError, "moons: n must be at least 1, got -5"),
        (lambda: nn.data.spirals(n_classes=0), ValueError, "spirals: n_classes must be at least 1, got 0"),
        (lambda: nn.data.blobs(centers=0), ValueError, "blobs: centers must be at least 1, got 0"),
        (lambda: nn.data.blobs(n=2.5), TypeError, "blobs: n must be an int, got float 2.5"),
        (lambda: nn.data.make_classification(n_classes=0), ValueError, "n_classes must be at least 1, got 0"),
        (lambda: nn.data.moons(noise=math.nan), ValueError, "moons: noise must be a finite number of at least 0"),
        (lambda: nn.data.blobs(std=-1), ValueError, "blobs: std must be a finite number of at least 0"),
        (lambda: nn.data.make_classification(flip_y=2), ValueError, "flip_y must be between 0 and 1, got 2"),
        (lambda: nn.data.circles(factor=2), ValueError, "circles: factor must be at least 0 and below 1, got 2"),
        (lambda: nn.data.moons(seed=-1), ValueError, "moons: seed must be a non-negative int, got -1"),
        (lambda: nn.data.moons(seed="a"), TypeError, "moons: seed must be an int"),
    ],
)
def test_data_helpers_refuse_bad_arguments_naming_them(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_batches_and_train_val_split_take_lists_and_refuse_what_has_no_rows():
    with pytest.raises(TypeError, match="Batches: X must be an array of examples, one per row"):
        nn.data.Batches({"a": 1, "b": 2}, [0, 1])
    with pytest.raises(ValueError, match="Batches: X has rows of different lengths"):
        nn.data.Batches([[1.0], [1.0, 2.0]], [0, 1])
    (Xt, yt), (Xv, yv) = nn.data.train_val_split([[0.0], [1.0], [2.0]], [0, 1, 2], val_fraction=1 / 3, shuffle=False)
    assert Xt.tolist() == [[0.0], [1.0]] and yt.tolist() == [0, 1] and Xv.tolist() == [[2.0]] and yv.tolist() == [2]


@pytest.mark.parametrize(
    "fraction, error, message",
    [
        ("0.2", TypeError, "val_fraction must be between 0 and 1, got str '0.2'"),
        (None, TypeError, "val_fraction must be between 0 and 1, got NoneType None"),
        (True, TypeError, "val_fraction must be between 0 and 1, got bool True"),
    ],
)
def test_train_val_split_refuses_a_fraction_that_is_not_a_number(fraction, error, message):
    with pytest.raises(error, match=message):
        nn.data.train_val_split(np.zeros((10, 1)), np.arange(10), val_fraction=fraction)


@pytest.mark.parametrize(
    "make, error, message",
    [
        (lambda: nn.Linear(2, 3, seed=-1), ValueError, "seed must be a non-negative int, got -1"),
        (
            lambda: nn.Linear(2, 3, seed="a"),
            TypeError,
            "seed must be an int or a numpy Generator \\(or None\\), got str 'a'",
        ),
        (lambda: nn.data.Batches(np.zeros((4, 1)), np.arange(4), seed=1.5), TypeError, "Batches: seed must be an int"),
    ],
)
def test_seeds_are_refused_with_a_clear_error(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_fit_refuses_a_bad_seed_before_training():
    X, y = _blobs()
    model = nn.Linear(2, 3, seed=0)
    with pytest.raises(ValueError, match="^fit: seed must be a non-negative int, got -3"):  # fit's words: fit got it
        nn.fit(model, F.cross_entropy, nn.SGD(model.parameters()), (X, y), seed=-3, verbose=False)
    rng_seeded = nn.Linear(2, 3, seed=np.random.default_rng(0))  # a Generator is taken, as numpy takes it
    assert rng_seeded.W.shape == (2, 3)


# 3. IDX files numpy cannot hold, MNIST files of no images


@pytest.mark.parametrize("rank, size", [(70, 1), (255, 0)])
def test_an_idx_header_of_more_dimensions_than_numpy_has_is_an_idx_error(tmp_path, rank, size):
    path = tmp_path / "deep-idx"
    path.write_bytes(bytes([0, 0, 0x08, rank]) + size.to_bytes(4, "big") * rank + b"\x00" * size)
    with pytest.raises(
        IDXError, match=rf"deep-idx: the header declares {rank} dimensions; numpy arrays have at most 64"
    ):
        nn.data.read_idx(path)


def test_mnist_files_of_no_images_are_refused_naming_the_file(tmp_path):
    empty = {"t10k-images-idx3-ubyte": idx_bytes(np.zeros((0, 28, 28), np.uint8)),
             "t10k-labels-idx1-ubyte": idx_bytes(np.zeros(0, np.uint8))}  # fmt: skip
    write_mnist(tmp_path, **empty)
    with pytest.raises(IDXError, match=r"t10k-images-idx3-ubyte.gz: holds no images"):
        nn.data.mnist(tmp_path)


def test_fit_scores_batches_of_positives_with_the_threshold_all_its_labels_give():
    """A -1/+1 task whose first batch is all +1, with margins in (0, 0.5]: accuracy alone cannot tell
    its threshold from that batch; fit takes it (0) from all the training labels, once."""
    X = np.array([[0.1], [0.2], [0.3], [0.4], [-0.1], [-0.2], [0.3], [-0.4]])
    y = np.array([1, 1, 1, 1, -1, -1, -1, 1])
    model = nn.Linear(1, 1, seed=0)
    model.W.data, model.b.data = np.ones((1, 1)), np.zeros(1)
    history = nn.fit(
        model,
        lambda out, t: F.hinge_loss(out.reshape(-1), t),
        nn.SGD(model.parameters(), lr=0.0),
        nn.data.Batches(X, y, batch_size=4, shuffle=False),
        val_data=(X, y),
        verbose=False,
        progress=False,
    )
    assert history.accuracy == [pytest.approx((1.0 + 0.5) / 2)]  # batch 2: -0.1, -0.2 right; 0.3, -0.4 wrong
    assert history.val_accuracy == [pytest.approx(6 / 8)]


def test_fit_refuses_a_scheduler_whose_first_step_would_fail_before_training():
    X, y = nn.data.moons(16, seed=0)
    model = nn.Linear(2, 2, seed=0)
    before = [p.data.copy() for p in model.parameters()]
    optimizer = nn.SGD(model.parameters(), lr=0.1)
    nn.schedulers.StepLR(optimizer, step_size=1)
    chained = nn.schedulers.LambdaLR(optimizer, lambda epoch: 1.0)  # sets the lr outright: cannot chain
    with pytest.raises(ValueError, match="SequentialLR"):
        nn.fit(model, F.cross_entropy, optimizer, (X, y), scheduler=chained, verbose=False, progress=False)
    assert all(np.array_equal(p.data, b) for p, b in zip(model.parameters(), before))
