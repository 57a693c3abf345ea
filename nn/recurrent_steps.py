"""One time step of each recurrent layer (an Elman RNN's, an LSTM's, a GRU's), and their parameters:
the one place RNN, LSTM and GRU (nn.recurrent) and their cells (nn.recurrent_cells) compute from.

Weights are in PyTorch's layout, (gates * hidden_size, inputs), the gates stacked in its order (LSTM:
input, forget, cell, output; GRU: reset, update, new), so a state dict maps one to one with torch's."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from autograd import Tensor

from .arguments import check_choice
from .layers import affine

# The modes of a recurrent layer: how many blocks of hidden_size its weights stack (one per gate)
GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}
NONLINEARITIES = {"tanh": "RNN_TANH", "relu": "RNN_RELU"}  # RNN's nonlinearity= names its mode

State = tuple[Tensor, ...]  # (h,), or an LSTM's (h, c)


def elman_mode(owner: str, nonlinearity: Any) -> str:
    """The mode of an Elman RNN or RNNCell built with `nonlinearity`, refused unless 'tanh' or 'relu'."""
    return NONLINEARITIES[check_choice(owner, "nonlinearity", nonlinearity, NONLINEARITIES)]


def nonlinearity_of(mode: str) -> str:
    """The nonlinearity of an Elman mode: 'tanh' or 'relu' (an LSTM's and a GRU's gates use tanh)."""
    return mode[4:].lower() if mode.startswith("RNN") else "tanh"


# RNN's and RNNCell's nonlinearity, read from the mode
NONLINEARITY = property(lambda module: nonlinearity_of(module.mode), doc="'tanh' or 'relu'")


def make_parameters(
    module: Any,
    suffix: str,
    mode: str,
    sizes: tuple[int, int, int],
    bias: bool,
    rng: np.random.Generator,
    dtype: np.dtype,
) -> None:
    """Set `module`'s weight_ih{suffix}, weight_hh{suffix}, bias_ih{suffix}, bias_hh{suffix} (and an LSTM's
    projection weight_hr{suffix} when it has one), in PyTorch's order and shapes, each drawn uniformly
    from +-1/sqrt(hidden_size), PyTorch's default."""
    bound = 1 / math.sqrt(sizes[1])
    for name, shape in parameter_shapes(mode, sizes, bias).items():
        drawn = None if shape is None else rng.uniform(-bound, bound, shape).astype(dtype)
        setattr(module, name + suffix, None if drawn is None else Tensor(drawn, requires_grad=True, dtype=dtype))


def parameter_shapes(mode: str, sizes: tuple[int, int, int], bias: bool) -> dict[str, tuple[int, ...] | None]:
    """The shapes of one layer and direction's parameters by name (None: a bias it has not); `sizes`:
    (inputs, hidden_size, proj_size), proj_size 0 for none; the hidden state fed back is proj_size wide
    where there is one, and only then is there a weight_hr."""
    inputs, hidden, proj = sizes
    rows = GATES[mode] * hidden
    shapes = {"weight_ih": (rows, inputs), "weight_hh": (rows, proj or hidden)}
    shapes |= {"bias_ih": (rows,) if bias else None, "bias_hh": (rows,) if bias else None}
    return shapes | ({"weight_hr": (proj, hidden)} if proj else {})


def weights(module: Any, suffix: str) -> tuple[Tensor, Tensor | None, Tensor, Tensor | None, Tensor | None]:
    """(weight_ih, bias_ih, weight_hh, bias_hh, weight_hr) of `module` with `suffix` (None where absent)."""
    names = ("weight_ih", "bias_ih", "weight_hh", "bias_hh", "weight_hr")
    return tuple(getattr(module, name + suffix, None) for name in names)  # type: ignore[return-value]


def input_part(x: Tensor, weight_ih: Tensor, bias_ih: Tensor | None) -> Tensor:
    """x @ weight_ih.T + bias_ih: the input's share of every gate, of one step (batch, features) or of a
    whole sequence at once, its steps' rows stacked (seq_len * batch, features)."""
    return affine(x, weight_ih.T, bias_ih)


def step(
    mode: str, gi: Tensor, state: State, hh_t: Tensor, bias_hh: Tensor | None, hr_t: Tensor | None = None
) -> State:
    """The state after one step, from the input's share of the gates `gi` (input_part) and the state before.
    hh_t and hr_t are weight_hh.T and weight_hr.T (None: no projection), transposed by the caller, once
    for a whole sequence."""
    h = state[0]
    gh = affine(h, hh_t, bias_hh)
    if mode == "RNN_TANH":
        return ((gi + gh).tanh(),)
    if mode == "RNN_RELU":
        return ((gi + gh).relu(),)
    if mode == "LSTM":
        i, f, g, o = (gi + gh).chunk(4, -1)
        c = f.sigmoid() * state[1] + i.sigmoid() * g.tanh()
        h = o.sigmoid() * c.tanh()
        return (h if hr_t is None else h @ hr_t, c)
    # GRU: the reset gate scales the hidden state's share of the new state, its bias included (PyTorch's form)
    ir, iz, in_ = gi.chunk(3, -1)
    hr, hz, hn = gh.chunk(3, -1)
    r, z = (ir + hr).sigmoid(), (iz + hz).sigmoid()
    n = (in_ + r * hn).tanh()
    return (n + z * (h - n),)  # (1 - z) * n + z * h
