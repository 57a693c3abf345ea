"""The forms a fuzzed step (compile_fuzz_runs) gets its batch in: positional, keywords, a dict, a list, a
namedtuple, a tuple subclass whose constructor takes its items one by one, nested, an OrderedDict, the batch array
twice, a list the step appends to. `packed` makes a call's arguments of (x, y), `unpacked` the step that takes
them apart; eager runs the plain step, compiled the packed one, and they must give the same numbers."""

import collections

FORMS = ["pos", "kw", "dict", "list", "nt", "pair", "nested", "ordered", "twice", "log", "tuple_of_list"]
Batch = collections.namedtuple("Batch", "x y")


class Pair(tuple):
    """A tuple built as Pair(a, b), not from an iterable."""

    def __new__(cls, a, b):
        return super().__new__(cls, (a, b))


def packed(form, x, y, log):
    """The positional and keyword arguments of a call of the `form` step with batch (x, y) (`log`: its list)."""
    return {
        "pos": ((x, y), {}),
        "kw": ((), {"y": y, "x": x}),
        "dict": (({"x": x, "y": y},), {}),
        "list": (([x, y],), {}),
        "nt": ((Batch(x, y),), {}),
        "pair": ((Pair(x, y),), {}),
        "nested": (({"b": (x, [y])},), {}),
        "ordered": ((collections.OrderedDict(y=y, x=x),), {}),
        "twice": ((x, y, x), {}),
        "log": ((x, y, log), {}),
        "tuple_of_list": ((([x], {"y": y}),), {}),
    }[form]


def unpacked(form, fn):
    """`fn(x, y)` as a step taking its batch in `form`."""
    if form == "log":

        def logged(x, y, log):  # a list argument the step changes: the caller's own, and the step runs eagerly
            out = fn(x, y)
            log.append(len(log))
            return out

        return logged
    return {
        "pos": lambda x, y: fn(x, y),
        "kw": lambda *, x, y: fn(x, y),
        "dict": lambda b: fn(b["x"], b["y"]),
        "ordered": lambda b: fn(b["x"], b["y"]),
        "list": lambda b: fn(b[0], b[1]),
        "pair": lambda b: fn(b[0], b[1]),
        "nt": lambda b: fn(b.x, b.y),
        "nested": lambda b: fn(b["b"][0], b["b"][1][0]),
        "twice": lambda x, y, x2: fn(x2, y),
        "tuple_of_list": lambda b: fn(b[0][0], b[1]["y"]),
    }[form]
