"""nn and viz use only autograd's public API: what `autograd/__init__.py` lists in `__all__` (the
design's layering; a private import would tie them to the engine's internals)."""

import ast
from pathlib import Path

import pytest

import autograd

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted(p for package in ("nn", "viz") for p in (ROOT / package).rglob("*.py"))  # nn/utils/ too


def _autograd_imports(path: Path) -> list[str]:
    """What `path` takes from autograd: `autograd.x` for `from autograd.x import ...` or an attribute
    `autograd.x.y` read through `import autograd`, else the names of `from autograd import ...`."""
    taken = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "autograd":
            if node.module != "autograd":
                taken.append(node.module)
            else:
                taken += [alias.name for alias in node.names]
        elif isinstance(node, ast.Import):
            taken += [alias.name for alias in node.names if alias.name.startswith("autograd.")]
        elif (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "autograd"
            and not node.attr.startswith("__")
        ):
            taken.append(node.attr)
    return taken


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_nn_and_viz_use_only_autograds_public_api(path):
    public = set(autograd.__all__) | {"IS_CHAINRULE", "testing"}
    private = [name for name in _autograd_imports(path) if name not in public]
    assert not private, f"{path.name} uses autograd's {private}: add them to autograd.__all__ or use public ones"
