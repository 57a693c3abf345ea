"""viz draws one forward and backward a step and previews or makes `optimizer.step()` on its gradients; an
optimizer whose step needs a closure evaluating the loss many times (nn.LBFGS) cannot be drawn so: the page and
training_steps refuse it up front, saying why and what to use, rather than passing on LBFGS's own TypeError, which
told the user to call optimizer.step(closure), something viz's caller cannot do."""

import numpy as np
import pytest

import nn
import viz
from autograd import Tensor

TOLD = r"viz draws one backward a step .* LBFGS's step needs a closure .* draw with SGD or Adam"


def _model_and_batch():
    model = nn.Sequential(nn.Linear(2, 3, seed=0), nn.Tanh(), nn.Linear(3, 1, seed=1))
    return model, (Tensor(np.ones((4, 2))), Tensor(np.ones((4, 1))))


def _loss(model, batch):
    return ((model(batch[0]) - batch[1]) ** 2).mean()


def test_training_steps_refuses_lbfgs_before_any_step():
    model, batch = _model_and_batch()
    opt = nn.LBFGS(model.parameters())
    with pytest.raises(TypeError, match=TOLD):
        viz.training_steps(model, _loss, batch, opt, steps=3)


def test_the_update_preview_refuses_lbfgs(tmp_path):
    model, batch = _model_and_batch()
    loss = _loss(model, batch)
    loss.backward()
    with pytest.raises(TypeError, match=TOLD):
        viz.save_html(loss, tmp_path / "page.html", optimizer=nn.LBFGS(model.parameters()))
    assert not (tmp_path / "page.html").exists()


def test_an_optimizer_of_ones_own_whose_step_requires_a_closure_is_refused_too():
    """The rule is nn.Optimizer.needs_closure's, which fit reads too: a port of torch's step(self, closure)
    (needs_closure not set) was passed to the step, which failed there for want of its closure."""

    class TorchStyle(nn.Optimizer):
        hyperparameters = ("lr",)

        def __init__(self, params, lr=0.1):
            super().__init__(params, lr=lr)

        def step(self, closure):
            return closure()

    model, batch = _model_and_batch()
    with pytest.raises(TypeError, match=r"viz draws one backward a step .* TorchStyle's step needs a closure"):
        viz.training_steps(model, _loss, batch, TorchStyle(model.parameters()), steps=2)


def test_the_update_preview_refuses_param_groups_of_different_settings(tmp_path):
    """viz writes one rule with one set of settings: groups that differ would make it true of one group only (it
    was the optimizer's ValueError about `optimizer.lr`, which named no viz); groups that agree are drawn."""
    model, batch = _model_and_batch()
    loss = _loss(model, batch)
    loss.backward()
    ps = list(model.parameters())
    opt = nn.SGD([{"params": ps[:2]}, {"params": ps[2:], "lr": 0.5}], lr=0.1)
    with pytest.raises(ValueError, match="viz writes one update rule .* 2 param groups hold different ones"):
        viz.save_html(loss, tmp_path / "page.html", optimizer=opt)
    assert not (tmp_path / "page.html").exists()
    viz.save_html(loss, tmp_path / "same.html", optimizer=nn.SGD([{"params": ps[:2]}, {"params": ps[2:]}], lr=0.1))
    assert (tmp_path / "same.html").exists()
