"""`player`: the step-by-step page of `save_html` inline in Jupyter, forward and backward in one
player. The page goes into an iframe's srcdoc, so its script and element ids cannot clash with the
notebook's or with another player's."""

from __future__ import annotations

import html
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from autograd import Node

from .arguments import page_path, require_count
from .dot import write_atomically
from .html import page_html
from .training import Training


@dataclass(frozen=True)
class Player:
    """The player page of a graph: shown inline in Jupyter (`_repr_html_`), or written with `save`."""

    page: str  # the self-contained HTML page
    height: int  # pixels the notebook gives it

    def __repr__(self) -> str:
        """Short, where no notebook shows the page (a terminal's echo of `viz.player(loss)`, a notebook's plain
        text): the default repr wrote out the whole page, tens of thousands of characters of HTML."""
        return (
            f"Player(a page of {len(self.page):,} characters, {self.height} px high: shown inline in Jupyter, "
            "written by .save(path))"
        )

    def _repr_html_(self) -> str:
        return (
            f'<iframe srcdoc="{html.escape(self.page, quote=True)}" style="width: 100%; height: {self.height}px; '
            'border: 1px solid #ddd;" title="backpropagation player"></iframe>'
        )

    def save(self, path: str | os.PathLike) -> Path:
        """Write the page as a file that opens in any browser, without network."""
        path = page_path(path, "Player.save")
        write_atomically(path, self.page.encode())
        return path


def player(root: Node | Training, *, height: int = 720, **options: Any) -> Player:
    """The forward pass and backward, step by step, for `root`'s graph: in Jupyter the last line of
    a cell, `viz.player(loss)`, shows it inline; `viz.player(viz.training_steps(...))` plays recorded
    training steps, with a slider over them. `options` as for `save_html` (title, modules, max_nodes,
    rankdir, number, optimizer); `height` is its height in the notebook, in pixels."""
    require_count("player", "height", height, "an int of at least 200 pixels", 200)
    return Player(page_html(root, **options), height)
