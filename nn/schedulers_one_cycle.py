"""`OneCycleLR`, torch.optim.lr_scheduler's 1cycle policy (Smith's super-convergence), stepped once per
batch: the lr climbs from max_lr / div_factor to max_lr over pct_start of total_steps, then anneals down to
that start / final_div_factor (three_phase: back to the start first, then down), while the momentum (SGD's
and RMSprop's `momentum`, the Adam family's beta1) moves the other way between max_momentum and
base_momentum. It sets the lr outright from its own numbers, as PyTorch's (so it refuses to step beside
another scheduler), and a step past total_steps is refused, as PyTorch's (the step to total_steps itself,
after the last batch, is taken: its lr, below 0 where "linear" runs on past its end, is 0 here)."""

from __future__ import annotations

import math

from .arguments import check_choice, check_flag, check_number
from .optim_base import Optimizer
from .schedulers_base import _count
from .schedulers_cycles import MomentumCycle, check_momentum, numbers_per_group
from .schedulers_groups import over_lanes, start_lanes

STRATEGIES = ("cos", "linear")


class OneCycleLR(MomentumCycle):
    """lr and momentum of step `epoch` along the phases PyTorch's computes, each annealed from its start
    to its end value ("cos": half a cosine; "linear": a line) by the fraction of the phase done."""

    setting_names = (
        "max_lr", "total_steps", "pct_start", "cycle_momentum", "base_momentum", "max_momentum", "div_factor",
        "final_div_factor", "three_phase", "anneal_strategy",
    )  # fmt: skip
    choices = {"anneal_strategy": STRATEGIES}  # a setting of text: nn.save writes its place among these
    sets_outright = True
    # PyTorch's numbers of one per param group, and those made of them: kept in a lane per group
    per_group = ("max_lr", "initial_lr", "min_lr", "base_momentum", "max_momentum")

    def __init__(
        self,
        optimizer: Optimizer,
        max_lr: float | list[float],
        total_steps: int | None = None,
        epochs: int | None = None,
        steps_per_epoch: int | None = None,
        pct_start: float = 0.3,
        anneal_strategy: str = "cos",
        cycle_momentum: bool = True,
        base_momentum: float | list[float] = 0.85,
        max_momentum: float | list[float] = 0.95,
        div_factor: float = 25.0,
        final_div_factor: float = 1e4,
        three_phase: bool = False,
        last_epoch: int = -1,
    ) -> None:
        self.steps_per_epoch = None  # given (with epochs, not total_steps): a cycle of batches, which fit refuses
        if total_steps is not None:
            self.total_steps = _count(self, "total_steps", total_steps, whole_floats=False)
        elif epochs is not None and steps_per_epoch is not None:
            self.steps_per_epoch = _count(self, "steps_per_epoch", steps_per_epoch, whole_floats=False)
            self.total_steps = _count(self, "epochs", epochs, whole_floats=False) * self.steps_per_epoch
        else:
            raise ValueError(
                "OneCycleLR: give total_steps, or epochs and steps_per_epoch (total_steps is their product)"
            )
        self.pct_start = check_number("OneCycleLR", "pct_start", pct_start, "in [0, 1]", lambda p: 0 <= p <= 1)
        self.anneal_strategy = check_choice("OneCycleLR", "anneal_strategy", anneal_strategy, STRATEGIES)
        self.three_phase = check_flag("OneCycleLR", "three_phase", three_phase)
        maxes = numbers_per_group(  # one per param group (PyTorch's list), or one for all
            "OneCycleLR", "max_lr", max_lr, "a finite number >= 0", lambda x: 0 <= x < math.inf, optimizer
        )
        positive = "a finite number > 0"
        self.div_factor = check_number("OneCycleLR", "div_factor", div_factor, positive, lambda x: 0 < x < math.inf)
        self.final_div_factor = check_number(
            "OneCycleLR", "final_div_factor", final_div_factor, positive, lambda x: 0 < x < math.inf
        )
        momenta = self.take_momentum(optimizer, cycle_momentum, base_momentum, max_momentum)
        initials = [m / self.div_factor for m in maxes]  # PyTorch's numbers, each computed as its are
        mins = [i / self.final_div_factor for i in initials]
        start_lanes(self, optimizer, max_lr=maxes, initial_lr=initials, min_lr=mins, **momenta)  # per param group
        super().__init__(optimizer, last_epoch)

        def start(_: int) -> None:
            self.base_lr = optimizer.initial_lr = self.initial_lr  # PyTorch's sets the group's initial_lr so too

        over_lanes(optimizer, self, start)

    def _phases(self) -> list[tuple[float, str, str, str, str]]:
        """PyTorch's phases: (the step each ends at, the lr it starts and ends at, the momentum likewise)."""
        up, total = float(self.pct_start * self.total_steps) - 1, self.total_steps - 1
        if self.three_phase:
            return [
                (up, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
                (
                    float(2 * self.pct_start * self.total_steps) - 2,
                    "max_lr",
                    "initial_lr",
                    "base_momentum",
                    "max_momentum",
                ),
                (total, "initial_lr", "min_lr", "max_momentum", "max_momentum"),
            ]
        return [
            (up, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
            (total, "max_lr", "min_lr", "base_momentum", "max_momentum"),
        ]

    def lr_and_momentum(self, epoch: int) -> tuple[float, float]:
        """Step `epoch`'s lr and momentum; ValueError past total_steps, or in a phase of no steps (PyTorch's
        divides by 0 there)."""
        if epoch > self.total_steps:
            raise ValueError(
                f"OneCycleLR: step {epoch} is past total_steps={self.total_steps}, where the cycle ends (PyTorch's "
                "refuses it too): make the scheduler with the number of batches the training steps"
            )
        phases, start = self._phases(), 0.0
        phase = phases[-1]  # the last phase takes every later step
        for candidate in phases[:-1]:
            if epoch <= candidate[0]:
                phase = candidate
                break
            start = candidate[0]
        end, *names = phase
        if end == start:
            raise ValueError(
                f"OneCycleLR: step {epoch} falls in a phase of no steps (pct_start={self.pct_start} of "
                f"total_steps={self.total_steps}), where PyTorch's divides by 0: give another pct_start"
            )
        done = (epoch - start) / (end - start)
        lr_from, lr_to, momentum_from, momentum_to = (getattr(self, name) for name in names)
        return self._anneal(lr_from, lr_to, done), self._anneal(momentum_from, momentum_to, done)

    def _anneal(self, start: float, end: float, done: float) -> float:
        if self.anneal_strategy == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * done) + 1)
        return (end - start) * done + start

    def schedule(self, epoch: int, base_lr: float) -> tuple[float, float]:
        lr = self.lr_and_momentum(epoch)[0]  # from its own numbers, whatever the base, as PyTorch's
        self.check_momentum_at(epoch)  # before anything changes (_set sets it)
        if epoch == self.total_steps and lr < 0:
            # the step after the cycle's last (PyTorch's allows it, and a loop stepping once a batch reaches it):
            # "linear" goes on past min_lr there, below 0 (-2.9e-4 for max_lr 0.01 over 50 steps), an lr PyTorch's
            # sets and its optimizers, which check the lr only when made, step up the gradient with; 0 here, the
            # nearest an optimizer takes
            lr = 0.0
        return (lr / self.initial_lr if self.initial_lr else 0.0), lr

    def _momentum(self, epoch: int) -> float:
        """Step `epoch`'s momentum, PyTorch's, but at the step to total_steps where the optimizer refuses it:
        "linear" runs on past max_momentum there too (Adam's beta1 to 1.01 for max_momentum 0.99 over 10 steps),
        which PyTorch's sets; the cycle's end, max_momentum, here (checked when made)."""
        momentum = self.lr_and_momentum(epoch)[1]
        if epoch == self.total_steps and self._momentum_name is not None:
            try:
                check_momentum("OneCycleLR", self.optimizer, self._momentum_name, (momentum,))
            except ValueError:
                return self.max_momentum
        return momentum
