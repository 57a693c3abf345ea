"""Dropout layers of a user's own: a subclass overriding mask_shape, check_input or forward keeps working;
one that defines `mask(shape, dtype)`, the hook Dropout called until the forty-second session, is refused at
its definition (Dropout no longer calls it: its masks would have been silently the standard ones)."""

import numpy as np
import pytest

import nn
from autograd import ShapeError, Tensor


def test_a_subclass_drawing_one_mask_entry_per_row_drops_whole_rows():
    class RowDropout(nn.Dropout):
        def mask_shape(self, shape):
            return (shape[0], 1)

    y = RowDropout(0.5, seed=3)(Tensor(np.ones((64, 5)))).numpy()
    assert set(np.unique(y)) == {0.0, 2.0}
    assert (y == y[:, :1]).all()  # a row kept or dropped whole
    assert 0 < (y[:, 0] == 0).sum() < 64


def test_a_subclass_overriding_forward_or_check_input_is_called_as_written():
    class Doubled(nn.Dropout2d):
        def forward(self, x):
            return super().forward(x) * 2

    class OnlyMatrices(nn.AlphaDropout):
        def check_input(self, name, x):
            if x.ndim != 2:
                raise ShapeError(f"{name} takes matrices")

    assert Doubled(0.0)(Tensor(np.ones((1, 2, 3, 3)))).numpy().tolist() == (2 * np.ones((1, 2, 3, 3))).tolist()
    with pytest.raises(ShapeError, match="Doubled takes input of shape"):
        Doubled(0.5)(Tensor(np.ones((2, 3))))
    with pytest.raises(ShapeError, match="OnlyMatrices takes matrices"):
        OnlyMatrices(0.5).eval()(Tensor(np.ones(3)))


@pytest.mark.parametrize("base", [nn.Dropout, nn.Dropout2d, nn.AlphaDropout, nn.FeatureAlphaDropout])
def test_a_subclass_defining_the_old_mask_hook_is_refused_naming_masking(base):
    """Its mask was used until the hook became `masking`; after it, the standard mask was drawn silently (a mask of
    0.5 everywhere gave [0, 2, 4, 6, 8, 0, ...] for x = [0, 1, 2, ...], not x / 2)."""
    with pytest.raises(TypeError, match=r"HalfMask defines mask\(shape, dtype\), which .* no longer calls: .*masking"):

        class HalfMask(base):
            def mask(self, shape, dtype):
                return np.full(shape, 0.5, dtype)


def test_a_subclass_keeping_something_else_called_mask_is_taken():
    """Only a method named mask is the old hook: an attribute of that name (a buffer's default) is the user's own."""

    class WithMaskAttribute(nn.Dropout):
        mask = None

    assert WithMaskAttribute(0.0)(Tensor(np.ones(3))).numpy().tolist() == [1.0, 1.0, 1.0]
