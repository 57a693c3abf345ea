"""Writes the op reference from the op table: docs/ops.md (every op: how to call it, its
derivative, what its forward needs) and the op lists of the README's Public API section.

Both are derived from `autograd.op_table.TABLE`, so neither can drift from it: the tests run
`stale()` and fail, naming this script, when the table changed and they were not rewritten.

    python docs/op_reference.py     # rewrite docs/ops.md and the README's op lists
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from autograd.op_table import TABLE, OpDef  # noqa: E402 (after the path: runs from a checkout)

OPS_MD, README = ROOT / "docs" / "ops.md", ROOT / "README.md"
BEGIN = "<!-- op lists: written by docs/op_reference.py from the op table -->"
END = "<!-- end of op lists -->"
HEADER = "| op | call | derivative | undefined where (a Value raises; a Tensor gives NaN or inf) |"

# each family is the module its entries' rules are written in (op_table's ** and / in rule_powers: a rule whose
# helper lives elsewhere, as tanh's and sigmoid's, is a lambda in its table to stay there); the title a
# reader sees
TITLES = {
    "autograd.op_table": "arithmetic and core functions",
    "autograd.rule_powers": "arithmetic and core functions",
    "autograd.op_table_math": "math",
    "autograd.op_table_binary": "binary functions",
    "autograd.op_table_activations": "activations",
    "autograd.op_table_pieces": "activations with flat pieces and jumps",
    "autograd.op_table_matmul": "tensor ops",
    "autograd.op_table_tensor": "tensor ops",
    "autograd.op_table_softmax": "the softmax family",
    "autograd.op_table_margins": "margin losses of class labels",
    "autograd.op_table_reductions": "reductions",
    "autograd.op_table_scans": "running scans",
    "autograd.op_table_order": "order statistics",
    "autograd.op_table_shapes": "shapes, indexing and linear algebra",
    "autograd.op_table_conv": "convolution and pooling",
    "autograd.op_table_pool": "average pooling",
    "autograd.op_table_algebra": "algebra",
    "autograd.op_table_special": "special functions",
    "autograd.op_table_gamma": "the gamma family",
    "autograd.op_table_bessel": "modified Bessel functions",
    "autograd.op_table_bessel_jyk": "Bessel functions J, Y and K",
    "autograd.op_table_normal": "the normal distribution",
    "autograd.op_table_incomplete_gamma": "incomplete gamma and Hurwitz zeta",
    "autograd.op_table_fold": "sliding blocks",
}


def family(d: OpDef) -> str:
    module = d.vjp.__module__
    return TITLES.get(module, module.rpartition(".")[2])


def families() -> dict[str, list[OpDef]]:
    """The table's public ops by family, in the table's order (the rules' own ops left out)."""
    out: dict[str, list[OpDef]] = {}
    for d in TABLE:
        if d.elementwise or d.api:
            out.setdefault(family(d), []).append(d)
    return out


def call(d: OpDef) -> str:
    """How users write the op."""
    if d.symbol and d.elementwise:
        return f"`a {d.symbol} b`, `a.{d.name}(b)`, `autograd.{d.name}(a, b)`"
    if d.symbol:
        return f"`a {d.symbol} b`"
    if not d.elementwise:
        owner, _, name = d.api.partition(".")
        if name == "__getitem__":
            return "`t[index]`"
        return f"`t.{name}(...)`" if owner == "Tensor" else f"`autograd.{name}(...)`"
    inputs = list("xyz"[: d.arity])
    params = [f"{name}={default!r}" for name, default in d.params.items()]
    method = ", ".join(inputs[1:] + params)
    calls = [f"`x.{d.name}({method})`", f"`autograd.{d.name}({', '.join(inputs + params)})`"]
    return ", ".join(calls + [f"`{alias}`" for alias in d.aliases])


def ops_md() -> str:
    lines = [
        "# Ops",
        "",
        "Every op of chainrule's op table (`autograd/op_table*.py`), written by `python docs/op_reference.py`",
        "from the table itself. Elementwise ops run on both engines (Value and Tensor) and broadcast;",
        "tensor ops run on Tensors. Each derivative is the one rule the op has: the same rule serves",
        "backward, `create_graph` (higher derivatives) and viz's captions. A rule that changes with the op's",
        "options is written in segments ⟨conditions: text⟩, each holding where its conditions do: `name='value'`,",
        "`name` (the option given), `!name` (not given); a drawing shows the segments of the call it draws.",
        "A tensor op's rule that names `g` (matmul's `g @ Bᵀ`, conv's, fold's) means the gradient arriving at",
        "the op's output, which the rule maps to its input's.",
    ]
    for title, defs in families().items():
        lines += [
            "",
            f"## {title[0].upper()}{title[1:]}",
            "",
            "| op | call | derivative | undefined where (a Value raises; a Tensor gives NaN or inf) |",
            "| --- | --- | --- | --- |",
        ]
        for d in defs:
            cells = (d.name, call(d), "; ".join(d.formulas), d.domain or "—")
            lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines) + "\n"


def readme_lists() -> str:
    lines = [BEGIN, "", "The ops, by family (each with its derivative in [docs/ops.md](docs/ops.md)):", ""]
    for title, defs in families().items():
        names = " ".join(d.symbol or d.name for d in defs)
        lines.append(f"- {title}: `{names}`")
    return "\n".join([*lines, "", END])


def readme() -> str:
    text = README.read_text()
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    return head + readme_lists() + tail


def stale() -> list[str]:
    """The files that differ from what the table gives."""
    return [str(p.relative_to(ROOT)) for p, text in ((OPS_MD, ops_md()), (README, readme())) if p.read_text() != text]


if __name__ == "__main__":
    OPS_MD.write_text(ops_md())
    README.write_text(readme())
    print(f"wrote {OPS_MD.relative_to(ROOT)} and the op lists of {README.relative_to(ROOT)}")
