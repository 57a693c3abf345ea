"""Sequence models' training scripts ported from PyTorch tutorials, compared with torch 2.13 at every step
(tests/ported_scripts.py): a char-RNN (Embedding, a 2-layer LSTM or GRU with batch_first, its hidden state
carried and detached between chunks, clip_grad_norm_, greedy decoding in eval) and a small transformer block
(learned positions, MultiheadAttention with key_padding_mask and the causal mask tutorials build, LayerNorm,
GELU, residuals, ignore_index on padding, AdamW and OneCycleLR stepped every batch)."""

import numpy as np
import pytest
from ported_scripts import TORCH, TORCH_DTYPE, check_script

TEXT = "the quick brown fox jumps over the lazy dog. " * 12
CHARS = sorted(set(TEXT))
CODES = np.array([CHARS.index(c) for c in TEXT], np.int64)


def _char_rnn(ns, kind):
    class CharRNN(ns.nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = ns.nn.Embedding(len(CHARS), 8)
            self.rnn = getattr(ns.nn, kind)(8, 16, num_layers=2, batch_first=True, dropout=0.0)
            self.head = ns.nn.Linear(16, len(CHARS))

        def forward(self, x, hidden=None):
            out, hidden = self.rnn(self.embed(x), hidden)
            return self.head(out), hidden

    return CharRNN()


def _detach(hidden):
    return tuple(h.detach() for h in hidden) if isinstance(hidden, tuple) else hidden.detach()


def char_rnn_script(kind):
    def script(ns, dt, load, record):
        model = load("model", _char_rnn(ns, kind).to(TORCH_DTYPE[np.dtype(dt)] if ns.torch else dt))
        opt = ns.optim.Adam(model.parameters(), lr=1e-2)
        xs, ys = CODES[:-1][:480].reshape(4, -1), CODES[1:][:480].reshape(4, -1)
        hidden = None
        model.train()
        for t0 in range(0, 120, 12):  # truncated backpropagation through time
            if hidden is not None:
                hidden = _detach(hidden)
            logits, hidden = model(ns.tensor(xs[:, t0 : t0 + 12]), hidden)
            loss = ns.F.cross_entropy(logits.reshape(-1, len(CHARS)), ns.tensor(ys[:, t0 : t0 + 12]).reshape(-1))
            opt.zero_grad()
            loss.backward()
            norm = ns.utils.clip_grad_norm_(model.parameters(), max_norm=0.5)
            record("loss and norm", [loss.item(), float(norm)], model)
            record("hidden", hidden[0] if isinstance(hidden, tuple) else hidden)
            opt.step()
        model.eval()
        with ns.no_grad():
            x, hidden, out = ns.tensor(np.array([[CHARS.index("t")]])), None, []
            for _ in range(20):
                logits, hidden = model(x, hidden)
                x = logits[:, -1].argmax(-1, keepdim=True)
                out.append(x.item())
        record("greedy decoding", out)

    return script


@pytest.mark.parametrize("kind, dtype", [("LSTM", np.float64), ("GRU", np.float64), ("LSTM", np.float32)])
def test_char_rnn_follows_torchs_steps(kind, dtype):
    check_script(char_rnn_script(kind), {"model": lambda: _char_rnn(TORCH, kind).double()}, seed=3, dtype=dtype)


VOCAB, DIM, LENGTH, PAD = 11, 16, 8, 0


def _block(ns):
    n = ns.nn

    class Block(n.Module):
        def __init__(self):
            super().__init__()
            self.tok = n.Embedding(VOCAB, DIM, padding_idx=PAD)
            self.pos = n.Parameter(ns.zeros(1, LENGTH, DIM))
            n.init.normal_(self.pos, std=0.02)
            self.ln1, self.ln2, self.lnf = n.LayerNorm(DIM), n.LayerNorm(DIM), n.LayerNorm(DIM, eps=1e-6)
            self.attn = n.MultiheadAttention(DIM, 4, batch_first=True)
            self.mlp = n.Sequential(n.Linear(DIM, 4 * DIM), n.GELU(approximate="tanh"), n.Linear(4 * DIM, DIM))
            self.head = n.Linear(DIM, VOCAB, bias=False)

        def forward(self, x, mask_kind):
            t = x.size(1)
            h = self.tok(x) + self.pos[:, :t]
            if mask_kind == "bool":  # True: hidden, as tutorials build it
                causal = ns.triu(ns.ones(t, t, dtype=bool), diagonal=1)
            else:  # nn.Transformer.generate_square_subsequent_mask's: -inf above the diagonal
                causal = ns.triu(ns.full_like(ns.zeros(t, t, dtype=h.dtype), float("-inf")), diagonal=1)
            a = self.ln1(h)
            a, weights = self.attn(a, a, a, key_padding_mask=x == PAD, attn_mask=causal, need_weights=True)
            h = h + a
            h = h + self.mlp(self.ln2(h))
            return self.head(self.lnf(h)), weights

    return Block()


def _batches(count):
    rng = np.random.default_rng(4)
    out = []
    for _ in range(count):
        x = rng.integers(1, VOCAB, (4, LENGTH))
        for row, n in enumerate(rng.integers(3, LENGTH + 1, 4)):
            x[row, n:] = PAD
        y = np.roll(x, -1, axis=1)
        y[:, -1] = PAD
        out.append((x, np.where(y == PAD, -100, y)))
    return out


def transformer_script(mask_kind):
    def script(ns, dt, load, record):
        model = load("model", _block(ns).to(TORCH_DTYPE[np.dtype(dt)] if ns.torch else dt))
        batches = _batches(13)
        opt = ns.optim.AdamW(model.parameters(), lr=3e-3, betas=(0.9, 0.98), weight_decay=0.05)
        sched = ns.sched.OneCycleLR(opt, max_lr=1e-2, total_steps=12, pct_start=0.3)
        criterion = ns.nn.CrossEntropyLoss(ignore_index=-100)
        model.train()
        for x, y in batches[:12]:
            logits, weights = model(ns.tensor(x), mask_kind)
            loss = criterion(logits.view(-1, VOCAB), ns.tensor(y).view(-1))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            ns.utils.clip_grad_norm_(model.parameters(), 1.0)
            record("loss", loss, model)
            record("attention weights", weights)
            opt.step()
            sched.step()
            record("lr and beta1", [sched.get_last_lr()[0], opt.param_groups[0]["betas"][0]])
        model.eval()
        with ns.no_grad():
            record("eval logits", model(ns.tensor(batches[12][0]), mask_kind)[0], model)

    return script


@pytest.mark.filterwarnings("ignore:Support for mismatched key_padding_mask and attn_mask is deprecated")
@pytest.mark.parametrize("mask_kind, dtype", [("bool", np.float64), ("float", np.float64), ("bool", np.float32)])
def test_transformer_block_follows_torchs_steps(mask_kind, dtype):
    """With the boolean causal mask, triu made it float64 0/1, which attention added to the logits: the first
    step's attention weights were 0.95 off torch's."""
    check_script(transformer_script(mask_kind), {"model": lambda: _block(TORCH).double()}, seed=5, dtype=dtype)
