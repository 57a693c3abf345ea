"""Whole training scripts as a user ports them from PyTorch, run on both engines and compared step by step
(tests/test_ported_scripts*.py). A script is written once against a namespace, `TORCH` or `CHAINRULE`, which
holds each engine's spellings of the same thing (`ns.nn.Linear`, `ns.optim.Adam`, `ns.sched.StepLR`,
`ns.tensor(array)`); where a port has to be written differently (a Linear's `W` for torch's `weight`), the
script asks `ns.torch` and says why.

The engines start from the same weights: the torch model's, drawn once in float64 (`initial`) and loaded
into both models (rounded to the run's dtype). Each step the script records its loss and the model after
backward, before the optimizer steps: every parameter and buffer (in PyTorch's names and layouts) and every
gradient. In float64 chainrule's record must agree with torch's to 1e-10 at every step, each tensor judged
against its own largest entry, or against the model's largest parameter or gradient where that is larger (a
gradient that is 0 in exact arithmetic, a bias before a BatchNorm or attention's key bias, is rounding in both
engines, which Adam scales up to a step of its own). In float32 each engine is judged against torch in float64
run from the same float32 weights: chainrule must be no further from it than 10 times torch's own float32
run, plus 1e-6 (the engines round differently, and a training run is a chaotic map)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import numpy as np
from torch_reference import torch  # without torch: skipped

import autograd
import nn
from nn.export import _entries_of, from_torch_state_dict, to_torch_state_dict

TORCH = SimpleNamespace(
    torch=True,
    nn=torch.nn,
    F=torch.nn.functional,
    optim=torch.optim,
    sched=torch.optim.lr_scheduler,
    utils=torch.nn.utils,
    tensor=torch.from_numpy,
    no_grad=torch.no_grad,
    exp=torch.exp,
    sigmoid=torch.sigmoid,
    relu=torch.relu,
    triu=torch.triu,
    ones=torch.ones,
    zeros=torch.zeros,
    full_like=torch.full_like,
    zeros_like=torch.zeros_like,
    ones_like=torch.ones_like,
    cat=torch.cat,
    stack=torch.stack,
    tanh=torch.tanh,
    bmm=torch.bmm,
)
CHAINRULE = SimpleNamespace(
    torch=False,
    nn=nn,
    F=nn.functional,
    optim=nn,
    sched=nn.schedulers,
    utils=nn.utils,
    tensor=autograd.Tensor,
    no_grad=autograd.no_grad,
    exp=autograd.exp,
    sigmoid=autograd.sigmoid,
    relu=autograd.relu,
    triu=autograd.triu,
    ones=autograd.ones,
    zeros=autograd.zeros,
    full_like=autograd.full_like,
    zeros_like=autograd.zeros_like,
    ones_like=autograd.ones_like,
    cat=autograd.cat,
    stack=autograd.stack,
    tanh=autograd.tanh,
    bmm=lambda a, b: a @ b,  # torch.bmm: chainrule has none (matmul batches)
)
TORCH_DTYPE = {np.dtype(np.float64): torch.float64, np.dtype(np.float32): torch.float32}
Script = Callable[[SimpleNamespace, Any, Callable[[Any], Any], Callable[..., None]], None]


def _numpy(x: Any) -> np.ndarray:
    if isinstance(x, torch.Tensor):
        return x.detach().numpy().astype(np.float64)
    return np.asarray(x.data if isinstance(x, autograd.Tensor) else x, dtype=np.float64)


def _grads(model: Any) -> dict[str, np.ndarray | None]:
    """Each parameter's gradient by PyTorch's name and in its layout (a Linear's W is torch's weight transposed),
    None where it has none: chainrule's by nn.export's map of its parameters to torch's names."""
    if isinstance(model, torch.nn.Module):
        return {name: None if p.grad is None else _numpy(p.grad) for name, p in model.named_parameters()}
    out = {}
    for entry in _entries_of(model):
        p = entry.sources[0]
        if isinstance(p, autograd.Tensor):  # a parameter (a buffer is an array)
            grad = None if p.grad is None else _numpy(p.grad)
            out[entry.name] = grad.T if grad is not None and entry.transposed else grad
    return out


def snapshot(model: Any) -> dict[str, dict[str, Any]]:
    """Parameters and buffers (PyTorch's names and layouts) and gradients of a torch or chainrule model."""
    if isinstance(model, torch.nn.Module):
        state = {k: _numpy(v) for k, v in model.state_dict().items()}
    else:
        state = {k: np.asarray(v, dtype=np.float64) for k, v in to_torch_state_dict(model).items()}
    return {"state": state, "grads": _grads(model)}


def run(script: Script, ns: SimpleNamespace, dtype: Any, initial: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The records of `script` run on `ns` in `dtype`; `initial[name]`, torch state dicts, are loaded into the
    models the script makes, by the name it passes to `load`."""

    records: list[dict[str, Any]] = []

    def load(name: str, model: Any) -> Any:
        if ns.torch:
            model.load_state_dict({k: v.clone() for k, v in initial[name].items()})
        else:
            from_torch_state_dict(model, initial[name])
        return model

    def record(what: str, value: Any, *models: Any) -> None:
        records.append({"what": what, "value": _numpy(value), "models": [snapshot(m) for m in models]})

    script(ns, np.dtype(dtype).type, load, record)
    return records


def initial_weights(make: dict[str, Callable[[], Any]], seed: int) -> dict[str, dict[str, Any]]:
    """The torch models' float64 state dicts, drawn once from `seed` (PyTorch's own initialisation)."""
    torch.manual_seed(seed)
    states = {name: f().state_dict() for name, f in make.items()}
    return {name: {k: v.double() if v.is_floating_point() else v for k, v in s.items()} for name, s in states.items()}


def _diff(ours: dict, theirs: dict, floor: float) -> dict[str, float]:
    """Each entry's largest difference over its scale (its own largest |entry|, at least `floor`)."""
    assert ours.keys() == theirs.keys(), f"entries differ: {sorted(ours.keys() ^ theirs.keys())}"
    out = {}
    for k, b in theirs.items():
        a = ours[k]
        assert (a is None) == (b is None), f"{k}: gradient None in one engine only"
        if b is not None:
            assert a.shape == b.shape, f"{k}: shape {a.shape}, torch's {b.shape}"
            scale = max(float(np.max(np.abs(b), initial=0.0)), floor)
            out[k] = float(np.max(np.abs(a - b), initial=0.0)) / scale if scale else 0.0
    return out


def distances(ours: list[dict], theirs: list[dict]) -> list[dict[str, float]]:
    """For each record, every compared quantity's relative difference, by name."""
    assert [r["what"] for r in ours] == [r["what"] for r in theirs], "the scripts recorded different things"
    rows = []
    for a, b in zip(ours, theirs, strict=True):
        row = {"value": float(np.max(np.abs(a["value"] - b["value"]), initial=0.0)) / max(np.abs(b["value"]).max(), 1)}
        for i, (ma, mb) in enumerate(zip(a["models"], b["models"], strict=True)):
            params = [np.abs(v).max() for v in mb["state"].values() if v.size]
            grads = [np.abs(g).max() for g in mb["grads"].values() if g is not None and g.size]
            row |= {f"model {i} {k}": v for k, v in _diff(ma["state"], mb["state"], max(params, default=0)).items()}
            floor = max(grads, default=0.0)
            row |= {f"model {i} grad {k}": v for k, v in _diff(ma["grads"], mb["grads"], floor).items()}
        rows.append(row)
    return rows


def check_script(script: Script, make: dict[str, Callable[[], Any]], seed: int, dtype: Any = np.float64) -> None:
    """`script` on both engines from the same weights, agreeing at every record as the module's docstring says."""
    initial = initial_weights(make, seed)
    if np.dtype(dtype) == np.float64:
        ours, theirs = run(script, CHAINRULE, dtype, initial), run(script, TORCH, dtype, initial)
        for step, (row, record) in enumerate(zip(distances(ours, theirs), theirs, strict=True)):
            worst = max(row, key=row.get)
            assert row[worst] <= 1e-10, f"record {step} ({record['what']}): {worst} off torch's by {row[worst]:.3g}"
        return
    rounded = {
        n: {k: v.float().double() if v.is_floating_point() else v for k, v in s.items()} for n, s in initial.items()
    }
    truth = run(script, TORCH, np.float64, rounded)
    ours, theirs = run(script, CHAINRULE, dtype, rounded), run(script, TORCH, dtype, rounded)
    for step, (mine, torchs, record) in enumerate(
        zip(distances(ours, truth), distances(theirs, truth), truth, strict=True)
    ):
        for name, d in mine.items():
            assert d <= 10 * torchs[name] + 1e-6, (
                f"record {step} ({record['what']}): {name} {d:.3g} off torch float64's, "
                f"torch float32's {torchs[name]:.3g}"
            )


def deepcopy_state(state: dict[str, Any]) -> dict[str, Any]:
    """A checkpoint as torch.save would write it: copies, not views of what training goes on changing."""
    return copy.deepcopy(state)
