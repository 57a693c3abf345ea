"""The numpy dtype kinds chainrule's data and gradients come in: the rule written once."""

DATA_KINDS = "biuf"  # what a Tensor holds: bools, integers, floats (real numbers; no complex, text or objects)
REAL_KINDS = "iuf"  # what a gradient may come in (a rule's, a seed, an assigned .grad) and gradcheck reads: no bools
