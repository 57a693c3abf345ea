"""One step of a recurrent layer as a module, as PyTorch's cells: RNNCell, LSTMCell, GRUCell, for loops
written by hand (a decoder fed its own output). Parameters weight_ih, weight_hh, bias_ih, bias_hh in
PyTorch's shapes, gate order and initialisation; the step is nn.recurrent_steps', the layers' own."""

from __future__ import annotations

from typing import Any

from autograd import zeros

from .module import Module
from .parameter import check_parameters
from .recurrent_checks import checked_input, checked_sizes, checked_state, state_pair
from .recurrent_steps import (
    NONLINEARITY,
    elman_mode,
    input_part,
    make_parameters,
    nonlinearity_of,
    parameter_shapes,
    step,
    weights,
)
from .rng import generator


class _Cell(Module):
    """What the cells share: their parameters, the checks of input and state, the step."""

    def __init__(
        self, mode: str, input_size: int, hidden_size: int, bias: bool, device: Any, dtype: Any, seed: int | None
    ) -> None:
        owner = type(self).__name__
        input_size, hidden_size, bias, dtype = checked_sizes(owner, (input_size, hidden_size, bias), device, dtype)
        sizes, given = (input_size, hidden_size, 0), {"input_size": input_size, "hidden_size": hidden_size}
        check_parameters(owner, given, [s for s in parameter_shapes(mode, sizes, bias).values() if s], dtype)
        self._shape = (mode, input_size, hidden_size, bias)
        make_parameters(self, "", mode, sizes, bias, generator(seed, owner), dtype)

    mode = property(lambda self: self._shape[0], doc="RNN_TANH, RNN_RELU, LSTM or GRU")
    input_size = property(lambda self: self._shape[1], doc="the features of the input")
    hidden_size = property(lambda self: self._shape[2], doc="the features of the hidden state")
    bias = property(lambda self: self._shape[3], doc="whether the gates have biases")

    def forward(self, input: Any, hx: Any = None) -> Any:
        """The state after one step from `input` (batch, input_size) or (input_size,) and the state before
        (zeros if none): h, or an LSTM's (h, c), each (batch, hidden_size), or (hidden_size,) unbatched."""
        owner = type(self).__name__
        x, batched = checked_input(owner, input, self.input_size, 2)
        if not batched:
            x = x.unsqueeze(0)
        shape = (x.shape[0], self.hidden_size)
        count = 2 if self.mode == "LSTM" else 1
        if hx is None:
            state = (zeros(*shape, dtype=x.dtype),) * count
        else:
            given = state_pair(owner, hx) if count == 2 else (hx,)
            names = ("hx[0]", "hx[1]") if count == 2 else ("hx",)
            state = tuple(checked_state(owner, n, g, shape, not batched) for n, g in zip(names, given, strict=True))
        weight_ih, bias_ih, weight_hh, bias_hh, _ = weights(self, "")
        new = step(self.mode, input_part(x, weight_ih, bias_ih), state, weight_hh.T, bias_hh)
        if not batched:
            new = tuple(s.squeeze(0) for s in new)
        return new if count == 2 else new[0]

    def extra_repr(self) -> str:
        shown = f"{self.input_size}, {self.hidden_size}" + ("" if self.bias else ", bias=False")
        return shown + (", nonlinearity=relu" if nonlinearity_of(self.mode) == "relu" else "")  # PyTorch's form


class RNNCell(_Cell):
    """h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh) (relu with nonlinearity="relu"): cell(input, hx=None) -> h'."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        nonlinearity: str = "tanh",
        device: Any = None,
        dtype: Any = None,
        *,
        seed: int | None = None,
    ) -> None:
        super().__init__(elman_mode("RNNCell", nonlinearity), input_size, hidden_size, bias, device, dtype, seed)

    nonlinearity = NONLINEARITY


class LSTMCell(_Cell):
    """One LSTM step (gates input, forget, cell, output): cell(input, (h, c)=None) -> (h', c')."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
        *,
        seed: int | None = None,
    ) -> None:
        super().__init__("LSTM", input_size, hidden_size, bias, device, dtype, seed)


class GRUCell(_Cell):
    """One GRU step (gates reset, update, new): cell(input, hx=None) -> h'."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
        *,
        seed: int | None = None,
    ) -> None:
        super().__init__("GRU", input_size, hidden_size, bias, device, dtype, seed)
