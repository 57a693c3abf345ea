"""Training-loop habits of PyTorch scripts, ported and compared with torch 2.13 at every step
(tests/ported_scripts.py): a regression under HuberLoss with ReduceLROnPlateau on the validation loss and
nn.init through model.apply; gradient accumulation over micro-batches with a frozen then unfrozen body;
fine-tuning with two parameter groups (written as PyTorch's, the same in both engines) and a
BatchNorm kept in eval mode; and a checkpoint taken mid-training (model, optimizer and scheduler state
dicts, or nn.save's file) loaded into a fresh model, optimizer and scheduler, which must go on exactly as
the uninterrupted run."""

import os

import numpy as np
import pytest
from ported_scripts import TORCH, TORCH_DTYPE, check_script, deepcopy_state

import nn

RNG = np.random.default_rng(7)
X = RNG.uniform(-3, 3, (120, 3))
Y = np.sin(X[:, :1]) * X[:, 1:2] + 0.3 * X[:, 2:] ** 2 + 0.2 * RNG.standard_normal((120, 1))
Y[::17] += 6.0  # outliers, which Huber's loss is for


def _regressor(ns):
    n = ns.nn
    return n.Sequential(n.Linear(3, 16), n.SiLU(), n.Linear(16, 16), n.Tanh(), n.Linear(16, 1))


def regression_script(ns, dt, load, record):
    """SGD with momentum and dampening, HuberLoss(delta), ReduceLROnPlateau(patience=0) on the validation loss."""
    model = _regressor(ns).to(TORCH_DTYPE[np.dtype(dt)] if ns.torch else dt)

    def init(m):  # as tutorials write it; the weights are then replaced by the shared ones
        if isinstance(m, ns.nn.Linear):
            ns.nn.init.xavier_uniform_(m.weight if ns.torch else m.W, gain=ns.nn.init.calculate_gain("tanh"))
            ns.nn.init.constant_(m.bias if ns.torch else m.b, 0.01)

    model.apply(init)
    load("model", model)
    opt = ns.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, dampening=0.1)
    plateau = ns.sched.ReduceLROnPlateau(opt, mode="min", factor=0.5, patience=0, threshold=0.05, min_lr=1e-3)
    criterion = ns.nn.HuberLoss(delta=0.5)
    x, y = X.astype(dt), Y.astype(dt)
    for _epoch in range(8):
        model.train()
        for b in range(0, 96, 24):
            opt.zero_grad()
            loss = criterion(model(ns.tensor(x[b : b + 24])), ns.tensor(y[b : b + 24]))
            loss.backward()
            record("loss", loss.item(), model)
            opt.step()
        model.eval()
        with ns.no_grad():
            pred = model(ns.tensor(x[96:]))
            val = criterion(pred, ns.tensor(y[96:])).item()
            l1 = ns.F.smooth_l1_loss(pred, ns.tensor(y[96:]), beta=0.5).item()
        plateau.step(val)
        record("validation and lr", [val, l1, opt.param_groups[0]["lr"]])


def _classifier(ns):
    class Net(ns.nn.Module):
        def __init__(self):
            super().__init__()
            n = ns.nn
            self.body = n.Sequential(n.Linear(3, 16), n.LayerNorm(16), n.ELU(alpha=0.7), n.Dropout(0.0))
            self.head = n.Linear(16, 3)

        def forward(self, x):
            return self.head(self.body(x))

    return Net()


def accumulation_script(ns, dt, load, record):
    """Four micro-batches a step (loss / 4), RMSprop (centered, momentum, weight decay), ExponentialLR; the body
    frozen with requires_grad_(False) for the first epoch."""
    model = load("model", _classifier(ns).to(TORCH_DTYPE[np.dtype(dt)] if ns.torch else dt))
    opt = ns.optim.RMSprop(model.parameters(), lr=3e-3, alpha=0.9, momentum=0.5, centered=True, weight_decay=1e-3)
    sched = ns.sched.ExponentialLR(opt, gamma=0.8)
    x, labels = X.astype(dt), (X[:, 0] > 0).astype(np.int64) + (X[:, 1] > 1).astype(np.int64)
    for epoch in range(3):
        for p in model.body.parameters():
            p.requires_grad_(epoch > 0)
        model.train()
        opt.zero_grad()
        for i, b in enumerate(range(0, 120, 10)):
            loss = ns.F.cross_entropy(model(ns.tensor(x[b : b + 10])), ns.tensor(labels[b : b + 10])) / 4
            loss.backward()
            if (i + 1) % 4 == 0:
                record("micro-batch loss", loss.item(), model)
                opt.step()
                opt.zero_grad()
        sched.step()
    model.eval()
    with ns.no_grad():
        record("probabilities", model(ns.tensor(x)).softmax(dim=1), model)


def finetune_script(ns, dt, load, record):
    """Backbone at lr 1e-3 and head at 5e-2: two param groups, one SGD, in both engines; a LambdaLR warmup on both;
    the backbone's BatchNorm kept in eval mode while the rest trains; class weights and label smoothing."""
    n = ns.nn
    model = load("model", _finetuned(ns).to(TORCH_DTYPE[np.dtype(dt)] if ns.torch else dt))
    warm = lambda epoch: min(1.0, (epoch + 1) / 3)  # noqa: E731 (as tutorials write it)
    settings = {"momentum": 0.9, "weight_decay": 1e-4}
    body, head = model[0:3].parameters(), model[3].parameters()
    opts = [ns.optim.SGD([{"params": body, "lr": 1e-3}, {"params": head}], lr=5e-2, **settings)]
    scheds = [ns.sched.LambdaLR(opt, lr_lambda=warm) for opt in opts]
    criterion = n.CrossEntropyLoss(weight=ns.tensor(np.array([1.0, 2.0, 0.5], dt)), label_smoothing=0.05)
    x, labels = X.astype(dt), (X[:, 0] > 0).astype(np.int64) + (X[:, 2] > 1).astype(np.int64)
    for _epoch in range(4):
        model.train()
        model[1].eval()
        for b in range(0, 96, 32):
            for opt in opts:
                opt.zero_grad()
            loss = criterion(model(ns.tensor(x[b : b + 32])), ns.tensor(labels[b : b + 32]))
            loss.backward()
            record("loss", loss.item(), model)
            for opt in opts:
                opt.step()
        for sched in scheds:
            sched.step()
        record("lrs", [g["lr"] for opt in opts for g in opt.param_groups])


def _finetuned(ns):
    n = ns.nn
    return n.Sequential(n.Linear(3, 16), n.BatchNorm1d(16), n.ReLU(), n.Linear(16, 3))


def resume_script(how):
    """Train 10 steps, checkpoint, build everything afresh, load, train 10 more ("none": no break)."""

    def script(ns, dt, load, record, tmp=None):
        def make():
            model = _finetuned(ns).to(TORCH_DTYPE[np.dtype(dt)] if ns.torch else dt)
            opt = ns.optim.AdamW(model.parameters(), lr=5e-3, weight_decay=1e-2, amsgrad=True)
            warm = ns.sched.LinearLR(opt, start_factor=0.1, total_iters=2)
            sched = ns.sched.SequentialLR(opt, [warm, ns.sched.CosineAnnealingLR(opt, T_max=4)], milestones=[2])
            return model, opt, sched

        model, opt, sched = make()
        load("model", model)
        x, labels = X.astype(dt), (X[:, 0] > 0).astype(np.int64)
        for step in range(20):
            if step == 10 and how != "none":
                if how == "state dicts" or ns.torch:
                    parts = (model, opt, sched)
                    saved = deepcopy_state([part.state_dict() for part in parts])
                    model, opt, sched = make()
                    for part, state in zip((model, opt, sched), saved, strict=True):
                        part.load_state_dict(state)
                else:
                    path = os.path.join(os.environ["PORTED_TMP"], f"checkpoint.{how}")
                    nn.save(model, path, optimizer=opt)
                    model, opt, sched = make()
                    nn.load(model, path, optimizer=opt)
            model.train()
            opt.zero_grad()
            b = step % 4 * 24
            loss = ns.F.cross_entropy(model(ns.tensor(x[b : b + 24])), ns.tensor(labels[b : b + 24]))
            loss.backward()
            record("loss", loss.item(), model)
            opt.step()
            if step % 3 == 2:
                sched.step()
            record("lr", opt.param_groups[0]["lr"])

    return script


@pytest.mark.parametrize(
    "script, make",
    [(regression_script, _regressor), (accumulation_script, _classifier), (finetune_script, _finetuned)],
    ids=["regression", "accumulation", "fine-tuning"],
)
def test_training_habits_follow_torchs_steps(script, make):
    check_script(script, {"model": lambda: make(TORCH).double()}, seed=8)


@pytest.mark.parametrize("how", ["none", "state dicts", "npz", "safetensors"])
def test_a_resumed_run_goes_on_as_torchs_uninterrupted_one(how, tmp_path, monkeypatch):
    monkeypatch.setenv("PORTED_TMP", str(tmp_path))
    check_script(resume_script(how), {"model": lambda: _finetuned(TORCH).double()}, seed=9)
