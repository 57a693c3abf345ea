"""chainrule's engine: reverse-mode automatic differentiation on scalars and numpy arrays.

Public API:
    Value                  a scalar node: arithmetic, exp, log, sqrt, tanh, sigmoid, relu, abs, sin, cos
    Tensor                 an n-d node on numpy: broadcasting arithmetic, @, reductions, indexing, softmax family
    concatenate, stack, where, cross_entropy (fused and stable), nll_loss, multi_margin_loss, ShapeError
    NotOneElementError     float(t), int(t), t.item(), bool(t) of not one element (ValueError, RuntimeError, TypeError)
    conv1d, conv2d, conv_transpose1d, conv_transpose2d, max_pool2d, avg_pool2d, adaptive_avg_pool2d,
    max_pool1d, avg_pool1d, adaptive_avg_pool1d, max_unpool1d, max_unpool2d,
    adaptive_max_pool1d, adaptive_max_pool2d, unfold, fold
    conv3d, conv_transpose3d, max_pool3d, avg_pool3d, adaptive_avg_pool3d, adaptive_max_pool3d, max_unpool3d
                           their 3-d forms, of (batch, channels, depth, height, width)
                           convolution and pooling with PyTorch's arguments (autograd.conv); same_padding:
                           padding='same' as (before, after) per axis
    Op                     a differentiable op (forward + derivative rule); how users add their own
    exp, log, sqrt, ...    one function per unary op of the op table (autograd.op_table.TABLE),
                           for numbers, Values, arrays and Tensors alike; FUNCTIONS: all of them by name
    special                torch.special's names for them (expit, gammaln, i0e, log_ndtr, softmax, ...), so
                           that `torch.special.X` code ports by name
    sum, mean, max, softmax, clamp, matmul, mm, bmm, ...
                           torch's functions of a tensor that are Tensor methods here (autograd.torch_functions):
                           `autograd.sum(x, dim=1)` is `x.sum(dim=1)`; sum, max, min, all, any and pow are left out
                           of __all__, so that `from autograd import *` keeps Python's builtins
    OPERATORS              each operator symbol an op is named by ("+", "@") and Python's function of it
    DECIMAL_FORWARDS       by op name ("+", "exp"): its forward on Decimals, where it has one (viz: exp(-1e5))
    FLAT_PIECES            the op names flat in pieces, exactly flat where their rule gives 0 (viz: clip past a bound)
    SLOW_PIECES            by op name: the inputs where a piece of it that is not flat rises under 1/6 (hardswish's
                           vertex at -1.5), where viz does not read stillness as a flat piece
    grad                   the gradient of a function, as a function (nestable; argnums, has_aux, keywords,
                           list/tuple/dict arguments)
    value_and_grad, elementwise_grad
                           f's value and gradient from one call; the gradient of sum(f(x)) (elementwise f)
    jacobian, hessian, hvp, vjp, jvp
                           function transforms as in JAX and torch.func, reverse mode (jvp by double vjp)
    vmap                   f mapped over an axis of its arguments (in_axes, out_axes), as jax.vmap and
                           torch.func.vmap: f runs once per index and the results are stacked (no speed promise)
    gradients              the gradients of a node w.r.t. some inputs, leaving `.grad` alone
    backward_order         the nodes in the order backward takes them (drawings of the pass follow it)
    pullback               what backward sends from one node to its parents (one step of it)
    zero_grad              reset `.grad` of some nodes
    unbroadcast            for rules of your own: a gradient summed back to its input's shape (sum_to_size)
    broadcasts_to          whether an array of one shape broadcasts to another without growing it
    raw                    the data behind a node (anything else as it is)
    no_grad, enable_grad, is_grad_enabled, set_grad_enabled, inference_mode (no_grad, PyTorch's name)
    gc_paused              pause the cyclic garbage collector over a block (graphs have no cycles); backward
                           passes and nn.fit's steps run inside it
    detect_anomaly, AnomalyError
    gradcheck, gradcheck_params, GradcheckError
                           finite-difference checking of a function of its inputs, or of a loss in the
                           parameters it uses, for users' own tests (strategies: autograd.testing)
    gradgradcheck          gradcheck of f's second derivatives, PyTorch's: of the gradient of
                           sum(grad_outputs * f(inputs)), taken with create_graph=True
    gradcheck_blocks, gradcheck_block_size
                           gradcheck_params' blocks: directions that each move a block of a tensor's elements,
                           weighed so that one element off by more than m times its own tolerance fails
                           (viz's check=True takes them too)
    compile, CompileError, CompileWarning
                           a training step recorded once and replayed without building a graph
    drawn                  a constant made by a draw (a dropout mask) that a compiled step draws again
                           on every replay, as eagerly; rand, randn, randint are drawn so
    guard, replayed        for modules and optimizers of your own under compile: an attribute the
                           step's graph depends on (a mode), replays check it and record again when
                           it changed; a method a replay calls again (an optimizer's step)
    guard_settings         a module's call that guards all its settings (numbers, text, small arrays)
                           the call leaves unchanged: nn's modules call their forward through it
    unguarded              a class decorator: compile neither guards nor reads through its objects
                           (an epoch and batch a step reads for its messages only)
    validate               a check of the step's data (a loss's targets or predictions) that a replay runs again
    checks_gradients_first, known_finite
                           for optimizers of your own under compile: a replayed step that reads the gradients
                           before writing any, told which of them the replay proved free of NaN and infinities
    copied_from, needs_grad
                           for losses of your own under compile: an array made from an operand with
                           numpy (a cast), noted as made from it; and whether a gradient flows to a
                           tensor eagerly (a compiled step's inputs require grad while it is recorded)
    eager_only             what a replay could not do faithfully (a scheduler stepped on the step's loss):
                           a step being compiled that calls it runs eagerly, saying why
    check_memory           for layers of your own: refuse at once, before any allocation, arrays that no memory
                           holds (conv's, pad's and interpolate's check), naming them and the fix
    refuse_flushed         a FloatingPointError where this thread's processor flushes subnormal floats to zero
                           (torch.set_flush_denormal(True)): what ops, backward and optimizers' steps say there
    missing_extra          the ImportError of code needing an optional extra's package, with the installs that
                           work (chainrule is not on PyPI): autograd.testing's, nn.plot's, nn.save's, fit's bar
    label_fix              the fix for class labels of a non-integer dtype (astype(int), argmax of one-hot rows,
                           or nn.functional.cross_entropy for probabilities): one rule for autograd's and nn's losses
    one_hot_hint           its argmax fix for a shape error of one-hot rows (integers too)
    computed_in            the dtype maths on a float dtype runs in where it is not that dtype (float32 for
                           float16): one rule for the table's elementwise ops and nn's losses
    check_fits             refuse a number a dtype cannot hold (1e300 in float32, 300 in int8), naming it: the one
                           rule of creation's fills, writes, nn.init's and state dicts' checks
    made_infinite          where finite numbers become infinity cast to a float dtype (65520 in float16): the one
                           rule of a number that does not fit, for creation's checks and nn's losses' constants
    holds_values           whether data given where numbers go holds Values (a micrograd model's outputs), read
                           cheaply: for errors that say what serves instead (nn's losses of class scores)
    is_device, check_cpu   PyTorch's device arguments read once (a name that is no dtype's, or a torch.device),
                           and any but the CPU refused: Tensor.to and nn's Module.to
    mantissa_exponent      numbers as m·2^e, each step rounded once, for steps whose floats would leave the range
                           where the answer need not (prod's partial products, nn's p-norms below one)
    check_ordered          refuse a set where order counts (a shape, parameters, inputs), naming the fix: a list
    __version__            chainrule's version, as installed
"""

from .subnormals import refuse_flushed

refuse_flushed("import autograd")  # first: what modules work out as they load would keep the flag's zeros

from importlib import metadata

from . import creation, mantissa_exponent, shape_functions, special, torch_functions
from .check import GradcheckError, gradcheck
from .check_blocks import block_size as gradcheck_block_size
from .check_blocks import blocks as gradcheck_blocks
from .check_params import gradcheck_params
from .check_second import gradgradcheck
from .compile import CompileError, CompileWarning, compile
from .compile_fields import unguarded
from .compile_finite import checks_gradients_first, known_finite
from .compile_hooks import guard, replayed, validate
from .compile_record import copied_from, eager_only, needs_grad
from .compile_settings import guard_settings
from .conv import (
    adaptive_avg_pool1d,
    adaptive_avg_pool2d,
    adaptive_avg_pool3d,
    avg_pool1d,
    avg_pool2d,
    avg_pool3d,
    conv1d,
    conv2d,
    conv3d,
    conv_transpose1d,
    conv_transpose2d,
    conv_transpose3d,
    max_pool1d,
    max_pool2d,
    max_pool3d,
    same_padding,
)
from .conv_limits import check_memory
from .devices import check_cpu, is_device
from .dtype_fits import check_fits, made_infinite
from .dtypes import numpy_dtype
from .extras import missing_extra
from .folding import fold, unfold
from .functional import elementwise_grad, grad, value_and_grad
from .functions import FUNCTIONS
from .graph import Node, raw
from .graph_functions import backward_order, gradients, zero_grad
from .graph_order import topological_order
from .graph_rules import pullback
from .half_precision import computed_in
from .hooks import has_hooks
from .label_fixes import label_fix, one_hot_hint
from .modes import (
    AnomalyError,
    detect_anomaly,
    enable_grad,
    gc_paused,
    inference_mode,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)
from .op import Op
from .op_def import OPERATORS
from .op_table import DECIMAL_FORWARDS, FLAT_PIECES, SLOW_PIECES
from .ordered import check_ordered
from .pool_adaptive_max import adaptive_max_pool1d, adaptive_max_pool2d, adaptive_max_pool3d
from .pool_indices import max_unpool1d, max_unpool2d, max_unpool3d
from .random_tensors import drawn
from .shape_args import broadcasts_to
from .tensor_class import Tensor
from .tensor_functions import cat, concatenate, cross_entropy, multi_margin_loss, nll_loss, stack, where
from .tensor_ops import ShapeError
from .tensor_reads import NotOneElementError
from .transforms import hessian, hvp, jacobian, jvp, vjp
from .transforms_vmap import vmap
from .type_names import repr_of, type_name
from .user_rules import unbroadcast
from .value import Value
from .value_lists import holds_values

try:
    __version__ = metadata.version("chainrule")  # one source: pyproject.toml, through the installed metadata
except metadata.PackageNotFoundError:  # a source tree on sys.path, never installed: no version to read
    __version__ = "0+unknown"
IS_CHAINRULE = True  # nn and viz check it: HIPS autograd is also installed as `autograd`
globals().update(FUNCTIONS)  # exp, log, relu, ...: derived from the op table
_MODULES = {n: getattr(m, n) for m in (creation, shape_functions, torch_functions) for n in m.__all__}
globals().update(_MODULES)  # zeros, randn, einsum, ...: each module lists its own
globals().update({n: getattr(torch_functions, n) for n in torch_functions.BUILTINS})  # autograd.sum: not in __all__

__all__ = [
    "DECIMAL_FORWARDS",
    "FLAT_PIECES",
    "SLOW_PIECES",
    "FUNCTIONS",
    "special",
    "mantissa_exponent",
    "AnomalyError",
    "CompileError",
    "CompileWarning",
    "GradcheckError",
    "Node",
    "Op",
    "OPERATORS",
    "NotOneElementError",
    "ShapeError",
    "Tensor",
    "Value",
    "check_memory",
    "refuse_flushed",
    "compile",
    "computed_in",
    "adaptive_avg_pool1d",
    "adaptive_avg_pool2d",
    "adaptive_max_pool1d",
    "adaptive_max_pool2d",
    "cat",
    "check_cpu",
    "check_ordered",
    "avg_pool1d",
    "avg_pool2d",
    "concatenate",
    "conv1d",
    "conv2d",
    "conv_transpose1d",
    "conv_transpose2d",
    "same_padding",
    "cross_entropy",
    "detect_anomaly",
    "drawn",
    "elementwise_grad",
    "fold",
    "enable_grad",
    "gc_paused",
    "guard",
    "guard_settings",
    "unguarded",
    "eager_only",
    "gradcheck",
    "gradcheck_blocks",
    "gradcheck_block_size",
    "gradcheck_params",
    "gradgradcheck",
    "grad",
    "gradients",
    "has_hooks",
    "holds_values",
    "label_fix",
    "one_hot_hint",
    "made_infinite",
    "check_fits",
    "missing_extra",
    "backward_order",
    "hessian",
    "hvp",
    "is_device",
    "is_grad_enabled",
    "set_grad_enabled",
    "jacobian",
    "jvp",
    "max_pool1d",
    "max_pool2d",
    "multi_margin_loss",
    "max_unpool1d",
    "max_unpool2d",
    "nll_loss",
    "no_grad",
    "inference_mode",
    "pullback",
    "raw",
    "replayed",
    "checks_gradients_first",
    "known_finite",
    "stack",
    "topological_order",
    "type_name",
    "repr_of",
    "numpy_dtype",
    "unbroadcast",
    "unfold",
    "broadcasts_to",
    "validate",
    "copied_from",
    "needs_grad",
    "value_and_grad",
    "vjp",
    "vmap",
    "where",
    "zero_grad",
]
__all__ += [  # the 3-d convolution and pooling
    "adaptive_avg_pool3d",
    "adaptive_max_pool3d",
    "avg_pool3d",
    "conv3d",
    "conv_transpose3d",
    "max_pool3d",
    "max_unpool3d",
]
__all__ += sorted(FUNCTIONS) + sorted(_MODULES)
