"""gradcheck of an op whose inputs include integers (labels, indices), bools (a mask) or a Tensor that does
not require grad (a target): they reach f as they are, as constants, as PyTorch's gradcheck passes what
does not require grad. They were cast to float64 and checked, so `gradcheck(nll, [logits, labels])` failed
inside numpy's indexing, and a target's rule giving None was blamed."""

import numpy as np
import pytest

from autograd import GradcheckError, Op, Tensor, gradcheck

LOGITS = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
LABELS = np.array([0, 2])


def _nll(sign: float) -> Op:
    """-sum of each row's entry at its label; its rule right for sign -1, of the wrong sign for +1."""

    def vjp(g, out, logits, labels):
        at = np.zeros(np.shape(logits))
        at[np.arange(len(labels)), labels] = sign
        return (g * at, None)

    return Op("nll", lambda logits, labels: -logits[np.arange(len(labels)), labels].sum(), vjp)


@pytest.mark.parametrize("labels", [LABELS, Tensor(LABELS)], ids=["array", "Tensor"])
def test_integer_labels_are_passed_to_f_as_they_are_and_only_the_floats_are_checked(labels):
    seen = []
    nll = _nll(-1.0)
    assert gradcheck(lambda x, y: seen.append(y) or nll(x, y), [LOGITS, labels])
    assert all(y.dtype == np.int64 and not y.requires_grad and y.data.tolist() == [0, 2] for y in seen)
    with pytest.raises(GradcheckError, match=r"2 of 6 gradients disagree") as caught:
        gradcheck(_nll(1.0), [LOGITS, labels])
    assert "\ninput 1[" not in str(caught.value)  # no row for the labels
    assert "input 0[1, 2]  6         1         -1" in str(caught.value)


def test_a_bool_mask_is_a_constant_and_the_float_input_is_checked():
    assert gradcheck(lambda a, m: (a * m).sum(), [np.array([1.0, 2.0]), np.array([True, False])])
    wrong = Op("masked", lambda a, m: a * m, lambda g, out, a, m: (g, None))  # forgets the mask
    with pytest.raises(GradcheckError, match=r"1 of 2 gradients disagree"):
        gradcheck(wrong, [np.array([1.0, 2.0]), np.array([True, False])])


@pytest.mark.parametrize("x", [np.array([1, 2]), Tensor(np.array([1.0, 2.0]))], ids=["integers", "no grad"])
def test_constant_inputs_alone_are_refused_as_a_check_of_nothing(x):
    with pytest.raises(ValueError, match=r"every input is a constant .*np.array\(\[1.0, 2.0\]\)"):
        gradcheck(lambda x: (x * x).sum(), [x])


def test_a_target_that_does_not_require_grad_is_a_constant_and_its_rules_none_passes():
    mse = Op("mse", lambda p, t: ((p - t) ** 2).mean(), lambda g, out, p, t: (g * 2 * (p - t) / np.size(p), None))
    prediction, target = np.array([0.5, 1.0]), np.array([0.0, 2.0])
    seen = []
    assert gradcheck(lambda p, t: seen.append(t) or mse(p, t), [prediction, Tensor(target)])
    assert all(t.data.tolist() == [0.0, 2.0] and not t.requires_grad for t in seen)
    # a target that requires grad is checked: the rule's None for it fails its rows
    with pytest.raises(GradcheckError, match=r"2 of 4 gradients disagree[\s\S]*input 1\[1\]  2         0         1 "):
        gradcheck(mse, [prediction, Tensor(target, requires_grad=True)])


def test_a_forward_that_writes_into_its_labels_is_refused():
    def forward(logits, labels):
        labels[0] = 1
        return -logits[np.arange(len(labels)), labels].sum()

    with pytest.raises(ValueError, match=r"forward of op 'nll' wrote into an input"):
        gradcheck(Op("nll", forward, _nll(-1.0).vjp), [LOGITS, LABELS])
    with pytest.raises(GradcheckError, match=r"changed input 1 in place \(array\(\[0, 2\]\) became array\(\[1, 2\]\)"):
        gradcheck(lambda logits, labels: forward(logits, labels.data), [LOGITS, LABELS])  # no op's write


def test_a_failed_checks_table_names_the_inputs_it_did_not_check():
    """A Tensor without requires_grad was checked before constants were passed as they are: a failing
    table now says which inputs it has no rows for, and how to check one."""
    mul = Op("mul", lambda a, b, m: a * b * m, lambda g, out, a, b, m: (2 * g * b * m, g * a * m, None))
    with pytest.raises(GradcheckError) as caught:
        gradcheck(
            lambda a, b, m, labels: mul(a, b, m),
            [np.array([1.0, 2.0]), Tensor([3.0, 4.0]), np.array([True, True]), LABELS],
        )
    assert str(caught.value).endswith(
        "\ninput 1: not checked, passed to f as it is (a Tensor that does not require grad; requires_grad=True "
        "checks it)\ninput 2: not checked, passed to f as it is (bools)"
        "\ninput 3: not checked, passed to f as it is (integers)"
    )
