"""Where a recording's trace hook (compile_calls) is on: around the step's call, and off in code each replay runs
again (nn's optimizer steps, autograd's checks and draws), for traced Python runs about twice the instructions.
Session 32 set it aside in all such code, and so a check, a draw or an optimizer's `update` of the user's that
read a size through a helper only the hook finds (four dicts down), leaving it where the step read it after
(`autograd.rand(BOX["k"])`), replayed the recorded size silently: each is followed again. A debugger's or
coverage's tracer set before goes on being called everywhere, chained."""

import dataclasses
import os
import sys

import numpy as np
import pytest
from compile_faithful_cases import check_replayed

import autograd
import nn
from autograd import Tensor, compile_calls
from autograd.compile_recording import MadeByOp

SIZE = {"n": 4}
NESTED = {"a": {"b": {"c": {"d": lambda: SIZE["n"]}}}}  # deeper than compile reads code for helpers
BOX = {"k": 4}  # where the replayed code leaves the size it read, for the step to read after


def _leave_size(*_):
    BOX["k"] = NESTED["a"]["b"]["c"]["d"]()


class _SGD(nn.SGD):
    def update(self, state, data, grad):
        _leave_size()
        super().update(state, data, grad)


@autograd.unguarded
class _Counter:
    @autograd.replayed
    def advance(self):
        _leave_size()


RUNS = {  # replayed code of the user's, given the step's weight and input
    "a check": lambda w, x, opt, counter: autograd.validate(_leave_size, x),
    "a draw": lambda w, x, opt, counter: autograd.drawn(lambda: _leave_size() or np.ones(2)),
    "an optimizer's update": lambda w, x, opt, counter: opt.step(),
    "an @autograd.replayed method": lambda w, x, opt, counter: counter.advance(),
}


@pytest.mark.parametrize("runs", RUNS)
def test_a_size_the_users_replayed_code_reads_records_again_when_it_changes(runs, monkeypatch):
    def losses(compile):
        autograd.manual_seed(0)
        w, v = Tensor(np.ones(1), requires_grad=True), Tensor(np.ones(1), requires_grad=True)
        v.grad = np.zeros(1)  # the optimizer's parameter, which the step leaves alone
        opt, counter, out = _SGD([v], lr=0.0), _Counter(), []

        def step(x):
            RUNS[runs](w, x, opt, counter)
            loss = (Tensor(x) * w).sum() + (autograd.rand(BOX["k"]) * w).sum()
            loss.backward()
            return loss.item()

        run = compile(step)
        for i in range(6):
            SIZE["n"] = 4 if i < 3 else 5
            out.append(run(np.full(2, i + 1.0)))
        SIZE["n"] = BOX["k"] = 4
        return out

    check_replayed(losses, monkeypatch)


@autograd.unguarded
class _Tracers:
    """The trace functions set while the step's own code ran, and while a check it asked for (replayed code) ran."""

    def __init__(self):
        self.in_step, self.in_check = [], []


def _library_check(seen):
    """A check whose code is a library's (nn's, as its losses' checks are), noting the trace function it ran with."""
    namespace = {"sys": sys, "seen": seen}
    exec(compile("def check(data):\n    seen.in_check.append(sys.gettrace())", nn.__file__, "exec"), namespace)
    return namespace["check"]


def _tracers_seen(tracer, users=False):
    seen, w = _Tracers(), Tensor(np.ones(1), requires_grad=True)
    check = (lambda data: seen.in_check.append(sys.gettrace())) if users else _library_check(seen)

    def step(x):
        seen.in_step.append(sys.gettrace())
        autograd.validate(check, x)
        loss = (Tensor(x) * w).sum()
        loss.backward()
        return loss.item()

    run = autograd.compile(step)
    sys.settrace(tracer)
    try:
        [run(np.ones(2)) for _ in range(2)]  # the two recordings
    finally:
        sys.settrace(None)
    return seen


def test_the_trace_hook_is_set_aside_in_replayed_code_but_a_tracer_set_before_goes_on_everywhere():
    """A recording's trace hook is on around the step's call and off in a library's code each replay runs again (a
    check, an optimizer's step, a draw), on in the user's; a debugger's or coverage's tracer set before goes on
    being called there, chained, as without compile."""
    if sys.gettrace() is not None:
        pytest.skip("run under a tracer")
    alone = _tracers_seen(None)
    assert None not in alone.in_step and alone.in_check == [None, None]
    users = _tracers_seen(None, users=True)
    assert None not in users.in_check and users.in_check == users.in_step
    called = []
    chained = _tracers_seen(lambda frame, event, arg: called.append(frame.f_code.co_name))
    assert None not in chained.in_check and chained.in_check == chained.in_step
    assert "check" in called  # the library check's frame, which the hook alone would not trace


def test_a_users_file_reached_through_a_link_in_a_librarys_folder_is_the_users(tmp_path, monkeypatch):
    """A project linked into site-packages (`ln -s ~/proj site-packages/proj`): its files were taken for the
    library's by the path as given, so their helpers went unfollowed; where a file is is where its path resolves."""
    library, project = tmp_path / "site-packages", tmp_path / "proj"
    library.mkdir()
    project.mkdir()
    (library / "proj").symlink_to(project, target_is_directory=True)
    (library / "installed.py").touch()
    monkeypatch.setattr(compile_calls, "_LIBRARIES", (str(library.resolve()) + os.sep,))
    monkeypatch.setattr(compile_calls, "_USERS", {})

    def owner(path):
        return compile_calls._users(compile("pass", str(path), "exec"), {})

    assert owner(library / "proj" / "train.py") and not owner(library / "installed.py")


def test_replayed_code_is_followed_where_it_may_run_the_users_code():
    """A class of the user's runs its __init__ when called (it counted as not the user's, by type(cls), `type`), and
    a method of theirs decorated in a library's code (`@autograd.replayed`) runs theirs."""
    w = Tensor(np.ones(1), requires_grad=True)
    ours = [_Counter, _Counter(), _Counter().advance, _SGD, _SGD([w]), _leave_size, lambda: 1]
    theirs = [nn.SGD, nn.SGD.step, np.random.default_rng(0).random, print, nn.SGD([w])]
    assert all(map(compile_calls._runs_users_code, ours)) and not any(map(compile_calls._runs_users_code, theirs))


def test_code_typed_in_is_the_users_whatever_the_working_folder(tmp_path, monkeypatch):
    """A notebook cell's code (`<ipython-input-3-abc>`, exec's `<string>`) was resolved as a path in the working
    folder: run from a library's folder, it was the library's, and its helpers went unfollowed (a stale size)."""
    monkeypatch.setattr(compile_calls, "_LIBRARIES", (str(tmp_path.resolve()) + os.sep,))
    monkeypatch.setattr(compile_calls, "_USERS", {})
    monkeypatch.chdir(tmp_path)
    typed = [compile("pass", name, "exec") for name in ("<ipython-input-3-abc>", "<string>")]
    assert all(compile_calls._users(code, {"__name__": "__main__"}) for code in typed)
    assert not compile_calls._users(compile("pass", "<frozen importlib._bootstrap>", "exec"), {})


@dataclasses.dataclass
class _Made:
    held: list = dataclasses.field(default_factory=list)


def test_code_made_from_text_is_its_modules():
    """A dataclass's __init__ is compiled from text (`<string>`) and runs in its module's namespace: this library's
    (compile_recording.MadeByOp's, made while a step that casts is recorded) was taken for the user's, so compile
    followed it and guarded the attributes it sets (`held`, `params`, `data`) on the step's objects; the user's
    stays theirs."""
    ours, theirs = MadeByOp.__init__, _Made.__init__
    assert ours.__code__.co_filename == theirs.__code__.co_filename == "<string>"
    assert not compile_calls._users(ours.__code__, ours.__globals__)
    assert compile_calls._users(theirs.__code__, theirs.__globals__)


def test_a_function_wrapping_itself_through_a_method_is_looked_at_once():
    """`f.__wrapped__` a bound method of an object whose class holds f: RecursionError, where it is no user's."""
    library = {}
    exec(compile("class Loop:\n    def f(self):\n        pass", nn.__file__, "exec"), library)
    loop = library["Loop"]()
    library["Loop"].f.__wrapped__ = loop.f
    assert not compile_calls._runs_users_code(loop.f)
