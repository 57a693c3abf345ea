"""Command line: draw micrograd's neuron, write its step-by-step backward page, or draw your own expression.

python -m viz demo --out graph.svg [--backward] [--check]
python -m viz html --out backprop.html
python -m viz expr "tanh(x*w + b)" --set x=2 w=-3 b=6.88 --out graph.svg [--html page.html] [--explain x]
"""

from __future__ import annotations

import argparse
import math
import sys
from collections import Counter
from pathlib import Path

from autograd import Value, topological_order

from .arguments import page_path
from .captions import lost_lines
from .demo import neuron
from .drawing import render
from .explain import explain
from .expr import ALLOWED, ExpressionError, evaluate
from .html import save_html
from .number_text import figures
from .steps import backward_pass
from .writing import require_folder

_DRAWING = "the drawing to write, .svg, .png or .pdf by its suffix"


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    try:
        _run(args)
    except (OSError, ValueError, ArithmeticError) as e:  # a missing folder, a file in the way, a suffix render does
        # not write, a derivative that divides by zero: one line naming it, not a traceback
        sys.exit(f"python -m viz {args.command}: {e}")


def _run(args: argparse.Namespace) -> None:
    if args.command == "html":
        print(f"wrote {save_html(neuron(), args.out)}")
        return
    if args.command == "demo":
        root = neuron()
    else:
        twice = [name for name, n in Counter(name for name, _ in args.set).items() if n > 1]
        if twice:  # before anything is computed: which of the two was meant is the user's to say
            sys.exit(f"python -m viz expr: --set gives {twice[0]} more than once; give each name one value")
        try:
            root = evaluate(args.expression, dict(args.set))
        except ExpressionError as e:
            sys.exit(f"python -m viz expr: {e}")
        unknown = [name for name in args.explain if name not in _leaves(root) or name not in dict(args.set)]
        if unknown:  # before anything is written
            sys.exit(f"python -m viz expr: --explain {unknown[0]}: the expression uses no value named {unknown[0]!r}")
    for target in (args.out, getattr(args, "html", None)):  # every file's folder before writing any
        if target:
            require_folder(Path(target))
    if getattr(args, "html", None):
        page_path(args.html, "save_html")  # the page's suffix too, before the drawing is written
    root.backward()
    print(f"wrote {render(root, args.out, backward=args.backward, check=args.check)}")
    if args.command == "expr":
        _report(root, args)


def _report(root: Value, args: argparse.Namespace) -> None:
    """The value and gradients, the page with --html, the chain rule for --explain's names."""
    leaves = {name: node for name, node in _leaves(root).items() if name in dict(args.set)}
    print(
        f"{args.expression} = {_number(root.data)}; "
        + ", ".join(f"∂/∂{n} = {_number(v.grad)}" for n, v in leaves.items())
    )
    for line in lost_lines(backward_pass(root)):  # exp(-1000)'s 0: 5.076e-435 on paper
        print(f"  {line}")
    if args.html:
        print(f"wrote {save_html(root, args.html, title=args.expression)}")
    for name in args.explain:  # each checked before anything was written
        print(explain(root, leaves[name]))


def _number(x: float) -> str:
    """As the drawing writes numbers (`figures`: more digits where 6 would round to a whole number it is
    not, tanh(10) = 0.999999996), to 6 figures, and a zero unsigned (0 × (-1) reads 0, not -0)."""
    return figures(x + 0.0, 6)


def _leaves(root: Value) -> dict[str, Value]:
    """The expression's named inputs."""
    return {n.label: n for n in topological_order(root) if n.op is None and n.label}


def _assignment(text: str) -> tuple[str, float]:
    name, sep, number = text.partition("=")
    try:
        if not sep or not name.strip().isidentifier():
            raise ValueError
        value = float(number)
        if not math.isfinite(value):  # as the expression's own 1e400 is refused: inf is no value to draw
            raise argparse.ArgumentTypeError(f"{text!r}: {number.strip()} is not a finite number (at most 1.8e308)")
        return name.strip(), value
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not NAME=NUMBER (as x=2 or w=-3.5; a name: letters, digits and _, not a digit first)"
        ) from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m viz",
        description=__doc__.splitlines()[0],
        epilog="Each command has its own help: python -m viz expr --help",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="{demo,html,expr}")
    demo = commands.add_parser(
        "demo",
        help="draw micrograd's neuron o = tanh(x1*w1 + x2*w2 + b) after backward",
        description="Draw micrograd's neuron, o = tanh(x1*w1 + x2*w2 + b), with the gradients backward gives.",
    )
    demo.add_argument("--out", default="graph.svg", help=f"{_DRAWING} (default: graph.svg)")
    _drawing_options(demo)
    page = commands.add_parser(
        "html",
        help="write the neuron's backward pass as a step-by-step HTML page",
        description="Write one self-contained HTML page that plays the neuron's backward pass step by step.",
    )
    page.add_argument("--out", default="backprop.html", help="the page to write (default: backprop.html)")
    expr = commands.add_parser(
        "expr",
        help="draw your own expression, e.g. 'tanh(x*w + b)' --set x=2 w=-3 b=6.88",
        description="Draw your own expression after backward. It is read safely, never run as Python: "
        f"it may use {ALLOWED}.",
        epilog='example: python -m viz expr "tanh(x*w + b)" --set x=2 w=-3 b=6.88 --out graph.svg --explain x',
    )
    expr.add_argument("expression", help="the expression, quoted: 'tanh(x*w + b)'")
    expr.add_argument(
        "--set",
        nargs="+",
        action="extend",  # --set x=1 --set w=2 gives both, as --set x=1 w=2 does
        type=_assignment,
        default=[],
        metavar="NAME=NUMBER",
        help="the value of each name (once each)",
    )
    expr.add_argument("--out", default="graph.svg", help=f"{_DRAWING} (default: graph.svg)")
    expr.add_argument("--html", help="also write the step-by-step backward page here")
    expr.add_argument(
        "--explain",
        nargs="+",
        action="extend",
        default=[],
        metavar="NAME",
        help="print the chain rule behind these names' gradients",
    )
    _drawing_options(expr)
    return parser


def _drawing_options(command: argparse.ArgumentParser) -> None:
    command.add_argument("--backward", action="store_true", help="draw the gradient flow: the chain rule on every edge")
    command.add_argument(
        "--check",
        action="store_true",
        help="put a finite difference beside each input's gradient (green: agree; red: disagree; grey: cannot judge)",
    )


if __name__ == "__main__":
    main()
