"""A load names a key it does not take as unexpected, whatever that key holds, as Module.load_state_dict does.
Optimizer.load_state_dict, since it reads chainrule's Tensors, read every value before checking the keys: an extra
entry holding a str or None (a note kept beside the state) was refused as "note is a str holding no numbers; give
its tensor", a fix that does not apply, where it had been, and is again, "unexpected ['note']". from_torch_state_dict
did the same with torch's `_extra_state` (any object a module's get_extra_state gives)."""

import numpy as np
import pytest

import nn
from autograd import Tensor


def trained_adam() -> nn.Adam:
    model = nn.Linear(3, 2, seed=0)
    opt = nn.Adam(model.parameters())
    model(Tensor(np.ones((2, 3)))).sum().backward()
    opt.step()
    return opt


EXTRAS = {
    "str": "epoch 3",
    "None": None,
    "dict": {"epoch": 3},
    "masked": np.ma.masked_array([1.0, 2.0], mask=[True, False]),
}


@pytest.mark.parametrize("prefix", ["", "opt."])
@pytest.mark.parametrize("extra", EXTRAS)
def test_an_extra_key_holding_no_numbers_is_named_unexpected(extra, prefix):
    opt = trained_adam()
    state = {prefix + k: v for k, v in opt.state_dict().items()}
    before = {k: np.array(v) for k, v in opt.state_dict().items()}
    with pytest.raises(KeyError, match=r"cannot load this state into Adam: missing nothing, unexpected \['note'\]"):
        opt.load_state_dict({**state, "note": EXTRAS[extra]}, prefix=prefix)
    assert all(np.array_equal(v, before[k]) for k, v in opt.state_dict().items())


def test_a_key_it_takes_holding_no_numbers_is_still_named_by_its_type():
    opt = trained_adam()
    with pytest.raises(TypeError, match="cannot load this state into Adam: state.0.m is a str holding no numbers"):
        opt.load_state_dict({**opt.state_dict(), "state.0.m": "abc", "note": None})


def test_an_extra_tensor_is_named_unexpected_too():
    opt = trained_adam()
    with pytest.raises(KeyError, match=r"unexpected \['model.W'\]"):
        opt.load_state_dict({**opt.state_dict(), "model.W": Tensor(np.ones(3), requires_grad=True)})


def sparse_tensor():
    torch = pytest.importorskip("torch")
    return torch.eye(3).to_sparse()


@pytest.mark.parametrize("extra", [*EXTRAS, "sparse"])
def test_from_torch_state_dict_names_an_extra_key_unexpected_whatever_it_holds(extra):
    """A torch module's `_extra_state` (any object its get_extra_state gives) was refused as "_extra_state is a dict
    holding no numbers ... give its tensor"; it is a key chainrule's model does not take: named unexpected."""
    from nn.export import from_torch_state_dict, to_torch_state_dict

    model = nn.Linear(3, 2, seed=0)
    value = sparse_tensor() if extra == "sparse" else EXTRAS[extra]
    state = {**to_torch_state_dict(model), "_extra_state": value}
    with pytest.raises(ValueError, match=r"missing nothing, unexpected \['_extra_state'\]"):
        from_torch_state_dict(model, state)


def test_from_torch_state_dict_still_names_a_key_it_takes_by_what_it_holds():
    from nn.export import from_torch_state_dict, to_torch_state_dict

    model = nn.Linear(3, 2, seed=0)
    state = {**to_torch_state_dict(model), "weight": "abc", "note": None}
    with pytest.raises(TypeError, match="into Linear: weight is a str holding no numbers"):
        from_torch_state_dict(model, state)


@pytest.mark.parametrize("load", ["load_state_dict", "from_torch_state_dict"])
def test_a_list_of_tensors_that_require_grad_is_refused_naming_its_key(load):
    """A single Tensor loads (detached); a list of them reached numpy's "cannot turn a Tensor that requires grad into
    an array" naming no key, the error a single Tensor gave before it loaded."""
    from nn.export import from_torch_state_dict

    model = nn.Linear(3, 2, seed=0)
    rows = [Tensor(np.ones(2, np.float32), requires_grad=True) for _ in range(3)]
    key, loads = ("W", model.load_state_dict) if load == "load_state_dict" else ("weight", None)
    state = {key: rows, "b" if key == "W" else "bias": model.b.data}
    before = model.W.data.copy()
    with pytest.raises(TypeError, match=rf"Linear: {key} is a list numpy cannot read .*t\.data"):
        loads(state) if loads else from_torch_state_dict(model, state)
    assert np.array_equal(model.W.data, before)


def trained_lbfgs() -> nn.LBFGS:
    model = nn.Linear(3, 2, seed=0)
    opt = nn.LBFGS(model.parameters(), line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = (model(Tensor(np.arange(6.0).reshape(2, 3))) ** 2).sum()
        loss.backward()
        return loss

    opt.step(closure)
    return opt


ROWS = [Tensor(np.ones(2), requires_grad=True)] * 2


@pytest.mark.parametrize("value", [ROWS, [[1.0], [1.0, 2.0]], "abc"], ids=["tensors", "ragged", "str"])
def test_lbfgs_names_an_extra_key_unexpected_whatever_it_holds(value):
    """LBFGS read every value's shape (for its history's) before its load's checks: numpy's own error, naming no
    key, for a list of Tensors that require grad or a ragged list under a key it does not take."""
    opt = trained_lbfgs()
    with pytest.raises(KeyError, match=r"cannot load this state into LBFGS: missing nothing, unexpected \['note'\]"):
        opt.load_state_dict({**opt.state_dict(), "note": value})


def test_lbfgs_names_a_key_it_takes_holding_a_list_of_tensors():
    opt = trained_lbfgs()
    with pytest.raises(TypeError, match=r"cannot load this state into LBFGS: state.flat.ro is a list numpy cannot"):
        opt.load_state_dict({**opt.state_dict(), "state.flat.ro": ROWS})
