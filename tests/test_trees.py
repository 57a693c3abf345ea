"""autograd.trees: a structure flattened to its leaves and rebuilt around new ones keeps its types,
dict subclasses included (a compiled step returning an OrderedDict, grad of a dict argument)."""

from collections import OrderedDict, defaultdict, namedtuple

import numpy as np

import autograd
from autograd import Tensor
from autograd.trees import flatten


class Config(dict):
    """A dict with attribute access, as users write them."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


Pair = namedtuple("Pair", "a b")


def test_rebuilt_structures_keep_their_types():
    tree = OrderedDict(a=1.0, b=[2.0, (3.0, Pair(4.0, 5.0))], c=Config(d=6.0), e=defaultdict(list, f=7.0))
    leaves, rebuild = flatten(tree)
    assert leaves == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]
    new = rebuild([10 * x for x in leaves])
    assert type(new) is OrderedDict and list(new) == ["a", "b", "c", "e"]
    assert type(new["b"][1][1]) is Pair and new["b"][1][1].b == 50.0
    assert type(new["c"]) is Config and new["c"].d == 60.0
    assert type(new["e"]) is defaultdict and new["e"].default_factory is list and new["e"]["f"] == 70.0
    assert tree["c"].d == 6.0  # the original is left as it was


def test_a_compiled_step_returns_a_dict_subclass_as_eager_on_every_replay():
    w = Tensor(np.ones(3), requires_grad=True)

    def step(x):
        loss = (w * x).sum()
        return Config(loss=loss)

    run = autograd.compile(step, strict=True)
    for _ in range(4):  # two recordings, then replays
        result = run(Tensor(np.arange(3.0)))
        assert type(result) is Config and result.loss.item() == 3.0
