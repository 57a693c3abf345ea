"""Recurrent layers as PyTorch's: RNN (Elman, tanh or relu), LSTM (proj_size too) and GRU, stacked
(num_layers), one or both directions, on sequences (seq_len, batch, features), batch first, or unbatched.

Parameters carry PyTorch's names, shapes and gate order (weight_ih_l0, weight_hh_l0, bias_ih_l0,
bias_hh_l0, weight_hr_l0 with a projection, *_reverse for the backward direction), so state dicts map
one to one with torch's (nn.export, nn.save), and start uniform in +-1/sqrt(hidden_size), as there.
Each step is computed by autograd's own ops (nn.recurrent_steps), so gradients flow through time
without a rule of their own."""

from __future__ import annotations

import math
import warnings
from typing import Any

from autograd import Tensor, cat, check_memory, repr_of, stack, zeros

from .arguments import check_count, check_flag, check_real, is_int
from .dropout import dropout
from .module import Module
from .parameter import check_parameters
from .recurrent_checks import checked_input, checked_sizes, checked_state, state_pair
from .recurrent_packed import held, reordered, repacked, unpacked
from .recurrent_steps import (
    NONLINEARITY,
    State,
    elman_mode,
    input_part,
    make_parameters,
    nonlinearity_of,
    parameter_shapes,
    step,
    weights,
)
from .rng import generator
from .sequences import PackedSequence


def _dropout(owner: str, p: Any) -> float:
    """The probability of zeroing each output of a layer but the last, in training: in [0, 1)."""
    return check_real(owner, "dropout", p, 0, 1, high_included=False)


class _Recurrent(Module):
    """What RNN, LSTM and GRU share: the parameters for each layer and direction, the checks of input and
    initial state, and the pass over the sequence, layer by layer."""

    setting_checks = {
        "batch_first": lambda rnn, flag: check_flag(type(rnn).__name__, "batch_first", flag),
        "dropout": lambda rnn, p: _dropout(type(rnn).__name__, p),
    }

    def __init__(
        self,
        mode: str,
        input_size: int,
        hidden_size: int,
        num_layers: int,
        bias: bool,
        batch_first: bool,
        dropout: float,
        bidirectional: bool,
        proj_size: int,
        device: Any,
        dtype: Any,
        seed: int | None,
    ) -> None:
        owner = type(self).__name__
        input_size, hidden_size, bias, dtype = checked_sizes(owner, (input_size, hidden_size, bias), device, dtype)
        num_layers = check_count(owner, "num_layers", num_layers)
        bidirectional = check_flag(owner, "bidirectional", bidirectional)
        check_flag(owner, "batch_first", batch_first)
        _dropout(owner, dropout)
        if not is_int(proj_size) or proj_size < 0:
            raise ValueError(f"{owner}: proj_size must be an int >= 0 (0: no projection), got {repr_of(proj_size)}")
        if proj_size >= hidden_size:
            raise ValueError(f"{owner}: proj_size ({proj_size}) must be smaller than hidden_size ({hidden_size})")
        if dropout and num_layers == 1:
            warnings.warn(
                f"{owner}: dropout={dropout} drops the outputs of every layer but the last, and there is one "
                "layer: it changes nothing; give num_layers > 1 or leave dropout at 0",
                UserWarning,
                stacklevel=3,
            )
        out, directions = int(proj_size) or hidden_size, 2 if bidirectional else 1
        # every layer past the first is alike: their storage counted from two before a list of num_layers is
        # made (num_layers=2**63 looped for ever making it)
        alike = [(input_size, hidden_size, int(proj_size)), (out * directions, hidden_size, int(proj_size))]
        first, later = (sum(math.prod(s) for s in parameter_shapes(mode, n, bias).values() if s) for n in alike)
        entries = (first + (num_layers - 1) * later) * directions
        given = {"input_size": input_size, "hidden_size": hidden_size, "num_layers": num_layers}
        named = ", ".join(f"{name}={value}" for name, value in given.items())
        fix = f"give smaller {', '.join(given)}"  # as check_parameters words it, for the layers once made
        check_memory(owner, f"{named}: the storage of its parameters", entries, dtype, fix)
        layers = [
            (input_size if layer == 0 else out * directions, hidden_size, int(proj_size)) for layer in range(num_layers)
        ]
        shapes = [shape for sizes in layers for shape in parameter_shapes(mode, sizes, bias).values() if shape]
        check_parameters(owner, given, shapes * directions, dtype)
        rng = generator(seed, owner)
        self._shape = (mode, input_size, hidden_size, num_layers, bidirectional, int(proj_size), bias)
        for layer, sizes in enumerate(layers):
            for suffix in self._suffixes(layer):
                make_parameters(self, suffix, mode, sizes, bias, rng, dtype)
        self.batch_first, self.dropout = batch_first, dropout

    mode = property(lambda self: self._shape[0], doc="RNN_TANH, RNN_RELU, LSTM or GRU")
    input_size = property(lambda self: self._shape[1], doc="the features of each step's input")
    hidden_size = property(lambda self: self._shape[2], doc="the features of the hidden state")
    num_layers = property(lambda self: self._shape[3], doc="how many layers are stacked")
    bidirectional = property(lambda self: self._shape[4], doc="whether each layer also reads the sequence backwards")
    proj_size = property(lambda self: self._shape[5], doc="an LSTM's projected hidden size (0: none)")
    bias = property(lambda self: self._shape[6], doc="whether the gates have biases")
    num_directions = property(lambda self: 2 if self.bidirectional else 1, doc="2 if bidirectional, else 1")

    @property
    def parameter_slots(self) -> frozenset[str]:  # type: ignore[override]
        """Every layer and direction's parameter names, a bias=False layer's biases among them (None there)."""
        names = parameter_shapes(self.mode, (0, self.hidden_size, self.proj_size), self.bias)
        return frozenset(
            name + suffix for layer in range(self.num_layers) for suffix in self._suffixes(layer) for name in names
        )

    def flatten_parameters(self) -> None:
        """PyTorch's call that packs the weights into one block for cuDNN; here each parameter is an array of
        its own and nothing needs packing, so ported code that calls it runs unchanged."""

    def _suffixes(self, layer: int) -> tuple[str, ...]:
        """The names' ends of a layer's parameters: `_l0`, and `_l0_reverse` for the backward direction."""
        return (f"_l{layer}", f"_l{layer}_reverse")[: self.num_directions]

    def forward(self, input: Any, hx: Any = None) -> tuple[Tensor, Any]:
        """(output, h_n), an LSTM's (output, (h_n, c_n)): output holds the last layer's hidden state at
        every step, both directions side by side; h_n (and c_n) each layer's and direction's last state.
        A PackedSequence input (nn.utils.rnn) gives a PackedSequence output, and h_n each sequence's state
        at its own length."""
        owner = type(self).__name__
        packed, lengths = (input, None) if isinstance(input, PackedSequence) else (None, None)
        if packed is not None:
            (x, lengths), batched = unpacked(owner, packed, self.input_size), True
        else:
            x, batched = checked_input(owner, input, self.input_size, 3)
        if batched and self.batch_first and packed is None:
            x = x.swapaxes(0, 1)
        if not batched:
            x = x.unsqueeze(1)
        if x.shape[0] == 0:
            raise ValueError(f"{owner}: the input sequence is empty (seq_len 0): give at least one step")
        states = self._initial(owner, hx, x, batched)
        states = reordered(states, None if packed is None else packed.sorted_indices)
        sequence, finals = x, []  # (seq_len, batch, features): each layer's input, then its output
        for layer in range(self.num_layers):
            # dropped step by step, a draw each, as before: a mask takes 8 bits an entry from 64-bit draws, then
            # more for the entries that tie with p (nn.rng.kept), so one draw over the sequence would give other masks
            if layer and self.training and self.dropout:
                sequence = stack([dropout(s, self.dropout) for s in sequence.unbind(0)], 0)
            directions = []
            for direction, suffix in enumerate(self._suffixes(layer)):
                start = tuple(s[layer * self.num_directions + direction] for s in states)
                hidden, last = self._run(sequence, start, suffix, direction == 1, lengths)
                directions.append(hidden)
                finals.append(last)
            sequence = directions[0] if len(directions) == 1 else cat(directions, -1)
        # batch_first: a view (batch, seq_len, .) of the steps, not contiguous, as PyTorch 2.13's: view and reshape
        # take it as it is, and a copy would not pay (a Linear 128 -> 10 after it, forward and backward, 5.8M
        # instructions, 6.3M after a copy; 128 -> 512: 113M and 110M)
        output = sequence.swapaxes(0, 1) if batched and self.batch_first and packed is None else sequence
        last_states = tuple(stack([f[i] for f in finals], 0) for i in range(len(states)))
        if packed is not None:
            output, last_states = repacked(output, packed), reordered(last_states, packed.unsorted_indices)
        if not batched:
            output, last_states = output.squeeze(1), tuple(s.squeeze(1) for s in last_states)
        return output, (last_states if self.mode == "LSTM" else last_states[0])

    def _initial(self, owner: str, hx: Any, x: Tensor, batched: bool) -> State:
        """The initial states as (layers * directions, batch, size) Tensors: those given, checked, else zeros."""
        count, batch = self.num_layers * self.num_directions, x.shape[1]
        sizes = [self.proj_size or self.hidden_size] + ([self.hidden_size] if self.mode == "LSTM" else [])
        names = ("h0", "c0") if self.mode == "LSTM" else ("hx",)
        if hx is None:
            return tuple(zeros(count, batch, size, dtype=x.dtype) for size in sizes)
        given = state_pair(owner, hx) if self.mode == "LSTM" else (hx,)
        return tuple(
            checked_state(owner, name, g, (count, batch, size), not batched)
            for name, g, size in zip(names, given, sizes, strict=True)
        )

    def _run(
        self, sequence: Tensor, state: State, suffix: str, reverse: bool, lengths: Any = None
    ) -> tuple[Tensor, State]:
        """One layer and direction over a sequence (seq_len, batch, features): its hidden state at each
        step, stacked in the sequence's order, and its last state. The input's share of the gates is one
        matmul over the whole sequence, its steps as rows (so weight_ih's gradient is one matmul too, not
        one a step and their sum), cut into steps (a slice's gradient is added at its index: a pass over
        the sequence, not one per step); the weights fed back are transposed once, not at each step. With
        `lengths` (packed input), each sequence's state is held past its length (nn.recurrent_packed)."""
        weight_ih, bias_ih, weight_hh, bias_hh, weight_hr = weights(self, suffix)
        length, batch, features = sequence.shape
        rows = input_part(sequence.reshape(length * batch, features), weight_ih, bias_ih)
        gates_in = rows.reshape(length, batch, rows.shape[-1]).unbind(0)  # not -1: a batch of 0 has no rows
        hh_t, hr_t = weight_hh.T, None if weight_hr is None else weight_hr.T
        hidden = []
        for t in reversed(range(length)) if reverse else range(length):
            new = step(self.mode, gates_in[t], state, hh_t, bias_hh, hr_t)
            state = new if lengths is None else held(lengths, t, new, state)
            hidden.append(state[0])
        return stack(hidden[::-1] if reverse else hidden, 0), state

    def extra_repr(self) -> str:
        """PyTorch's: the sizes, then what differs from the defaults (an RNN's relu too, as its cells show it)."""
        options = {
            "proj_size": (self.proj_size, 0),
            "nonlinearity": (nonlinearity_of(self.mode), "tanh"),
            "num_layers": (self.num_layers, 1),
            "bias": (self.bias, True),
            "batch_first": (self.batch_first, False),
            "dropout": (self.dropout, 0),
            "bidirectional": (self.bidirectional, False),
        }
        shown = [f"{name}={value}" for name, (value, default) in options.items() if value != default]
        return ", ".join([f"{self.input_size}, {self.hidden_size}", *shown])


class RNN(_Recurrent):
    """An Elman RNN: h_t = tanh(x_t W_ih^T + b_ih + h_(t-1) W_hh^T + b_hh) (relu with nonlinearity="relu"),
    stacked and bidirectional as asked. Called as rnn(input, hx=None) -> (output, h_n). `seed`,
    chainrule's, by keyword, makes the initialisation repeatable."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        nonlinearity: str = "tanh",
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        device: Any = None,
        dtype: Any = None,
        *,
        seed: int | None = None,
    ) -> None:
        options = (num_layers, bias, batch_first, dropout, bidirectional, 0, device, dtype, seed)
        super().__init__(elman_mode("RNN", nonlinearity), input_size, hidden_size, *options)

    nonlinearity = NONLINEARITY


class LSTM(_Recurrent):
    """A long short-term memory layer (gates input, forget, cell, output, in PyTorch's order), stacked and
    bidirectional as asked; with proj_size > 0 each hidden state is projected to proj_size by weight_hr
    before it is output and fed back. Called as lstm(input, (h0, c0)=None) -> (output, (h_n, c_n))."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        device: Any = None,
        dtype: Any = None,
        *,
        seed: int | None = None,
    ) -> None:
        options = (bias, batch_first, dropout, bidirectional, proj_size, device, dtype, seed)
        super().__init__("LSTM", input_size, hidden_size, num_layers, *options)


class GRU(_Recurrent):
    """A gated recurrent unit layer (gates reset, update, new, in PyTorch's order and form: the reset gate
    scales the hidden state's share, bias included), stacked and bidirectional as asked. Called as
    gru(input, hx=None) -> (output, h_n)."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        device: Any = None,
        dtype: Any = None,
        *,
        seed: int | None = None,
    ) -> None:
        options = (bias, batch_first, dropout, bidirectional, 0, device, dtype, seed)
        super().__init__("GRU", input_size, hidden_size, num_layers, *options)
