"""Node.__setstate__ (graph.py), which leaves out the slot `_visit` of pickles written before it went: the rest of
a pickle's state loads as pickle's and copy's default would (an instance `__dict__` of a subclass put back as it
was, not through the class's `__setattr__` or its properties)."""

import copy
import pickle

from autograd import Tensor, Value


class _Guarded(Value):
    """A Value of a user's subclass whose `__setattr__` refuses a name once it is set (a frozen field)."""

    def __setattr__(self, name: str, value: object) -> None:
        if name == "note":
            raise AttributeError("note is set once, by the constructor")
        super().__setattr__(name, value)


class _Tagged(Tensor):
    """A Tensor of a user's subclass with a read-only property beside an instance attribute of that name."""

    @property
    def tag(self) -> str:
        return "the class's"


def test_a_subclass_s_dict_loads_as_it_was_written() -> None:
    """The subclass's `__dict__` entries went through setattr: AttributeError ('note is set once', "property 'tag'
    of '_Tagged' object has no setter") where pickle's and copy's default put them back as they were."""
    v = _Guarded(2.0)
    v.__dict__["note"] = "kept"
    for loaded in (pickle.loads(pickle.dumps(v)), copy.deepcopy(v), copy.copy(v)):
        assert (loaded.data, loaded.__dict__) == (2.0, {"note": "kept"})
    t = _Tagged([1.0, 2.0], requires_grad=True)
    t.__dict__["tag"] = "the instance's"
    loaded = pickle.loads(pickle.dumps(t))
    assert loaded.__dict__ == {"tag": "the instance's"} and loaded.requires_grad
    assert loaded.data.tolist() == [1.0, 2.0]


def test_slots_given_as_one_dict_still_load() -> None:
    """A state of a node without `__dict__` written as one dict of its slots (`_visit` among them) sets the slots."""
    v = Value.__new__(Value)
    v.__setstate__({"data": 3.0, "grad": 0.0, "_made_by": None, "_a": None, "_b": None, "_visit": 2, "_grad_sum": None})
    (v * v).backward()
    assert (v.data, v.grad) == (3.0, 6.0)
