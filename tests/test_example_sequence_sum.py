"""examples/sequence_sum.py: a GRU, an LSTM and an Elman RNN each learn to add up a sequence with nn.fit."""

import importlib.util
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "sequence_sum.py"


@pytest.mark.parametrize("cell", ["gru", "lstm", "rnn"])
def test_each_recurrent_layer_learns_to_sum_a_sequence(cell, monkeypatch, capsys):
    monkeypatch.syspath_prepend(str(EXAMPLE.parent))  # its flags helper, as the script finds it
    spec = importlib.util.spec_from_file_location("example_sequence_sum", EXAMPLE)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    figures = script.main(["--cell", cell])
    assert figures["first_loss"] > 0.5 and figures["last_loss"] < 0.005  # the sum's variance is 5/3
    assert figures["error_5"] < 0.005  # on sequences it never saw
    assert figures["error_10"] < 0.6  # twice as long as any it saw; the sum's variance is 10/3
    assert "the model says 0.8" in capsys.readouterr().out  # 0.875
