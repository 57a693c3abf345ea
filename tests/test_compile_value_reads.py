"""A micrograd Value the step's names hold, whose `.data` (a Python float) the step reads: a Value is a graph node,
which compile did not read through, so `v.data = 5.0` between calls replayed the recorded 2.0, silently (eager's
losses -241.9, -396.1 from call 5; the replays' -96.8, -121.4). The attributes its code names are guarded now (its
`grad`, which its own graph moves, is not); compared with eager, bit for bit."""

from compile_faithful_cases import check_replayed, run_changing, scaled_step

import autograd


def test_a_values_data_set_between_calls_records_again(monkeypatch):
    def scenario(compile):
        v = autograd.Value(2.0)
        step, _ = scaled_step(lambda out: out * v.data)

        def change(i):
            if i == 3:
                v.data = 5.0
            v.grad += 1.0  # its own graph's: no setting of the step's

        return run_changing(compile(step), change, after=0, once=False)

    check_replayed(scenario, monkeypatch, replays_at_least=2)
