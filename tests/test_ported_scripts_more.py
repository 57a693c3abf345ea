"""More ported PyTorch scripts, compared with torch 2.13 at every step (tests/ported_scripts.py): a small UNet
(GroupNorm, InstanceNorm2d, Upsample, F.interpolate, skip connections by cat, ConvTranspose2d, pixelwise
CrossEntropyLoss with class weights and ignore_index plus a soft dice loss, NAdam, CosineAnnealingWarmRestarts
stepped by fractions of an epoch); a seq2seq model (bidirectional GRU encoder, LSTMCell decoder looped by hand
with teacher forcing, dot attention by bmm with masked_fill, Embedding(max_norm), PReLU, NLLLoss with
ignore_index, clip_grad_value_, Adagrad with lr_decay); and distillation with metric learning (a frozen
teacher, KLDivLoss(batchmean, log_target) at a temperature, F.normalize, TripletMarginLoss,
CosineEmbeddingLoss, RAdam with decoupled weight decay, PolynomialLR)."""

import numpy as np
import pytest
from ported_scripts import TORCH, TORCH_DTYPE, check_script
from torch_reference_optim import float64_default

float64_scalars = pytest.fixture(autouse=True)(float64_default)  # NAdam's mu_product, in float64 as chainrule's


def _unet(ns):
    n = ns.nn

    class UNet(n.Module):
        def __init__(self):
            super().__init__()
            self.down1 = n.Sequential(n.Conv2d(2, 4, 3, padding=1), n.GroupNorm(2, 4), n.ReLU())
            self.pool = n.MaxPool2d(2)
            self.down2 = n.Sequential(n.Conv2d(4, 8, 3, padding=1), n.InstanceNorm2d(8, affine=True), n.ReLU())
            self.bottom = n.Sequential(n.AvgPool2d(2), n.Conv2d(8, 8, 1), n.Dropout2d(0.0))
            self.up = n.Upsample(scale_factor=2, mode="bilinear", align_corners=False)
            self.up2 = n.ConvTranspose2d(16, 4, 2, stride=2)
            self.out = n.Conv2d(8, 3, 1)

        def forward(self, x):
            d1 = self.down1(x)
            d2 = self.down2(self.pool(d1))
            b = self.bottom(d2)
            u = ns.cat([self.up(b), ns.F.interpolate(b, scale_factor=2, mode="nearest")], 1)[:, :8]
            u = self.up2(ns.cat([u, d2], 1))
            return self.out(ns.cat([u, d1], dim=1))

    return UNet()


def _dice(probs, onehot, eps=1.0):
    inter = (probs * onehot).sum(dim=(2, 3))
    return 1 - ((2 * inter + eps) / (probs.sum(dim=(2, 3)) + onehot.sum(dim=(2, 3)) + eps)).mean()


def unet_script(ns, dt, load, record):
    model = load("model", _unet(ns).to(TORCH_DTYPE[np.dtype(dt)] if ns.torch else dt))
    x = np.random.default_rng(14).standard_normal((16, 2, 8, 8)).astype(dt)
    masks = (x[:, 0] + x[:, 1] > 0.3).astype(np.int64) + (x[:, 0] > 1.2)
    masks[:, :2, :2] = 255
    criterion = ns.nn.CrossEntropyLoss(weight=ns.tensor(np.array([1.0, 2.0, 3.0], dt)), ignore_index=255)
    opt = ns.optim.NAdam(model.parameters(), lr=2e-3, weight_decay=1e-4, momentum_decay=4e-3)
    sched = ns.sched.CosineAnnealingWarmRestarts(opt, T_0=2, T_mult=2, eta_min=1e-5)
    for epoch in range(3):
        model.train()
        for i in range(2):
            xb, mb = x[i * 8 : i * 8 + 8], masks[i * 8 : i * 8 + 8]
            onehot = np.eye(3, dtype=dt)[np.where(mb == 255, 0, mb)].transpose(0, 3, 1, 2)
            out = model(ns.tensor(xb))
            loss = criterion(out, ns.tensor(mb)) + _dice(out.softmax(1), ns.tensor(onehot))
            opt.zero_grad()
            loss.backward()
            record("loss", loss.item(), model)
            opt.step()
            sched.step(epoch + i / 2)
            record("lr", opt.param_groups[0]["lr"])
    model.eval()
    with ns.no_grad():
        record("eval", model(ns.tensor(x[:4])), model)


VOCAB, PAD = 9, 0


def _seq2seq(ns):
    n = ns.nn

    class Seq2Seq(n.Module):
        def __init__(self):
            super().__init__()
            self.src_emb = n.Embedding(VOCAB, 6, padding_idx=PAD, max_norm=1.0)
            self.enc = n.GRU(6, 8, batch_first=True, bidirectional=True)
            self.bridge, self.key = n.Linear(16, 8), n.Linear(16, 8, bias=False)
            self.tgt_emb = n.Embedding(VOCAB, 6)
            self.cell = n.LSTMCell(6 + 16, 8)
            self.act = n.PReLU()
            self.out = n.Linear(8 + 16, VOCAB)

        def attend(self, enc, hx, mask):
            scores = ns.bmm(self.key(enc), hx.unsqueeze(2)).squeeze(2).masked_fill(mask, float("-inf"))
            return ns.bmm(scores.softmax(dim=1).unsqueeze(1), enc).squeeze(1)

        def forward(self, src, tgt, teacher):
            mask = src == PAD
            enc, h = self.enc(self.src_emb(src))
            hx = ns.tanh(self.bridge(ns.cat([h[0], h[1]], dim=1)))
            cx, inp, out = ns.zeros_like(hx), ns.zeros_like(tgt[:, 0]), []
            for t in range(tgt.size(1)):
                hx, cx = self.cell(ns.cat([self.tgt_emb(inp), self.attend(enc, hx, mask)], dim=1), (hx, cx))
                logp = self.out(ns.cat([self.act(hx), self.attend(enc, hx, mask)], dim=1)).log_softmax(dim=-1)
                out.append(logp)
                inp = tgt[:, t] if teacher[t] else logp.argmax(dim=-1)
            return ns.stack(out, dim=1)

    return Seq2Seq()


def seq2seq_script(ns, dt, load, record):
    model = load("model", _seq2seq(ns).to(TORCH_DTYPE[np.dtype(dt)] if ns.torch else dt))
    rng = np.random.default_rng(12)
    src, tgt = rng.integers(1, VOCAB, (6, 4, 7)), rng.integers(1, VOCAB, (6, 4, 5))
    for k in range(6):
        for row in range(4):
            src[k, row, rng.integers(3, 8) :] = PAD
            tgt[k, row, rng.integers(2, 6) :] = PAD
    teacher = rng.random((6, 5)) < 0.5
    opt = ns.optim.Adagrad(model.parameters(), lr=0.05, lr_decay=1e-2, initial_accumulator_value=0.1)
    criterion = ns.nn.NLLLoss(ignore_index=PAD)
    for step in range(6):
        model.train()
        out = model(ns.tensor(src[step]), ns.tensor(tgt[step]), teacher[step])
        loss = criterion(out.reshape(-1, VOCAB), ns.tensor(tgt[step]).reshape(-1))
        opt.zero_grad()
        loss.backward()
        ns.utils.clip_grad_value_(model.parameters(), 0.05)
        record("loss", loss.item(), model)
        opt.step()
    model.eval()
    with ns.no_grad():
        record("greedy", model(ns.tensor(src[0]), ns.tensor(tgt[0]), np.zeros(5, bool)), model)


def _teacher(ns):
    n = ns.nn
    return n.Sequential(n.Linear(6, 16), n.Mish(), n.Linear(16, 4))


def _student(ns):
    n = ns.nn

    class Student(n.Module):
        def __init__(self):
            super().__init__()
            self.body = n.Sequential(n.Linear(6, 16), n.Hardswish(), n.Linear(16, 16), n.Softplus(beta=2.0))
            self.cls, self.emb = n.Linear(16, 4), n.Linear(16, 8)

        def forward(self, x):
            h = self.body(x)
            return self.cls(h), self.emb(h)

    return Student()


def distillation_script(ns, dt, load, record, temperature=3.0):
    to = TORCH_DTYPE[np.dtype(dt)] if ns.torch else dt
    teacher, student = load("teacher", _teacher(ns).to(to)), load("student", _student(ns).to(to))
    teacher.eval()
    for p in teacher.parameters():
        p.requires_grad_(False)
    opt = ns.optim.RAdam(student.parameters(), lr=3e-3, weight_decay=1e-2, decoupled_weight_decay=True)
    sched = ns.sched.PolynomialLR(opt, total_iters=4, power=2.0)
    kl = ns.nn.KLDivLoss(reduction="batchmean", log_target=True)
    triplet, cosine = ns.nn.TripletMarginLoss(margin=0.5), ns.nn.CosineEmbeddingLoss(margin=0.1)
    rng = np.random.default_rng(13)
    for step in range(8):
        student.train()
        x, y = rng.standard_normal((30, 6)).astype(dt), rng.integers(0, 4, 30)
        with ns.no_grad():
            soft_targets = ns.F.log_softmax(teacher(ns.tensor(x)) / temperature, dim=1)
        logits, e = student(ns.tensor(x))
        e = ns.F.normalize(e, dim=1)
        loss = 0.7 * kl(ns.F.log_softmax(logits / temperature, dim=1), soft_targets) * temperature**2
        loss = loss + 0.3 * ns.F.cross_entropy(logits, ns.tensor(y)) + triplet(e[:10], e[10:20], e[20:])
        loss = loss + cosine(e[:15], e[15:], ns.tensor(np.where(y[:15] == y[15:], 1, -1)))
        opt.zero_grad()
        loss.backward()
        record("loss", loss.item(), student, teacher)
        opt.step()
        if step % 2 == 1:
            sched.step()


@pytest.mark.parametrize(
    "script, make",
    [
        (unet_script, {"model": _unet}),
        (seq2seq_script, {"model": _seq2seq}),
        (distillation_script, {"teacher": _teacher, "student": _student}),
    ],
    ids=["unet", "seq2seq", "distillation"],
)
def test_more_scripts_follow_torchs_steps(script, make):
    check_script(script, {name: (lambda f=f: f(TORCH).double()) for name, f in make.items()}, seed=10)
