"""The models of the compile fuzzer (compile_fuzz_runs): an MLP, a residual block written as a user Module,
Conv1d and Conv2d stacks with pools and norms, an Embedding, a recurrent layer and self-attention, each
ending in a Linear head of K outputs, built from a setup's choices (compile_fuzz_setups.draw)."""

import numpy as np

import nn
from autograd import Tensor


def activation(c):
    return getattr(nn, c["act"])()


class Residual(nn.Module):
    """x + b(f(a(x))): a block of the user's own, as a ResNet's."""

    def __init__(self, n, c, seed):
        super().__init__()
        self.a = nn.Linear(n, n, seed=seed, dtype=c["dtype"])
        self.f = activation(c)
        self.b = nn.Linear(n, n, seed=seed + 1, dtype=c["dtype"])

    def forward(self, x):
        return x + self.b(self.f(self.a(x)))


class RecurrentHead(nn.Module):
    """An RNN, GRU or LSTM over (batch, time, features); the head reads the last step."""

    def __init__(self, c, features, hidden):
        super().__init__()
        self.rnn = getattr(nn, c["rnn"])(features, hidden, batch_first=True, seed=3, dtype=c["dtype"])
        self.head = nn.Linear(hidden, c["K"], seed=4, dtype=c["dtype"])

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.head(out[:, -1])


class AttentionHead(nn.Module):
    """Self-attention (with dropout, a key padding mask, a causal mask), a residual LayerNorm, a mean over time."""

    def __init__(self, c, embed):
        super().__init__()
        self.attn = nn.MultiheadAttention(embed, 2, batch_first=True, seed=5, dtype=c["dtype"], dropout=c["dropout"])
        self.norm = nn.LayerNorm(embed, dtype=c["dtype"])
        self.head = nn.Linear(embed, c["K"], seed=6, dtype=c["dtype"])
        self.masks = c["attn_mask"]
        self.need_weights = c["need_weights"]

    def forward(self, x):
        batch, time = x.shape[0], x.shape[1]
        kw = {"need_weights": self.need_weights}
        if self.masks in ("padding", "both"):  # every other sequence's last step is padding
            kw["key_padding_mask"] = Tensor(np.arange(time)[None, :] >= time - (np.arange(batch)[:, None] % 2))
        if self.masks in ("causal", "both"):
            kw["attn_mask"] = Tensor(np.triu(np.ones((time, time), bool), 1))
        a, _ = self.attn(x, x, x, **kw)
        return self.head(self.norm(x + a).mean(axis=1))


class EmbedHead(nn.Module):
    """An Embedding of integer tokens (padding_idx, max_norm, scale_grad_by_freq), averaged over the sequence."""

    def __init__(self, c, vocabulary, embed):
        super().__init__()
        padding = 0 if c["ignore"] else None
        self.emb = nn.Embedding(vocabulary, embed, padding_idx=padding, seed=7, dtype=c["dtype"], **c["emb_opts"])
        self.f = activation(c)
        self.head = nn.Linear(embed, c["K"], seed=8, dtype=c["dtype"])

    def forward(self, idx):
        return self.head(self.f(self.emb(idx).mean(axis=1)))


def _norm(c, n, dims):
    """The setup's norm for n features of `dims` spatial dims, or None."""
    if c["norm"] == "batch":
        return (nn.BatchNorm1d if dims < 2 else nn.BatchNorm2d)(n, dtype=c["dtype"])
    if c["norm"] == "layer" and dims == 0:
        return nn.LayerNorm(n, dtype=c["dtype"])
    if c["norm"] in ("group", "layer") and dims > 0:
        return nn.GroupNorm(2, n, dtype=c["dtype"])
    return None


def _pool(c, dims):
    if not c["pool"]:
        return None
    options = c["pool_opts"]
    if c["pool"] == "max":
        return (nn.MaxPool1d if dims == 1 else nn.MaxPool2d)(2, **options)
    return (nn.AvgPool1d if dims == 1 else nn.AvgPool2d)(2, count_include_pad=c["count_include_pad"], **options)


def _conv_stack(c, dims):
    d = c["dtype"]
    if dims == 1:
        shape, conv = (2, 8), nn.Conv1d(2, 4, 3, padding=1, seed=1, dtype=d, **c["conv_opts"])
    else:
        shape, conv = (1, 6, 6), nn.Conv2d(1, 4, 3, padding=1, seed=1, dtype=d, **dict(c["conv_opts"], groups=1))
    layers = [conv, _norm(c, 4, dims), activation(c)]
    if c["dropout"] and dims == 2:
        layers.append(nn.Dropout2d(c["dropout"], seed=13))
    layers += [_pool(c, dims), nn.Flatten()]
    layers = [x for x in layers if x is not None]
    width = nn.Sequential(*layers).eval()(Tensor(np.zeros((2, *shape), d))).shape[1]
    return nn.Sequential(*layers, nn.Linear(width, c["K"], seed=2, dtype=d)).train(), shape


def build_model(c):
    """The setup's model and the shape of one example (("idx", time, vocabulary) for tokens)."""
    d, family = c["dtype"], c["family"]
    if family in ("conv1d", "conv2d"):
        return _conv_stack(c, int(family[4]))
    if family == "embed":
        return EmbedHead(c, 7, 4), ("idx", 5, 7)
    if family == "rnn":
        return RecurrentHead(c, 3, 5), (4, 3)
    if family == "attn":
        return AttentionHead(c, 4), (3, 4)
    n_in = 5 if family == "mlp" else 4
    layers = [nn.Linear(n_in, 6, seed=1, dtype=d)]
    if family == "residual":
        layers.append(Residual(6, c, 20))
    layers += [_norm(c, 6, 0), activation(c)]
    if c["dropout"]:
        layers.append(nn.Dropout(c["dropout"], seed=11))
    layers.append(nn.Linear(6, c["K"], seed=2, dtype=d))
    return nn.Sequential(*[x for x in layers if x is not None]), (n_in,)
