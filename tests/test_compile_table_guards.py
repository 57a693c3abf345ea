"""The guards a compiled step keeps of the large tables its names hold (compile_containers.Items: a copy compared in
C). A table of lists was copied by a Python pass over every number, on each of a recording's replayed spans (a
draw, an optimizer's step): a step with 40 of them that appended to a global `[list(range(300_000))]` took 1.23 s
of CPU to record once (9.8 s for a longer step), and the warning's preview wrote out the inner list whole before cutting
it to 60 characters. A table of a dict or list subclass (a `defaultdict(list)`) was not copied at all, so a list it
held changed in place by the caller was never seen: the replays went on with the recorded number."""

import collections

import numpy as np
import pytest
from compile_faithful_cases import check_replayed
from cpu_time import cpu_seconds_at_most

import autograd
import nn
from autograd import Tensor

HISTORY = [list(range(300_000))]


def test_a_step_appending_to_a_large_nested_list_is_refused_quickly():
    w = Tensor(np.ones(3), requires_grad=True)
    opt = nn.SGD([w], lr=0.1)

    def step(x):
        for _ in range(40):  # each a span of code a replay runs again: the table compared around each
            opt.zero_grad()
        loss = (Tensor(x) * w).sum()
        loss.backward()
        HISTORY[0].append(1)
        return loss.item()

    run = autograd.compile(step)
    with cpu_seconds_at_most(0.5), pytest.warns(autograd.CompileWarning) as seen:  # 1.23 s before, 0.06 s now
        run(np.ones(3))
    message = str(seen[0].message)
    assert "the step changed `HISTORY` in place (a list: 1 item, [0, 1, 2, 3, 4, 5, ...];" in message
    del HISTORY[0][300_000:]


SUBCLASSED = {
    "defaultdict": collections.defaultdict(list, {i: [float(i)] for i in range(40)}),
    "OrderedDict": collections.OrderedDict((i, [float(i)]) for i in range(40)),
    "list subclass": type("Rows", (list,), {})([float(i)] for i in range(40)),
}


@pytest.mark.parametrize("kind", SUBCLASSED)
def test_a_table_of_a_subclass_changed_in_place_records_again(kind, monkeypatch):
    table = SUBCLASSED[kind]

    def scenario(compile):
        table[5][0] = 5.0
        w = Tensor(np.ones(3), requires_grad=True)

        def step(x):
            loss = (Tensor(x) * w * table[5][0]).sum()
            loss.backward()
            return loss.item()

        run = compile(step)
        out = []
        for i in range(5):
            out.append(run(np.ones(3)))
            if i >= 2:  # after the two recordings and a replay
                table[5][0] += 1.0
        return out

    check_replayed(scenario, monkeypatch)
