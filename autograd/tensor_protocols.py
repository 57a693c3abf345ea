"""What Python, numpy and DLPack readers ask of a tensor: `np.asarray(t)` and `torch.tensor(t)` (refused for
one that requires grad), `bool(t)`, `float(t)`, `int(t)`, `complex(t)`, `operator.index(t)`, `len(t)`,
`iter(t)`, `x in t`, `format(t, spec)`, `copy.copy(t)` and `copy.deepcopy(t)` (pickle refuses a computed tensor
with the same words), each as PyTorch answers it."""

from __future__ import annotations

import copy
import numbers
from collections.abc import Iterator
from typing import Any

import numpy as np

from . import compile_read_hooks, compile_record
from .dtypes import DATA_KINDS
from .modes import short
from .subnormals import refuse_flushed
from .tensor_reads import NotOneElementError, not_one_element
from .tensor_versions import shares_count
from .type_names import type_name


class PythonProtocols:
    """Mixin of Tensor: the conversions and copies Python and numpy call for."""

    __slots__ = ()

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        """np.asarray(t), np.array(t): the numbers of a tensor that requires no grad, under numpy 2's protocol:
        copy=True copies, copy=False never does (numpy's ValueError where a dtype asks for one; it was ignored,
        so np.array(t, dtype=np.float32, copy=False) gave a copy), None copies only where needed."""
        return np.asarray(self._numbers("numpy"), dtype=dtype, copy=copy)

    def __dlpack__(
        self, *, stream: Any = None, max_version: Any = None, dl_device: Any = None, copy: Any = None
    ) -> Any:
        """The numbers for a DLPack reader, as numpy's array gives them: `torch.tensor(t)` (a copy, as of an
        array), `torch.as_tensor(t)` and `np.from_dlpack(t)` (sharing the data, as `np.asarray(t)` does).
        PyTorch reads only arrays, DLPack and sequences: through the sequence protocol it came to a 0-d row
        and failed with "len() of a 0-d tensor". Refused for a tensor that requires grad, as np.asarray."""
        data = self._numbers("DLPack (torch.tensor, torch.as_tensor, np.from_dlpack)")
        if any(stride < 0 for stride in data.strides) or not data.flags.writeable:
            # numpy exports a reversed view's negative strides as they are, and PyTorch 2.13's reader then
            # aborts the whole process ("Storage size calculation overflowed"); read-only data (an expand's
            # view, a frozen tensor's) PyTorch would take as writable, without the warning it gives for such
            # an array: either goes as a copy
            if copy is False:
                raise BufferError(
                    "DLPack with copy=False of a tensor whose data is a reversed or read-only view: it needs a copy"
                )
            data = data.copy()
        return data.__dlpack__(stream=stream, max_version=max_version, dl_device=dl_device, copy=copy)

    def __dlpack_device__(self) -> tuple[int, int]:
        """Where a DLPack reader finds the data: numpy's CPU."""
        return self._data.__dlpack_device__()

    def _numbers(self, reader: str) -> np.ndarray:
        """The data, for `reader` (numpy, DLPack) to read outside the graph: refused for a tensor that wants a
        gradient (np.sum([t1, t2]), np.array([t, u]), torch.tensor(t) would compute outside the graph and drop
        it without a word), as PyTorch refuses np.asarray of one."""
        if compile_record.RECORDING and (not self.requires_grad or compile_record.from_inputs(self)):
            # numpy reads its numbers, as t.numpy() would; one that requires grad only as a compiled step's
            # input (or computed from its inputs alone: a stand-in while recorded) needs no gradient eagerly
            compile_read_hooks.read_data(self, depth=3, into_python=True)  # the caller of __array__ or __dlpack__
        elif self.requires_grad:
            raise TypeError(
                f"{reader} cannot turn a Tensor that requires grad into an array: its result would have no "
                "gradient. For the numbers use t.data (or t.detach()); to keep the gradient use chainrule's "
                "ops (autograd.stack([t1, t2]).sum() rather than np.sum([t1, t2]))"
            )
        return self._data

    def __bool__(self) -> bool:
        # one element, or an error naming the ambiguity; a compiled step notes the read
        refuse_flushed("bool()")
        if self._data.size != 1:
            raise NotOneElementError(
                f"bool() of a tensor of shape {self.shape} is ambiguous: it holds {self._data.size} truth values; "
                "ask t.any() or t.all() (true where an element is not 0), or reduce it to one number first"
            )
        return compile_record.read(self, bool(self._data))

    def __deepcopy__(self, memo: dict[int, Any]) -> Any:
        """A copy of a leaf (data, requires_grad, grad, label): what copy.deepcopy(model) needs. A tensor
        computed in a graph is refused, as PyTorch refuses it: its copy's graph would not be this one."""
        self._refuse_computed("copy.deepcopy")
        copied = self._leaf_like(self._data.copy())
        if self.grad is not None:
            copied.grad = copy.deepcopy(self.grad, memo)
        memo[id(self)] = copied
        return copied

    def __copy__(self) -> Any:
        """copy.copy(t) of a leaf, as PyTorch's: a new leaf over the same data (a change through either is a
        change of both, counted as one tensor's), with its requires_grad and label and no gradient of its own.
        Python's copy took the original's `.grad` array as its own, so a backward into the copy added onto the
        original's gradient, and a computed tensor's copy shared its place in the graph; one is refused, as
        deepcopy refuses it (PyTorch's copy gives a leaf of its numbers, in no graph: stricter on purpose)."""
        self._refuse_computed("copy.copy")
        return shares_count(self._leaf_like(self._data), self)

    def _leaf_like(self, data: np.ndarray) -> Any:
        """A leaf over `data` with this leaf's requires_grad, dtype, label and frozen mark, and no gradient:
        copy's and deepcopy's (a compiled step being recorded notes it as made from this tensor)."""
        copied = type(self)(data, requires_grad=self._requires_grad, dtype=self._data.dtype, label=self.label)
        if compile_record.RECORDING:
            compile_record.constant_from_inputs(copied, [self])
        if self.frozen:
            copied._frozen = True
        return copied

    def _refuse_computed(self, what: str) -> None:
        """Refuse (RuntimeError) to copy or pickle a tensor computed in a graph, as PyTorch's deepcopy refuses
        one: a copy's graph would not be this one (a backward through it reaching no leaf, or the leaves' copies)."""
        if self._made_by is not None:
            raise RuntimeError(
                f"{what} of a tensor computed in a graph (an op's output) is not supported: copy the leaves it "
                "came from, or t.detach() for its numbers"
            )

    def __contains__(self, element: Any) -> bool:
        """`x in t`, as PyTorch's and numpy's: whether any element equals x (a number, or a tensor or array
        broadcast against t). Python's iteration compared x with each row, so `2.0 in Tensor(2.0)` was False
        (no rows) and `2.0 in t` of a matrix raised bool()'s ambiguity; anything else is refused, as PyTorch
        refuses it (a str, a list; here a complex number too, which no tensor of chainrule holds), and so is a
        real number `==` cannot compare (a Fraction, an int past int64's: Python's `==` answered False)."""
        numbers_array = isinstance(element, np.ndarray) and element.dtype.kind in DATA_KINDS
        if numbers_array or isinstance(element, numbers.Real | np.bool_ | type(self)):  # bool, numpy's reals too
            found = self == element
            if isinstance(found, type(self)):
                return bool(found.any())
        fix = ", which it cannot compare: give float(x)" if isinstance(element, numbers.Real) else ""
        raise TypeError(
            f"`x in t` takes a number or a tensor (is any element equal to it?), got {type_name(element)} "
            f"{short(element)}{fix}"
        )

    def __format__(self, spec: str) -> str:
        """f"{t:.3f}" of a 0-d tensor formats its number, as PyTorch's and numpy's (it was a TypeError); with
        no spec, f"{t}" is str(t) as before (PyTorch's shows the number alone), and a spec for more elements
        is refused as by PyTorch and numpy. Inside a transform too, as PyTorch's torch.func.grad and a Value's
        format: a string takes no number out of the graph, which .item() would (a compiled step notes the read)."""
        if spec and self._data.ndim == 0:
            return format(compile_record.read(self, np.asarray(self._data).item()), spec)
        return super().__format__(spec)

    def __float__(self) -> float:
        """float(t) of a one-element tensor, as PyTorch's: t.item() as a float (a compiled step notes the read)."""
        return float(self._one("float").item())

    def __int__(self) -> int:
        """int(t) of a one-element tensor, as PyTorch's (truncated toward 0, as int() of a float)."""
        return int(self._one("int").item())

    def __complex__(self) -> complex:
        """complex(t) of a one-element tensor, as PyTorch's (else refused naming complex(), not float())."""
        return complex(self._one("complex").item())

    def __index__(self) -> int:
        """operator.index(t) of a 0-d integer (or bool) tensor, as PyTorch's and numpy's: `names[t.argmax()]`.
        Anything else is a TypeError, as Python asks of __index__: numpy then indexes with the whole tensor,
        so `a[Tensor([1])]` keeps numpy's shape (1, ...), where PyTorch's one-element tensors give a's row."""
        if self._data.dtype.kind not in "biu" or self._data.ndim != 0:
            raise TypeError(
                f"a tensor of dtype {self.dtype} and shape {self.shape} used as an index: only "
                "a 0-d integer tensor is one (t.argmax(), t[i]); pick one element (t[0]) or cast (t.astype(np.int64))"
            )
        return int(self.item())

    def _one(self, what: str) -> Any:
        if self._data.size != 1:
            raise not_one_element(f"{what}()", self.shape)
        return self

    def __len__(self) -> int:
        if not self.shape:
            raise TypeError("len() of a 0-d tensor")
        return self.shape[0]

    def __iter__(self) -> Iterator[Any]:
        """The rows, t[0], t[1], ..., as PyTorch's; a 0-d tensor is refused, as PyTorch refuses it. Without
        this Python iterated through __getitem__ until its IndexError, so `list(Tensor(2.0))` was [] and
        numpy read a 0-d tensor as an empty sequence: `np.zeros(Tensor(np.array(3)))` had shape ()."""
        if not self.shape:
            raise TypeError("iteration over a 0-d tensor: it holds one number, t.item() (or t.reshape(1))")
        return (self[i] for i in range(self.shape[0]))
