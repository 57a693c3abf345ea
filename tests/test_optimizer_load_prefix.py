"""An optimizer's load_state_dict given a prefix that is no str was str.startswith's "startswith first arg must be
str or a tuple of str, not int", naming neither the optimizer nor the argument."""

from __future__ import annotations

import numpy as np
import pytest

import nn


@pytest.mark.parametrize("prefix", [0, None, 1.5, b"m.", ["m."], np.zeros(0)], ids=repr)
def test_a_prefix_that_is_no_str_is_a_type_error_naming_the_optimizer(prefix) -> None:
    p = nn.Parameter(np.ones(2))
    p.grad = np.ones(2)
    opt = nn.Adam([p], lr=0.1)
    opt.step()
    state = opt.state_dict()
    with pytest.raises(TypeError, match=r"Adam\.load_state_dict: prefix must be a str"):
        opt.load_state_dict(state, prefix=prefix)
