"""viz's files as the project keeps them: none over 300 lines (one job per file), and each named in the README's
Architecture section, the map a reader starts from."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MAX_LINES = 300


def viz_files() -> list[Path]:
    return sorted(p for p in (ROOT / "viz").iterdir() if p.suffix in (".py", ".js", ".css"))


def test_no_viz_file_is_over_300_lines():
    long = {p.name: n for p in viz_files() if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def test_every_viz_file_is_on_the_readme_map():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    architecture = readme[readme.index("## Architecture") :]
    architecture = architecture[: architecture.index("\nnn/")]  # viz's part of the map
    named = set(re.findall(r"[\w]+\.(?:py|js|css)", architecture))
    unmapped = ("__init__.py", "_requires_chainrule.py")  # the public API's list, and the engine check
    missing = [p.name for p in viz_files() if p.name not in named and p.name not in unmapped]
    assert missing == []
