"""chainrule's engine: reverse-mode automatic differentiation on scalars.

Public API:
    Value                  a scalar node: arithmetic, exp, log, sqrt, tanh, sigmoid, relu, abs, sin, cos
    Op                     a differentiable op (forward + derivative rule); how users add their own
    exp, log, sqrt, tanh, sigmoid, relu, sin, cos
                           the built-in Ops, callable on Values and on plain numbers
    grad                   the gradient of a function, as a function (nestable)
    gradients              the gradients of a node w.r.t. some inputs, leaving `.grad` alone
    zero_grad              reset `.grad` of some nodes
    no_grad, enable_grad, is_grad_enabled
    detect_anomaly, AnomalyError
    gradcheck, GradcheckError
                           finite-difference checking for users' own tests (strategies: autograd.testing)
"""

from .check import GradcheckError, gradcheck
from .functional import grad
from .graph import (
    AnomalyError,
    Node,
    Op,
    detect_anomaly,
    enable_grad,
    gradients,
    is_grad_enabled,
    no_grad,
    topological_order,
    zero_grad,
)
from .scalar_ops import cos, exp, log, relu, sigmoid, sin, sqrt, tanh
from .value import Value

__all__ = [
    "AnomalyError",
    "GradcheckError",
    "Node",
    "Op",
    "Value",
    "cos",
    "detect_anomaly",
    "enable_grad",
    "exp",
    "gradcheck",
    "grad",
    "gradients",
    "is_grad_enabled",
    "log",
    "no_grad",
    "relu",
    "sigmoid",
    "sin",
    "sqrt",
    "tanh",
    "topological_order",
    "zero_grad",
]
