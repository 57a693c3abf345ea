"""The packages' files as the project keeps them: viz's none over 300 lines (one job per file), and every
module of autograd, nn and viz named in the README's Architecture section, the map a reader starts from."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAX_LINES = 300


def viz_files() -> list[Path]:
    return sorted(p for p in (ROOT / "viz").iterdir() if p.suffix in (".py", ".js", ".css"))


def test_no_viz_file_is_over_300_lines():
    long = {p.name: n for p in viz_files() if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


@pytest.mark.parametrize("package", ["autograd", "nn", "viz"])
def test_every_file_is_on_the_readme_map(package):
    """Each module of the three packages is named in its package's part of the map (the README's
    Architecture section), so a file added is placed there by its author."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    architecture = readme[readme.index("## Architecture") : readme.index("## Performance")]
    part = architecture[architecture.index(f"\n{package}/") + 1 :]
    part = re.split(r"\n(?:autograd|nn|viz)/ ", part[len(package) + 1 :])[0]  # up to the next package's part
    named = set(re.findall(r"[\w]+\.(?:py|js|css)", part))
    unmapped = ("__init__.py", "_requires_chainrule.py")  # the public API's list, and the engine check
    files = sorted(p for p in (ROOT / package).iterdir() if p.suffix in (".py", ".js", ".css"))
    missing = [p.name for p in files if p.name not in named and p.name not in unmapped]
    assert missing == []
