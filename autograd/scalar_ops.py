"""The scalar engine's ops: the op table's entries on floats (`math`), for Value.

Built from `op_table`; only what is particular to scalars is written here: `x ** 2` and
`2 ** x` as ops of their own, so that the constant's derivative is never formed (the base's is
infinite at `0 ** 0.5`).
"""

from __future__ import annotations

from .op import Op, engine_ops
from .op_table import _ENGINES, BY_NAME, ELEMENTWISE

# an op with parameters runs with their defaults unless a call gives its own (Op.bind)
OPS: dict[str, Op] = {
    d.name: Op(d.symbol or d.name, d.with_defaults(d.scalar), d.with_defaults(d.vjp), d.domain, formulas=d.formulas)
    for d in ELEMENTWISE
}
for d in ELEMENTWISE:
    OPS[d.name].no_derivative = d.no_derivative  # refused when applied (Op.refuse)
_ENGINES["scalar"].update(OPS)

_power = BY_NAME["power"]
# `x ** 2`: the exponent is a constant, so no gradient flows to it (and a negative base is fine)
power_const = Op(
    "**", _power.scalar, lambda g, out, a, c: _power.vjp(g, out, a, c, (True, False)), formulas=_power.formulas[:1]
)
# `2 ** x`: the base is a constant
power_base_const = Op(
    "**", _power.scalar, lambda g, out, c, b: _power.vjp(g, out, c, b, (False, True)), formulas=_power.formulas
)
OPS.update(power_const=power_const, power_base_const=power_base_const)
engine_ops(*OPS.values())
globals().update(OPS)  # scalar_ops.exp, scalar_ops.add, ...: every op by its table name
