"""A chainrule module against its torch.nn twin, with the same weights (moved by nn.export, so the names
and layouts of the state dict are checked on the way): the outputs (all of them: a layer's output and
its hidden states, attention's weights), then the gradient of sum(out_i * w_i), w_i fixed random
weights, in the inputs and in every parameter. Both are called the same way, as the signatures are
PyTorch's. Tolerances are tests/torch_reference.py's: in float32, a result torch and chainrule do not
agree on is judged against torch in float64 on the same inputs and weights."""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from torch_reference import assert_close, torch, weights

from autograd import Tensor
from nn.export import from_torch_state_dict

TORCH_DTYPE = {np.dtype(np.float64): torch.float64, np.dtype(np.float32): torch.float32}


def flat(out: Any) -> list[Any]:
    """The tensors of a call's result, nested tuples walked, None (no weights asked for) left out."""
    if isinstance(out, tuple | list):
        return [t for item in out for t in flat(item)]
    return [] if out is None else [out]


def _run(module: Any, arrays: Sequence[Any], call: Callable[..., Any], make: Callable[[Any], Any]) -> dict[str, Any]:
    """Outputs and gradients of `call(module, *inputs)`, inputs made by `make` (None passes through)."""
    inputs = [None if a is None else make(a) for a in arrays]
    outs = flat(call(module, *inputs))
    loss = sum((o * make(weights(tuple(o.shape), _dtype(o), i))).sum() for i, o in enumerate(outs))
    loss.backward()
    named = module.named_parameters() if hasattr(module, "named_parameters") else ()  # a function has none
    grads = {name: _array(p.grad) for name, p in named}
    return {
        "outputs": [_array(o) for o in outs],
        "input grads": [_array(x.grad) for x in inputs if x is not None and x.requires_grad],
        "parameter grads": grads,
    }


def _dtype(t: Any) -> np.dtype:
    return np.dtype(str(t.dtype).removeprefix("torch."))


def _array(t: Any) -> np.ndarray:
    return t.detach().numpy() if isinstance(t, torch.Tensor) else np.asarray(t.data if isinstance(t, Tensor) else t)


def _ours(a: np.ndarray) -> Tensor:
    return Tensor(a, requires_grad=a.dtype.kind == "f", dtype=a.dtype)


def _theirs(a: np.ndarray) -> Any:
    return torch.tensor(a, requires_grad=a.dtype.kind == "f")


def compare(ours: Any, theirs: Any, arrays: Sequence[Any], call: Callable[..., Any], dtype: Any, where: str) -> None:
    """Assert `ours` (built in `dtype`) and `theirs` (torch's, built in the same dtype; or two functions,
    F.scaled_dot_product_attention's) agree, as the module's docstring says, `ours` given `theirs`'s
    weights first. Float inputs are differentiated; boolean ones (masks) pass as they are."""
    exact = theirs
    if isinstance(theirs, torch.nn.Module):
        from_torch_state_dict(ours, theirs.state_dict())
        exact = copy.deepcopy(theirs).double()
    got, want = _run(ours, arrays, call, _ours), _run(theirs, arrays, call, _theirs)
    truth = None
    if np.dtype(dtype) == np.float32:
        wide = [a if a is None or a.dtype.kind != "f" else a.astype(np.float64) for a in arrays]
        truth = _run(exact, wide, call, _theirs)
    assert len(got["outputs"]) == len(want["outputs"]), (
        f"{where}: {len(got['outputs'])} outputs, torch's {len(want['outputs'])}"
    )
    for kind in ("outputs", "input grads"):
        for i, (a, b) in enumerate(zip(got[kind], want[kind], strict=True)):
            exact = None if truth is None else (lambda kind=kind, i=i: truth[kind][i])
            assert_close(f"{kind} {i}", a, b, dtype, where, exact)
    assert got["parameter grads"].keys() == want["parameter grads"].keys(), where
    for name, b in want["parameter grads"].items():
        exact = None if truth is None else (lambda name=name: truth["parameter grads"][name])
        assert_close(f"d/d {name}", got["parameter grads"][name], b, dtype, where, exact)
