"""nn's activation layers against torch.nn's of the same name and arguments (forward and the
input's gradient, float64 and float32), and as layers: Values too, repr, wrong arguments refused
when the layer is made, nn.functional's functions."""

import numpy as np
import pytest
from torch_reference import DTYPES, check, torch  # without torch: skipped

import autograd
import nn
from autograd import Value
from nn import functional as F

# (ours, PyTorch's): PyTorch's arguments, positional and by keyword, and its defaults
CASES = [
    (nn.ReLU(), torch.nn.ReLU()),
    (nn.ReLU(inplace=True), torch.nn.ReLU(inplace=True)),
    (nn.Tanh(), torch.nn.Tanh()),
    (nn.Sigmoid(), torch.nn.Sigmoid()),
    (nn.LeakyReLU(), torch.nn.LeakyReLU()),
    (nn.LeakyReLU(0.2), torch.nn.LeakyReLU(0.2)),
    (nn.ELU(alpha=0.5), torch.nn.ELU(alpha=0.5)),
    (nn.CELU(2.0), torch.nn.CELU(2.0)),
    (nn.SELU(), torch.nn.SELU()),
    (nn.GELU(), torch.nn.GELU()),
    (nn.GELU(approximate="tanh"), torch.nn.GELU(approximate="tanh")),
    (nn.SiLU(), torch.nn.SiLU()),
    (nn.Mish(), torch.nn.Mish()),
    (nn.Softplus(), torch.nn.Softplus()),
    (nn.Softplus(beta=2.0, threshold=3.0), torch.nn.Softplus(beta=2.0, threshold=3.0)),
    (nn.Softsign(), torch.nn.Softsign()),
    (nn.LogSigmoid(), torch.nn.LogSigmoid()),
    (nn.Hardtanh(-0.5, 2.0), torch.nn.Hardtanh(-0.5, 2.0)),
    (nn.ReLU6(), torch.nn.ReLU6()),
    (nn.Hardswish(), torch.nn.Hardswish()),
    (nn.Hardsigmoid(), torch.nn.Hardsigmoid()),
]
# distinct points away from every kink of the layers above (0, ±0.5, ±1, 2, ±3, 6)
X = np.array([[-7.0, -3.5, -2.25, -0.75, -0.2], [0.3, 0.8, 1.6, 2.5, 7.5]])


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("ours", "theirs"), CASES, ids=lambda m: repr(m))
def test_each_activation_layer_is_torch_s(ours, theirs, dtype):
    # a copy, as PyTorch's inplace=True may not take a leaf. torch's hardsigmoid has no second
    # derivative, and its float64 gradient is float32's 1/6: relu6(x + 3) / 6 stands in for it
    if isinstance(ours, nn.Hardsigmoid) and dtype == np.float64:
        theirs = lambda t: torch.nn.functional.relu6(t + 3) / 6  # noqa: E731
    check(ours, lambda t: theirs(t.clone()), [X], dtype, second=not isinstance(ours, nn.Hardsigmoid))


def test_an_activation_layer_takes_values_as_well():
    v = Value(-0.5)
    out = nn.LeakyReLU(0.1)(v)
    out.backward()
    assert out.data == pytest.approx(-0.05) and v.grad == pytest.approx(0.1)


@pytest.mark.parametrize(
    ("make", "error"),
    [
        (lambda: nn.Hardtanh(1.0, -1.0), ValueError),
        (lambda: nn.LeakyReLU(slope=0.1), TypeError),
        (lambda: nn.GELU(approximate="fast"), ValueError),
        (lambda: nn.Softplus(beta=0.0), ValueError),
        (lambda: nn.Softplus(gamma=2), TypeError),
    ],
)
def test_wrong_arguments_are_refused_when_the_layer_is_made(make, error):
    with pytest.raises(error):
        make()


def test_repr_shows_the_arguments():
    assert repr(nn.LeakyReLU(0.2)) == "LeakyReLU(negative_slope=0.2)"
    assert repr(nn.GELU(approximate="tanh")) == "GELU(approximate='tanh')"
    assert repr(nn.ReLU()) == "ReLU()"


def test_functional_holds_each_layer_s_function():
    for cls in nn.Activation.__subclasses__():
        # wrapped only to take PyTorch's inplace= (nn.activations.accept_inplace)
        assert getattr(F, cls.function.__name__).__wrapped__ is cls.function
        # autograd's op, but nn's own: tanhshrink, x - tanh(x), and softplus with PyTorch's default threshold
        own = {"tanhshrink": nn.activations.tanhshrink, "softplus": nn.activations.softplus}
        assert cls.function is (own.get(cls.function.__name__) or getattr(autograd, cls.function.__name__))
    assert {"relu", "gelu", "leaky_relu", "hardtanh"} <= set(F.__all__)
