"""nn.init: PyTorch's initialisers in place on Tensors, fans in chainrule's layouts (a 2-D weight is
(fan_in, fan_out), as x @ W reads it), draws from autograd's default generator or `generator=`."""

import math
from fractions import Fraction

import numpy as np
import pytest

import autograd
import nn
from autograd import Tensor, Value
from nn import init


def _weight(*shape, dtype=np.float64):
    return Tensor(np.zeros(shape, dtype), requires_grad=True)


@pytest.mark.parametrize(
    ("shape", "expected"),
    [((300, 200), (300, 200)), ((16, 3, 5, 5), (75, 400)), ((8, 4, 7), (28, 56))],
)
def test_fans_follow_chainrules_layouts(shape, expected):
    assert init.fans(_weight(*shape)) == expected


def test_a_conv_weights_fans_are_pytorchs():
    torch = pytest.importorskip("torch", reason="PyTorch's fans are the reference")
    for shape in [(16, 3, 5, 5), (8, 4, 7), (6, 2, 3, 3, 3)]:
        assert init.fans(_weight(*shape)) == torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))


def test_the_gains_are_pytorchs():
    torch = pytest.importorskip("torch", reason="PyTorch's gains are the reference")
    for name in [*init.GAINS, "leaky_relu"]:
        assert init.calculate_gain(name) == pytest.approx(torch.nn.init.calculate_gain(name), rel=1e-15)
    assert init.calculate_gain("leaky_relu", 0.2) == pytest.approx(torch.nn.init.calculate_gain("leaky_relu", 0.2))


def test_kaiming_normal_of_a_linear_weight_reads_nin_as_fan_in():
    w = _weight(400, 300)  # nn.Linear(400, 300).W: x @ W
    init.kaiming_normal_(w, nonlinearity="relu", generator=0)
    assert w.data.std() == pytest.approx(math.sqrt(2 / 400), rel=0.02)
    init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu", generator=0)
    assert w.data.std() == pytest.approx(math.sqrt(2 / 300), rel=0.02)


@pytest.mark.parametrize(
    ("fill", "bound"),
    [
        (lambda w: init.xavier_uniform_(w, gain=2.0, generator=1), 2 * math.sqrt(6 / 700)),
        (lambda w: init.kaiming_uniform_(w, a=math.sqrt(5), generator=1), math.sqrt(6 / 6 / 400)),
        (lambda w: init.uniform_(w, -0.3, 0.2, generator=1), 0.3),
        (lambda w: init.trunc_normal_(w, std=1.0, a=-0.5, b=0.5, generator=1), 0.5),
    ],
)
def test_bounded_draws_fill_up_to_their_bound(fill, bound):
    w = _weight(400, 300)
    assert fill(w) is w
    assert np.abs(w.data).max() <= bound
    assert np.abs(w.data).max() > 0.98 * bound


def test_xavier_normal_and_normal_have_their_spread():
    w = _weight(400, 300)
    init.xavier_normal_(w, generator=2)
    assert w.data.std() == pytest.approx(math.sqrt(2 / 700), rel=0.02)
    init.normal_(w, mean=3.0, std=0.5, generator=2)
    assert (w.data.mean(), w.data.std()) == (pytest.approx(3.0, abs=0.01), pytest.approx(0.5, rel=0.02))


@pytest.mark.parametrize("shape", [(5, 12), (12, 5), (4, 3, 2)])
def test_orthogonal_gives_orthonormal_rows_or_columns(shape):
    w = init.orthogonal_(_weight(*shape), gain=1.5, generator=3)
    flat = w.data.reshape(shape[0], -1) / 1.5
    small = min(flat.shape)
    gram = flat @ flat.T if flat.shape[0] == small else flat.T @ flat
    np.testing.assert_allclose(gram, np.eye(small), atol=1e-12)


def test_constants_and_eye():
    w = _weight(3, 4, dtype=np.float32)
    assert init.constant_(w, 0.25).data.tolist() == [[0.25] * 4] * 3 and w.dtype == np.float32
    assert init.ones_(w).data.sum() == 12 and init.zeros_(w).data.sum() == 0
    np.testing.assert_array_equal(init.eye_(w).data, np.eye(3, 4))


def test_draws_come_from_autograds_default_generator_without_one():
    autograd.manual_seed(7)
    a = init.normal_(_weight(5, 5)).data.copy()
    autograd.manual_seed(7)
    np.testing.assert_array_equal(init.normal_(_weight(5, 5)).data, a)
    np.testing.assert_array_equal(
        init.normal_(_weight(5, 5), generator=4).data, init.normal_(_weight(5, 5), generator=4).data
    )


def test_an_init_is_a_change_a_graph_that_used_the_weight_sees():
    w = Tensor(np.ones((2, 2)), requires_grad=True)
    loss = (w * w).sum()
    init.zeros_(w)
    with pytest.raises(RuntimeError):
        loss.backward()


def test_a_model_initialised_with_apply():
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))

    def initialise(m):
        if isinstance(m, nn.Linear):
            init.xavier_uniform_(m.W, generator=0)
            init.constant_(m.b, 0.1)

    model.apply(initialise)
    for layer in (model[0], model[2]):
        assert np.all(layer.b.data == np.float32(0.1)) and layer.W.dtype == np.float32
        assert np.abs(layer.W.data).max() <= math.sqrt(6 / sum(layer.W.shape))


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda w: init.normal_(w, std=-1.0), ValueError, "std must be"),
        (lambda w: init.uniform_(w, 1.0, 0.5), ValueError, "b must be"),
        (lambda w: init.normal_(w, mean=float("nan")), ValueError, "mean must be"),
        (lambda w: init.kaiming_normal_(w, mode="fan"), ValueError, "mode must be one of"),
        (
            lambda w: init.kaiming_normal_(w, nonlinearity="swish"),
            ValueError,
            "nonlinearity must be one of 'linear', .*, got 'swish'",
        ),
        (lambda w: init.trunc_normal_(w, mean=10.0, a=-1.0, b=1.0), ValueError, "holds a share"),
        (lambda w: init.normal_(w, generator="x"), TypeError, "generator must be an int"),
        (lambda w: init.constant_(w, "1"), TypeError, "val must be a number"),
        (lambda w: init.constant_(w, 1e300), ValueError, "does not fit float32"),
        (lambda w: init.eye_(Tensor(np.zeros((2, 2, 2), np.float32))), ValueError, "2-D"),
        (lambda w: init.xavier_uniform_(Tensor(np.zeros(3, np.float32))), ValueError, "a bias has none"),
        (lambda w: init.normal_(Tensor(np.zeros(3, np.int64))), TypeError, "floating-point tensor"),
        (
            lambda w: init.constant_(Tensor(np.zeros(3, np.int64)), float("nan")),
            ValueError,
            "nan cannot be stored in int64",
        ),
        (lambda w: init.normal_(Value(1.0)), TypeError, "needs a Tensor"),
        (lambda w: init.normal_(np.zeros(3)), TypeError, "needs a Tensor"),
    ],
)
def test_bad_arguments_are_refused_and_leave_the_tensor(call, error, words):
    w = Tensor(np.full((3, 2), 5.0, np.float32), requires_grad=True)
    version = w._version
    with pytest.raises(error, match=words):
        call(w)
    assert np.all(w.data == 5.0) and w._version == version


def test_an_embeddings_weight_with_mode_fan_out_has_pytorchs_kaiming_std():
    e = nn.Embedding(1000, 20)
    init.kaiming_normal_(e.weight, mode="fan_out", generator=0)
    assert e.weight.data.std() == pytest.approx(math.sqrt(2 / 20), rel=0.02)


def test_bounds_given_as_fractions_are_taken_and_named_in_errors():
    """check_real formatted its range ({low:g}) on every call, which a Fraction refuses (a review's find)."""
    t = init.uniform_(Tensor(np.zeros(3)), a=Fraction(1, 3), b=1)
    assert ((t.data >= 1 / 3) & (t.data <= 1)).all()
    with pytest.raises(ValueError, match=r"must be a finite number of at least 0.333333, got 0.25"):
        init.uniform_(Tensor(np.zeros(3)), a=Fraction(1, 3), b=0.25)


@pytest.mark.parametrize("name", ["uniform_", "normal_", "zeros_", "eye_", "xavier_uniform_", "kaiming_normal_"])
def test_an_init_of_read_only_data_names_the_problem(name):
    """numpy's bare "assignment destination is read-only" before."""
    frozen = np.ones((3, 3))
    frozen.flags.writeable = False
    for t in (Tensor(frozen, requires_grad=True), Tensor(np.ones(3)).expand(3, 3)):
        with pytest.raises(ValueError, match=r"nn.init: the data of the tensor of shape \(3, 3\) is read-only"):
            getattr(nn.init, name)(t)
        assert np.all(t.data == 1)
