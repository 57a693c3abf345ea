"""What a learner following the README and the examples meets in a clone: the files the README's snippets
write are ignored by git (not left untracked), and the examples' helper modules, run, say what they are."""

import re
import shutil
import subprocess
import sys

import pytest
from test_examples import EXAMPLES, ROOT
from test_readme import python_blocks

WRITTEN = re.compile(r"[\"']([\w./-]+\.(?:svg|png|pdf|html|npz|safetensors))[\"']")


def test_every_file_the_readmes_snippets_write_is_ignored_by_git():
    # grads.svg, flow.svg, check.svg, backprop.html, spirals.npz, spirals.safetensors stayed untracked
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    names = {m for _, code, _ in python_blocks((ROOT / "README.md").read_text()) for m in WRITTEN.findall(code)}
    assert {"grads.svg", "backprop.html", "spirals.npz"} <= names  # the pattern finds what it is for
    done = subprocess.run(
        ["git", "check-ignore", "--no-index", *sorted(names)], cwd=ROOT, capture_output=True, text=True
    )
    assert set(done.stdout.split()) == names


@pytest.mark.parametrize("helper", ["flags.py", "plots.py"])
def test_a_helper_module_run_says_it_is_one_and_names_the_examples(helper, tmp_path):
    # `python examples/flags.py --help` printed nothing
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / helper), "--help"], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    first, then = done.stdout.splitlines()
    assert first.startswith(f"{helper} is a helper module the examples import, not an example. What the examples")
    assert "e.g. python " in then and then.endswith("moons.py, neuron.py, regression.py, sequence_sum.py, spirals.py")
