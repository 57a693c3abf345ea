"""jvp's has_aux, as torch.func.jvp's and jax.jvp's (checked against the first)."""

import numpy as np
import pytest
import torch

from autograd import jvp


def test_jvp_takes_has_aux_as_torch_func_and_jax():
    """jvp had no has_aux (a TypeError for the keyword), where every other transform and both references have it."""
    x = np.array([0.5, -1.0, 2.0])
    out, tangent, aux = jvp(lambda x: (x**3, {"sum": x.sum(), "n": 3}), (x,), (np.ones(3),), has_aux=True)
    t_out, t_tangent, t_aux = torch.func.jvp(
        lambda x: (x**3, {"sum": x.sum()}),
        (torch.tensor(x),),
        (torch.ones(3, dtype=torch.float64),),
        has_aux=True,
    )
    np.testing.assert_allclose(out, t_out.numpy(), rtol=1e-15)
    np.testing.assert_allclose(tangent, t_tangent.numpy(), rtol=1e-15)
    assert type(aux["sum"]) is np.ndarray and aux["sum"] == t_aux["sum"].item() and aux["n"] == 3
    with pytest.raises(TypeError, match="jvp: with has_aux=True the function must return a pair"):
        jvp(lambda x: x**3, (x,), (np.ones(3),), has_aux=True)
