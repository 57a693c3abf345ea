"""fit's look at a few examples before training runs a copy of the model, so that nothing the model's forward does
reaches the model: a generator a module draws from, a list or a dict it keeps, an array it counts in. The copy
shares the parameters' arrays (whose numbers are kept and put back, as for a loss that runs the model's own
modules), so that the look holds no more memory than one copy of the parameters."""

import threading

import numpy as np
from test_trust_files import peak_while

import nn
from autograd import Tensor
from nn import functional as F
from nn.train_examples import check_examples

X = np.random.default_rng(0).normal(size=(8, 3))
Y = np.array([0, 1, 2, 0, 1, 2, 0, 1])


class _Noisy(nn.Module):
    """A Linear after noise drawn from a generator of its own, in any mode (a sampler, noise injection)."""

    def __init__(self):
        super().__init__()
        self.head = nn.Linear(3, 3, dtype=np.float64, seed=0)
        self.rng = np.random.default_rng(5)

    def forward(self, x):
        return self.head(x + Tensor(self.rng.normal(size=x.shape)))


class _Counting(nn.Module):
    """A Linear that keeps, in place, the sizes of the batches it saw, a dict of them and a count (no buffers)."""

    def __init__(self):
        super().__init__()
        self.head = nn.Linear(3, 3, dtype=np.float64, seed=0)
        self.sizes, self.seen, self.count = [], {}, np.zeros(1)

    def forward(self, x):
        self.sizes.append(len(x))
        self.seen[len(x)] = True
        self.count += 1
        return self.head(x)


def _fitted_and_looped(make):
    """The model `make` gives, trained by fit (one batch of 4, then one of 4; SGD 0.1) and by a loop of the steps."""
    fitted, looped = make(), make()
    nn.fit(fitted, F.cross_entropy, nn.SGD(fitted.parameters(), lr=0.1), nn.data.Batches(X, Y, 4, shuffle=False),
           val_data=(X, Y), verbose=False, metric=None)  # fmt: skip
    opt = nn.SGD(looped.parameters(), lr=0.1)
    for start in (0, 4):
        opt.zero_grad()
        F.cross_entropy(looped(Tensor(X[start : start + 4])), Y[start : start + 4]).backward()
        opt.step()
    return fitted, looped


def test_a_generator_of_the_model_is_not_drawn_from_by_the_look():
    """The look ran the model itself (it ran a copy before): it drew the noise of the first step's batch, and fit's
    weights ended up to 0.033 from a loop's."""
    fitted, looped = _fitted_and_looped(_Noisy)
    np.testing.assert_array_equal(fitted.head.W.data, looped.head.W.data)


def test_a_list_a_dict_and_an_array_the_model_keeps_are_left_as_they_were():
    """The look's two runs of the model were kept in them: fit's sizes read [3, 3, 4, 4, 8] for its two steps and its
    validation's [4, 4, 8]."""
    model = _Counting()
    check_examples(model, F.cross_entropy, nn.data.Batches(X, Y, 4, shuffle=False), (X, Y), None)
    assert model.sizes == [] and model.seen == {} and model.count.tolist() == [0.0]
    fitted, looped = _fitted_and_looped(_Counting)
    assert fitted.sizes == [4, 4, 8] and fitted.seen == {4: True, 8: True} and fitted.count.tolist() == [3.0]


def test_the_look_holds_one_copy_of_the_parameters():
    """A copy of the model, and a copy of the parameters' numbers beside it, would hold twice their bytes."""
    model = nn.Sequential(nn.Linear(3, 1000, dtype=np.float64, seed=0), nn.Linear(1000, 1000, dtype=np.float64),
                          nn.Linear(1000, 3, dtype=np.float64))  # fmt: skip
    size = sum(p.data.nbytes for p in model.parameters())
    batches = nn.data.Batches(X, Y, 4, shuffle=False)
    error, peak = peak_while(lambda: check_examples(model, F.cross_entropy, batches, (X, Y), None))
    assert error is None and peak < 1.2 * size, (error, peak / size)


def _loss_running(module):
    """cross_entropy of the outputs after `module`, a module of the model's own that the model does not run."""
    return lambda out, labels: F.cross_entropy(module(out), labels)


def _with_side(side):
    """A Linear model with `side`, a module of its own that only the loss runs."""
    model = nn.Sequential(nn.Linear(3, 3, dtype=np.float64, seed=0))
    model.side = side
    return model


def test_a_list_a_module_a_loss_runs_appends_to_is_left_as_it_was():
    """A loss running the model's own _Counting (not the copy's): its attributes were put back as objects alone, so
    what it kept in place kept the look's run on validation's rows: sizes [3], seen {3: True}, count [1.0]."""
    model = _with_side(_Counting())
    check_examples(model, _loss_running(model.side), nn.data.Batches(X, Y, 4, shuffle=False), (X, Y), None)
    assert model.side.sizes == [] and model.side.seen == {} and model.side.count.tolist() == [0.0]


def test_a_generator_a_module_a_loss_runs_draws_from_is_put_back():
    """A loss running the model's own _Noisy: the look drew from its generator, which was left drawn from (training's
    first draw would not be a loop's); now its state is put back, in the same generator."""
    model = _with_side(_Noisy())
    rng, state = model.side.rng, model.side.rng.bit_generator.state
    check_examples(model, _loss_running(model.side), nn.data.Batches(X, Y, 4, shuffle=False), (X, Y), None)
    assert model.side.rng is rng and rng.bit_generator.state == state


class _LockedCounting(_Counting):
    """_Counting holding a lock, which copy.deepcopy refuses (the look runs the model itself), and drawing from a
    generator of its own."""

    def __init__(self):
        super().__init__()
        self.lock, self.rng = threading.Lock(), np.random.default_rng(3)

    def forward(self, x):
        self.rng.random()
        return super().forward(x)


def test_a_model_that_cannot_be_copied_has_its_lists_and_generators_put_back():
    """The look runs such a model itself; its attributes were put back as objects alone: what it kept in place held
    the look's two runs (sizes [3, 3], count [2.0]) and its generator stayed drawn from. Each attribute that can be
    copied is now put back to its contents (the lock, which cannot, is left as it is: nothing to put back in it)."""
    model = _LockedCounting()
    state = model.rng.bit_generator.state
    check_examples(model, F.cross_entropy, nn.data.Batches(X, Y, 4, shuffle=False), (X, Y), None)
    assert model.sizes == [] and model.seen == {} and model.count.tolist() == [0.0]
    assert model.rng.bit_generator.state == state


class _Log:
    """An object of the user's that a module writes to, which the user holds too."""

    def __init__(self):
        self.sizes = []


class _Logging(nn.Module):
    def __init__(self, log):
        super().__init__()
        self.head, self.log = nn.Linear(3, 3, dtype=np.float64, seed=0), log

    def forward(self, x):
        self.log.sizes.append(len(x))
        return self.head(x)


def test_an_object_a_module_a_loss_runs_writes_to_stays_the_users_own():
    """Put back as a copy of itself, the module held a copy of the user's log, which no longer saw its writes; its
    contents are written back into it instead."""
    log = _Log()
    model = _with_side(_Logging(log))
    check_examples(model, _loss_running(model.side), nn.data.Batches(X, Y, 4, shuffle=False), (X, Y), None)
    assert model.side.log is log and log.sizes == []


class _Keeping(nn.Module):
    """A Linear that writes, in place, into what it holds: a list in a dict, a set, a log's list, and draws from a
    RandomState (which `_with_two` gives both of its modules)."""

    def __init__(self, history, seen, log, rng):
        super().__init__()
        self.head, self.records, self.seen, self.log, self.rng = (
            nn.Linear(3, 3, dtype=np.float64, seed=0),
            {"sizes": history},
            seen,
            log,
            rng,
        )

    def forward(self, x):
        self.records["sizes"].append(len(x))
        self.seen.add(len(x))
        self.log.sizes.append(len(x))
        self.rng.rand()
        return self.head(x)


def test_what_a_module_holds_stays_the_users_own_and_is_put_back():
    """Each attribute was put back as its deep copy, one level down: after any look, one of the loss's own or not,
    the list in a dict was a copy (the user's list no longer saw the module's writes), a set too, a log's list, and a
    RandomState two modules shared was two copies, which drew the same numbers. Now every object is the user's own,
    with its contents as they were."""
    history, seen, log, rng = [], set(), _Log(), np.random.RandomState(0)
    sizes, state = log.sizes, rng.get_state()
    model = _with_side(nn.Sequential(_Keeping(history, seen, log, rng), _Keeping(history, seen, log, rng)))
    check_examples(model, _loss_running(model.side), nn.data.Batches(X, Y, 4, shuffle=False), (X, Y), None)
    for keeping in model.side.children():
        assert keeping.records["sizes"] is history and keeping.seen is seen and keeping.log.sizes is sizes
        assert keeping.rng is rng
    assert history == [] and seen == set() and sizes == []
    assert np.array_equal(rng.get_state()[1], state[1]) and rng.get_state()[2:] == state[2:]


class _HalfCopied(nn.Module):
    """A Linear holding a dict with a lock (which copy.deepcopy refuses, after copying the dict's list) twice."""

    def __init__(self):
        super().__init__()
        self.head = nn.Linear(3, 3, dtype=np.float64, seed=0)
        self.state = {"sizes": [], "lock": threading.Lock()}
        self.states = [self.state]

    def forward(self, x):
        return self.head(x)


def test_an_object_half_copied_is_left_as_it_is():
    """The half copy of the dict that a lock stopped (its list, no lock) was kept, and put back into the list that
    holds the dict too: model.states[0] was that half copy, {'sizes': []}, no longer the model's dict."""
    model = _HalfCopied()
    check_examples(model, F.cross_entropy, nn.data.Batches(X, Y, 4, shuffle=False), (X, Y), None)
    assert model.states[0] is model.state and set(model.state) == {"sizes", "lock"}
