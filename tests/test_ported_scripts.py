"""PyTorch tutorials' training scripts ported to chainrule, compared with torch 2.13 step by step: every loss,
parameter, buffer and gradient at every step, and the predictions after (tests/ported_scripts.py says how).
Images, autoencoders, generative models and regressions here; sequences, attention and checkpoints in
test_ported_scripts_sequences.py. Each script is as tutorials write it: model.train()/eval(), evaluation
under no_grad, .item(), zero_grad(set_to_none=True), inplace activations, schedulers stepped per epoch or per
batch. A bias right before a BatchNorm has a gradient of 0 in exact arithmetic, whose rounding Adam would
turn into steps of its own in both engines: those layers are made with bias=False, as tutorials that know
make them."""

import numpy as np
import pytest
from ported_scripts import TORCH, TORCH_DTYPE, check_script

RNG = np.random.default_rng(0)
IMAGES = RNG.random((96, 1, 12, 12)) * (RNG.random((96, 1, 12, 12)) < 0.4)  # sparse, as digits are
LABELS = RNG.integers(0, 10, 96)


def _mlp(ns):
    n = ns.nn
    return n.Sequential(
        n.Flatten(),
        n.Linear(144, 32, bias=False),
        n.BatchNorm1d(32),
        n.ReLU(inplace=True),
        n.Dropout(p=0.0),
        n.Linear(32, 16, bias=False),
        n.BatchNorm1d(16, momentum=0.2),
        n.ReLU(),
        n.Linear(16, 10),
    )


def mlp_script(ns, dt, load, record):
    """An MNIST MLP: BatchNorm1d, Dropout(p=0), CrossEntropyLoss(label_smoothing), Adam + weight decay, StepLR."""
    model = load("model", _mlp(ns).to(TORCH_DTYPE[np.dtype(dt)] if ns.torch else dt))
    opt = ns.optim.Adam(model.parameters(), lr=3e-3, weight_decay=1e-4)
    sched = ns.sched.StepLR(opt, step_size=2, gamma=0.5)
    criterion = ns.nn.CrossEntropyLoss(label_smoothing=0.1)
    x, y = IMAGES.astype(dt), LABELS
    for _epoch in range(4):
        model.train()
        for b in range(0, 64, 16):
            opt.zero_grad()
            loss = criterion(model(ns.tensor(x[b : b + 16])), ns.tensor(y[b : b + 16]))
            loss.backward()
            record("loss", loss.item(), model)
            opt.step()
        sched.step()
        model.eval()
        with ns.no_grad():
            logits = model(ns.tensor(x[64:]))
            correct = logits.argmax(1).eq(ns.tensor(y[64:])).sum().item()
        record("eval", logits, model)
        record("correct", correct)
        record("lr", sched.get_last_lr()[0])


def _cnn(ns):
    n = ns.nn
    return n.Sequential(
        n.Conv2d(1, 6, 3, padding=1),
        n.BatchNorm2d(6),
        n.ReLU(inplace=True),
        n.MaxPool2d(2),
        n.Conv2d(6, 8, 3, padding="same", bias=False),
        n.BatchNorm2d(8),
        n.LeakyReLU(0.1),
        n.MaxPool2d(kernel_size=3, stride=2, padding=1),
        n.Conv2d(8, 8, kernel_size=(3, 2), groups=2),
        n.AdaptiveAvgPool2d((1, 1)),
        n.Flatten(),
        n.Linear(8, 10),
    )


def cnn_script(ns, dt, load, record):
    """A small CNN: SGD with Nesterov momentum and weight decay, CosineAnnealingLR stepped every batch."""
    model = load("model", _cnn(ns).to(TORCH_DTYPE[np.dtype(dt)] if ns.torch else dt))
    opt = ns.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True, weight_decay=5e-4)
    sched = ns.sched.CosineAnnealingLR(opt, T_max=12, eta_min=1e-4)
    x = ((IMAGES - IMAGES.mean()) / IMAGES.std()).astype(dt)
    for _epoch in range(3):
        model.train()
        for b in range(0, 64, 16):
            loss = ns.F.cross_entropy(model(ns.tensor(x[b : b + 16])), ns.tensor(LABELS[b : b + 16]))
            opt.zero_grad()
            loss.backward()
            record("loss", loss.item(), model)
            opt.step()
            sched.step()
            record("lr", opt.param_groups[0]["lr"])
    model.eval()
    with ns.no_grad():
        record("eval", model(ns.tensor(x[64:])), model)


def _autoencoder(ns):
    n = ns.nn
    encoder = n.Sequential(n.Conv2d(1, 4, 3, stride=2, padding=1), n.ReLU(), n.Conv2d(4, 8, 3, stride=2, padding=1))
    decoder = n.Sequential(
        n.ConvTranspose2d(8, 4, 3, stride=2, padding=1, output_padding=1),
        n.ReLU(),
        n.ConvTranspose2d(4, 1, 3, stride=2, padding=1, output_padding=1),
    )
    return n.Sequential(encoder, decoder)


def autoencoder_script(ns, dt, load, record):
    """A convolutional autoencoder: ConvTranspose2d, output_padding, BCEWithLogitsLoss(pos_weight), Adam(amsgrad)."""
    model = load("model", _autoencoder(ns).to(TORCH_DTYPE[np.dtype(dt)] if ns.torch else dt))
    criterion = ns.nn.BCEWithLogitsLoss(pos_weight=ns.tensor(np.array([2.0], dt)))
    opt = ns.optim.Adam(model.parameters(), lr=2e-3, amsgrad=True)
    x = IMAGES.astype(dt)
    for _epoch in range(3):
        for b in range(0, 96, 32):
            xb = ns.tensor(x[b : b + 32])
            loss = criterion(model(xb), xb)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            record("loss", loss, model)
            opt.step()
    with ns.no_grad():
        record("reconstruction", ns.sigmoid(model(ns.tensor(x[:8]))), model)


class _VAEMixin:
    """The PyTorch examples' VAE, smaller: mu and logvar from one Linear's chunks."""

    def encode(self, x):
        mu, logvar = self.fc2(self.ns.relu(self.fc1(x))).chunk(2, dim=1)
        return mu, logvar

    def decode(self, z):
        return self.ns.sigmoid(self.fc4(self.ns.relu(self.fc3(z))))

    def forward(self, x, eps):
        mu, logvar = self.encode(x.view(-1, 144))
        return self.decode(mu + eps * self.ns.exp(0.5 * logvar)), mu, logvar


def _vae(ns):
    class VAE(_VAEMixin, ns.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1, self.fc2 = ns.nn.Linear(144, 32), ns.nn.Linear(32, 8)
            self.fc3, self.fc4 = ns.nn.Linear(4, 32), ns.nn.Linear(32, 144)

    VAE.ns = ns  # a class attribute: no module, parameter or buffer
    return VAE()


def vae_script(ns, dt, load, record):
    """A VAE: reparameterisation with seeded noise passed in, binary_cross_entropy(reduction='sum') + the KL term."""
    model = load("model", _vae(ns).to(TORCH_DTYPE[np.dtype(dt)] if ns.torch else dt))
    opt = ns.optim.Adam(model.parameters(), lr=1e-3)
    x = (IMAGES > 0.5).astype(dt)
    noise = np.random.default_rng(1).standard_normal((9, 32, 4)).astype(dt)
    model.train()
    for step in range(9):
        xb = ns.tensor(x[step % 3 * 32 : step % 3 * 32 + 32])
        opt.zero_grad()
        recon, mu, logvar = model(xb, ns.tensor(noise[step]))
        bce = ns.F.binary_cross_entropy(recon, xb.view(-1, 144), reduction="sum")
        kld = -0.5 * (1 + logvar - mu.pow(2) - logvar.exp()).sum()  # torch.sum(...): chainrule has no autograd.sum
        loss = bce + kld
        loss.backward()
        record("loss", loss.item(), model)
        opt.step()
    model.eval()
    with ns.no_grad():
        record("samples", model.decode(ns.tensor(noise[0][:8])), model)


@pytest.mark.parametrize(
    "script, make, dtype",
    [
        (mlp_script, _mlp, np.float64),
        (mlp_script, _mlp, np.float32),
        (cnn_script, _cnn, np.float64),
        (autoencoder_script, _autoencoder, np.float64),
        (vae_script, _vae, np.float64),
        (vae_script, _vae, np.float32),
    ],
    ids=["mlp-float64", "mlp-float32", "cnn-float64", "autoencoder-float64", "vae-float64", "vae-float32"],
)
def test_image_scripts_follow_torchs_steps(script, make, dtype):
    check_script(script, {"model": lambda: make(TORCH).double()}, seed=0, dtype=dtype)


def gan_script(ns, dt, load, record):
    """A GAN step pair: two Adams (betas 0.5, 0.999), fake.detach() for the discriminator, zero_grad(set_to_none),
    BCEWithLogitsLoss against full_like/zeros_like/ones_like labels (0.9 for real: one-sided smoothing)."""
    to = TORCH_DTYPE[np.dtype(dt)] if ns.torch else dt
    gen, disc = load("gen", _generator(ns).to(to)), load("disc", _discriminator(ns).to(to))
    opt_g = ns.optim.Adam(gen.parameters(), lr=2e-3, betas=(0.5, 0.999))
    opt_d = ns.optim.Adam(disc.parameters(), lr=2e-3, betas=(0.5, 0.999))
    criterion = ns.nn.BCEWithLogitsLoss()
    rng = np.random.default_rng(2)
    for _step in range(12):
        real = ns.tensor((rng.standard_normal((16, 2)) * [0.5, 0.2] + [2.0, -1.0]).astype(dt))
        z1, z2 = (ns.tensor(rng.standard_normal((16, 4)).astype(dt)) for _ in range(2))
        gen.train()
        opt_d.zero_grad(set_to_none=True)
        out_real = disc(real)
        out_fake = disc(gen(z1).detach())
        d_loss = criterion(out_real, ns.full_like(out_real, 0.9)) + criterion(out_fake, ns.zeros_like(out_fake))
        d_loss.backward()
        opt_d.step()
        opt_g.zero_grad(set_to_none=True)
        out = disc(gen(z2))
        g_loss = criterion(out, ns.ones_like(out))
        g_loss.backward()
        record("losses", [d_loss.item(), g_loss.item()], gen, disc)
        opt_g.step()
    gen.eval()
    with ns.no_grad():
        record("samples", gen(z1), gen)


def _generator(ns):
    n = ns.nn
    return n.Sequential(n.Linear(4, 16, bias=False), n.BatchNorm1d(16), n.ReLU(), n.Linear(16, 2))


def _discriminator(ns):
    n = ns.nn
    return n.Sequential(n.Linear(2, 16), n.LeakyReLU(0.2, inplace=True), n.Linear(16, 1))


def test_gan_steps_follow_torchs():
    check_script(
        gan_script, {"gen": lambda: _generator(TORCH).double(), "disc": lambda: _discriminator(TORCH).double()}, 1
    )
