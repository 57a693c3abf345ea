"""A root that requires no grad (a tensor computed from tensors that do not, or under no_grad) has no
backward: what would draw or play one refuses it, naming why and the fix, where the player raised a
KeyError and backward_steps gave no frames at all."""

import numpy as np
import pytest

import viz
from autograd import Tensor


def constant_root() -> Tensor:
    s = (Tensor(np.array([1.0, 2.0]), label="X") * 2).sum()
    s.label = "s"
    return s


@pytest.mark.parametrize(
    "call",
    [
        lambda s, path: viz.save_html(s, path / "page.html"),
        lambda s, path: viz.player(s),
        lambda s, path: list(viz.backward_steps(s)),
        lambda s, path: viz.draw(s, backward=True),
        lambda s, path: viz.draw(s, check=True),
    ],
)
def test_what_needs_backward_refuses_a_root_that_requires_no_grad(call, tmp_path):
    with pytest.raises(ValueError, match=r"the root s does not require grad.*requires_grad=True"):
        call(constant_root(), tmp_path)
    assert not (tmp_path / "page.html").exists()


def test_its_value_is_still_drawn():
    assert "label=6 " in viz.draw(constant_root()).source


def test_a_leaf_that_requires_no_grad_is_told_to_require_it_itself():
    # a leaf has no inputs: "give its inputs requires_grad=True" named a fix it cannot take
    with pytest.raises(ValueError, match=r"the root c does not require grad.*\(create it with requires_grad=True"):
        viz.draw(Tensor(np.array(2.0), label="c"), backward=True)
    assert "grad 1" in viz.draw(Tensor(np.array(2.0), label="t", requires_grad=True), backward=True).source
