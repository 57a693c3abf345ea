"""`CosineAnnealingWarmRestarts`, torch.optim.lr_scheduler's SGDR: a half cosine from base_lr down to eta_min
over T_i epochs, then again from base_lr, T_i growing T_mult times at each restart. It sets the lr outright from
its base, as PyTorch's does (so, as a LambdaLR, it refuses to step beside another scheduler). As PyTorch's docs
step it, `step(epoch)` takes an epoch with a fraction (`step(epoch + i / iters)`, once a batch): the schedule
then stands at that point (`epoch_fraction` past `last_epoch`), and each `step()` after it goes on a whole epoch
from there, as PyTorch's; the fraction is part of its state (state_dict, nn.save)."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from autograd import replayed

from .arguments import check_number, is_int
from .optim_base import Optimizer
from .schedulers_base import EPOCH_MOST, LRScheduler, _at_least_zero, _count
from .schedulers_groups import lane, over_lanes

FRACTION = "epoch_fraction"  # its state's key, beside LRScheduler's


class CosineAnnealingWarmRestarts(LRScheduler):
    """lr = eta_min + (base_lr - eta_min) (1 + cos(pi T_cur / T_i)) / 2: CosineAnnealingLR's half cosine over
    T_i epochs, T_cur counting from the last restart, then again from base_lr; T_i is T_0 and grows T_mult
    times at each restart (SGDR). It sets the lr outright, as PyTorch's."""

    setting_names = ("T_0", "T_mult", "eta_min")
    sets_outright = True  # PyTorch's sets eta_min + (base_lr - eta_min) * ..., whatever other schedulers did

    def __init__(
        self, optimizer: Optimizer, T_0: int, T_mult: int = 1, eta_min: float = 0.0, last_epoch: int = -1
    ) -> None:
        self.T_0 = _count(self, "T_0", T_0, whole_floats=False)
        self.T_mult = _count(self, "T_mult", T_mult, whole_floats=False)
        self.eta_min = _at_least_zero(self, "eta_min", eta_min)
        self.epoch_fraction = 0.0  # where step(epoch) left the schedule past last_epoch, in [0, 1)
        super().__init__(optimizer, last_epoch)

    def cycle(self, epoch: float) -> tuple[float, int]:
        """(T_cur, T_i) at `epoch` (a fraction too): the epochs since the last restart, and that cycle's length."""
        if self.T_mult == 1:
            return epoch % self.T_0, self.T_0
        length = self.T_0
        while epoch >= length:  # at most 63 cycles to an epoch of 2**63 (T_mult >= 2)
            epoch, length = epoch - length, length * self.T_mult
        return epoch, length

    def _position(self, epoch: int) -> float:
        """Where the schedule stands after `epoch` steps: that epoch and the fraction a step(epoch) left."""
        return epoch + self.epoch_fraction if self.epoch_fraction else epoch

    @property
    def T_cur(self) -> float:
        """PyTorch's attribute: the epochs since the last restart."""
        return self.cycle(self._position(self.last_epoch))[0]

    @property
    def T_i(self) -> int:
        """PyTorch's attribute: the length of the current cycle."""
        return self.cycle(self._position(self.last_epoch))[1]

    def factor_at(self, epoch: int) -> float:
        done, length = self.cycle(self._position(epoch))
        return (1 + math.cos(math.pi * done / length)) / 2

    def schedule(self, epoch: int, base_lr: float) -> tuple[float, float]:
        factor = self._number(epoch, self.factor_at(epoch))
        return factor, self.eta_min + (base_lr - self.eta_min) * factor

    @replayed  # autograd.compile: a step that steps its scheduler does so on each replay too
    def step(self, epoch: float | None = None) -> None:
        """One epoch done; or, given `epoch` (a number >= 0, a fraction too), the schedule put at that epoch, as
        PyTorch's step(epoch). ValueError, changing nothing, where the lr there is refused (another scheduler)."""
        if epoch is None:
            return super().step()
        name = type(self).__name__
        # below 2**63: its last_epoch is what nn.save writes as an int64 (EPOCH_MOST) and load_state_dict takes
        wanted = "a finite number >= 0 and below 2**63 (what a checkpoint's int64 last_epoch holds)"
        # an int kept exact (a float holds integers to 2**53 only), a float compared with the bound exactly
        at = check_number(name, "epoch", epoch, wanted, lambda e: 0 <= e < EPOCH_MOST + 1, integer=is_int(epoch))
        if not any(self is s for s in self.optimizer.schedulers):
            raise ValueError(f"{name}.step(epoch): this scheduler is run by a SequentialLR, which steps it")
        whole = math.floor(at)
        self._with_fraction(float(at - whole), lambda: self._jump(whole))
        return None

    def _jump(self, epoch: int) -> None:
        """Set the schedule at `epoch` (epoch_fraction set): checked as a step is (in every param group), then set."""
        plans = over_lanes(self.optimizer, self, lambda k: self._planned(epoch, self.base_lr))
        self.last_epoch = epoch
        for k, (factor, lr) in enumerate(plans):
            with lane(self.optimizer, k, self):
                self._set(factor, lr)

    def state_dict(self) -> dict[str, Any]:
        """LRScheduler's, and the fraction of an epoch a step(epoch) left (0.0 without one)."""
        return {**super().state_dict(), FRACTION: self.epoch_fraction}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        fraction, rest = _fraction(self, state)
        self._with_fraction(fraction, lambda: super(CosineAnnealingWarmRestarts, self).load_state_dict(rest))

    def resumer(self, state: Mapping[str, Any], lr: float) -> Callable[[], None]:
        fraction, rest = _fraction(self, state)
        kept = self.epoch_fraction
        self.epoch_fraction = fraction  # the resumed epoch's lr computed (and checked) at it
        try:
            resume = super().resumer(rest, lr)
        finally:
            self.epoch_fraction = kept

        def resume_at_fraction() -> None:
            self.epoch_fraction = fraction
            resume()

        return resume_at_fraction

    def _with_fraction(self, fraction: float, change: Callable[[], object]) -> None:
        """`change()` with epoch_fraction `fraction`; where it raises, the fraction as it was."""
        kept, self.epoch_fraction = self.epoch_fraction, fraction
        try:
            change()
        except Exception:
            self.epoch_fraction = kept
            raise


def _fraction(owner: LRScheduler, state: Any) -> tuple[float, Any]:
    """A state's epoch_fraction (0.0 in one saved before it was written: none was taken), checked to be in
    [0, 1), and the state without it (LRScheduler's checks the rest)."""
    if not isinstance(state, Mapping) or FRACTION not in state:
        return 0.0, state
    fraction = state[FRACTION]
    name = type(owner).__name__
    check_number(f"{name}.load_state_dict", FRACTION, fraction, "a number in [0, 1)", lambda f: 0 <= f < 1)
    return float(fraction), {k: v for k, v in state.items() if k != FRACTION}
