"""How a plain backward pass (no create_graph) adds up each tensor's gradient: `GradientSums`.

A tensor's gradient is the sum of its consumers' shares. Written `total + share`, every share after the
second allocates a new array; and a slice's share (getitem's rule: zeros of the input's shape with g at the
index) is as large as the whole tensor, so a loop over `x[t]` (unbind, split, chunk) cost O(T * x.size) in
backward. Here the pass keeps each sum in a buffer of its own, allocated once and added into in place, and
adds a slice's gradient at its index without forming the zeros: O(x.size) for the whole loop.

Every entry is the sum it was, its terms added in the same order and dtype (float16's repeated picks in
float32, rounded once: half_precision.added_at). One difference: an entry a slice does not cover is no
longer added 0.0, so a sum of -0.0 there stays -0.0 (it became +0.0), as it does where nothing is added.
Under create_graph the sums are nodes (`a + b`, recorded), and the slices' zeros are formed as before.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import tensor_forwards as forward
from .half_precision import adding_in


class GradientSums(set):
    """One plain pass's sums, each under a key (a node's id; a compiled replay could key its entries): the set
    of keys whose sums are buffers the pass allocated (nothing else holds or views one until its node's own
    rule runs, after its last share has arrived; a node's id stays its own, nodes living through the pass), and
    `scratch`, made when first needed: the zeros in which a repeated advanced index's shares are totalled
    before they are added (one per shape and dtype). Each method takes a sum and returns the new one. A set
    itself, made without a Python call: a pass makes one."""

    __slots__ = ("scratch",)

    def added(self, key: Any, total: Any, share: Any) -> Any:
        """`total + share` (total may be the empty sum, EMPTY_SUM): in place into the pass's own buffer where
        that would give an array of the same shape, dtype and layout (a later rule's sums run in its layout)."""
        if (
            key in self
            and share.__class__ is np.ndarray
            and share.shape == total.shape
            and share.dtype == total.dtype
            and share.strides == total.strides
        ):
            return np.add(total, share, out=total)
        total = total + share  # the first share itself (EMPTY_SUM + share), else a new array
        if total is not share and total.__class__ is np.ndarray:
            self.add(key)
        else:
            self.discard(key)
        return total

    def added_at(self, key: Any, total: Any, index: Any, g: Any, data: np.ndarray) -> Any:
        """`total + index_add(g, index=index, shape=data.shape)`, the share of getitem's rule for its input
        `data`, without its zeros: the first such share is that array itself; after it, only the indexed
        entries are added to."""
        shape, dtype = data.shape, data.dtype
        if np.result_type(g) != dtype:  # never in a plain pass (getitem keeps the dtype): the rule's array, cast
            return self.added(key, total, forward.index_add(g, index=index, shape=shape).astype(dtype))
        if not hasattr(total, "shape"):  # the first share (the empty sum): the rule's array, as it gave it
            self.add(key)
            return forward.index_add(g, index=index, shape=shape)
        if (
            total.__class__ is not np.ndarray
            or total.shape != shape
            or total.dtype != dtype
            or not total.flags.c_contiguous
        ):  # a rare layout: what `total + share` gives
            return self.added(key, total, forward.index_add(g, index=index, shape=shape))
        if key not in self:  # a rule's array, which others may hold: copied once (C, as total + share)
            total = total.copy()
            self.add(key)
        if forward.is_basic(index):  # each entry at most once
            total[index] += g
        else:
            total[index] = total[index] + self._totals(index, g, shape)
        return total

    def _totals(self, index: Any, g: Any, shape: tuple[int, ...]) -> np.ndarray:
        """g's entries added up per place of `index` (a repeated index adds up), in the order and dtype
        `added_at` adds them, gathered back in the index's shape: what index_add's array holds there."""
        wide = adding_in(np.result_type(g))
        if not hasattr(self, "scratch"):
            self.scratch = {}  # (shape, dtype): zeros
        zeros = self.scratch.get((shape, wide))
        if zeros is None:
            zeros = self.scratch[shape, wide] = np.zeros(shape, wide)
        np.add.at(zeros, index, g)
        totals = zeros[index]
        zeros[index] = 0  # zeros again for the next share
        return totals.astype(np.result_type(g), copy=False)
