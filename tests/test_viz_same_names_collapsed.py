"""Values outside the model's modules that share a label (the samples' x) are told apart in a collapsed
drawing too, as in every other drawing."""

import numpy as np

import nn
import viz
from autograd import Tensor


def test_a_collapsed_drawing_tells_two_inputs_labelled_alike_apart():
    model = nn.Linear(2, 1)
    x1, x2 = Tensor(np.ones((1, 2)), label="x"), Tensor(np.zeros((1, 2)), label="x")
    x1.requires_grad = x2.requires_grad = True
    loss = (model(x1) + model(x2)).sum()
    source = viz.draw(loss, modules=model, collapse=True).source
    assert "{ x#" in source and "{ x |" not in source
