"""A differential fuzzer of autograd.compile: a random whole training setup (compile_fuzz_setups.draw) run
twice from the same seeds, eagerly and compiled, for 5 to 12 steps, with the same changes between calls;
after each step every returned number, parameter, gradient, the model's state and each optimizer's state
and lr, compared bit for bit (`differences`). A compiled run may fall back to eager with a CompileWarning;
it may never give other numbers. `python tests/compile_fuzz_runs.py START COUNT` runs seeds and tallies."""

import sys
import warnings
from collections import Counter

import numpy as np
from compile_fuzz_forms import packed, unpacked
from compile_fuzz_models import build_model
from compile_fuzz_setups import batches, draw, loss_function, optimizer, scheduler

import autograd
import nn
from autograd import CompileWarning, Tensor
from nn import schedulers as S

SCALE = 1.0  # a global the step reads; rebound between calls where the setup says


def _array(a):
    return None if a is None else np.array(getattr(a, "data", a), copy=True)


def _snapshot(model, opts, ret):
    if isinstance(ret, dict):
        ret = (ret["loss"], ret["out"][0], ret["out"][1])
    ret = tuple(map(_array, ret)) if isinstance(ret, tuple) else _array(ret)
    return {
        "returned": ret,
        "params": [_array(p) for p in model.parameters()],
        "grads": [_array(p.grad) for p in model.parameters()],
        "model": {k: _array(v) for k, v in model.state_dict().items()},
        "optimizers": [{k: _array(v) for k, v in o.state_dict().items()} for o in opts],
        "lrs": [o.lr for o in opts],
    }


def laid_out(x, how):
    """x's numbers laid out in memory otherwise: Fortran order, every other row of a larger array, reversed."""
    if how == "fortran":
        return np.asfortranarray(x)
    if how == "strided":
        wide = np.zeros((x.shape[0] * 2, *x.shape[1:]), x.dtype)
        wide[::2] = x
        return wide[::2]
    if how == "reversed":
        return np.ascontiguousarray(x[::-1])[::-1]
    return x


def run(c, compiled, form=None):
    """One training run of setup `c`: the snapshots after each step (or the error a step raised, then stop),
    the CompileWarnings' messages, and the number of shapes a compiled run replayed. `form`: the compiled step
    takes its batch in that form of compile_fuzz_forms (a dict, a namedtuple, ...)."""
    global SCALE
    SCALE = 1.0
    autograd.manual_seed(0)  # the draws of layers without a generator of their own (attention's dropout)
    model, shape = build_model(c)
    data = batches(c, shape)
    ps = list(model.parameters())
    halves = c["two_opts"] and len(ps) > 1
    opts = [optimizer(c, ps[: len(ps) // 2]), optimizer(c, ps[len(ps) // 2 :], 0.5)] if halves else [optimizer(c, ps)]
    scheds = [scheduler(c, o) for o in opts] if c["sched"] else []
    weights = np.linspace(0.5, 1.5, c["K"]).astype(c["dtype"]) if c["ce_weight"] or c["weight_mutate"] else None
    loss_of = loss_function(c, weights)
    held = {"scale": 1.0}
    cell = 1.0
    zero, variant = c["zero"], c["variant"]

    def zero_grads():
        if zero == "model":
            model.zero_grad()
        else:
            for o in opts:
                o.zero_grad(set_to_none=zero != "opt_zeros")

    def step_schedulers(loss):
        for s in scheds:
            s.step(loss.item()) if isinstance(s, S.ReduceLROnPlateau) else s.step()

    def step(x, y):
        if zero not in ("after_step", "never"):
            zero_grads()
        seen = None
        if variant == "eval_first":  # a look in eval mode under no_grad, then back to the mode it had
            was = model.training
            model.eval()
            with autograd.no_grad():
                seen = loss_of(model(x), y).item()
            model.train(was)
        if variant == "slice" and x.shape[0] > 1:
            out = model(x[c["slice"]])
            loss = loss_of(out, y[c["slice"]])
        elif variant == "accumulate" and x.shape[0] > 1:
            half = x.shape[0] // 2
            loss_of(model(x[:half]), y[:half]).backward()
            out = model(x[half:])
            loss = loss_of(out, y[half:])
        else:
            out = model(x)
            loss = loss_of(out, y)
        scale = c["closure_scale"]
        if scale:
            loss = loss * (cell if scale == "cell" else held["scale"] if scale == "dict" else SCALE)
        if c["item_branch"] and loss.item() > 0.5:
            loss = loss * 0.5
        loss.backward()
        if c["clip"] == "norm":
            nn.clip_grad_norm_(model.parameters(), 0.5)
        elif c["clip"] == "value":
            nn.clip_grad_value_(model.parameters(), 0.1)
        for o in opts:
            o.step()
        if c["sched_inside"]:
            step_schedulers(loss)
        if zero == "after_step":
            zero_grads()
        if variant == "eval_first":
            return loss.item(), seen
        if variant == "returns_dict":
            return {"loss": loss.item(), "out": [out, "tag"]}
        return {"item": lambda: loss.item(), "tensor": lambda: loss, "tuple": lambda: (loss, out)}[c["returns"]]()

    def step_by_closure(x, y):  # opt.step(closure), PyTorch's form
        def closure():
            zero_grads()
            loss = loss_of(model(x), y)
            loss.backward()
            return loss

        loss = opts[0].step(closure)
        for o in opts[1:]:
            o.step()
        return loss

    fn = step_by_closure if c["step_closure"] else step
    f = autograd.compile(unpacked(form, fn) if form else fn) if compiled else fn
    log = []  # the form "log"'s list, which the step appends to
    r = np.random.default_rng(c["seed"] + 7)  # the changes between calls: the same in both runs
    snaps, buffer, saved = [], None, None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for i, (x, y) in enumerate(data):
            if c["freeze"] == "always" and i == 0 or c["freeze"] == "toggle" and r.random() < 0.3:
                ps[0].requires_grad = c["freeze"] == "toggle" and not ps[0].requires_grad
            if c["train_eval"] and r.random() < 0.3:
                model.train(not model.training)
            if c["lr_change"] and r.random() < 0.4:
                lr = float(r.choice([0.001, 0.02, 0.03]))
                if c["lr_change"] == "attr":
                    opts[-1].lr = lr
                else:
                    opts[-1].param_groups[0]["lr"] = lr
            if c["scale_changes"] and r.random() < 0.4:
                held["scale"] = cell = SCALE = float(r.choice([0.5, 1.0, 2.0]))
            _between_calls(c, r, model, opts, weights)
            if i == 1:
                saved = model.state_dict(), [o.state_dict() for o in opts]
            if c["model_load"] and i >= 3 and r.random() < 0.3:
                model.load_state_dict(saved[0])
            if c["opt_load"] and i >= 3 and r.random() < 0.3:
                for o, state in zip(opts, saved[1]):
                    o.load_state_dict(state)
            x = laid_out(x, c["layout"])
            if c["buffer"]:  # one array the caller fills in place before each call
                buffer = np.empty_like(x) if buffer is None or buffer.shape != x.shape else buffer
                buffer[...] = x
                x = buffer
            if y.dtype.kind == "i" and c["labels"] != "int64":
                y = y.astype(np.int32) if c["labels"] == "int32" else Tensor(y)
            try:
                x = x if shape[0] == "idx" else Tensor(x)
                args, kwargs = packed(form, x, y, log) if form and compiled else ((x, y), {})
                ret = f(*args, **kwargs)
                if not c["sched_inside"] and scheds:
                    first = ret["loss"] if isinstance(ret, dict) else ret[0] if isinstance(ret, tuple) else ret
                    step_schedulers(first if isinstance(first, Tensor) else Tensor(first))
            except Exception as e:  # noqa: BLE001 (the same refusal, at the same step, eager and compiled)
                snaps.append({"raised": f"{type(e).__name__}: {e}"})
                break
            snaps.append(_snapshot(model, opts, ret))
    if form == "log" and log != list(range(sum("raised" not in snap for snap in snaps))):
        snaps.append({"log": list(log)})  # one entry a call that returned, as eagerly
    said = [str(w.message) for w in caught if issubclass(w.category, CompileWarning)]
    replayed = sum(rec.program is not None for rec in f.recordings.values()) if compiled else 0
    return snaps, said, replayed


def _between_calls(c, r, model, opts, weights):
    """The setup's other changes before a call: a Dropout's p, a parameter scaled in place, a class weight set,
    an optimizer's momentum, betas, eps, weight_decay, alpha or rho set through its param group."""
    if c["p_change"] and r.random() < 0.4:
        for m in model.modules():
            if isinstance(m, nn.Dropout | nn.Dropout2d):
                m.p = float(r.choice([0.1, 0.3]))
    if c["poke"] and r.random() < 0.3:
        list(model.parameters())[-1].data[...] *= 0.9
    if c["weight_mutate"] and r.random() < 0.4:
        weights[int(r.integers(len(weights)))] = float(r.choice([0.25, 1.0, 2.0]))
    if c["hyper_change"] and r.random() < 0.4:
        group = opts[0].param_groups[0]
        choices = {"momentum": [0.0, 0.5, 0.9], "betas": [(0.8, 0.99), (0.9, 0.999)], "eps": [1e-8, 1e-6]}
        choices.update(weight_decay=[0.0, 0.05], alpha=[0.9, 0.99], rho=[0.8, 0.9])
        if isinstance(group.get("eps"), tuple):  # Adafactor's (eps1, eps2): as many values, the draws alike
            choices["eps"] = [(None, 1e-3), (1e-3, 1e-3)]
        for key, values in choices.items():
            if key in group and r.random() < 0.5:
                value = values[int(r.integers(len(values)))]
                if not (key == "momentum" and value == 0.0 and getattr(opts[0], "nesterov", False)):
                    group[key] = value


def differences(a, b, path="step"):
    """Where two runs' snapshots differ: dtype, shape, or any bit but a NaN's sign."""
    if isinstance(a, dict) or isinstance(b, dict):
        if not (isinstance(a, dict) and isinstance(b, dict)) or a.keys() != b.keys():
            return [f"{path}: {a!r:.80} vs {b!r:.80}"]
        return [d for k in a for d in differences(a[k], b[k], f"{path}.{k}")]
    if isinstance(a, list | tuple):
        if not isinstance(b, list | tuple) or len(a) != len(b):
            return [f"{path}: {len(a)} items vs {b!r:.80}"]
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in differences(x, y, f"{path}[{i}]")]
    if a is None or b is None or isinstance(a, str) or isinstance(b, str):
        return [] if a == b else [f"{path}: {a!r:.100} vs {b!r:.100}"]
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype != b.dtype or a.shape != b.shape:
        return [f"{path}: {a.dtype}{a.shape} vs {b.dtype}{b.shape}"]
    nan = a.dtype.kind in "fc"
    if not np.array_equal(a, b, equal_nan=nan) or (
        nan and not np.array_equal(np.signbit(a) | np.isnan(a), np.signbit(b) | np.isnan(b))
    ):
        return [f"{path}: {a!r:.100} vs {b!r:.100}"]
    return []


def check(seed, opt=None, form=None):
    """(status, details) of setup `seed`: "same" (replayed), "eager" (fell back, saying why), "recorded" (every
    call recorded again, no replay, no warning), "refused" (eagerly, before a step), "DIFFERENT" (numbers differ),
    or "ERROR" (only compiled raised). `opt`: an optimizer of compile_fuzz_setups.LATER in place of the drawn one."""
    c = draw(seed, opt)
    try:
        eager, _, _ = run(c, False)
    except Exception as e:  # noqa: BLE001 (a setup the library refuses before any step: nothing to compare)
        return "refused", [f"{type(e).__name__}: {e}"]
    try:
        compiled, said, replayed = run(c, True, form)
    except Exception as e:  # noqa: BLE001
        return "ERROR", [f"{type(e).__name__}: {e}"]
    found = differences(eager, compiled)
    if found:
        return "DIFFERENT", found + said
    return ("eager", said) if said else ("same", []) if replayed else ("recorded", [])


if __name__ == "__main__":
    start, count = int(sys.argv[1]), int(sys.argv[2])
    tally = Counter()
    for s in range(start, start + count):
        status, details = check(s)
        tally[status] += 1
        print(f"seed {s}: {status}", *(f"\n    {d[:300]}" for d in dict.fromkeys(details)), flush=True)
    print(dict(tally))
