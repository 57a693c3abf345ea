"""chainrule's neural-network layer: a small, honest PyTorch on autograd's Value and Tensor.

Public API:
    Module                          parameters from attributes, buffers, train/eval, state_dict, repr
    Parameter                       a leaf Tensor that requires grad, over the data given: a module's parameter
    Neuron, Layer, MLP              micrograd's modules on Value
    Linear, Softmax, Dropout, Sequential
                                    layers on Tensor
    ReLU, Tanh, Sigmoid, LeakyReLU, ELU, CELU, SELU, GELU, SiLU, Mish, Softplus, Softsign,
    LogSigmoid, Hardtanh, ReLU6, Hardswish, Hardsigmoid, RReLU
                                    activation layers (autograd's functions, PyTorch's names; Activation)
    Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d, Flatten,
    MaxPool1d, AvgPool1d, AdaptiveAvgPool1d, LPPool1d, LPPool2d, LPPool3d, Conv3d, ConvTranspose3d, MaxPool3d,
    AvgPool3d, AdaptiveAvgPool3d, AdaptiveMaxPool3d, MaxUnpool3d
                                    convolutional layers (PyTorch's layouts, names and init)
    BatchNorm1d, BatchNorm2d, BatchNorm3d, LayerNorm, GroupNorm, RMSNorm, LocalResponseNorm
                                    normalisation layers (BatchNorm's running statistics are buffers)
    Embedding, EmbeddingBag, Dropout1d, Dropout2d, Dropout3d, AlphaDropout, FeatureAlphaDropout
                                    table look-up by integer index (sums, means, maxes of bags of rows);
                                    dropout of whole channels
    RNN, LSTM, GRU, RNNCell, LSTMCell, GRUCell
                                    recurrent layers and their cells (PyTorch's names, shapes, gate order, init)
    MultiheadAttention              attention over several heads (PyTorch's parameters, masks and outputs)
    TransformerEncoderLayer, TransformerEncoder, TransformerDecoderLayer, TransformerDecoder, Transformer
                                    torch's Transformer and its blocks, parameters under torch's names
    LogSoftmax, Softmin, GLU, PReLU, Threshold, Hardshrink, Softshrink, Tanhshrink, CosineSimilarity,
    PairwiseDistance, Unflatten, PixelShuffle, PixelUnshuffle, Upsample, ZeroPad1d/2d/3d, ConstantPad1d/2d/3d,
    ReflectionPad1d/2d/3d, ReplicationPad1d/2d/3d, CircularPad1d/2d/3d, Bilinear, Softmax2d, ChannelShuffle,
    UpsamplingNearest2d, UpsamplingBilinear2d
                                    more of PyTorch's layers, each calling its function in nn.functional
    ModuleList, ModuleDict, Identity
                                    containers whose modules' parameters Module finds; a no-op layer
    ParameterList, ParameterDict    parameters in a list or by name (torch's names: "0", "1", the key)
    functional                      relu, tanh, sigmoid, softmax, log_softmax, accuracy; losses (reduction=):
                                    cross_entropy, nll_loss, binary_cross_entropy(_with_logits), mse_loss, l1_loss,
                                    huber_loss, smooth_l1_loss, kl_div, hinge_loss
                                    margin_ranking_loss, hinge_embedding_loss, soft_margin_loss, cosine_embedding_loss
                                    triplet_margin_loss, multilabel_soft_margin_loss, multi_margin_loss,
                                    gaussian_nll_loss, poisson_nll_loss, ctc_loss, triplet_margin_with_distance_loss,
                                    multilabel_margin_loss;
                                    scaled_dot_product_attention
    CrossEntropyLoss, NLLLoss, BCELoss, BCEWithLogitsLoss, MSELoss, L1Loss, HuberLoss, SmoothL1Loss, KLDivLoss
    MarginRankingLoss, HingeEmbeddingLoss, SoftMarginLoss, CosineEmbeddingLoss
    TripletMarginLoss, MultiLabelSoftMarginLoss, MultiMarginLoss, GaussianNLLLoss, PoissonNLLLoss, CTCLoss,
    TripletMarginWithDistanceLoss, MultiLabelMarginLoss
                                    the losses as modules (Loss), options bound when built, as PyTorch's
    SGD, Adam, AdamW, RMSprop, Adagrad
    Adamax, NAdam, RAdam, Adadelta, Rprop, ASGD, Adafactor
                                    optimizers for Value and Tensor parameters, with state_dict/load_state_dict
    LBFGS                           L-BFGS (step(closure), optional strong-Wolfe line search), as torch.optim's
    schedulers                      StepLR, MultiStepLR, MultiplicativeLR, ExponentialLR, ConstantLR, LinearLR,
                                    PolynomialLR, CosineAnnealingLR, CosineAnnealingWarmRestarts, LambdaLR,
                                    SequentialLR, ChainedScheduler, OneCycleLR, CyclicLR, ReduceLROnPlateau
                                    (fit's scheduler=)
    clip_grad_norm_, clip_grad_value_   gradient clipping (also as nn.utils.clip_grad_norm_, PyTorch's place)
    utils.rnn                       pad_sequence, pack_padded_sequence, pad_packed_sequence, pack_sequence,
                                    unpad_sequence, unpack_sequence, PackedSequence (RNN, LSTM, GRU take it)
    init                            PyTorch's initialisers (kaiming_normal_, xavier_uniform_, ...), fans in
                                    chainrule's layouts: a 2-D weight is (fan_in, fan_out), as x @ W reads it
    save, load                      .npz or .safetensors files (by the suffix), no pickle, written
                                    atomically, every entry checked before any parameter changes;
                                    optimizer= keeps the optimizer's state in the same file
    export                          to_torch_state_dict, from_torch_state_dict: PyTorch's names and
                                    layouts (torch.nn.Linear, nn.Sequential), both ways
    data                            toy datasets, Batches, train_val_split, mnist
    fit, History, predict, evaluate training loops
    EarlyStopping, StopTraining     fit's callbacks ending training early (Keras's EarlyStopping)
    gradcheck_module                check a model's gradients (your own layers too) by finite differences
    functional_call                 a module run with other tensors in place of its parameters (torch.func's)
    plot, plot_images               (needs matplotlib; imported on first use) loss curves, decision
                                    boundaries; weights as images, confusion matrices
"""

import importlib
from typing import Any

from . import _requires_chainrule, data, export, functional, init, schedulers, utils  # noqa: F401 (the first: the engine check)
from .activations import (
    CELU,
    ELU,
    GELU,
    SELU,
    Activation,
    Hardshrink,
    Hardsigmoid,
    Hardswish,
    Hardtanh,
    LeakyReLU,
    LogSigmoid,
    Mish,
    ReLU,
    ReLU6,
    Sigmoid,
    SiLU,
    Softplus,
    Softshrink,
    Softsign,
    Tanh,
    Tanhshrink,
    Threshold,
)
from .along_axis import GLU, LogSoftmax, Softmax, Softmax2d, Softmin
from .bilinear import Bilinear
from .check import gradcheck_module
from .clip import clip_grad_norm_, clip_grad_value_
from .containers import Identity, ModuleDict, ModuleList
from .conv import Conv1d, Conv2d, Conv3d, ConvTranspose1d, ConvTranspose2d, ConvTranspose3d, Flatten
from .distances import CosineSimilarity, PairwiseDistance
from .dropout import Dropout, Dropout1d, Dropout2d, Dropout3d
from .dropout_alpha import AlphaDropout, FeatureAlphaDropout
from .embedding import Embedding
from .embedding_bag import EmbeddingBag
from .functional_call import functional_call
from .instance_norm import InstanceNorm1d, InstanceNorm2d, InstanceNorm3d
from .io import load, save
from .layers import Linear, Sequential
from .local_response_norm import LocalResponseNorm
from .loss_modules import CLASSES as LOSS_CLASSES
from .loss_modules import Loss
from .lp_pool import LPPool1d, LPPool2d, LPPool3d
from .micro import MLP, Layer, Neuron
from .module import Module
from .multihead_attention import MultiheadAttention
from .norm import BatchNorm1d, BatchNorm2d, BatchNorm3d, GroupNorm, LayerNorm
from .optim import SGD, Adagrad, Adam, AdamW, Optimizer, RMSprop
from .optim_adafactor import Adafactor
from .optim_adam_family import Adamax, NAdam, RAdam
from .optim_adaptive import Adadelta
from .optim_asgd import ASGD
from .optim_lbfgs import LBFGS
from .optim_rprop import Rprop
from .padding import (
    CircularPad1d,
    CircularPad2d,
    CircularPad3d,
    ConstantPad1d,
    ConstantPad2d,
    ConstantPad3d,
    ReflectionPad1d,
    ReflectionPad2d,
    ReflectionPad3d,
    ReplicationPad1d,
    ReplicationPad2d,
    ReplicationPad3d,
    ZeroPad1d,
    ZeroPad2d,
    ZeroPad3d,
)
from .parameter import Parameter
from .parameter_containers import ParameterDict, ParameterList
from .pool import (
    AdaptiveAvgPool1d,
    AdaptiveAvgPool2d,
    AdaptiveAvgPool3d,
    AvgPool1d,
    AvgPool2d,
    AvgPool3d,
    MaxPool1d,
    MaxPool2d,
    MaxPool3d,
)
from .pool_max import (
    AdaptiveMaxPool1d,
    AdaptiveMaxPool2d,
    AdaptiveMaxPool3d,
    Fold,
    MaxUnpool1d,
    MaxUnpool2d,
    MaxUnpool3d,
    Unfold,
)
from .prelu import PReLU
from .recurrent import GRU, LSTM, RNN
from .recurrent_cells import GRUCell, LSTMCell, RNNCell
from .reshaping import ChannelShuffle, PixelShuffle, PixelUnshuffle, Unflatten
from .rms_norm import RMSNorm
from .rrelu import RReLU
from .train import History, evaluate, fit, predict
from .train_stop import EarlyStopping, StopTraining
from .transformer import TransformerEncoder, TransformerEncoderLayer
from .transformer_decoder import TransformerDecoder, TransformerDecoderLayer
from .transformer_model import Transformer
from .upsample import Upsample
from .upsample_aliases import UpsamplingBilinear2d, UpsamplingNearest2d

__all__ = [
    "Activation",
    "CELU",
    "ELU",
    "GELU",
    "Hardsigmoid",
    "Hardswish",
    "Hardtanh",
    "LeakyReLU",
    "LogSigmoid",
    "Mish",
    "ReLU6",
    "SELU",
    "SiLU",
    "Softplus",
    "Softsign",
    "AdaptiveAvgPool1d",
    "AdaptiveAvgPool2d",
    "AvgPool1d",
    "AvgPool2d",
    "Conv1d",
    "Conv2d",
    "ConvTranspose1d",
    "ConvTranspose2d",
    "Flatten",
    "MaxPool1d",
    "MaxPool2d",
    "MLP",
    "SGD",
    "Adagrad",
    "Adam",
    "AdamW",
    "Adadelta",
    "Adamax",
    "NAdam",
    "RAdam",
    "Rprop",
    "ASGD",
    "Adafactor",
    "BatchNorm1d",
    "BatchNorm2d",
    "Dropout",
    "Dropout2d",
    "EarlyStopping",
    "Embedding",
    "GroupNorm",
    "History",
    "Identity",
    "LBFGS",
    "Layer",
    "LayerNorm",
    "Linear",
    "Loss",
    "Module",
    "ModuleDict",
    "ModuleList",
    "Neuron",
    "Optimizer",
    "Parameter",
    "RMSprop",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Softmax",
    "StopTraining",
    "Tanh",
    "data",
    "evaluate",
    "export",
    "fit",
    "clip_grad_norm_",
    "clip_grad_value_",
    "functional",
    "gradcheck_module",
    "functional_call",
    "init",
    "load",
    "predict",
    "save",
    "schedulers",
    "utils",
]
# PyTorch's layers added later, each calling its function in nn.functional
__all__ += ["CosineSimilarity", "GLU", "Hardshrink", "LogSoftmax", "PReLU", "PairwiseDistance", "PixelShuffle"]
__all__ += ["PixelUnshuffle", "Softmin", "Softshrink", "Tanhshrink", "Threshold", "Unflatten", "Upsample"]
__all__ += ["CircularPad1d", "CircularPad2d", "ConstantPad1d", "ConstantPad2d", "ReflectionPad1d"]
__all__ += ["ReflectionPad2d", "ReplicationPad1d", "ReplicationPad2d", "ZeroPad1d", "ZeroPad2d"]
__all__ += ["AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "Fold", "MaxUnpool1d", "MaxUnpool2d", "Unfold"]
__all__ += ["InstanceNorm1d", "InstanceNorm2d", "LPPool1d", "LPPool2d", "RMSNorm"]
__all__ += ["AdaptiveAvgPool3d", "AdaptiveMaxPool3d", "AvgPool3d", "BatchNorm3d", "Conv3d", "ConvTranspose3d"]
__all__ += ["InstanceNorm3d", "MaxPool3d", "MaxUnpool3d"]
__all__ += ["CircularPad3d", "ConstantPad3d", "LPPool3d", "ReflectionPad3d", "ReplicationPad3d", "ZeroPad3d"]
__all__ += ["RReLU"]
__all__ += ["ChannelShuffle", "LocalResponseNorm", "Softmax2d", "UpsamplingBilinear2d", "UpsamplingNearest2d"]
__all__ += ["GRU", "GRUCell", "LSTM", "LSTMCell", "MultiheadAttention", "RNN", "RNNCell"]
__all__ += ["ParameterDict", "ParameterList", "Transformer", "TransformerDecoder", "TransformerDecoderLayer"]
__all__ += ["TransformerEncoder", "TransformerEncoderLayer"]
__all__ += ["AlphaDropout", "Bilinear", "Dropout1d", "Dropout3d", "EmbeddingBag", "FeatureAlphaDropout"]
__all__ += sorted(LOSS_CLASSES)
globals().update(LOSS_CLASSES)  # CrossEntropyLoss, MSELoss, ...: nn.loss_modules.LOSSES


def __getattr__(name: str) -> Any:
    """nn.plot and nn.plot_images, imported on first use: they need matplotlib, which nn itself does not."""
    if name in ("plot", "plot_images"):
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
