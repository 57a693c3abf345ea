"""The op table's ops with parameters, called with values other than their defaults: each case is
(the op's name, its parameters, where finite differences are valid with them). The gradchecks
of both engines and the PyTorch differential tests run every case (the defaults are the table's own)."""

from autograd.op_table import ANYWHERE, OFF_KINK, Domain

PARAMETER_CASES = {
    # ψ⁽ⁿ⁾ away from its poles (0, −1, ...), for n >= 2 where finite differences of its derivatives (ψ⁽⁵⁾(0.1) is
    # 1.2e8) can still tell; digamma is n = 0
    "polygamma(n=0)": ("polygamma", {"n": 0}, Domain(lo=0.1)),
    "polygamma(n=2)": ("polygamma", {"n": 2}, Domain(lo=0.5)),
    "polygamma(n=3)": ("polygamma", {"n": 3}, Domain(lo=0.5)),
    "leaky_relu(negative_slope=0.2)": ("leaky_relu", {"negative_slope": 0.2}, OFF_KINK),
    "leaky_relu(negative_slope=-1.5)": ("leaky_relu", {"negative_slope": -1.5}, OFF_KINK),
    "elu(alpha=0.5)": ("elu", {"alpha": 0.5}, OFF_KINK),
    "elu(alpha=2.0)": ("elu", {"alpha": 2.0}, OFF_KINK),
    "celu(alpha=0.5)": ("celu", {"alpha": 0.5}, OFF_KINK),
    "celu(alpha=2.5)": ("celu", {"alpha": 2.5}, OFF_KINK),
    "hardtanh(min_val=-2.0, max_val=0.5)": ("hardtanh", {"min_val": -2.0, "max_val": 0.5}, Domain(avoid=(-2.0, 0.5))),
    "hardtanh(min_val=0.0, max_val=2.0)": ("hardtanh", {"min_val": 0.0, "max_val": 2.0}, Domain(avoid=(0.0, 2.0))),
    "gelu(approximate='tanh')": ("gelu", {"approximate": "tanh"}, ANYWHERE),
    "softplus(beta=2.0)": ("softplus", {"beta": 2.0}, ANYWHERE),
    # x itself above threshold / beta = 1.5 (a jump, as PyTorch's: its finite differences avoid it)
    "softplus(beta=2.0, threshold=3.0)": ("softplus", {"beta": 2.0, "threshold": 3.0}, Domain(avoid=(1.5,))),
    "hardshrink(lambd=1.5)": ("hardshrink", {"lambd": 1.5}, Domain(avoid=(-1.5, 1.5))),
    "hardshrink(lambd=0.0)": ("hardshrink", {"lambd": 0.0}, OFF_KINK),
    "softshrink(lambd=1.5)": ("softshrink", {"lambd": 1.5}, Domain(avoid=(-1.5, 1.5))),
    "softshrink(lambd=0.0)": ("softshrink", {"lambd": 0.0}, OFF_KINK),
    "threshold(threshold=0.5, value=-2.0)": ("threshold", {"threshold": 0.5, "value": -2.0}, Domain(avoid=(0.5,))),
    "threshold(threshold=-1.0, value=3.0)": ("threshold", {"threshold": -1.0, "value": 3.0}, Domain(avoid=(-1.0,))),
    # x clamped to [eps, 1 - eps] first: flat outside, kinks at the bounds (its own inputs beyond [0, 1] too)
    "logit(eps=0.1)": ("logit", {"eps": 0.1}, Domain(lo=-0.5, hi=1.5, avoid=(0.1, 0.9))),
    "logit(eps=0.25)": ("logit", {"eps": 0.25}, Domain(lo=-0.5, hi=1.5, avoid=(0.25, 0.75))),
    # finite inputs are kept as they are whatever the replacements (tests/test_torch_reference_edges.py: the rest)
    "nan_to_num(nan=1.5, posinf=2.0, neginf=-3.0)": (
        "nan_to_num",
        {"nan": 1.5, "posinf": 2.0, "neginf": -3.0},
        ANYWHERE,
    ),
}
