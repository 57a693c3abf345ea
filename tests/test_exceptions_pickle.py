"""Every exception class of autograd, nn and viz keeps its type, message and attributes through pickle
(a failure sent back from a worker process: pytest-xdist, multiprocessing) and copy: GradcheckError's
`undecided`, which a property test reads to reject a point finite differences cannot judge
(autograd.testing.judged_gradcheck), among them. BaseException's own __reduce__ carries the instance's __dict__, so no
class overrides it; a class whose __init__ required more than the message would break unpickling."""

import copy
import importlib
import inspect
import pickle
import pkgutil

import pytest

import autograd
import nn
import viz


def exception_classes() -> list[type[BaseException]]:
    """The exception classes defined in the three packages' modules (those whose extras are installed)."""
    found = {}
    for package in (autograd, nn, viz):
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            try:
                module = importlib.import_module(info.name)
            except ImportError:  # an optional extra (matplotlib, tqdm) that is not installed
                continue
            for _, kind in inspect.getmembers(module, inspect.isclass):
                if issubclass(kind, BaseException) and kind.__module__ == module.__name__:
                    found[kind.__qualname__] = kind
    return sorted(found.values(), key=lambda kind: kind.__qualname__)


CLASSES = exception_classes()


def test_the_classes_are_found():
    names = {kind.__name__ for kind in CLASSES}
    assert {"GradcheckError", "WroteIntoInput", "ShapeError", "AnomalyError", "CompileError", "Corrupted"} <= names


@pytest.mark.parametrize("kind", CLASSES, ids=lambda kind: kind.__name__)
@pytest.mark.parametrize(
    "through", [lambda e: pickle.loads(pickle.dumps(e)), copy.copy, copy.deepcopy], ids=["pickle", "copy", "deepcopy"]
)
def test_an_exception_keeps_its_type_message_and_attributes(kind, through):
    error = kind("what went wrong, and the fix")
    error.extra = [1, 2]
    again = through(error)
    assert type(again) is kind and again.args == error.args and str(again) == str(error)
    assert again.__dict__ == error.__dict__


@pytest.mark.parametrize("undecided", [True, False])
def test_a_gradcheck_error_keeps_undecided_through_pickle(undecided):
    error = autograd.GradcheckError("table", undecided)
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        assert pickle.loads(pickle.dumps(error, protocol)).undecided is undecided
    assert copy.copy(error).undecided is undecided
