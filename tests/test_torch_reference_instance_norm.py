"""instance_norm (F and nn.InstanceNorm1d/2d) against PyTorch: forward, gradients of the input, weight and
bias and second derivatives in float64 and float32 on random shapes; the running statistics' updates
(the batch's mean of per-instance statistics, the variance unbiased) and their use in eval; one example
without a batch axis; the state saved and loaded; the arguments both refuse."""

import numpy as np
import pytest
from torch_reference import DTYPES, F, check, torch  # without torch: skipped

import nn
from autograd import ShapeError, Tensor
from nn.functional import group_norm, instance_norm


@pytest.mark.parametrize("dtype", DTYPES)
def test_matches_torch_forward_gradients_second(dtype):
    rng = np.random.default_rng(50)
    for _ in range(8):
        spatial = tuple(int(rng.integers(2, 5)) for _ in range(int(rng.integers(1, 3))))
        n, c = int(rng.integers(1, 4)), int(rng.integers(1, 4))
        x, w, b = rng.uniform(-2, 2, (n, c, *spatial)), rng.uniform(0.5, 1.5, c), rng.uniform(-1, 1, c)
        eps = float(rng.choice([1e-5, 0.1]))
        check(
            lambda x, w, b, e=eps: instance_norm(x, weight=w, bias=b, eps=e),
            lambda x, w, b, e=eps: F.instance_norm(x, weight=w, bias=b, eps=e),
            [x, w, b],
            dtype,
        )
        check(lambda x: instance_norm(x), lambda x: F.instance_norm(x), [x], dtype)


def test_the_same_numbers_as_group_norm_with_a_channel_a_group():
    x = Tensor(np.random.default_rng(51).uniform(-2, 2, (3, 4, 5, 6)))
    np.testing.assert_array_equal(instance_norm(x).data, group_norm(x, 4).data)


@pytest.mark.parametrize("momentum", [0.1, 0.7])
def test_running_statistics_move_as_torch_moves_them(momentum):
    rng = np.random.default_rng(52)
    mean, var = rng.uniform(-1, 1, 3), rng.uniform(0.5, 2, 3)
    theirs = torch.tensor(mean), torch.tensor(var)
    for _ in range(3):
        x = rng.uniform(-2, 2, (4, 3, 5))
        instance_norm(Tensor(x), mean, var, momentum=momentum)
        F.instance_norm(torch.tensor(x), *theirs, momentum=momentum)
        np.testing.assert_allclose(mean, theirs[0].numpy(), rtol=1e-12)
        np.testing.assert_allclose(var, theirs[1].numpy(), rtol=1e-12)
    x = rng.uniform(-2, 2, (2, 3, 5))
    ours = instance_norm(Tensor(x), mean, var, use_input_stats=False).data
    np.testing.assert_allclose(ours, F.instance_norm(torch.tensor(x), *theirs, use_input_stats=False), rtol=1e-12)


@pytest.mark.parametrize("dims", [1, 2])
def test_layers_train_eval_one_example_and_state(dims, tmp_path):
    rng = np.random.default_rng(53 + dims)
    ours = (nn.InstanceNorm1d if dims == 1 else nn.InstanceNorm2d)(
        3, affine=True, track_running_stats=True, dtype=np.float64
    )
    theirs = (torch.nn.InstanceNorm1d if dims == 1 else torch.nn.InstanceNorm2d)(
        3, affine=True, track_running_stats=True
    ).double()
    shape = (2, 3) + (4,) * dims
    for _ in range(2):
        x = rng.uniform(-2, 2, shape)
        np.testing.assert_allclose(
            ours(Tensor(x)).data, theirs(torch.tensor(x)).detach().numpy(), rtol=1e-10, atol=1e-12
        )
    ours.eval(), theirs.eval()
    x = rng.uniform(-2, 2, shape)
    np.testing.assert_allclose(ours(Tensor(x)).data, theirs(torch.tensor(x)).detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(
        ours(Tensor(x[0])).data, theirs(torch.tensor(x[0])).detach().numpy(), rtol=1e-10, atol=1e-12
    )
    nn.save(ours, tmp_path / "norm.npz")
    again = (nn.InstanceNorm1d if dims == 1 else nn.InstanceNorm2d)(
        3, affine=True, track_running_stats=True, dtype=np.float64
    )
    nn.load(again, tmp_path / "norm.npz")
    np.testing.assert_array_equal(again.running_var, ours.running_var)
    np.testing.assert_array_equal(again.running_mean, ours.running_mean)
    assert sorted(ours.state_dict()) == sorted(k for k in theirs.state_dict())
    assert repr(nn.InstanceNorm2d(3)) == repr(torch.nn.InstanceNorm2d(3))


def test_defaults_keep_no_statistics_and_no_parameters():
    layer = nn.InstanceNorm2d(3)
    assert layer.parameters() == [] and layer.state_dict() == {}
    x = np.random.default_rng(55).uniform(-1, 1, (2, 3, 4, 4))
    layer.eval()  # no running statistics: eval normalises by each instance's own, as PyTorch
    np.testing.assert_allclose(layer(Tensor(x)).data, F.instance_norm(torch.tensor(x)).numpy(), rtol=1e-5, atol=1e-6)


X = np.zeros((2, 3, 4))
BAD = [
    (lambda f: f(X[:, :, :1]), ValueError, "more than one spatial value"),
    (lambda f: f(X, np.zeros(3), np.ones(3), use_input_stats=False, momentum=2.0), ValueError, "momentum"),
    (lambda f: f(X, np.zeros(2), np.ones(3)), ShapeError, "running_mean must be of shape"),
]


@pytest.mark.parametrize("call, error, words", BAD)
def test_bad_arguments_are_refused_as_torch_refuses_them(call, error, words):
    def torch_call(x, *stats, **k):
        return F.instance_norm(torch.tensor(x), *(torch.tensor(s) for s in stats), **k)

    if "momentum" not in words:  # PyTorch takes any momentum; chainrule's BatchNorm rule: within [0, 1]
        with pytest.raises((RuntimeError, ValueError)):
            call(torch_call)
    with pytest.raises(error, match=f"instance_norm.*{words}"):
        call(instance_norm)
    with pytest.raises(ValueError, match="use_input_stats=False normalises by running_mean and running_var"):
        instance_norm(X, use_input_stats=False)
    with pytest.raises(ShapeError, match=r"InstanceNorm1d\(3\) got input of shape \(2, 4, 4\)"):
        nn.InstanceNorm1d(3, affine=True)(Tensor(np.zeros((2, 4, 4))))


def test_eval_with_running_statistics_switched_off_normalises_by_the_input_as_torch():
    # PyTorch's InstanceNorm normalises by the input's statistics whenever track_running_stats is False, set later
    # too; chainrule's used the running ones it still held in eval: 2.06 off torch's output
    rng = np.random.default_rng(0)
    ours, theirs = nn.InstanceNorm1d(2, track_running_stats=True), torch.nn.InstanceNorm1d(2, track_running_stats=True)
    x = rng.standard_normal((3, 2, 5)).astype(np.float32) * 2 + 1
    ours(Tensor(x))
    theirs(torch.tensor(x))
    ours.track_running_stats = theirs.track_running_stats = False
    ours.eval()
    theirs.eval()
    np.testing.assert_allclose(ours(Tensor(x)).data, theirs(torch.tensor(x)).numpy(), rtol=1e-5, atol=1e-6)
