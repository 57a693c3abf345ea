"""`CyclicLR`, torch.optim.lr_scheduler's cyclical learning rate (Smith's CLR), stepped once a batch: the lr goes
in a line from base_lr up to max_lr over step_size_up steps and back down over step_size_down, again and again,
the height of each cycle scaled by `mode` ("triangular": whole; "triangular2": halved each cycle; "exp_range":
gamma ** step) or by the caller's `scale_fn` (of the cycle, or of the step with scale_mode="iterations"), while
the momentum (SGD's and RMSprop's `momentum`, the Adam family's beta1) moves the other way between max_momentum
and base_momentum. It sets the lr outright from its own numbers, as PyTorch's (so it refuses to step beside
another scheduler). A scale_fn is a function, which nn.save does not write (PyTorch's state_dict keeps none
either): a resumed run's CyclicLR is made with it again, then loaded, as a LambdaLR; whether there was one is
written, and nn.load refuses a CyclicLR made otherwise."""

from __future__ import annotations

import math
from collections.abc import Callable

from autograd import repr_of

from .arguments import check_at_least_zero, check_choice, one_number
from .optim_base import Optimizer
from .schedulers_base import _count
from .schedulers_cycles import MomentumCycle, numbers_per_group
from .schedulers_groups import over_lanes, start_lanes
from .schedulers_more import check_epochs

MODES = ("triangular", "triangular2", "exp_range")
SCALE_MODES = ("cycle", "iterations")


class CyclicLR(MomentumCycle):
    """lr = base_lr + (max_lr - base_lr) * height * scale, the height going 0 to 1 over step_size_up steps and
    back over step_size_down, as PyTorch computes it, step by step."""

    setting_names = (
        "cycle_base_lr", "max_lr", "step_size_up", "step_size_down", "gamma", "cycle_momentum", "base_momentum",
        "max_momentum", "scale_fn_given", "mode", "scale_mode",
    )  # fmt: skip
    # a file holds no function, but whether the saved run had a scale_fn (checked before the mode and scale_mode
    # it decides): nn.load's fix for one made otherwise
    setting_advice = {
        "scale_fn_given": {
            True: "make the CyclicLR with a scale_fn (the saved run's)",
            False: "make the CyclicLR without a scale_fn",
        }
    }
    choices = {"mode": MODES, "scale_mode": SCALE_MODES}  # settings of text: nn.save writes their place
    sets_outright = True
    per_group = ("cycle_base_lr", "max_lr", "base_momentum", "max_momentum")  # PyTorch's lists: a lane per group

    def __init__(
        self,
        optimizer: Optimizer,
        base_lr: float | list[float],
        max_lr: float | list[float],
        step_size_up: int = 2000,
        step_size_down: int | None = None,
        mode: str = "triangular",
        gamma: float = 1.0,
        scale_fn: Callable[[float], float] | None = None,
        scale_mode: str = "cycle",
        cycle_momentum: bool = True,
        base_momentum: float | list[float] = 0.8,
        max_momentum: float | list[float] = 0.9,
        last_epoch: int = -1,
    ) -> None:
        lr = "a finite number >= 0"  # base_lr and max_lr: one per param group (PyTorch's lists), or one for all
        bases = numbers_per_group("CyclicLR", "base_lr", base_lr, lr, lambda x: 0 <= x < math.inf, optimizer)
        tops = numbers_per_group("CyclicLR", "max_lr", max_lr, lr, lambda x: 0 <= x < math.inf, optimizer)
        self.step_size_up = _count(self, "step_size_up", step_size_up)
        # 0 as PyTorch's: a sawtooth, straight back down to base_lr after the way up (which takes a step or more)
        self.step_size_down = (
            self.step_size_up if step_size_down is None else check_epochs(self, "step_size_down", step_size_down)
        )
        # PyTorch's mode is ignored where a scale_fn is given; one of its names is asked for all the same
        self.mode = check_choice("CyclicLR", "mode", mode, MODES)
        self.gamma = check_at_least_zero("CyclicLR", "gamma", gamma)
        if scale_fn is not None and not callable(scale_fn):
            raise TypeError(f"CyclicLR: scale_fn must be a function of the cycle (or step), got {repr_of(scale_fn)}")
        self.given_scale_fn = scale_fn  # PyTorch names its method scale_fn
        self.scale_fn_given = scale_fn is not None
        given_mode = check_choice("CyclicLR", "scale_mode", scale_mode, SCALE_MODES)
        # as PyTorch's: a mode's own scale reads the cycle ("exp_range": the step), whatever scale_mode says
        self.scale_mode = given_mode if scale_fn is not None else "iterations" if mode == "exp_range" else "cycle"
        momenta = self.take_momentum(optimizer, cycle_momentum, base_momentum, max_momentum)
        start_lanes(self, optimizer, cycle_base_lr=bases, max_lr=tops, **momenta)  # a lane per param group
        # per group: no scheduler made on the optimizer before it
        first = over_lanes(optimizer, self, lambda k: getattr(optimizer, "initial_lr", None) is None)
        super().__init__(optimizer, last_epoch)

        def start(k: int) -> None:
            self.base_lr = self.cycle_base_lr
            if first[k]:  # PyTorch's sets the group's lr to base_lr, then its initial_lr where none was set
                optimizer.initial_lr = self.cycle_base_lr  # (setdefault): the schedulers made before keep theirs

        over_lanes(optimizer, self, start)

    def height_and_scale(self, epoch: int) -> tuple[float, float]:
        """Step `epoch`'s place in its cycle (0 at base_lr, 1 at max_lr) and the cycle's scale, PyTorch's numbers."""
        total = float(self.step_size_up + self.step_size_down)
        ratio = self.step_size_up / total
        cycle = math.floor(1 + epoch / total)
        x = 1.0 + epoch / total - cycle
        height = x / ratio if x <= ratio else (x - 1) / (ratio - 1)
        at = cycle if self.scale_mode == "cycle" else epoch
        if self.given_scale_fn is not None:
            given = self.given_scale_fn(at)
            scale = one_number(given)
            if scale is None or not math.isfinite(scale):
                raise (TypeError if scale is None else ValueError)(
                    f"CyclicLR: scale_fn({at}) gave {given!r}; it must give a finite number"
                )
        elif self.mode == "triangular":
            scale = 1.0
        elif self.mode == "triangular2":
            scale = 1 / (2.0 ** (cycle - 1))
        else:
            scale = self.gamma**epoch
        return height, scale

    def schedule(self, epoch: int, base_lr: float) -> tuple[float, float]:
        height, scale = self.height_and_scale(epoch)  # from its own numbers, whatever the base, as PyTorch's
        lr = self.cycle_base_lr + (self.max_lr - self.cycle_base_lr) * height * scale
        self.check_momentum_at(epoch)  # before anything changes (_set sets it)
        return (lr / self.cycle_base_lr if self.cycle_base_lr else 0.0), lr

    def _momentum(self, epoch: int) -> float:
        height, scale = self.height_and_scale(epoch)
        return self.max_momentum - (self.max_momentum - self.base_momentum) * height * scale
