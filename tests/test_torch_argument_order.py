"""Arguments given by position as PyTorch takes them are read as PyTorch reads them, or refused: never read
as another argument (nn.SGD's fourth was weight_decay where torch.optim.SGD's is dampening)."""

import numpy as np
import pytest

import nn
import nn.functional as F
from autograd import Tensor


def test_sgd_takes_no_setting_after_momentum_by_position():
    w = Tensor(np.ones(3), requires_grad=True)
    with pytest.raises(TypeError, match="positional"):
        nn.SGD([w], 0.1, 0.9, 0.5)  # torch's dampening; chainrule read it as weight_decay
    opt = nn.SGD([w], 0.1, 0.9, dampening=0.5, weight_decay=0.0)
    assert (opt.lr, opt.momentum, opt.dampening, opt.weight_decay) == (0.1, 0.9, 0.5, 0.0)


@pytest.mark.parametrize("layer", [nn.Dropout, nn.Dropout2d])
def test_dropout_takes_pytorch_inplace_second_and_a_seed_by_keyword(layer):
    x = Tensor(np.ones((2, 3, 4, 4)))
    assert np.array_equal(layer(0.5, True).eval()(x).data, x.data)  # torch's nn.Dropout(0.5, True)
    drawn = [layer(0.5, False, seed=3)(x).data for _ in range(2)]
    assert np.array_equal(*drawn)
    with pytest.raises(TypeError, match="give a seed by keyword: seed=3"):
        layer(0.5, 3)
    with pytest.raises(TypeError, match="inplace must be True or False"):
        layer(0.5, "yes")


def test_functional_dropout_takes_pytorch_inplace():
    x = Tensor(np.ones((4, 5)))
    assert F.dropout(x, 0.5, False, True) is x
    with pytest.raises(TypeError, match="inplace must be True or False"):
        F.dropout(x, 0.5, True, None)


def test_embedding_reads_pytorch_options_by_position_and_a_seed_by_keyword():
    assert nn.Embedding(6, 3, None, 2.0).max_norm == 2.0  # torch's max_norm, refused before it was taken
    with pytest.raises(TypeError, match="positional"):
        nn.Embedding(6, 3, None, None, 2.0, False, False, None, False, None, np.float64, 0)  # seed by keyword only
    assert nn.Embedding(6, 3, None, dtype=np.float64, seed=0).weight.dtype == np.float64


def test_a_dtype_given_where_pytorch_takes_device_is_refused_naming_both():
    for made in (
        lambda: nn.Linear(3, 2, True, np.float64),
        lambda: nn.BatchNorm1d(3, 1e-5, 0.1, True, True, np.float64),
        lambda: nn.Conv1d(1, 1, 3, 1, 0, 1, 1, True, "zeros", "float64"),
    ):
        with pytest.raises(TypeError, match="PyTorch's order is device, then dtype"):
            made()
