"""nn.conv's layers: PyTorch's layouts, initialisation and repr; the same outputs and gradients as
torch.nn's layers given the same weights; state dicts through nn.save/nn.load and nn.export;
and the MNIST example's CNN, which learns (briefly on a subset; slow)."""

import gzip
import importlib.util
from pathlib import Path

import numpy as np
import pytest

import nn
import nn.conv
from autograd import Tensor, gradients
from nn.conv import AdaptiveAvgPool2d, Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d, Flatten, MaxPool2d
from nn.export import from_torch_state_dict, to_torch_state_dict

ROOT = Path(__file__).resolve().parents[1]
MNIST_DIR = ROOT.parent / "shared" / "data" / "mnist"


@pytest.fixture
def torch():
    torch = pytest.importorskip("torch", reason="PyTorch is not installed (pip install -e '.[reference]')")
    torch.set_num_threads(1)
    return torch


def test_weights_have_pytorch_s_layout_and_default_initialisation():
    conv = Conv2d(6, 8, (3, 2), groups=2, seed=0)
    assert conv.weight.shape == (8, 3, 3, 2) and conv.bias.shape == (8,) and conv.weight.dtype == np.float32
    bound = 1 / np.sqrt(3 * 3 * 2)  # Kaiming uniform with a = sqrt(5): 1 / sqrt(fan_in), bias alike
    for p in (conv.weight, conv.bias):
        assert np.abs(p.data).max() <= bound and np.abs(p.data).max() > 0.8 * bound
    up = ConvTranspose2d(4, 6, 3, groups=2, seed=0)
    assert up.weight.shape == (4, 3, 3, 3)  # (in, out / groups, kh, kw)
    assert np.abs(up.weight.data).max() <= 1 / np.sqrt(3 * 9)  # PyTorch's fan_in: the weight's second axis
    assert Conv1d(2, 3, 5, bias=False, seed=0).weight.shape == (3, 2, 5)
    assert ConvTranspose1d(4, 6, 5, groups=2, seed=0).weight.shape == (4, 3, 5)  # (in, out / groups, k)
    assert np.array_equal(Conv2d(1, 2, 3, seed=7).weight.data, Conv2d(1, 2, 3, seed=7).weight.data)


def test_repr_shows_what_differs_from_the_defaults_as_pytorch_does():
    assert repr(Conv2d(1, 32, 3, padding=1)) == "Conv2d(1, 32, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))"
    assert repr(Conv2d(4, 8, (1, 2), padding="same", groups=2, bias=False)) == (
        "Conv2d(4, 8, kernel_size=(1, 2), stride=(1, 1), padding=same, groups=2, bias=False)"
    )
    assert repr(Conv1d(2, 3, 5, dilation=2)) == "Conv1d(2, 3, kernel_size=(5,), stride=(1,), dilation=(2,))"
    assert repr(Conv2d(1, 2, 3, bias=False, padding_mode="reflect")) == (
        "Conv2d(1, 2, kernel_size=(3, 3), stride=(1, 1), bias=False, padding_mode=reflect)"
    )
    assert repr(MaxPool2d(2)) == "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)"
    assert repr(Flatten()) == "Flatten(start_dim=1, end_dim=-1)"
    assert repr(nn.AvgPool1d(3)) == "AvgPool1d(kernel_size=(3,), stride=(3,), padding=(0,))"  # PyTorch's tuples


@pytest.mark.parametrize("name", ["ConvTranspose1d", "ConvTranspose2d"])
@pytest.mark.parametrize("kwargs", [{"output_padding": 1, "stride": 2, "dilation": 2}, {"groups": 2, "bias": False}])
def test_a_transposed_layer_s_repr_is_pytorch_s(name, kwargs, torch):
    """dilation before output_padding, as PyTorch shows them."""
    assert repr(getattr(nn, name)(2, 4, 3, **kwargs)) == repr(getattr(torch.nn, name)(2, 4, 3, **kwargs))


@pytest.mark.parametrize(
    "make, error",
    [
        (lambda: Conv2d(4, 6, 3, groups=4), "groups=4 must divide in_channels \\(4\\) and out_channels \\(6\\)"),
        # refused when the layer is made, as PyTorch's, not at its first call
        (lambda: Conv2d(4, 6, 3, stride=2, padding="same"), "padding='same' needs stride 1"),
        (lambda: Conv2d(4, 6, 3, padding="full"), "padding must be an int, a pair, 'valid' or 'same', got 'full'"),
        (lambda: ConvTranspose2d(4, 6, 3, output_padding=2), "must be smaller than the stride"),
        (lambda: Conv2d(0, 6, 3), "Conv2d: in_channels must be at least 1, got 0"),
        (lambda: Conv2d(1, 6, (3, 3, 3)), "kernel_size must be an int or 2 ints"),
        (lambda: Conv1d(2, 3, (2, 2)), "Conv1d: kernel_size must be an int or one int, got \\(2, 2\\)"),
        (lambda: Conv1d(1, 6, 0), "Conv1d: kernel_size must be at least 1, got 0"),
        (lambda: Conv2d(1, 6, 3, padding_mode="mirror"), "padding_mode must be one of 'zeros', 'reflect', "),
        (lambda: ConvTranspose2d(1, 6, 3, padding_mode="reflect"), "padding_mode must be one of 'zeros', got"),
        (lambda: Conv2d(1, 1, 3, padding=3, padding_mode="reflect")(np.ones((1, 1, 3, 3))), "more than its 2 allow"),
    ],
)
def test_bad_layer_arguments_are_refused_at_construction(make, error):
    with pytest.raises(ValueError, match=error):
        make()


def test_flatten_merges_the_axes_asked():
    x = Tensor(np.zeros((2, 3, 4, 5)))
    assert Flatten()(x).shape == (2, 60)
    assert Flatten(0, 1)(x).shape == (6, 4, 5)
    assert Flatten(start_dim=2)(x).shape == (2, 3, 20)


LAYERS = [  # the class (nn.conv's and torch.nn's), its arguments, an input shape
    ("Conv2d", (4, 6, 3), {"stride": 2, "padding": 1, "groups": 2}, (2, 4, 7, 6)),
    ("Conv2d", (2, 3, (2, 3)), {"padding": "same", "dilation": 2}, (1, 2, 6, 6)),
    ("Conv1d", (3, 4, 3), {"stride": 2, "padding": 1}, (2, 3, 9)),
    ("Conv2d", (2, 3, 3), {"padding": 2, "padding_mode": "reflect"}, (2, 2, 4, 5)),  # up to the input's n - 1
    (
        "Conv2d",
        (2, 4, (2, 3)),
        {"padding": (1, 3), "stride": 2, "groups": 2, "padding_mode": "replicate"},
        (1, 2, 4, 5),
    ),
    ("Conv2d", (2, 3, 3), {"padding": "same", "dilation": 2, "padding_mode": "circular"}, (1, 2, 5, 6)),
    ("Conv1d", (2, 3, 4), {"padding": "same", "padding_mode": "reflect"}, (2, 2, 7)),  # 1 before, 2 after
    ("Conv1d", (2, 3, 3), {"padding": 3, "padding_mode": "circular"}, (2, 2, 3)),  # the whole length again
    ("ConvTranspose2d", (4, 2, 3), {"stride": 2, "padding": 1, "output_padding": 1}, (2, 4, 3, 4)),
    ("ConvTranspose1d", (4, 6, 3), {"stride": 3, "padding": 1, "output_padding": 2, "groups": 2}, (2, 4, 5)),
    ("MaxPool2d", (3,), {"stride": 2, "padding": 1}, (2, 3, 7, 6)),
    ("MaxPool2d", (2,), {"ceil_mode": True}, (2, 3, 5, 7)),  # a last window of one row and column
    ("AvgPool2d", (2,), {}, (2, 3, 6, 6)),
    ("AvgPool2d", (3, 2, 1), {"ceil_mode": True, "count_include_pad": False}, (2, 3, 6, 5)),
    ("AvgPool2d", (2,), {"divisor_override": 3}, (2, 3, 6, 6)),
    ("AdaptiveAvgPool2d", (1,), {}, (2, 3, 5, 4)),
    ("MaxPool1d", (3, 2, 1), {"ceil_mode": True}, (2, 3, 8)),
    ("MaxPool1d", (3,), {}, (2, 3, 8)),  # an int kernel, no padding: it was tried on an input of 1
    ("MaxPool1d", (2,), {"dilation": 3}, (2, 3, 9)),
    ("AvgPool1d", (3, 2, 1), {"ceil_mode": True, "count_include_pad": False}, (2, 3, 8)),
    ("AdaptiveAvgPool1d", (5,), {}, (2, 3, 7)),
    ("AdaptiveAvgPool2d", ((None, 3),), {}, (2, 3, 5, 4)),  # None: the input's height kept
    ("Flatten", (), {}, (2, 3, 2, 2)),
]


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel lengths")  # torch's own copy: its concern
@pytest.mark.parametrize("name, args, kwargs, shape", LAYERS)
def test_each_layer_matches_torch_nn_given_the_same_weights(name, args, kwargs, shape, torch):
    ours, theirs = getattr(nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)
    theirs.load_state_dict(to_torch_state_dict(ours, as_tensors=True))
    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    inputs = Tensor(x, requires_grad=True)
    out = ours(inputs)
    w = np.random.default_rng(1).standard_normal(out.shape).astype(np.float32)
    grads = gradients((out * w).sum(), [inputs, *ours.parameters()])
    tx = torch.tensor(x, requires_grad=True)
    tout = theirs(tx)
    tgrads = torch.autograd.grad((tout * torch.from_numpy(w)).sum(), [tx, *theirs.parameters()])
    assert np.allclose(out.data, tout.detach().numpy(), atol=1e-5)
    for g, tg in zip(grads, tgrads):
        assert np.allclose(g, tg.numpy(), atol=1e-4)


def small_cnn(seed=0) -> nn.Sequential:
    return nn.Sequential(
        Conv2d(1, 4, 3, padding=1, seed=seed), nn.ReLU(), MaxPool2d(2), Conv2d(4, 8, 3, seed=seed + 1),
        AdaptiveAvgPool2d(1), Flatten(), nn.Linear(8, 3, seed=seed + 2),
    )  # fmt: skip


@pytest.mark.parametrize("suffix", [".npz", ".safetensors"])
def test_a_cnn_saves_and_loads(tmp_path, suffix):
    if suffix == ".safetensors":
        pytest.importorskip("safetensors", reason="the safetensors extra is not installed")
    model, other = small_cnn(0), small_cnn(10)
    nn.save(model, tmp_path / f"cnn{suffix}")
    nn.load(other, tmp_path / f"cnn{suffix}")
    for (name, p), (_, q) in zip(model.named_parameters(), other.named_parameters()):
        assert np.array_equal(p.data, q.data), name
    assert list(model.state_dict()) == ["layers.0.weight", "layers.0.bias", "layers.3.weight", "layers.3.bias",
                                        "layers.6.W", "layers.6.b"]  # fmt: skip


def test_a_cnn_travels_to_torch_and_back_in_pytorch_s_names(torch):
    model = small_cnn(0)
    theirs = torch.nn.Sequential(
        torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2), torch.nn.Conv2d(4, 8, 3),
        torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(), torch.nn.Linear(8, 3),
    )  # fmt: skip
    theirs.load_state_dict(to_torch_state_dict(model, as_tensors=True))  # strict: every name and shape
    x = np.random.default_rng(0).standard_normal((3, 1, 8, 8)).astype(np.float32)
    assert np.allclose(model(Tensor(x)).data, theirs(torch.from_numpy(x)).detach().numpy(), atol=1e-5)
    back = from_torch_state_dict(small_cnn(10), theirs.state_dict())
    assert np.array_equal(back.parameters()[2].data, model.parameters()[2].data)


def _example():
    spec = importlib.util.spec_from_file_location("example_mnist", ROOT / "examples" / "mnist.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _write_mnist(folder: Path, images: np.ndarray, labels: np.ndarray, test_images, test_labels) -> None:
    """IDX files (gzipped), as nn.data.mnist reads them."""

    def idx(array: np.ndarray) -> bytes:
        header = bytes([0, 0, 8, array.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in array.shape)
        return header + array.astype(np.uint8).tobytes()

    parts = {"train-images-idx3-ubyte": images, "train-labels-idx1-ubyte": labels}
    parts.update({"t10k-images-idx3-ubyte": test_images, "t10k-labels-idx1-ubyte": test_labels})
    for name, array in parts.items():
        (folder / f"{name}.gz").write_bytes(gzip.compress(idx(array)))


def test_the_example_s_cnn_runs_and_returns_its_figures(tmp_path, monkeypatch, capsys):
    monkeypatch.syspath_prepend(str(ROOT / "examples"))
    rng = np.random.default_rng(0)
    _write_mnist(tmp_path, rng.integers(0, 256, (40, 28, 28)), rng.integers(0, 10, 40),
                 rng.integers(0, 256, (10, 28, 28)), rng.integers(0, 10, 10))  # fmt: skip
    figures = _example().main(["--data-dir", str(tmp_path), "--model", "cnn", "--epochs", "1", "--val-size", "8",
                               "--out", str(tmp_path / "plots")])  # fmt: skip
    out = capsys.readouterr().out
    assert "Conv2d(32, 64, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))" in out
    assert out.splitlines()[-1] == f"test accuracy: {figures['test_accuracy']:.4f}"
    assert set(figures) == {"val_accuracy", "test_accuracy"}
    assert (tmp_path / "plots" / "mnist_first_layer.png").stat().st_size > 1000
    assert (tmp_path / "plots" / "mnist_confusion.png").stat().st_size > 1000


@pytest.mark.slow
@pytest.mark.skipif(not MNIST_DIR.is_dir(), reason=f"the real MNIST files are not at {MNIST_DIR}")
def test_the_example_s_cnn_learns_mnist_in_one_epoch_on_a_subset(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT / "examples"))
    data = nn.data.mnist(MNIST_DIR)
    to_bytes = lambda images: np.rint(images.reshape(-1, 28, 28) * 255)  # noqa: E731 (back to the files' pixels)
    _write_mnist(tmp_path, to_bytes(data.train_images[:30000]), data.train_labels[:30000],
                 to_bytes(data.test_images[:2000]), data.test_labels[:2000])  # fmt: skip
    flags = ["--model", "cnn", "--epochs", "1", "--val-size", "1000"]
    figures = _example().main(["--data-dir", str(tmp_path), *flags, "--out", str(tmp_path / "plots")])
    assert figures["test_accuracy"] >= 0.97
