"""The setups of the compile fuzzer (compile_fuzz_runs): a seed's choices (`draw`: the model's family and
layers, the loss and its options, the optimizer and its options, a scheduler stepped inside or outside the
step, clipping, freezing, mode switches, lr and hyperparameters set between calls, how the step zeroes
gradients and what it returns, closures and globals it reads that change, batches and their layouts), and
the batches, loss, optimizers and scheduler they give. Choices only: the same seed draws the same setup."""

import numpy as np
from optimizer_names import ALL_OPTIMIZERS

import nn
from nn import functional as F
from nn import schedulers as S

# the optimizers a seed draws from, in the order its draw indexes them: fixed, so that every seed keeps its setup
OPTIMIZERS = ["SGD", "Adam", "AdamW", "Adamax", "NAdam", "RAdam", "RMSprop", "Adagrad", "Adadelta", "Rprop"]
# nn's optimizers the draws predate (ASGD, Adafactor, and any added to nn later: read from ALL_OPTIMIZERS), each run
# in a seed's setup in place of the one drawn (`draw(seed, opt)`), every other choice as drawn; LBFGS is left out
# (its step evaluates a closure several times, where the fuzzer's step calls backward itself)
LATER = [name for name in ALL_OPTIMIZERS if name not in OPTIMIZERS and name != "LBFGS"]
SCHEDULERS = [None, None, "step", "exp", "lambda", "cos", "onecycle", "linear", "multistep", "cyclic", "plateau"]
LOSSES = [
    "ce",
    "ce",
    "nll",
    "mse",
    "huber",
    "smooth_l1",
    "l1",
    "bce",
    "multi_margin",
    "soft_margin",
    "hinge",
    "ranking",
]
CLASSES = ("ce", "nll", "multi_margin")  # the losses of integer labels
EXTRA = {  # options beyond lr, momentum, weight_decay, amsgrad, centered, maximize
    "Adagrad": {"lr_decay": 0.01, "initial_accumulator_value": 0.1},
    "Adam": {"decoupled_weight_decay": True},
    "NAdam": {"decoupled_weight_decay": True, "momentum_decay": 0.01},
    "RAdam": {"decoupled_weight_decay": True},
    "Rprop": {"etas": (0.4, 1.3), "step_sizes": (1e-5, 1.0)},
    "RMSprop": {"alpha": 0.9},
    "Adadelta": {"rho": 0.8},
    "Adamax": {"betas": (0.8, 0.99)},
    "AdamW": {"eps": 1e-6},
    "ASGD": {"lambd": 0.01, "t0": 2.0},
    "Adafactor": {"beta2_decay": -0.5, "eps": (1e-3, 1e-3), "d": 2.0},
}


def draw(seed, opt=None):
    """The setup of `seed`, a dict of choices; with `opt` (one of LATER), that optimizer in place of the drawn one."""
    r = np.random.default_rng(seed)

    def pick(xs):
        return xs[int(r.integers(len(xs)))]

    def chance(p):
        return bool(r.random() < p)

    c = {"seed": seed, "dtype": pick([np.float64, np.float32])}
    c["family"] = pick(["mlp", "mlp", "conv1d", "conv2d", "embed", "rnn", "attn", "residual"])
    c.update(K=int(r.integers(2, 5)), steps=int(r.integers(5, 13)), batch=int(r.integers(1, 6)))
    c.update(last_small=chance(0.4), shape_changes=chance(0.15))
    c["act"] = pick(["ReLU", "Tanh", "Sigmoid", "GELU", "SiLU", "LeakyReLU", "ELU", "Softplus"])
    c["norm"] = pick([None, None, None, "batch", "layer", "layer", "group", "group"])
    c.update(
        dropout=float(pick([0.0, 0.0, 0.2, 0.5])), rnn=pick(["RNN", "GRU", "LSTM"]), pool=pick(["max", "avg", None])
    )
    c.update(loss=pick(LOSSES), reduction=pick(["mean", "mean", "sum"]), ce_smoothing=float(pick([0.0, 0.1])))
    c.update(ce_weight=chance(0.3), ignore=chance(0.3), opt=pick(OPTIMIZERS), wd=float(pick([0.0, 0.0, 0.01])))
    c.update(momentum=float(pick([0.0, 0.9])), nesterov=chance(0.5), amsgrad=chance(0.3), maximize=chance(0.15))
    c.update(centered=chance(0.3), two_opts=chance(0.25), sched=pick(SCHEDULERS), sched_inside=chance(0.5))
    c.update(clip=pick([None] * 7 + ["norm", "value"]), freeze=pick([None, None, "always", "toggle"]))
    c.update(train_eval=chance(0.2), lr_change=pick([None, None, "attr", "group"]))
    c.update(zero=pick(["opt_none", "opt_zeros", "model", "after_step", "never"]), item_branch=chance(0.1))
    c.update(returns=pick(["item", "tensor", "tuple"]), closure_scale=pick([None, None, "cell", "dict", "global"]))
    c.update(scale_changes=chance(0.5), step_closure=chance(0.1), data_seed=int(r.integers(1 << 30)))
    c.update(poke=chance(0.15), weight_mutate=chance(0.15), hyper_change=chance(0.15))
    c.update(
        model_load=chance(0.1), opt_load=chance(0.1), layout=pick([None, None, None, "fortran", "strided", "reversed"])
    )
    c.update(buffer=chance(0.15), labels=pick(["int64", "int64", "int32", "tensor"]), blowup=chance(0.05))
    c["conv_opts"] = {
        "stride": int(pick([1, 1, 2])),
        "dilation": int(pick([1, 1, 2])),
        "padding_mode": pick(["zeros", "zeros", "reflect", "replicate", "circular"]),
        "groups": int(pick([1, 1, 2])),
    }
    c.update(pool_opts={"ceil_mode": chance(0.3), "padding": int(pick([0, 0, 1]))}, count_include_pad=chance(0.5))
    c["emb_opts"] = {"max_norm": pick([None, None, None, 1.0]), "scale_grad_by_freq": chance(0.3)}
    c.update(attn_mask=pick([None, None, "padding", "causal", "both"]), need_weights=chance(0.5))
    c.update(p_change=chance(0.1), opt_extra=chance(0.3))
    c["variant"] = pick(["plain"] * 6 + ["slice", "accumulate", "eval_first", "returns_dict"])
    c["repeat_labels"] = chance(0.3)  # each odd batch's targets the even one's but for the last row
    if c["norm"] == "batch":  # batch statistics need two rows
        c["batch"], c["shape_changes"] = max(c["batch"], 3), False
    # drawn last, so that every earlier choice of a seed stays: the slice variant's views of its batch (x[1:],
    # x[::2], and of negative strides x[::-1], x[::-2], each made again from the batch by a replay); repeated
    # targets share their first rows, as [:-1]
    views = [slice(None, -1), slice(1, None), slice(None, None, 2), slice(None, None, -1), slice(None, None, -2)]
    c["slice"] = slice(None, -1) if c["repeat_labels"] else pick(views)
    if opt is not None:  # after every draw: the seed's other choices stay
        c["opt"] = opt
    return c


def batches(c, shape):
    """The setup's batches (x, y): a last smaller batch of each four, or sizes drawn anew."""
    r = np.random.default_rng(c["data_seed"])
    sizes = [c["batch"]] * c["steps"]
    if c["last_small"] and c["batch"] > 1:
        sizes = [s if (i + 1) % 4 else s - 1 for i, s in enumerate(sizes)]
    if c["shape_changes"]:
        sizes = [int(r.integers(1, 6)) for _ in sizes]
    K, d, data = c["K"], c["dtype"], []
    for n in sizes:
        x = r.integers(0, shape[2], (n, shape[1])) if shape[0] == "idx" else r.standard_normal((n, *shape)).astype(d)
        if c["loss"] in CLASSES:
            y = r.integers(0, K, n)
            if c["ignore"] and c["loss"] != "multi_margin":
                y[r.random(n) < 0.3] = -100
        elif c["loss"] == "bce":
            y = (r.random((n, K)) < 0.5).astype(d)
        elif c["loss"] in ("soft_margin", "hinge"):
            y = np.where(r.random((n, K)) < 0.5, -1.0, 1.0).astype(d)
        elif c["loss"] == "ranking":
            y = np.where(r.random(n) < 0.5, -1.0, 1.0).astype(d)
        else:
            y = r.standard_normal((n, K)).astype(d)
        data.append((x, y))
    for (_, a), (_, b) in zip(data[::2], data[1::2]) if c["repeat_labels"] else ():
        if len(a) == len(b) > 1:  # each odd batch's targets are the even one's but for its last row: as two
            b[:-1] = a[:-1]  # batches of real data may share a slice of their targets
    return data


def loss_function(c, weight=None):
    """The setup's loss of (outputs, targets); `weight` the class weights (an array the caller may change)."""
    red, loss = c["reduction"], c["loss"]
    if loss == "ce":
        return lambda o, y: F.cross_entropy(o, y, weight=weight, reduction=red, label_smoothing=c["ce_smoothing"])
    if loss == "nll":
        return lambda o, y: F.nll_loss(F.log_softmax(o, axis=1), y, weight=weight, reduction=red)
    if loss == "multi_margin":
        p = 1 + int(c["ce_weight"])
        return lambda o, y: F.multi_margin_loss(o, y, p=p, margin=0.7, weight=weight, reduction=red)
    if loss == "bce":
        pos = np.full(c["K"], 2.0, c["dtype"]) if c["ce_weight"] else None
        return lambda o, y: F.binary_cross_entropy_with_logits(o, y, reduction=red, pos_weight=pos)
    if loss == "ranking":
        return lambda o, y: F.margin_ranking_loss(o[:, 0], o[:, 1], y, margin=0.1, reduction=red)
    options = {"huber": {"delta": 0.5}, "hinge": {"margin": 0.5}}.get(loss, {})
    name = {"mse": "mse_loss", "huber": "huber_loss", "smooth_l1": "smooth_l1_loss", "l1": "l1_loss"}.get(loss)
    function = getattr(F, name or f"{loss}{'_embedding' if loss == 'hinge' else ''}_loss")
    return lambda o, y: function(o, y, reduction=red, **options)


def optimizer(c, params, lr_scale=1.0):
    """The setup's optimizer over `params` (an lr of 1e6 times where it blows up)."""
    o, kw = c["opt"], {"maximize": True} if c["maximize"] else {}
    lr_scale *= 1e6 if c["blowup"] else 1.0
    if o == "SGD":
        kw.update(lr=0.05 * lr_scale, momentum=c["momentum"], weight_decay=c["wd"])
        if c["momentum"] and c["nesterov"]:
            kw["nesterov"] = True
        elif c["opt_extra"]:
            kw["dampening"] = 0.1
    elif o in ("Adam", "AdamW"):
        kw.update(lr=0.01 * lr_scale, amsgrad=c["amsgrad"])
        if c["wd"] or o == "Adam":
            kw["weight_decay"] = c["wd"]
    elif o == "RMSprop":
        kw.update(lr=0.01 * lr_scale, momentum=c["momentum"], centered=c["centered"], weight_decay=c["wd"])
    elif o == "Rprop":
        kw.update(lr=0.01 * lr_scale)
    else:
        kw.update(lr=(1.0 if o == "Adadelta" else 0.01) * lr_scale, weight_decay=c["wd"])
    if c["opt_extra"]:
        kw.update(EXTRA.get(o, {}))
    return getattr(nn, o)(params, **kw)


def scheduler(c, opt):
    """The setup's scheduler of `opt`, or None."""
    s = c["sched"]
    made = {
        "step": lambda: S.StepLR(opt, 2, gamma=0.5),
        "exp": lambda: S.ExponentialLR(opt, 0.9),
        "lambda": lambda: S.LambdaLR(opt, lambda e: 1.0 / (1 + e)),
        "cos": lambda: S.CosineAnnealingLR(opt, 40),
        "onecycle": lambda: S.OneCycleLR(opt, max_lr=0.05, total_steps=c["steps"] + 2, cycle_momentum=False),
        "linear": lambda: S.LinearLR(opt, total_iters=4),
        "multistep": lambda: S.MultiStepLR(opt, [2, 5], gamma=0.3),
        "cyclic": lambda: S.CyclicLR(opt, 0.001, 0.05, step_size_up=3, cycle_momentum=False),
        "plateau": lambda: S.ReduceLROnPlateau(opt, patience=1, factor=0.5),
    }
    return made[s]() if s else None
