"""gradcheck for property tests: a drawn point where finite differences cannot judge the rules
(GradcheckError.undecided: f's rounding or its bending within eps swamps the difference, as at a std of
two near-equal numbers squared, or f has a kink or a jump there) tells nothing of them, and hypothesis
rejects it; a wrong rule fails."""

from typing import Any

from hypothesis import reject

from autograd import GradcheckError, gradcheck


def judged_gradcheck(f: Any, inputs: Any, **options: Any) -> bool:
    """gradcheck(f, inputs, **options), a point it cannot judge rejected."""
    try:
        return gradcheck(f, inputs, **options)
    except GradcheckError as e:
        if e.undecided:
            reject()
        raise
