"""fit's History.lr keeps one type through a fit whose optimizer gains a param group mid-way (a callback unfreezing
layers with add_param_group, as fine-tuning does): it was [0.1, [0.1, 0.01], [0.1, 0.01]], a float then lists, which
a plot or a zip over it misreads. Once the optimizer has several groups, every epoch's entry is a list of each group's
lr, the epochs before it a list of their one group's."""

import numpy as np

import nn


def test_history_lr_stays_one_type_when_a_callback_adds_a_group():
    rng = np.random.default_rng(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    ps = list(model.parameters())
    opt = nn.SGD(ps[:2], lr=0.1)

    def unfreeze(epoch, model, history):
        if epoch == 1:  # after the first epoch
            opt.add_param_group({"params": ps[2:], "lr": 0.01})

    x, y = rng.standard_normal((8, 3)), rng.integers(0, 2, 8)
    history = nn.fit(
        model, nn.CrossEntropyLoss(), opt, (x, y), epochs=3, batch_size=8, verbose=False, callbacks=[unfreeze]
    )
    assert history.lr == [[0.1], [0.1, 0.01], [0.1, 0.01]]


def test_history_lr_of_one_group_throughout_is_floats():
    rng = np.random.default_rng(0)
    model = nn.Linear(3, 2)
    x, y = rng.standard_normal((8, 3)), rng.integers(0, 2, 8)
    history = nn.fit(model, nn.CrossEntropyLoss(), nn.SGD(model.parameters(), lr=0.1), (x, y), epochs=2, verbose=False)
    assert history.lr == [0.1, 0.1] and all(type(lr) is float for lr in history.lr)
