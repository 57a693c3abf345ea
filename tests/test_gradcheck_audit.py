"""gradcheck and gradcheck_params give no verdict on nothing and no pass for a wrong rule: an audit of
the testing kit found each of these passing."""

import numpy as np
import pytest

from autograd import GradcheckError, Tensor, Value, gradcheck_params


def _square(p):
    return (p * p).sum() if isinstance(p, Tensor) else p * p


@pytest.mark.parametrize("make", [lambda: Tensor(np.ones(3), requires_grad=True), lambda: Value(1.5)])
def test_gradcheck_params_refuses_a_loss_that_uses_none_of_the_parameters(make):
    # the loss reached another copy: every row compared 0 with 0, and the check passed
    given, used = make(), make()
    with pytest.raises(GradcheckError, match=r"loss\(\) uses none of the parameters given \(w\)"):
        gradcheck_params(lambda: _square(used), {"w": given})
    assert gradcheck_params(lambda: _square(given), [given])


def test_gradcheck_params_still_says_an_empty_list_has_nothing_to_check():
    w = Tensor(np.ones(3), requires_grad=True)
    with pytest.raises(ValueError, match="no elements"):
        gradcheck_params(lambda: (w * w).sum(), [])
