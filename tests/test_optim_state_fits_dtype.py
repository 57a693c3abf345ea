"""An optimizer's state loaded into an optimizer over float32 parameters: a finite number the float32 state cannot
hold is refused, naming the entry, by one rule for every optimizer's every float entry (state_checks.conform), and
nothing changes. Adam's v at 1e300 was loaded as inf (accepted as a square that overflowed, which a step saves as
+inf, and still loads), and LBFGS's t, ro and H_diag, kept in float64, became inf with a RuntimeWarning."""

import warnings

import numpy as np
import pytest
from optimizer_names import ALL_OPTIMIZERS, stepped

import nn


def _stepped(name):
    model = nn.Linear(3, 2, seed=0)  # float32
    optimizer = getattr(nn, name)(model.parameters())

    def grads():
        for p in model.parameters():
            p.grad = np.full_like(p.data, 0.5)

    for _ in range(2):
        stepped(optimizer, grads, loss=1.0)
    return optimizer


def _float_entries(state):
    return [k for k, v in state.items() if k.startswith("state.") and np.asarray(v).dtype == np.float32]


@pytest.mark.parametrize("name", ALL_OPTIMIZERS)
def test_a_state_entry_beyond_float32_is_refused_by_name_and_changes_nothing(name):
    optimizer = _stepped(name)
    state = optimizer.state_dict()
    entries = _float_entries(state)
    assert entries or name == "SGD", f"{name} keeps no float32 state"
    for key in entries:
        edited = dict(state) | {key: np.full(np.shape(state[key]), 1e300)}
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with pytest.raises(ValueError, match=rf"{key}: 1e\+300 does not fit float32.*model\.double\(\)"):
                optimizer.load_state_dict(edited)
        now = optimizer.state_dict()
        assert all(np.array_equal(now[k], state[k], equal_nan=now[k].dtype.kind == "f") for k in state), (name, key)


def test_lbfgs_keeps_its_step_length_and_scales_in_the_parameters_dtype():
    state = _stepped("LBFGS").state_dict()
    assert {k.rsplit(".", 1)[1] for k in _float_entries(state)} >= {"t", "ro", "H_diag"}


def test_adams_v_saved_as_inf_still_loads():
    """A square that overflowed is what a step makes of a huge gradient, and saves: +inf loads."""
    optimizer = _stepped("Adam")
    state = optimizer.state_dict()
    optimizer.load_state_dict(state | {"state.0.v": np.full(np.shape(state["state.0.v"]), np.inf, np.float32)})
    assert np.isinf(optimizer.state_dict()["state.0.v"]).all()


def test_a_float64_save_beyond_float32_is_refused_by_nn_load_into_a_float32_model(tmp_path):
    model = nn.Linear(3, 2, seed=0, dtype=np.float64)
    adam = nn.Adam(model.parameters())
    for p in model.parameters():
        p.grad = np.full_like(p.data, 1e30)  # m = 1e29, within float32; v = 1e57, beyond it
    adam.step()
    nn.save(model, tmp_path / "wide.npz", optimizer=adam)
    small = nn.Linear(3, 2, seed=1)
    small_adam = nn.Adam(small.parameters())
    before = small.state_dict(), small_adam.state_dict()
    with pytest.raises(ValueError, match=r"_optimizer\.state\.0\.v: 1\.0*\d*e\+57 does not fit float32"):
        nn.load(small, tmp_path / "wide.npz", optimizer=small_adam)
    assert all(
        np.array_equal(a[k], b[k]) for a, b in zip(before, (small.state_dict(), small_adam.state_dict())) for k in a
    )
