"""What the examples share on the command line: a parser whose --help is the script's docstring,
and argument types that turn a bad value into argparse's one-line usage error."""

import argparse
import math
import os
from collections.abc import Callable
from pathlib import Path

HELPERS = ("flags.py", "plots.py")  # the examples' shared modules, not examples themselves


def parser_for(doc: str, script: str) -> argparse.ArgumentParser:
    """A parser for `script` (its __file__) with the script's docstring as --help's description."""
    return argparse.ArgumentParser(
        prog=Path(script).name, description=doc, formatter_class=argparse.RawDescriptionHelpFormatter
    )


def checked(kind: Callable[[str], object], test: Callable, what: str) -> Callable[[str], object]:
    """An argparse type: `kind(text)` if `test` accepts it, else an argparse error saying `what` it must be."""

    def convert(text: str) -> object:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None
        if not test(value):
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}")
        return value

    return convert


COUNT = checked(int, lambda n: n >= 1, "a whole number of at least 1")
SEED = checked(int, lambda s: s >= 0, "a whole number of at least 0")
POSITIVE = checked(float, lambda x: math.isfinite(x) and x > 0, "a positive number")


def plot_path(text: str) -> str:
    """An argparse type: a path ending in a format the plots write (nn.plot.SUFFIXES), checked before
    any training, so that a run is not lost to a bad suffix at its end."""
    from nn.plot import SUFFIXES  # matplotlib itself is imported only when a plot is drawn

    if Path(text).suffix.lower() not in SUFFIXES:
        raise argparse.ArgumentTypeError(f"expected a path ending in {', '.join(SUFFIXES)}, got {text!r}")
    return text


def say_what_a_helper_is(doc: str, script: str) -> None:
    """Run as a script, a helper module (HELPERS) printed nothing, even for --help: say what it is, its
    docstring's first sentence, and which examples to run instead."""
    folder = Path(script).resolve().parent
    examples = sorted(p.name for p in folder.glob("*.py") if p.name not in HELPERS)
    moons = os.path.relpath(folder / "moons.py")
    moons = moons if not moons.startswith("..") else str(folder / "moons.py")  # the shorter way to name it
    what = " ".join(doc.split("\n\n")[0].split())
    print(f"{Path(script).name} is a helper module the examples import, not an example. {what}")
    print(f"Run an example instead, e.g. python {moons} (--help says what each does): {', '.join(examples)}")


if __name__ == "__main__":
    say_what_a_helper_is(__doc__, __file__)
