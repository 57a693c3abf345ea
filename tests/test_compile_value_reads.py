"""A micrograd Value the step's names hold, whose `.data` (a Python float) the step reads: a Value is a graph node,
which compile did not read through, so `v.data = 5.0` between calls replayed the recorded 2.0, silently (eager's
losses -241.9, -396.1 from call 5; the replays' -96.8, -121.4). The attributes its code names are guarded now (its
`grad`, which its own graph moves, is not); compared with eager, bit for bit."""

import numpy as np
from compile_faithful_cases import check_replayed

import autograd
import nn
from autograd import Tensor


def test_a_values_data_set_between_calls_records_again(monkeypatch):
    def scenario(compile):
        v = autograd.Value(2.0)
        model = nn.Linear(3, 2, seed=0, dtype=np.float64)
        opt = nn.SGD(model.parameters(), lr=0.1)

        def step(x):
            opt.zero_grad()
            loss = (model(Tensor(x)) * v.data).sum()
            loss.backward()
            opt.step()
            return loss.item()

        run, out = compile(step), []
        for i in range(6):
            out.append(run(np.arange(12.0).reshape(4, 3) / 10))
            if i == 3:
                v.data = 5.0
            v.grad += 1.0  # its own graph's: no setting of the step's
        return out

    check_replayed(scenario, monkeypatch, replays_at_least=2)
