"""Byte-level BPE: GPT-2's byte-to-character alphabet, a GPT-2-style pre-split, merges learned by counting pairs."""
import collections
import re

# GPT-2's split regex with \p{L} and \p{N} spelled for ASCII: the corpus keeps ASCII records only, where the two agree
# exactly with the engine's "gpt-2" pre-tokenizer.
SPLIT = re.compile(r"""'s|'t|'re|'ve|'m|'ll|'d| ?[A-Za-z]+| ?[0-9]+| ?[^\sA-Za-z0-9]+|\s+(?!\S)|\s+""")

SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]


def byte_alphabet():
    """Byte -> printable character, as GPT-2 maps them: printable Latin-1 bytes stand for themselves, the rest move to 256+."""
    keep = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    table, extra = {}, 0
    for b in range(256):
        if b in keep:
            table[b] = chr(b)
        else:
            table[b] = chr(256 + extra)
            extra += 1
    return table


BYTE_TO_CHAR = byte_alphabet()
CHAR_TO_BYTE = {c: b for b, c in BYTE_TO_CHAR.items()}


def pieces(text):
    """Pre-tokens of text, each as a string in the byte alphabet."""
    return ["".join(BYTE_TO_CHAR[b] for b in m.group().encode("utf-8")) for m in SPLIT.finditer(text)]


def train(texts, vocab_size):
    """Learns merges until the vocabulary (bytes + merges + specials) reaches vocab_size; returns (tokens, merges)."""
    words = collections.Counter()
    for text in texts:
        words.update(pieces(text))
    seqs = [list(w) for w in words]
    counts = [words[w] for w in words]
    pairs = collections.Counter()
    where = collections.defaultdict(set)
    for i, seq in enumerate(seqs):
        for a, b in zip(seq, seq[1:]):
            pairs[(a, b)] += counts[i]
            where[(a, b)].add(i)
    tokens = [BYTE_TO_CHAR[b] for b in range(256)]
    merges = []
    while len(tokens) + len(SPECIALS) < vocab_size and pairs:
        # Highest count wins; ties go to the smallest pair so the result does not depend on dictionary order.
        best = min(pairs.items(), key=lambda kv: (-kv[1], kv[0]))[0]
        if pairs[best] < 2:
            break
        merged = best[0] + best[1]
        merges.append(best)
        tokens.append(merged)
        for i in list(where[best]):
            seq, n = seqs[i], counts[i]
            for a, b in zip(seq, seq[1:]):
                pairs[(a, b)] -= n
                if pairs[(a, b)] <= 0:
                    del pairs[(a, b)]
            out, j = [], 0
            while j < len(seq):
                if j + 1 < len(seq) and seq[j] == best[0] and seq[j + 1] == best[1]:
                    out.append(merged)
                    j += 2
                else:
                    out.append(seq[j])
                    j += 1
            seqs[i] = out
            for a, b in zip(out, out[1:]):
                pairs[(a, b)] += n
                where[(a, b)].add(i)
        del where[best]
    return tokens + SPECIALS, merges


class Tokenizer:
    """Encodes with learned merges applied by rank (lowest first), as GPT-2 and Hugging Face's BPE model do."""

    def __init__(self, tokens, merges):
        self.tokens = tokens
        self.ids = {t: i for i, t in enumerate(tokens)}
        self.ranks = {pair: r for r, pair in enumerate(merges)}
        self.cache = {}

    def encode_piece(self, piece):
        if piece in self.cache:
            return self.cache[piece]
        parts = list(piece)
        while len(parts) > 1:
            ranked = [(self.ranks.get((a, b), 1 << 30), k) for k, (a, b) in enumerate(zip(parts, parts[1:]))]
            rank, k = min(ranked)
            if rank == 1 << 30:
                break
            parts[k:k + 2] = [parts[k] + parts[k + 1]]
        ids = [self.ids[p] for p in parts]
        self.cache[piece] = ids
        return ids

    def encode(self, text):
        return [i for p in pieces(text) for i in self.encode_piece(p)]

    def special(self, name):
        return self.ids[name]

    def decode(self, ids):
        data = bytearray()
        for i in ids:
            t = self.tokens[i]
            if t in SPECIALS:
                data += t.encode("utf-8")
            else:
                data += bytes(CHAR_TO_BYTE[c] for c in t)
        return data.decode("utf-8", errors="replace")
