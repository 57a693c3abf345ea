"""A collapsed module's box says what it holds as the drawing without collapse shows it: a record per value
or constant, an oval per op (it said "4 nodes" for a Linear whose cluster draws 4 values and 2 ops, while
max_nodes counts all 6)."""

import re

import numpy as np

import nn
import viz
from autograd import Tensor


def clusters(source: str) -> dict[str, str]:
    """Each module's cluster of an uncollapsed drawing's DOT source, by its label."""
    blocks = re.findall(
        r"subgraph cluster_\d+ \{\n\t\tgraph \[[^\]]*label=\"?([\w.]+)\"?[^\]]*\]\n(.*?)\n\t\}", source, re.S
    )
    return dict(blocks)


def boxes(source: str) -> dict[str, str]:
    return dict(re.findall(r'"module ([\w.]+)" \[label="[\w.]+\\n([^"]*)"', source))


def test_each_box_counts_the_values_constants_and_ops_its_cluster_draws():
    tensor_model = nn.Sequential(nn.Linear(3, 4, seed=0), nn.ReLU(), nn.Linear(4, 1, seed=1))
    tensor_loss = (tensor_model(Tensor(np.ones((2, 3)))) ** 2).mean()
    scalar_model = nn.MLP(2, [2, 1], seed=0)
    scalar_loss = (scalar_model([0.5, -1.0]) - 1) ** 2  # the inputs are numbers each neuron lifts: constants
    for loss, model in ((tensor_loss, tensor_model), (scalar_loss, scalar_model)):
        full = clusters(viz.draw(loss, modules=model).source)
        said = boxes(viz.draw(loss, modules=model, collapse=True).source)
        assert said and set(said) <= set(full)
        for name, words in said.items():
            block = full[name]
            records = [line for line in block.splitlines() if "shape=record" in line]
            held = sum("gray55" in line for line in records)
            ops = sum("shape=ellipse" in line for line in block.splitlines())
            numbers = [int(k) for k in re.findall(r"\d+", words)]
            assert numbers == ([len(records) - held, held, ops] if held else [len(records), ops]), (name, words)
    assert boxes(viz.draw(tensor_loss, modules=tensor_model, collapse=True).source)["layers.0"] == "4 values and 2 ops"
