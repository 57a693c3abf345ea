"""Command line: draw micrograd's neuron example, or write its step-by-step backward page.

python -m viz demo --out graph.svg [--backward]
python -m viz html --out backprop.html
"""

import argparse

from .demo import neuron
from .dot import render
from .html import save_html


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m viz", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("demo", help="draw the neuron's graph after backward (.svg, .png or .pdf)")
    demo.add_argument("--out", default="graph.svg")
    demo.add_argument("--backward", action="store_true", help="draw the gradient flow instead")
    page = commands.add_parser("html", help="write the step-by-step backward page")
    page.add_argument("--out", default="backprop.html")
    args = parser.parse_args()
    root = neuron()
    if args.command == "demo":
        root.backward()
        print(f"wrote {render(root, args.out, backward=args.backward)}")
    else:
        print(f"wrote {save_html(root, args.out)}")


if __name__ == "__main__":
    main()
