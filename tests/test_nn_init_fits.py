"""nn.init's numbers follow autograd's one rule of what a dtype holds (dtype_fits, as `full` and `fill_`): constant_
wrapped 300.5 into int8 as 44 and refused NaN and infinity in a float tensor, which hold them; uniform_'s bounds
beyond float16 were refused or not by the luck of the draw (torch: "from is out of bounds for c10::Half")."""

import numpy as np
import pytest

from autograd import Tensor
from nn import init


@pytest.mark.parametrize(
    ("dtype", "val", "match"),
    [
        (np.int8, 300.5, r"300\.5 does not fit int8, which holds -128 to 127"),
        (np.int8, -129, r"-129 does not fit int8"),
        (np.uint8, -0.5, r"-0\.5 does not fit uint8"),
        (np.float16, 1e5, r"100000\.0 does not fit float16 \(largest 65504\): it would be stored as infinity"),
        (np.float32, 2**200, r"an integer of 61 digits does not fit float32 \(largest 3\.4028235e\+38\)"),
    ],
)
def test_constant_refuses_a_value_its_dtype_cannot_hold_as_full_does(dtype, val, match) -> None:
    t = Tensor(np.array([1, 2]), dtype=dtype)
    with pytest.raises(ValueError, match=rf"^nn\.init\.constant_: {match}"):
        init.constant_(t, val)
    assert t.data.tolist() == [1, 2] and t._version == 0


@pytest.mark.parametrize("val", [float("nan"), float("inf"), -float("inf"), 3.4028235e38, -0.0])
def test_constant_fills_a_float_tensor_with_what_it_holds(val) -> None:
    """NaN and infinity were refused ("nan does not fit the tensor's dtype float32"); torch's constant_ fills them."""
    t = init.constant_(Tensor(np.zeros(2, np.float32)), val)
    np.testing.assert_array_equal(t.data, np.full(2, val, np.float32))
    assert str(t.data[0]) == str(np.float32(val))  # -0.0 too


@pytest.mark.parametrize(("dtype", "val", "want"), [(np.int8, 2.7, 2), (np.uint64, 2**64 - 1, 2**64 - 1)])
def test_constant_truncates_a_float_into_integers_and_keeps_uint64_exact(dtype, val, want) -> None:
    assert init.constant_(Tensor(np.zeros(2), dtype=dtype), val).data.tolist() == [want, want]


@pytest.mark.parametrize(("a", "b", "shown"), [(-1e5, 1.0, r"-100000\.0"), (0.0, 7e4, r"70000\.0")])
def test_uniform_bounds_beyond_a_float16_tensor_are_refused_whatever_the_draw(a, b, shown) -> None:
    t = Tensor(np.zeros(2), dtype=np.float16)
    for seed in range(5):  # a draw inside float16's range was written, another refused
        with pytest.raises(ValueError, match=rf"^nn\.init\.uniform_: {shown} does not fit float16"):
            init.uniform_(t, a, b, generator=seed)
    assert t.data.tolist() == [0.0, 0.0]


@pytest.mark.parametrize(
    ("dtype", "value", "shown"),
    [(np.float32, 1e300, r"1e\+300 does not fit float32 \(largest 3\.4028235e\+38\)"), (np.float16, 7e4, r"70000\.0")],
)
def test_a_state_beyond_the_models_dtype_is_named_as_such_not_as_nan_or_infinite(dtype, value, shown) -> None:
    """load_state_dict of a float64 1e300 into float32 said "W holds 1 NaN or infinite value(s) as float32": the
    checkpoint held neither; the refusal now names the number and the rule, the model unchanged."""
    import nn

    model = nn.Linear(1, 1, dtype=dtype)
    before = model.W.data.copy()
    with pytest.raises(ValueError, match=rf"into Linear: W: {shown}.*it would be stored as infinity"):
        model.load_state_dict({"W": np.array([[value]]), "b": np.zeros(1)})
    np.testing.assert_array_equal(model.W.data, before)
    with pytest.raises(ValueError, match=r"W holds 1 NaN or infinite value\(s\) as"):  # NaN given: as it was
        model.load_state_dict({"W": np.array([[np.nan]]), "b": np.zeros(1)})


def test_a_draw_beyond_the_tensors_dtype_is_named_in_the_one_form() -> None:
    """It said "nn.init, nothing written: 100000 does not fit float16", in words of its own (nn's cast_fitting)."""
    t = Tensor(np.zeros(4), dtype=np.float16)
    message = r"^nn\.init\.normal_: 100000\.0 does not fit float16 \(largest 65504\): it would be stored as infinity, "
    with pytest.raises(ValueError, match=message + r"and so would 3 more$"):
        init.normal_(t, mean=1e5, std=0.0)
    assert t.data.tolist() == [0.0] * 4
