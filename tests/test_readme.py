"""Every ```python block of the README runs, and prints what its comments say.

Blocks of one section run in order in one namespace (a later block may use an earlier one's
names), in a temporary folder, so that files they write land there. A comment on a `print(...)`
line is that line's output: its words must match, and each number printed must round to the
number shown, at the decimals shown (`# about 0.7071, -1.5` accepts -1.4999...). A bare
expression with a number for comment (`f(2.0)  # 48.0`) is refused: printed, it gets checked.
A block that defines `test_*` functions (a property test, say) has them called.
"""

import ast
import contextlib
import importlib.util
import io
import re
import shutil
import tokenize
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MNIST_DIR = ROOT.parent / "shared" / "data" / "mnist"

# what a block may need beyond chainrule's own dependencies: (pattern in its code, available, why it skips)
NEEDS = [
    (r"\bviz\.", shutil.which("dot") is not None, "graphviz's `dot` program is not installed"),
    (r"nn\.data\.mnist", MNIST_DIR.is_dir(), f"the MNIST files are not at {MNIST_DIR}"),
    (r"safetensors", importlib.util.find_spec("safetensors") is not None, "needs the safetensors extra"),
    (r"\btorch\b|_torch_", importlib.util.find_spec("torch") is not None, "needs PyTorch (the reference extra)"),
]


def python_blocks(markdown: str) -> list[tuple[str, str, int]]:
    """(section heading, code, line of the code's first line in the README) of each ```python block."""
    blocks, section, code, start = [], "", None, 0
    for number, line in enumerate(markdown.splitlines(), 1):
        if code is not None:
            if line.startswith("```"):
                blocks.append((section, "\n".join(code), start))
                code = None
            else:
                code.append(line)
        elif line.startswith("```python"):
            code, start = [], number + 1
        elif line.startswith("## "):
            section = line[3:].strip()
    return blocks


SECTIONS: dict[str, list[tuple[str, int]]] = {}
for _section, _code, _line in python_blocks((ROOT / "README.md").read_text()):
    SECTIONS.setdefault(_section, []).append((_code, _line))


def comments(code: str) -> dict[int, str]:
    """The comment ending each line that has one, by line number."""
    lines = io.StringIO(code).readline
    return {t.start[0]: t.string[1:].strip() for t in tokenize.generate_tokens(lines) if t.type == tokenize.COMMENT}


OUTPUT = re.compile(r"(about )?-?\d")  # how a comment showing a value starts
TOKEN = re.compile(r"-?\d+(?:\.\d+)?(?:e-?\d+)?|[A-Za-z_]\w*")


def assert_prints(printed: str, expected: str, where: str) -> None:
    """`printed` has the words of `expected` (minus a leading "about") and numbers that round to its numbers."""
    want = TOKEN.findall(expected.removeprefix("about "))
    got = TOKEN.findall(printed)
    assert len(got) == len(want), f"{where}: printed {printed!r}, the README says {expected!r}"
    for g, w in zip(got, want):
        if w[0].isdigit() or w[0] == "-":
            decimals = len(w.split(".")[1]) if "." in w and "e" not in w else 0
            close = abs(float(g) - float(w)) <= 0.5 * 10**-decimals * (1 + 1e-9)
            assert close, f"{where}: printed {printed!r}, the README says {expected!r} ({g} is not {w})"
        else:
            assert g == w, f"{where}: printed {printed!r}, the README says {expected!r}"


def run_block(code: str, first_line: int, namespace: dict) -> None:
    """Run `code` statement by statement, checking each commented print against its comment."""
    notes = comments(code)
    for statement in ast.parse(code).body:
        compiled = compile(ast.Module([statement], []), f"README.md:{first_line + statement.lineno - 1}", "exec")
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compiled, namespace)
        is_print = (
            isinstance(statement, ast.Expr)
            and isinstance(statement.value, ast.Call)
            and getattr(statement.value.func, "id", None) == "print"
        )
        note = notes.get(statement.end_lineno)
        where = f"README.md line {first_line + statement.end_lineno - 1}"
        if is_print and note:
            assert_prints(out.getvalue(), note, where)
        elif isinstance(statement, ast.Expr) and note and OUTPUT.match(note):
            raise AssertionError(f"{where}: show the value with print(...), so that this test checks the comment")


def test_a_comment_is_checked_word_for_word_and_number_by_rounded_number():
    assert_prints("0.7071199874301226 -1.4999439701304698 0.99996\n", "about 0.7071, -1.5, 1.0", "here")
    assert_prints("float32 (784, 10)\n", "float32 (784, 10)", "here")
    for wrong in ("about 0.7072, -1.5, 1.0", "0.7071, -1.5", "float64 (784, 10)", "float32 (784, 1)"):
        printed = "float32 (784, 10)\n" if "float" in wrong else "0.70712 -1.49994 0.99996\n"
        with pytest.raises(AssertionError, match="the README says"):
            assert_prints(printed, wrong, "here")


def test_the_readme_has_python_blocks_in_the_sections_it_should():
    assert {"Ten lines", "Tensors", "Testing gradients in your own code", "Training networks: `nn`"} <= set(SECTIONS)


@pytest.mark.parametrize("section", SECTIONS)
def test_readme_section_runs_and_prints_what_it_says(section, tmp_path, monkeypatch):
    blocks = SECTIONS[section]
    for pattern, available, reason in NEEDS:
        if not available and any(re.search(pattern, code) for code, _ in blocks):
            pytest.skip(f"{section}: {reason}")
    monkeypatch.chdir(tmp_path)
    namespace: dict = {"__name__": "readme"}
    for code, first_line in blocks:
        run_block(code, first_line, namespace)
    for name, test in list(namespace.items()):
        if name.startswith("test_") and callable(test):
            test()
