"""The player's update head showed a float32 momentum of 0.9 as 0.8999999761581421 (nn keeps it as the float of
float32's 0.9) beside lr 0.1 written to 6 figures ("g"), an lr of 0.0012345678 as 0.00123457; and a refused step
said "parameter 0" where the page names that parameter layers.0.W."""

import warnings

import numpy as np
import pytest

import autograd
import nn
import viz
from autograd import Tensor
from viz.captions import forward_caption
from viz.number_text import typed
from viz.steps import backward_pass
from viz.update import optimizer_update


@pytest.mark.parametrize(
    ("value", "of", "text"),
    [
        (float(np.float32(0.9)), np.float32, "0.9"),
        (float(np.float16(0.1)), np.float16, "0.1"),
        (0.0012345678, np.float32, "0.0012345678"),  # not a float32: as float64 writes it
        (0.9, np.float64, "0.9"),
        (1e-08, np.float64, "1e-08"),
        (20.0, np.float64, "20"),  # as Python writes it, not "g"'s 2e+01
    ],
)
def test_a_typed_number_reads_as_typed_in_its_own_float_type(value, of, text):
    assert typed(value, of) == text


def _model():
    return nn.Sequential(nn.Linear(2, 2, dtype=np.float32), nn.Linear(2, 1, dtype=np.float32))


def test_the_update_head_shows_a_float32_momentum_and_a_long_lr_as_typed():
    model = _model()
    optimizer = nn.optim.SGD(model.parameters(), lr=0.0012345678, momentum=np.float32(0.9))
    loss = (model(Tensor(np.array([[0.5, 1.0]], dtype=np.float32))) ** 2).mean()
    loss.backward()
    head = optimizer_update(backward_pass(loss), optimizer).caption.splitlines()[0]
    assert "(lr 0.0012345678, momentum 0.9)" in head
    assert "0.8999999761581421" not in head


def test_adams_float32_betas_read_as_typed():
    model = _model()
    optimizer = nn.optim.Adam(model.parameters(), lr=np.float32(0.001), betas=(np.float32(0.9), np.float32(0.99)))
    loss = (model(Tensor(np.array([[0.5, 1.0]], dtype=np.float32))) ** 2).mean()
    loss.backward()
    head = optimizer_update(backward_pass(loss), optimizer).caption.splitlines()[0]
    assert "(lr 0.001, betas (0.9, 0.99), eps 1e-08)" in head


def _refused_step_caption(params_of) -> str:
    """The update caption of an SGD step over `params_of(model)` that nn refuses (an inf in the batch)."""
    model = _model()
    optimizer = nn.optim.SGD(params_of(model), lr=0.1)
    batch = Tensor(np.array([[np.inf, 1.0]], dtype=np.float32))
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        loss = (model(batch) ** 2).mean()
        loss.backward()
        return optimizer_update(backward_pass(loss, modules=model), optimizer).caption


def test_a_refused_step_names_the_parameter_as_the_page_does():
    caption = _refused_step_caption(lambda model: model.parameters())
    assert "none. The gradient of layers.0.W (the optimizer's parameter 0) is not finite. SGD: the gradient of " in (
        caption
    )


def test_a_refused_step_of_a_named_optimizer_names_the_parameter_once():
    caption = _refused_step_caption(lambda model: model.named_parameters())
    assert "SGD: the gradient of layers.0.W (parameter 0)" in caption
    assert caption.count("layers.0.W") == 1


def test_training_that_a_refused_step_ends_names_its_parameter():
    model = _model()
    optimizer = nn.optim.SGD(model.parameters(), lr=1e30)
    batch = Tensor(np.array([[1e20, 1.0]], dtype=np.float32))
    with np.errstate(all="ignore"), pytest.warns(RuntimeWarning, match=r"ends the run: The gradient of layers\.\d\.\w"):
        viz.training_steps(model, lambda m, b: (m(b) ** 2).mean(), batch, optimizer, steps=4)


def test_an_ops_float32_parameter_is_written_as_typed_in_the_forward_caption_and_the_rule():
    """leaky_relu on a float32 tensor keeps negative_slope=np.float32(0.2) as the float 0.20000000298023224: the
    forward caption wrote all 17 digits, and x ** np.float32(3.5) lost its 3.5 (not an int or a float)."""
    t = Tensor(np.array([0.5, 2.0], dtype=np.float32), requires_grad=True, label="t")
    y = (autograd.leaky_relu(t, negative_slope=np.float32(0.2)) ** np.float32(3.5)).sum()
    y.label = "y"
    y.backward()
    forward = forward_caption(backward_pass(y))
    told = "\n".join(step.caption for step in viz.backward_steps(y))
    assert "leaky_relu(t, negative_slope=0.2)" in forward and "0.20000000298023224" not in forward
    assert "** 3.5" in forward
    assert "negative_slope = 0.2" in told


def test_an_lbfgs_update_is_refused_naming_the_closure_its_step_needs():
    """LBFGS's step evaluates a closure many times, which the page (one backward pass, gradients in hand) cannot
    give it: the update says so (viz's TypeError: LBFGS's own asked for optimizer.step(closure), which the page's
    caller cannot do), and the optimizer is left as it was."""
    model = _model()
    optimizer = nn.LBFGS(model.parameters(), max_iter=5)
    loss = (model(Tensor(np.array([[0.5, 1.0]], dtype=np.float32))) ** 2).mean()
    loss.backward()
    with pytest.raises(TypeError, match=r"viz draws one backward a step .* LBFGS's step needs a closure"):
        optimizer_update(backward_pass(loss), optimizer)
    assert not optimizer.state
