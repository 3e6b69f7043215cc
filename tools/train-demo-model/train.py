"""Trains Provocapi's demo model on the fortunes collection: a byte-level BPE tokenizer, then a small Llama, on CPU.

Usage (from the repository root):
  flock /tmp/provocapi-cpu.lock python3 tools/train-demo-model/train.py --out /tmp/demo-model-run \
      --gguf models/provocapi-demo-fortunes-f32.gguf --hf models/provocapi-demo-fortunes-hf --minutes 20
"""
import argparse
import json
import math
import os
import random
import time

import torch
import torch.nn.functional as F

import bpe
import corpus
import export
import svg
from model import Llama

CHAT_PROMPTS = ["Tell me a fortune.", "Say something wise.", "Tell me a joke.", "What do you think?",
                "Give me some advice.", "Hello!", "Tell me something interesting.", "Any words of wisdom?"]


def document(tok, record, rng, chat_share):
    """One training document: BOS, then the record, either plain or as a ChatML answer to a short request."""
    ids = [tok.special(export.BOS)]
    if rng.random() < chat_share:
        start, end = tok.special("<|im_start|>"), tok.special("<|im_end|>")
        ids += [start] + tok.encode("user\n" + rng.choice(CHAT_PROMPTS)) + [end] + tok.encode("\n")
        ids += [start] + tok.encode("assistant\n" + record.rstrip("\n")) + [end] + tok.encode("\n")
    else:
        ids += tok.encode(record)
    return ids


def batches(stream, ctx, size, gen):
    starts = torch.randint(0, len(stream) - ctx - 1, (size,), generator=gen)
    rows = torch.stack([stream[s:s + ctx + 1] for s in starts.tolist()])
    return rows[:, :-1], rows[:, 1:]


@torch.no_grad()
def heldout_loss(model, stream, ctx, windows):
    model.eval()
    n = min(windows, (len(stream) - 1) // ctx)
    x = torch.stack([stream[i * ctx:i * ctx + ctx] for i in range(n)])
    y = torch.stack([stream[i * ctx + 1:i * ctx + ctx + 1] for i in range(n)])
    loss = F.cross_entropy(model(x).reshape(-1, model.c["vocab"]), y.reshape(-1)).item()
    model.train()
    return loss


@torch.no_grad()
def greedy(model, tok, prompt, n):
    ids = [tok.special(export.BOS)] + tok.encode(prompt)
    for _ in range(n):
        logits = model(torch.tensor([ids[-model.c["ctx"]:]]))[0, -1]
        nxt = int(logits.argmax())
        if nxt in (tok.special(export.EOS), tok.special(export.EOT)):
            break
        ids.append(nxt)
    return tok.decode(ids[1 + len(tok.encode(prompt)):])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True, help="training output folder (checkpoint, metrics)")
    ap.add_argument("--gguf", required=True, help="where to write the GGUF file")
    ap.add_argument("--hf", required=True, help="where to write the Hugging Face folder")
    ap.add_argument("--fixtures", default="tests/fixtures/demo-model", help="where to write the held-out tokenizer fixture")
    ap.add_argument("--svg", default="docs/demo-model-loss.svg")
    ap.add_argument("--minutes", type=float, default=20, help="training time budget (tokenizer and export not counted)")
    ap.add_argument("--vocab", type=int, default=2048)
    ap.add_argument("--dim", type=int, default=192)
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--heads", type=int, default=6)
    ap.add_argument("--kv-heads", type=int, default=2)
    ap.add_argument("--ffn", type=int, default=512)
    ap.add_argument("--ctx", type=int, default=256)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--seed", type=int, default=12)
    args = ap.parse_args()
    torch.set_num_threads(2)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    t0 = time.time()

    records = corpus.records()
    rng.shuffle(records)
    heldout = records[::50]
    training = [r for i, r in enumerate(records) if i % 50]
    print(f"{len(training)} training and {len(heldout)} held-out records", flush=True)

    tokens, merges = bpe.train(training, args.vocab)
    tok = bpe.Tokenizer(tokens, merges)
    print(f"tokenizer: {len(tokens)} tokens, {len(merges)} merges, {time.time() - t0:.0f}s", flush=True)

    train_ids = [i for r in training for i in document(tok, r, rng, 0.25)]
    heldout_ids = [i for r in heldout for i in document(tok, r, rng, 0.0)]
    train_stream, heldout_stream = torch.tensor(train_ids), torch.tensor(heldout_ids)
    print(f"{len(train_ids)} training tokens, {len(heldout_ids)} held-out tokens", flush=True)

    os.makedirs(args.fixtures, exist_ok=True)
    sample = "".join(heldout)
    with open(os.path.join(args.fixtures, "heldout.txt"), "w") as f:
        f.write(sample)
    with open(os.path.join(args.fixtures, "heldout.ids.txt"), "w") as f:
        f.write(" ".join(map(str, tok.encode(sample))) + "\n")

    c = dict(vocab=len(tokens), dim=args.dim, layers=args.layers, heads=args.heads, kv_heads=args.kv_heads,
             ffn=args.ffn, ctx=args.ctx, eps=1e-5, rope_theta=10000.0)
    model = Llama(c)
    params = sum(p.numel() for p in model.parameters())
    print(f"model: {params} parameters", flush=True)
    decay = [p for p in model.parameters() if p.dim() == 2]
    other = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": other, "weight_decay": 0.0}],
                            lr=args.lr, betas=(0.9, 0.95))
    gen = torch.Generator().manual_seed(args.seed)

    # The step count follows from the time budget, measured on the first steps, so the cosine schedule ends on time.
    budget, warmup, total = args.minutes * 60, 30, None
    train_curve, heldout_curve = [], [(0, heldout_loss(model, heldout_stream, args.ctx, 32))]
    start, step = time.time(), 0
    while total is None or step < total:
        lr = args.lr * min(1.0, (step + 1) / warmup)
        if total is not None and step >= warmup:
            lr = args.lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * (step - warmup) / (total - warmup))))
        for g in opt.param_groups:
            g["lr"] = lr
        x, y = batches(train_stream, args.ctx, args.batch, gen)
        loss = F.cross_entropy(model(x).reshape(-1, c["vocab"]), y.reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        step += 1
        train_curve.append((step, loss.item()))
        if step == 10:
            per_step = (time.time() - start) / 10
            total = max(warmup + 10, int(budget / per_step * 0.95))
            print(f"{per_step:.2f}s a step: {total} steps", flush=True)
        if step % 50 == 0 or step == total:
            heldout_curve.append((step, heldout_loss(model, heldout_stream, args.ctx, 32)))
            print(f"step {step}/{total} lr {lr:.2e} train {loss.item():.3f} held-out {heldout_curve[-1][1]:.3f} "
                  f"{time.time() - start:.0f}s", flush=True)
    train_seconds = time.time() - start

    final = heldout_loss(model, heldout_stream, args.ctx, 10 ** 6)
    os.makedirs(args.out, exist_ok=True)
    samples = {p: greedy(model, tok, p, 40) for p in ["The meaning of life is", "A computer", "Love is"]}
    metrics = {"heldout_loss": final, "heldout_tokens": len(heldout_ids), "training_tokens": len(train_ids),
               "steps": step, "batch": args.batch, "ctx": args.ctx, "parameters": params, "config": c,
               "training_seconds": round(train_seconds), "total_seconds": round(time.time() - t0),
               "train_curve": train_curve, "heldout_curve": heldout_curve, "greedy_samples": samples}
    with open(os.path.join(args.out, "metrics.json"), "w") as f:
        json.dump(metrics, f, indent=1)
    smooth = [(s, sum(l for _, l in train_curve[max(0, k - 19):k + 1]) / len(train_curve[max(0, k - 19):k + 1]))
              for k, (s, _) in enumerate(train_curve)]
    svg.loss_chart(args.svg, smooth, heldout_curve, f"Provocapi demo model on fortunes: held-out loss {final:.3f}")
    torch.save({"config": c, "state": model.state_dict(), "tokens": tokens, "merges": merges},
               os.path.join(args.out, "checkpoint.pt"))
    with open(os.path.join(args.fixtures, "greedy.json"), "w") as f:
        json.dump(samples, f, indent=1)
    export.write_hf(args.hf, model, tok, merges)
    export.write_gguf(args.gguf, model, tok, merges, "provocapi-demo-fortunes")
    print(json.dumps({"heldout_loss": final, "steps": step, "training_seconds": round(train_seconds),
                      "greedy_samples": samples}, indent=1), flush=True)


if __name__ == "__main__":
    main()
