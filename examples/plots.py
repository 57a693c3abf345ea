"""What the examples share: saving a plot when matplotlib (an optional extra) is installed."""

from collections.abc import Callable
from pathlib import Path
from typing import Any

from flags import say_what_a_helper_is


def save_plot(plot: Callable[..., None], *args: Any, path: Any) -> None:
    """Call one of nn.plot's functions to write `path` (making its folder), or say why there is no
    plot: no matplotlib, or a path that cannot be written costs the plot, not the run's results."""
    try:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        plot(*args, path)
        print(f"plot saved to {path}")
    except ImportError as e:
        print(f"no plot: {e}")
    except OSError as e:
        print(f"no plot: cannot write {path}: {e.strerror or e}")


if __name__ == "__main__":
    say_what_a_helper_is(__doc__, __file__)
