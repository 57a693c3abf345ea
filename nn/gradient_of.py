"""with_gradient_of: one tensor's numbers with another's gradient (the straight-through estimator's shape), as an
op, so that a compiled step replays it: `value - source.detach() + source` takes the graph's numbers out with
detach, which a replay cannot make again (the step would run eagerly)."""

from __future__ import annotations

from typing import Any

from autograd import Op, Tensor


def _value(value: Any, source: Any) -> Any:
    return value


def _to_source(g: Any, out: Any, value: Any, source: Any) -> tuple[None, Any]:
    return (None, g)  # all of it to the source, none to the value; on arrays and Tensors alike


_with_gradient_of = Op("with_gradient_of", _value, _to_source)


def with_gradient_of(value: Tensor, source: Tensor) -> Tensor:
    """`value`'s numbers, its gradient passed whole to `source` (of value's shape and dtype), none to `value`:
    gumbel_softmax's hard samples (one-hot numbers, the soft sample's gradient), cdist's largest difference
    (the largest |d|, its gradient to every tied entry)."""
    return _with_gradient_of(value, source)
