"""chainrule's neural-network layer: a small, honest PyTorch on autograd's Value and Tensor.

Public API:
    Module                          parameters from attributes, buffers, train/eval, state_dict, repr
    Neuron, Layer, MLP              micrograd's modules on Value
    Linear, ReLU, Tanh, Sigmoid, Softmax, Dropout, Sequential
                                    layers on Tensor
    BatchNorm1d, BatchNorm2d, LayerNorm, GroupNorm
                                    normalisation layers (BatchNorm's running statistics are buffers)
    Embedding, Dropout2d            table look-up by integer index; dropout of whole channels
    ModuleList, ModuleDict, Identity
                                    containers whose modules' parameters Module finds; a no-op layer
    functional                      relu, tanh, sigmoid, softmax, log_softmax, cross_entropy,
                                    binary_cross_entropy, mse_loss, l1_loss, hinge_loss, accuracy
    SGD, Adam                       optimizers for Value and Tensor parameters
    save, load                      .npz or .safetensors files (by the suffix), no pickle, written
                                    atomically, every entry checked before any parameter changes
    export                          to_torch_state_dict, from_torch_state_dict: PyTorch's names and
                                    layouts (torch.nn.Linear, nn.Sequential), both ways
    data                            toy datasets, Batches, train_val_split, mnist
    fit, History, predict, evaluate training loops
    gradcheck_module                check a model's gradients (your own layers too) by finite differences
    plot                            (import nn.plot; needs matplotlib) loss curves, decision boundaries
"""

from . import _requires_chainrule, data, export, functional  # noqa: F401 (the first: the engine check)
from .check import gradcheck_module
from .containers import Identity, ModuleDict, ModuleList
from .dropout import Dropout2d
from .embedding import Embedding
from .io import load, save
from .layers import Dropout, Linear, ReLU, Sequential, Sigmoid, Softmax, Tanh
from .micro import MLP, Layer, Neuron
from .module import Module
from .norm import BatchNorm1d, BatchNorm2d, GroupNorm, LayerNorm
from .optim import SGD, Adam, Optimizer
from .train import History, evaluate, fit, predict

__all__ = [
    "MLP",
    "SGD",
    "Adam",
    "BatchNorm1d",
    "BatchNorm2d",
    "Dropout",
    "Dropout2d",
    "Embedding",
    "GroupNorm",
    "History",
    "Identity",
    "Layer",
    "LayerNorm",
    "Linear",
    "Module",
    "ModuleDict",
    "ModuleList",
    "Neuron",
    "Optimizer",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Softmax",
    "Tanh",
    "data",
    "evaluate",
    "export",
    "fit",
    "functional",
    "gradcheck_module",
    "load",
    "predict",
    "save",
]
