"""The catalogue of bad arguments and the calls that tests/test_public_callables_fuzz.py gives them, one argument
at a time, the others valid: each call either returns or raises one error of the right type in chainrule's words
(naming the function), with its inputs unchanged. A deterministic small form of the fuzzer of every public
callable run by hand in the forty-first session (1,205 callables, 60 kinds of junk, 112,000 calls)."""

from __future__ import annotations

import hashlib
import inspect
import math
from collections.abc import Callable
from typing import Any

import numpy as np

import autograd
import nn
import viz
from autograd import Tensor, Value


def nested(depth: int = 3000) -> list:
    """A list in `depth` lists: deeper than Python's repr goes (RecursionError)."""
    x: list = [1.0]
    for _ in range(depth):
        x = [x]
    return x


# each a factory, so that every call gets its own (a call that writes into its argument cannot pass it on)
JUNK: dict[str, Callable[[], Any]] = {
    "None": lambda: None,
    "str": lambda: "x",
    "bytes": lambda: b"\x02\x03",
    "True": lambda: True,
    "nan": lambda: math.nan,
    "inf": lambda: math.inf,
    "-1": lambda: -1,
    "2**63": lambda: 2**63,
    "10**400": lambda: 10**400,
    "1.5": lambda: 1.5,
    "complex": lambda: 1 + 2j,
    "float16": lambda: np.float16(1.5),
    "uint64 max": lambda: np.uint64(2**64 - 1),
    "numpy bool": lambda: np.bool_(True),
    "object": lambda: np.array([object()], dtype=object)[0],
    "datetime64": lambda: np.datetime64("2020-01-01"),
    "timedelta64": lambda: np.timedelta64(3),
    "empty array": lambda: np.zeros((0,)),
    "0-d array": lambda: np.array(2.0),
    "text array": lambda: np.array([["a", "b", "c"], ["d", "e", "f"]]),
    "object array": lambda: np.array([[1.0, None, 2.0], [1.0, 2.0, 3.0]], dtype=object),
    "5-d array": lambda: np.zeros((1, 1, 1, 1, 2)),
    "ragged": lambda: [[1.0, 2.0], [3.0]],
    "nested": nested,
    "dict": lambda: {"a": 1},
    "set": lambda: {1, 2},
    "generator": lambda: (i for i in range(3)),
    "Value": lambda: Value(1.5),
    "Tensor requiring grad": lambda: Tensor(2.0, requires_grad=True),
    "huge shape": lambda: (10**9, 10**9),
    "axis 7": lambda: 7,
    "function": lambda: lambda *a: 0,
}
# the default run's share: one of each family of junk
FAST = ("None", "str", "True", "nan", "2**63", "1.5", "complex", "timedelta64", "ragged", "nested", "Value", "axis 7")


def matrix(grad: bool = True) -> Tensor:
    return Tensor(np.random.default_rng(0).uniform(0.1, 0.9, (2, 3)), requires_grad=grad)


def labels() -> Tensor:
    return Tensor(np.array([0, 2]))


def log_probs() -> Tensor:
    """(T, N, C) = (3, 1, 3) log-probabilities, requiring grad."""
    return Tensor(np.log(np.full((3, 1, 3), 1 / 3)), requires_grad=True)


def packed() -> Any:
    return nn.utils.rnn.pack_sequence([matrix(), matrix()[:1]])


def loss() -> Value:
    a = Value(2.0)
    return a * a + 1


def root_and_leaf() -> tuple[Value, Value]:
    a = Value(2.0)
    return a * a + 1, a


# name -> (the callable made afresh, its valid arguments, its valid keywords), each call's own objects
Call = Callable[[], tuple[Callable[..., Any], list[Any], dict[str, Any]]]
CALLS: dict[str, Call] = {
    # functions of autograd
    "exp": lambda: (autograd.exp, [matrix()], {}),
    "add": lambda: (autograd.add, [matrix(), matrix()], {}),
    "hardtanh": lambda: (autograd.hardtanh, [matrix()], {"min_val": -0.5, "max_val": 0.5}),
    "leaky_relu": lambda: (autograd.leaky_relu, [matrix()], {"negative_slope": 0.1}),
    "softplus": lambda: (autograd.softplus, [matrix()], {"beta": 1.0, "threshold": 20.0}),
    "polygamma": lambda: (autograd.polygamma, [1, matrix()], {}),
    "where": lambda: (autograd.where, [matrix() > 0.5, matrix(), matrix()], {}),
    "zeros": lambda: (autograd.zeros, [(2, 3)], {}),
    "full": lambda: (autograd.full, [(2, 3), 1.5], {}),
    "arange": lambda: (autograd.arange, [0, 3, 1], {}),
    "linspace": lambda: (autograd.linspace, [0.0, 1.0, 3], {}),
    "eye": lambda: (autograd.eye, [3], {}),
    "one_hot": lambda: (autograd.one_hot, [labels()], {"num_classes": 3}),
    "reshape": lambda: (autograd.reshape, [matrix(), (3, 2)], {}),
    "flip": lambda: (autograd.flip, [matrix(), 0], {}),
    "argsort": lambda: (autograd.argsort, [matrix()], {"dim": 1}),
    "tril": lambda: (autograd.tril, [matrix()], {"diagonal": 0}),
    "pad": lambda: (autograd.pad, [matrix(), (1, 1)], {}),
    "cross_entropy": lambda: (autograd.cross_entropy, [matrix(), labels()], {}),
    "adaptive_max_pool2d": lambda: (autograd.adaptive_max_pool2d, [Tensor(np.ones((1, 1, 4, 4))), (2, 2)], {}),
    "avg_pool1d": lambda: (autograd.avg_pool1d, [Tensor(np.ones((1, 2, 8))), 2], {"stride": 2}),
    "conv1d": lambda: (autograd.conv1d, [Tensor(np.ones((1, 2, 8))), Tensor(np.ones((3, 2, 2)))], {"stride": 1}),
    "tensordot": lambda: (autograd.tensordot, [matrix(), matrix().T], {"dims": 1}),
    "einsum": lambda: (autograd.einsum, ["ij,jk->ik", matrix(), matrix().T], {}),
    "stack": lambda: (autograd.stack, [[matrix(), matrix()]], {"dim": 0}),
    "gather": lambda: (autograd.gather, [matrix(), 1, Tensor(np.array([[0, 1], [2, 0]]))], {}),
    "round": lambda: (autograd.special.round, [matrix()], {"decimals": 1}),
    "lerp": lambda: (matrix().lerp, [matrix(), 0.25], {}),
    "split": lambda: (matrix().split, [1, 1], {}),
    "permute": lambda: (matrix().permute, [1, 0], {}),
    "topk": lambda: (matrix().topk, [2], {"dim": 1}),
    "norm": lambda: (matrix().norm, [], {"p": 2, "dim": 1}),
    # Tensor's methods
    "sum": lambda: (matrix().sum, [], {"axis": 1, "keepdims": False}),
    "mean": lambda: (matrix().mean, [], {"dim": 0}),
    "softmax": lambda: (matrix().softmax, [], {"dim": 1}),
    "roll": lambda: (matrix().roll, [1, 0], {}),
    "chunk": lambda: (matrix().chunk, [2, 1], {}),
    "squeeze": lambda: (matrix().squeeze, [0], {}),
    "std": lambda: (matrix().std, [], {"ddof": 1}),
    "quantile": lambda: (matrix().quantile, [0.5], {}),
    "clamp": lambda: (matrix().clamp, [0.2, 0.8], {}),
    "lt": lambda: (matrix().lt, [0.5], {}),
    "__lt__": lambda: (matrix().__lt__, [0.5], {}),
    "__mul__": lambda: (matrix().__mul__, [2.0], {}),
    "__rmatmul__": lambda: (Tensor(np.ones((2, 2))).__rmatmul__, [np.ones((2, 2))], {}),
    # Value's
    "Value": lambda: (Value, [1.5], {}),
    "Value.__add__": lambda: (Value(0.5).__add__, [1.0], {}),
    "Value.tanh": lambda: (Value(0.5).tanh, [], {}),
    # nn's sequences and CTC loss
    "ctc_loss": lambda: (nn.functional.ctc_loss, [log_probs(), np.array([[1, 2]]), [3], [2]], {"blank": 0}),
    "pad_sequence": lambda: (nn.utils.rnn.pad_sequence, [[matrix(), matrix()[:1]]], {"batch_first": True}),
    "pack_padded_sequence": lambda: (nn.utils.rnn.pack_padded_sequence, [matrix().reshape(3, 2, 1), [3, 2]], {}),
    "pad_packed_sequence": lambda: (nn.utils.rnn.pad_packed_sequence, [packed()], {"total_length": 4}),
    # viz
    "draw": lambda: (viz.draw, [loss()], {"rankdir": "LR", "show_grads": True, "max_nodes": 100}),
    "explain": lambda: (viz.explain, list(root_and_leaf()), {"max_paths": 3}),
}
# a message may name the op behind the function, or its operator
ALSO = {"add": ("+",), "__mul__": ("*",), "__rmatmul__": ("@",), "Value.__add__": ("+",), "__lt__": ("<",),
        "lt": ("<",), "Value.tanh": ("tanh",), "sum": ("sum",), "clamp": ("clip",), "std": ("var",),
        "arange": ("arange",), "full": ("full",), "argsort": ("sort",), "reshape": ("reshape",)}  # fmt: skip
# errors of the right kind (README's Guarantees): Python's and numpy's protocols' own, and the memory refusal
RIGHT = (TypeError, ValueError, IndexError, KeyError, OverflowError, MemoryError, ZeroDivisionError)
NUMPY_WORDS = ("did not contain a loop", "has no attribute", "maximum recursion", "cannot be interpreted as")


def slots(call: Call) -> list[tuple[str, Any]]:
    """The places one argument goes: each valid positional one by index, each keyword given or taken by default."""
    fn, args, kwargs = call()
    places: list[tuple[str, Any]] = [("pos", i) for i in range(len(args))] + [("kw", k) for k in kwargs]
    try:
        parameters = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):
        return places
    for p in parameters:
        public = not p.name.startswith("_")  # Value's _children and _op: the engine's own
        named = p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
        if public and named and p.default is not p.empty and p.name not in kwargs:
            positional = [q.name for q in parameters if q.kind == q.POSITIONAL_OR_KEYWORD]
            if p.name not in positional[: len(args)]:
                places.append(("kw", p.name))
    return places


def fingerprint(things: list[Any]) -> str:
    """A hash of the numbers of the Tensors, Values and arrays in `things` (their gradients too)."""
    h = hashlib.sha1()
    for x in things:
        if isinstance(x, Tensor):
            h.update(np.ascontiguousarray(x.data).tobytes() + repr(x.grad).encode())
        elif isinstance(x, Value):
            h.update(repr((x.data, x.grad)).encode())
        elif isinstance(x, np.ndarray) and x.dtype != object:
            h.update(np.ascontiguousarray(x).tobytes())
    return h.hexdigest()


def outcome(
    name: str,
    place: tuple[str, Any],
    junk: str,
    calls: dict[str, Call] = CALLS,
    also: dict[str, tuple[str, ...]] = ALSO,
) -> str | None:
    """None where `name` called with `junk` at `place` returns, or refuses it as it should; else what is wrong."""
    fn, args, kwargs = calls[name]()
    bad = JUNK[junk]()
    if place[0] == "pos":
        args[place[1]] = bad
    else:
        kwargs[place[1]] = bad
    others = [getattr(fn, "__self__", None), *args, *kwargs.values()]
    before = fingerprint([x for x in others if x is not bad])
    try:
        fn(*args, **kwargs)
    except RIGHT as e:
        message = str(e)
        names = (name.split(".")[-1].strip("_"), *also.get(name, ()))
        if not any(n in message for n in names):
            return f"{type(e).__name__} not naming {name}: {message[:200]}"
        if any(words in message for words in NUMPY_WORDS):
            return f"{type(e).__name__} in numpy's or Python's words: {message[:200]}"
        if fingerprint([x for x in others if x is not bad]) != before:
            return f"{type(e).__name__} raised after changing an input"
        return None
    except Exception as e:  # noqa: BLE001 - the wrong type is what is looked for
        return f"{type(e).__name__}: {str(e)[:200]}"
    return None
