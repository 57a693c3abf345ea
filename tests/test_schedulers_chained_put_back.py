"""A chain of schedulers' step that one of them refuses puts back what the ones before it changed in place, into
the objects themselves: a list a user holds, inside a dict a scheduler of the user's own keeps."""

import pytest
from test_nn_schedulers import optimizer  # an SGD of lr 0.1

from nn.schedulers import ChainedScheduler, MultiplicativeLR, StepLR


class _Logging(StepLR):
    """A StepLR of the user's own that logs each step's epoch into the user's list, held in a dict."""

    def __init__(self, opt, history):
        self.log = {"epochs": history}
        super().__init__(opt, 1, 0.5)

    def step(self, epoch=None):
        super().step(epoch)
        self.log["epochs"].append(self.last_epoch)


def test_a_refused_chained_step_puts_a_users_list_back_in_place():
    """The dict was written back with a copy of the list: the scheduler's log held [1, 2], a copy, and the user's list
    kept the refused step's 3 ([1, 2, 3])."""
    opt, history = optimizer(), []
    logging = _Logging(opt, history)

    def refusing(epoch):
        if epoch == 3:
            raise ValueError("refused at 3")
        return 0.9

    chained = ChainedScheduler([logging, MultiplicativeLR(opt, refusing)])
    chained.step()
    chained.step()
    with pytest.raises(ValueError, match="refused at 3"):
        chained.step()
    assert logging.log["epochs"] is history and history == [1, 2]
