"""A drawn rule's named constants show the values the call used: cross_entropy's read "(ε = label_smoothing)" and
"/ rows kept" with neither number, softplus's "σ(βx)" without β, leaky_relu's "else negative_slope" without it."""

import numpy as np
import pytest
from test_viz_rules_as_called import local_rule

import autograd
import viz
from autograd import Tensor, Value


def _x():
    return Tensor(np.array([[-1.0, 0.5, 2.0], [0.3, -0.2, 1.0], [1.0, 2.0, 3.0], [0.0, 0.0, 1.0]]), requires_grad=True)


LABELS = np.array([0, 2, 1, -100])


@pytest.mark.parametrize(
    ("make", "rule"),
    [
        (
            lambda x: autograd.cross_entropy(x, LABELS, label_smoothing=0.1, ignore_index=-100),
            "∂CE/∂logits = (softmax − (1 − ε)·one hot − ε/classes) / rows kept; 0 on ignored rows; ε = 0.1, "
            "rows kept = 3, classes = 3",
        ),
        (
            lambda x: autograd.cross_entropy(x, LABELS, weight=np.array([1.0, 2.0, 3.0]), ignore_index=-100),
            "∂CE/∂logits = w_y·(softmax − one hot) / Σ w_y of the rows kept; 0 on ignored rows; "
            "Σ w_y of the rows kept = 6, w = [1, 2, 3]",
        ),
        (lambda x: autograd.nll_loss(x, np.array([0, 2, 1, 1])), "∂NLL/∂log p = −1 / rows kept at each row's "
         "label y; 0 elsewhere; rows kept = 4"),
        (lambda x: autograd.multi_margin_loss(x, np.array([0, 2, 1, 1]), margin=0.5, p=2, reduction="none"),
         "∂loss/∂xᵢ = p·max(0, zᵢ)^(p−1) / C for i ≠ y (zᵢ = margin − x_y + xᵢ > 0); at y, minus their sum; p = 2, "
         "margin = 0.5, C = 3"),
        (lambda x: x.mean(axis=0), "∂mean(x)/∂xᵢ = 1/n; n = 4"),
        (lambda x: x.var(ddof=1), "∂var(x)/∂xᵢ = 2(xᵢ − mean)/(n − ddof); ddof = 1, n = 12"),
        (lambda x: autograd.softplus(x, beta=2.0, threshold=5.0), "∂softplus(x)/∂x = σ(βx) (1 where βx > threshold); "
         "β = 2, threshold = 5"),
        (lambda x: autograd.leaky_relu(x), "∂leaky_relu(x)/∂x = 1 where x > 0, else negative_slope; "
         "negative_slope = 0.01"),
        (lambda x: autograd.elu(x, alpha=0.5), "∂elu(x)/∂x = 1 where x > 0, else α·exp(x); α = 0.5"),
        (lambda x: autograd.selu(x), "∂selu(x)/∂x = scale where x > 0, else scale·α·exp(x); scale = 1.0507, "
         "α = 1.67326"),
        (lambda x: autograd.hardshrink(x, 0.3), "∂hardshrink(x)/∂x = 1 where |x| > lambd, else 0; lambd = 0.3"),
    ],
)  # fmt: skip
def test_a_rule_tells_the_values_of_the_constants_it_names(make, rule):
    x = _x()
    assert local_rule(make(x), 0, {id(x): "x"}) == rule


def test_the_drawing_and_the_captions_of_a_smoothed_cross_entropy_say_epsilon():
    x = _x()
    loss = autograd.cross_entropy(x, LABELS, label_smoothing=0.1, ignore_index=-100)
    loss.label = "L"
    told = "ε = 0.1, rows kept = 3, classes = 3"
    assert told in viz.draw(loss, backward=True).source
    assert told in "\n".join(step.caption for step in viz.backward_steps(loss))
    assert "ε = label_smoothing" not in viz.draw(loss, backward=True).source


def test_a_value_rule_tells_its_constant_too():
    x = Value(-1.0, label="x")
    y = autograd.leaky_relu(x, 0.3)
    assert (
        local_rule(y, 0, {id(x): "x"}) == "∂leaky_relu(x)/∂x = 1 where x > 0, else negative_slope; negative_slope = 0.3"
    )


def test_the_update_names_the_optimizers_settings_in_effect():
    """The update's head read "SGD (lr 0.1)" and "each by SGD's own rule" with momentum 0.9 and weight decay
    0.01 untold; "Adam (lr 0.01)" without its betas and eps."""
    import nn
    from viz.steps import backward_pass
    from viz.update import optimizer_update

    w = Value(2.0, label="w")
    loss = w * w
    loss.label = "loss"
    sgd = nn.SGD([w], lr=0.1, momentum=0.9, weight_decay=0.01)
    head = optimizer_update(backward_pass(loss), sgd).caption.splitlines()[0]
    assert "the update: SGD (lr 0.1, momentum 0.9, weight_decay 0.01) " in head
    adam = nn.Adam([w], lr=0.01)
    head = optimizer_update(backward_pass(loss), adam).caption.splitlines()[0]
    assert "the update: Adam (lr 0.01, betas (0.9, 0.999), eps 1e-08) " in head
