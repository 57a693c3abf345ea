"""chainrule as a package: its version, licence, extras and changelog agree with pyproject.toml,
and the engine, installed as `autograd` (the top-level name HIPS autograd also uses), is refused
by nn and viz when it is the other one, with a message that says what to do."""

import os
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

import autograd

ROOT = Path(__file__).resolve().parents[1]
USER_EXTRAS = {"test", "plot", "progress", "safetensors", "notebook"}


def pyproject() -> dict:
    tomllib = pytest.importorskip("tomllib", reason="reading pyproject.toml needs Python 3.11's tomllib")
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def python(code: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_the_version_is_pyprojects_as_installed():
    assert autograd.__version__ == pyproject()["project"]["version"], "reinstall: pip install -e ."


def test_a_source_tree_that_is_not_installed_has_an_unknown_version(tmp_path):
    code = (
        "from importlib import metadata\n"
        "def not_installed(name):\n"
        "    raise metadata.PackageNotFoundError(name)\n"
        "metadata.version = not_installed\n"
        "import autograd\n"
        "print(autograd.__version__)"
    )
    done = python(code, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "0+unknown\n"


def test_the_licence_is_mit_in_the_file_pyproject_and_the_installed_metadata():
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License\n\nCopyright (c) 2026 the chainrule authors\n")
    assert pyproject()["project"]["license"] == "MIT"
    installed = metadata.metadata("chainrule")
    assert installed["License-Expression"] == "MIT" and installed.get_all("License-File") == ["LICENSE"]


def test_dev_installs_every_extra_a_user_can_ask_for():
    extras = pyproject()["project"]["optional-dependencies"]
    assert USER_EXTRAS | {"dev", "reference", "bench"} == set(extras)
    (itself,) = [r for r in extras["dev"] if r.startswith("chainrule[")]
    assert set(itself.removeprefix("chainrule[").removesuffix("]").split(",")) == USER_EXTRAS


def test_the_readme_says_what_each_extra_brings():
    install = (ROOT / "README.md").read_text().split("## Install\n")[1].split("\n## ")[0]
    for extra in USER_EXTRAS | {"dev"}:
        assert re.search(rf"^\| `{extra}` \| [^|]+ \| [^|]+ \|$", install, re.M), f"no row for the {extra} extra"


def test_the_changelog_has_an_entry_for_this_version():
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert f"\n## {pyproject()['project']['version']} - " in changelog and "\n## Unreleased\n" in changelog


def test_the_testing_kit_without_hypothesis_names_the_test_extra(tmp_path):
    done = python("import sys; sys.modules['hypothesis'] = None; import autograd.testing", tmp_path)
    assert done.returncode == 1
    assert done.stderr.splitlines()[-1].endswith(
        'hypothesis is missing; pip install hypothesis (in chainrule\'s clone: pip install -e ".[test]")'
    )


@pytest.mark.parametrize("package", ["nn", "viz"])
def test_nn_and_viz_name_a_foreign_autograd(tmp_path, package):
    foreign = tmp_path / "autograd"
    foreign.mkdir()
    (foreign / "__init__.py").write_text("grad = None  # another package of the same name\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])}
    run = subprocess.run(
        [sys.executable, "-c", f"import {package}"], env=env, cwd=tmp_path, capture_output=True, text=True
    )
    assert run.returncode == 1
    assert f"{package} needs chainrule's engine" in run.stderr and "pip uninstall autograd" in run.stderr
