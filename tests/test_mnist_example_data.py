"""examples/mnist.py's data: the CNN's inputs standardised by the images it trains on alone."""

import importlib.util
from pathlib import Path

import numpy as np
import pytest
from test_nn_data import write_mnist

import nn

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


class Stop(Exception):
    """Raised by a stand-in for nn.fit once it has the data: no training needed to see it."""


def test_the_cnns_images_are_standardised_by_the_training_part_alone(tmp_path, monkeypatch):
    write_mnist(tmp_path, n_train=40, n_test=10)
    monkeypatch.syspath_prepend(str(EXAMPLES))
    spec = importlib.util.spec_from_file_location("example_mnist_data", EXAMPLES / "mnist.py")
    mnist = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mnist)
    given = {}

    def fit(model, loss, optimizer, data, **options):
        given.update(train=data, val=options["val_data"])
        raise Stop

    monkeypatch.setattr(nn, "fit", fit)
    with pytest.raises(Stop):
        mnist.main(["--data-dir", str(tmp_path), "--model", "cnn", "--val-size", "8", "--out", str(tmp_path / "out")])
    (X, y), (X_val, y_val) = given["train"], given["val"]
    assert X.shape == (32, 1, 28, 28) and X_val.shape == (8, 1, 28, 28) and len(y) == 32 and len(y_val) == 8
    # the held-out 8 took part in the mean and deviation: the 32 trained on were off by about 0.01 of each
    np.testing.assert_allclose([X.mean(), X.std()], [0, 1], atol=1e-5)
    assert abs(X_val.mean()) > 1e-3  # standardised by the others' statistics, not their own
