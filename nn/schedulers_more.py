"""More of torch.optim.lr_scheduler's schedules, built as nn.schedulers' are (a closed form of the epoch, chained as
PyTorch's: each class's `sets_outright` says whether its lr is a factor of the chain's or set outright)."""

from __future__ import annotations

import bisect
import math
import warnings
from collections.abc import Callable, Iterable

from autograd import repr_of, type_name

from .arguments import as_sequence, check_number, one_number
from .optim_base import Optimizer
from .schedulers_base import LRScheduler, _at_least_zero, _count
from .schedulers_groups import per_group, start_lanes


class MultiStepLR(LRScheduler):
    """lr = base_lr * gamma ** (how many milestones the epoch has reached): multiplied by gamma at each
    milestone (twice at one listed twice, as PyTorch's)."""

    setting_names = ("milestones", "gamma")

    def __init__(
        self, optimizer: Optimizer, milestones: Iterable[int], gamma: float = 0.1, last_epoch: int = -1
    ) -> None:
        given = as_sequence("MultiStepLR", "milestones", milestones, "a list of epochs", ordered=False)  # sorted
        # PyTorch's never reaches a milestone below 0 stepping, though its closed form counts it: refused here
        self.milestones = sorted(check_epochs(self, "milestones", m) for m in given)
        self.gamma = _at_least_zero(self, "gamma", gamma)
        super().__init__(optimizer, last_epoch)

    def factor_at(self, epoch: int) -> float:
        return self.gamma ** bisect.bisect_right(self.milestones, epoch)


class MultiplicativeLR(LRScheduler):
    """lr = base_lr * lr_lambda(1) * ... * lr_lambda(epoch): multiplied by lr_lambda(epoch) at each step, as
    PyTorch's, a factor that chains with the others'. lr_lambda is called once per epoch (its products kept), so
    that a function with a state of its own is asked as PyTorch asks it; it is a function, which nn.save does not
    write (PyTorch's state_dict keeps none either): a resumed run's is made with it again, then loaded, as a
    LambdaLR (its products up to the loaded epoch asked of it anew)."""

    setting_names = ()  # lr_lambda is a function, which no file can hold nor compare: not checked on load
    # PyTorch's has no closed form: after a SequentialLR's milestone it multiplies the lr the schedule before it
    # left by lr_lambda(0), an lr of neither schedule, which SequentialLR refuses
    starts_afresh = False

    per_group = ("lr_lambda", "_products")

    def __init__(self, optimizer: Optimizer, lr_lambda: Callable[[int], float], last_epoch: int = -1) -> None:
        lambdas = per_group("MultiplicativeLR", "lr_lambda", lr_lambda, optimizer)  # PyTorch's list: one per group
        for f in lambdas:
            if not callable(f):
                raise TypeError(f"MultiplicativeLR: lr_lambda must be a function of the epoch, got {repr_of(f)}")
        # the factor of each epoch asked so far, per group
        start_lanes(self, optimizer, lr_lambda=lambdas, _products=[[1.0] for _ in lambdas])
        super().__init__(optimizer, last_epoch)

    def factor_at(self, epoch: int) -> float:
        while len(self._products) <= epoch:
            k = len(self._products)
            given = self.lr_lambda(k)
            factor = one_number(given)  # a 0-d array or tensor too, as PyTorch's multiplies by one
            if factor is None or not math.isfinite(factor):
                raise (TypeError if factor is None else ValueError)(
                    f"MultiplicativeLR: lr_lambda({k}) gave {type_name(given)} {given!r}; it must give a finite number"
                )
            self._products.append(self._products[-1] * factor)
        return self._products[epoch]

    def moves_within(self, epochs: int) -> bool:
        # its factors are lr_lambda's answers, asked at the steps: one asked ahead (for nn.fit) would be kept, and
        # a function of the run (a loss a callback records) would answer from before it. Taken as moving
        return True


class ExponentialLR(LRScheduler):
    """lr = base_lr * gamma ** epoch: multiplied by gamma every epoch."""

    setting_names = ("gamma",)

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        self.gamma = _at_least_zero(self, "gamma", gamma)
        super().__init__(optimizer, last_epoch)

    def factor_at(self, epoch: int) -> float:
        return self.gamma**epoch


class ConstantLR(LRScheduler):
    """lr = base_lr * factor for the first total_iters epochs, then base_lr."""

    setting_names = ("factor", "total_iters")

    def __init__(self, optimizer: Optimizer, factor: float = 1 / 3, total_iters: int = 5, last_epoch: int = -1) -> None:
        self.factor = check_number("ConstantLR", "factor", factor, "in [0, 1]", lambda f: 0 <= f <= 1)
        self.total_iters = check_epochs(self, "total_iters", total_iters)
        warn_if_held(self, self.factor, 1.0)
        super().__init__(optimizer, last_epoch)

    def factor_at(self, epoch: int) -> float:
        # torch 2.13's closed form; its stepping divides by a factor of 0 at total_iters (ZeroDivisionError)
        if self.total_iters == 0:
            return self.factor  # PyTorch's multiplies at epoch 0 and never again (warn_if_held)
        return self.factor if epoch < self.total_iters else 1.0


class PolynomialLR(LRScheduler):
    """lr = base_lr * (1 - epoch / total_iters) ** power, down to 0 at total_iters (a line with power 1)."""

    setting_names = ("total_iters", "power")

    def __init__(self, optimizer: Optimizer, total_iters: int = 5, power: float = 1.0, last_epoch: int = -1) -> None:
        self.total_iters = check_epochs(self, "total_iters", total_iters)
        # PyTorch's takes a power below 0: its lr grows, then divides by zero at total_iters
        self.power = _at_least_zero(self, "power", power)
        warn_if_held(self, 1.0, 0.0 if self.power else 1.0)
        super().__init__(optimizer, last_epoch)

    def factor_at(self, epoch: int) -> float:
        if self.total_iters == 0:
            return 1.0  # PyTorch's never moves the lr (warn_if_held)
        return (1 - min(epoch, self.total_iters) / self.total_iters) ** self.power


def check_epochs(owner: LRScheduler, name: str, value: object) -> int:
    """An epoch count or milestone: an integer >= 0."""
    return _count(owner, name, value, least=0)


def warn_if_held(owner: LRScheduler, held: float, reached: float) -> None:
    """total_iters=0, as torch 2.13 takes it: its schedule multiplies the lr by the factor of epoch 0
    (`held`) and never moves it again, so `reached` (where total_iters would end) never comes. PyTorch's
    numbers are kept (a ported script's lr stays as it was), with a UserWarning where they differ."""
    if owner.total_iters == 0 and held != reached:
        name = type(owner).__name__
        warnings.warn(
            f"{name}(total_iters=0) holds the factor {held} from epoch 0 on, as PyTorch's does (it never reaches "
            f"{reached}); for no {name} phase, leave the scheduler out",
            UserWarning,
            stacklevel=3,
        )
