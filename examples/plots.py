"""What the examples share: saving a plot when matplotlib (an optional extra) is installed."""

from collections.abc import Callable
from typing import Any


def save_plot(plot: Callable[..., None], *args: Any, path: Any) -> None:
    """Call one of nn.plot's functions to write `path`, or say why there is no plot."""
    try:
        plot(*args, path)
        print(f"plot saved to {path}")
    except ImportError as e:
        print(f"no plot: {e}")
