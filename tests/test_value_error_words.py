"""A Value op's error in a reader's words: an overflow is not "undefined", and a negative base is not
read as a negated power."""

import pytest

from autograd import Value


@pytest.mark.parametrize(
    "op", [lambda: Value(1000.0).exp(), lambda: Value(1000.0).sinh(), lambda: Value(1000.0).cosh()]
)
def test_an_overflow_says_overflows_not_undefined(op):
    with pytest.raises(OverflowError, match=r"\(1000.0\) overflows: the result is too large for a float$"):
        op()


def test_a_negative_base_is_written_in_parentheses():
    with pytest.raises(ValueError, match=r"^\(-1.0\) \*\* 0.5 is undefined"):
        Value(-1.0) ** 0.5
    with pytest.raises(OverflowError, match=r"^10.0 \*\* 400.0 overflows"):  # a positive base as it was
        Value(10.0) ** 400
