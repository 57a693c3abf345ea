"""Why a compiled step that made data from its tensors' numbers outside the graph runs eagerly, naming the
function that made it where one of autograd's did (compile_read_hooks.read_data's `by`): a max pool's indices,
max_unpool's, an adaptive max pool's maxima, an order (sort, topk), max(dim=)'s indices, argmax. Such data is an
index or a mask a replay would reuse as recorded while the numbers change, so the step runs eagerly, as it must."""

from __future__ import annotations

_MAX_POOL = "without return_indices it replays (the op finds its maxima itself, on every call)"
_ADAPTIVE = "where each size is a multiple of output_size, max_pool{}d with kernel and stride size // output_size is "
_SORTS = "no op of the table sorts: keep such steps eager"
_PICKS = "(its indices, which pick its values)"
_UNPOOL = "given its indices as an input of the step (an array), it replays"

# per function: what it finds in the numbers, and what replays instead
_MADE = {
    "max_pool1d(return_indices=True)": ("where its maxima lie", _MAX_POOL),
    "max_pool2d(return_indices=True)": ("where its maxima lie", _MAX_POOL),
    "max_unpool1d": ("where to put each value (its indices)", _UNPOOL),
    "max_unpool2d": ("where to put each value (its indices)", _UNPOOL),
    "adaptive_max_pool1d": ("where its maxima lie", _ADAPTIVE.format(1) + "the same and replays"),
    "adaptive_max_pool2d": ("where its maxima lie", _ADAPTIVE.format(2) + "the same and replays"),
    "max_pool3d(return_indices=True)": ("where its maxima lie", _MAX_POOL),
    "max_unpool3d": ("where to put each value (its indices)", _UNPOOL),
    "adaptive_max_pool3d": ("where its maxima lie", _ADAPTIVE.format(3) + "the same and replays"),
    "max(dim=)": (f"where the maxima lie {_PICKS}", "max(axis=d), the values alone, replays"),
    "min(dim=)": (f"where the minima lie {_PICKS}", "min(axis=d), the values alone, replays"),
    "argmax": ("where the maximum lies", "max(axis=d) replays where the values are what the step needs"),
    "argmin": ("where the minimum lies", "min(axis=d) replays where the values are what the step needs"),
    "any": ("truth values", "keep masks in the graph with ops (clip, relu, minimum, maximum)"),
    "all": ("truth values", "keep masks in the graph with ops (clip, relu, minimum, maximum)"),
    "sort": (f"an order {_PICKS}", _SORTS),
    "argsort": ("an order", _SORTS),
    "topk": (f"an order {_PICKS}", "max(axis=d) replays where k is 1"),
    "median(dim=)": (f"where the medians lie {_PICKS}", "median() of every entry, the value alone, replays"),
    "kthvalue(dim=)": (f"where the k-th values lie {_PICKS}", "no op of the table ranks: keep such steps eager"),
    "quantile": (f"an order {_PICKS}", _SORTS),
    "cummax": (f"where the running maxima lie {_PICKS}", "logcumsumexp, a smooth running maximum, replays"),
    "cummin": (f"where the running minima lie {_PICKS}", "-logcumsumexp(-x), a smooth running minimum, replays"),
}

GENERIC = (
    "the step made data outside the graph after reading numbers of its tensors (a comparison such as abs(d) < 1 for "
    "autograd.where, argmax, isnan, t.numpy(), t.data): a replay would reuse that data as recorded while the numbers "
    "change. Use ops that keep it in the graph (clip, relu, minimum, maximum), or keep such steps eager"
)


def made_of_numbers(by: tuple[str, ...], of: str = "a tensor the step computes") -> str:
    """The reason a step whose data came from its tensors' numbers (`of` whose) runs eagerly: named, where `by`
    (the functions that made it, in order) are known, else the generic one."""
    if not by:
        return GENERIC
    made, instead = _MADE.get(by[0], ("data", "keep such steps eager"))
    also = f" ({', '.join(by[1:])} too)" if by[1:] else ""
    return (
        f"{by[0]} finds {made} in the numbers of {of}{also}: an index made outside the graph (no op's output), "
        f"which a replay would reuse as recorded while the numbers change, so the step runs eagerly; {instead}"
    )
