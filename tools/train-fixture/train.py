#!/usr/bin/python3
"""Trains the fixture chat model on CPU, deterministically.

  train.py --corpus build-fixture/corpus.jsonl --out build-fixture/run

Steps: learn the SentencePiece-style vocabulary from the training split (vocab.json),
encode every training conversation in chatml (loss on the answer and its <|im_end|>
only), then AdamW with warm-up and cosine decay over a fixed number of epochs.  Batches
are built from length-sorted chunks of a seeded shuffle, so a run is a pure function of
(corpus, seed, flags).  Writes model.pt (weights + config), vocab.json, train_log.json.

Debian's python3-torch links the reference BLAS by default, which is ~20x slower than
OpenBLAS for these matrix products; when libopenblas0-pthread is installed this script
re-executes itself with OpenBLAS's libblas first on the library path.
"""

import argparse
import json
import math
import os
import random
import sys
import time
from pathlib import Path

# OpenMP build first: its idle threads sleep (OMP_WAIT_POLICY=PASSIVE) instead of
# spinning, which matters on a machine whose cores are busy with other work.
OPENBLAS_DIRS = ["/usr/lib/x86_64-linux-gnu/openblas-openmp",
                 "/usr/lib/x86_64-linux-gnu/openblas-pthread"]


def ensure_openblas(threads):
    """Re-exec with OpenBLAS as libblas.so.3 (must happen before torch loads)."""
    if os.environ.get("FIXTURE_BLAS_SET"):
        return
    dirs = [d for d in OPENBLAS_DIRS if os.path.isdir(d)]
    if os.environ.get("FIXTURE_BLAS_DIR"):
        dirs = [os.environ["FIXTURE_BLAS_DIR"]]
    if not dirs:
        return
    env = dict(os.environ)
    env["LD_LIBRARY_PATH"] = dirs[0] + (":" + env["LD_LIBRARY_PATH"]
                                        if env.get("LD_LIBRARY_PATH") else "")
    env["OPENBLAS_NUM_THREADS"] = os.environ.get("OPENBLAS_NUM_THREADS", str(threads))
    env["OMP_NUM_THREADS"] = str(threads)
    env.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    env["FIXTURE_BLAS_SET"] = "1"
    os.execve(sys.executable, [sys.executable] + sys.argv, env)


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--out", required=True, help="output directory")
    ap.add_argument("--seed", type=int, default=1234)
    ap.add_argument("--threads", type=int, default=1,
                    help="1 is fastest on a loaded machine (no spin-waiting threads)")
    ap.add_argument("--vocab-size", type=int, default=2048)
    ap.add_argument("--dim", type=int, default=256)
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--heads", type=int, default=8)
    ap.add_argument("--kv-heads", type=int, default=2)
    ap.add_argument("--ffn", type=int, default=512)
    ap.add_argument("--context", type=int, default=512)
    ap.add_argument("--epochs", type=float, default=2.6)
    ap.add_argument("--batch-tokens", type=int, default=1024,
                    help="padded tokens per batch (sequences x longest length)")
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--min-lr-ratio", type=float, default=0.05)
    ap.add_argument("--warmup", type=int, default=100)
    ap.add_argument("--weight-decay", type=float, default=0.05)
    ap.add_argument("--max-steps", type=int, default=0, help="stop early (benchmarking)")
    ap.add_argument("--log-every", type=int, default=20)
    return ap.parse_args()


def make_batches(examples, batch_tokens, rng):
    """examples: list of (ids, mask).  Shuffle, sort chunks of 512 examples by length,
    cut into batches whose padded size stays within batch_tokens, shuffle batches."""
    order = list(range(len(examples)))
    rng.shuffle(order)
    batches = []
    chunk = 512
    i = 0
    while i < len(order):
        piece = order[i:i + chunk]
        i += chunk
        piece.sort(key=lambda k: len(examples[k][0]))
        cur, longest = [], 0
        for k in piece:
            n = len(examples[k][0])
            if cur and max(longest, n) * (len(cur) + 1) > batch_tokens:
                batches.append(cur)
                cur, longest = [], 0
            cur.append(k)
            longest = max(longest, n)
        if cur:
            batches.append(cur)
    rng.shuffle(batches)
    return batches


def collate(torch, examples, batch):
    longest = max(len(examples[k][0]) for k in batch)
    ids = torch.zeros((len(batch), longest), dtype=torch.long)
    targets = torch.full((len(batch), longest - 1), -100, dtype=torch.long)
    for row, k in enumerate(batch):
        seq, mask = examples[k]
        ids[row, :len(seq)] = torch.tensor(seq)
        tgt = [t if m else -100 for t, m in zip(seq[1:], mask[1:])]
        targets[row, :len(tgt)] = torch.tensor(tgt)
    return ids[:, :-1], targets


def main():
    args = parse_args()
    ensure_openblas(args.threads)
    import torch
    import torch.nn.functional as F
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from model import ChatModel, ModelConfig
    from spm_tokenizer import Vocabulary, encode_chat, train_vocabulary

    torch.set_num_threads(args.threads)
    torch.use_deterministic_algorithms(True)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    log_lines = []

    def log(msg):
        print(msg, flush=True)
        log_lines.append(msg)

    t_start = time.time()
    cpu_start = time.process_time()
    rows = [json.loads(l) for l in open(args.corpus, encoding="utf-8")]
    train_rows = [r for r in rows if r["split"] == "train"]

    vocab_path = out / "vocab.json"
    texts = []
    for r in train_rows:
        texts += ["user\n" + r["prompt"], "assistant\n" + r["answer"]]
    vocab = train_vocabulary(texts, args.vocab_size, log=log)
    vocab.save(vocab_path)
    log("vocabulary: %d entries (%.1fs)" % (len(vocab), time.time() - t_start))

    examples = []
    skipped = 0
    for r in train_rows:
        prompt_ids, full = encode_chat(vocab, r["prompt"], r["answer"])
        if len(full) > args.context:
            skipped += 1
            continue
        mask = [0] * len(prompt_ids) + [1] * (len(full) - len(prompt_ids))
        examples.append((full, mask))
    n_tokens = sum(len(e[0]) for e in examples)
    log("examples: %d (%d skipped as too long), %d tokens per epoch" %
        (len(examples), skipped, n_tokens))

    torch.manual_seed(args.seed)
    cfg = ModelConfig(vocab_size=len(vocab), dim=args.dim, n_layers=args.layers,
                      n_heads=args.heads, n_kv_heads=args.kv_heads, ffn_dim=args.ffn,
                      context_length=args.context)
    model = ChatModel(cfg)
    log("model: %s, %d parameters" % (cfg.to_dict(), model.parameter_count()))

    decay, no_decay = [], []
    for name, p in model.named_parameters():
        (decay if p.dim() == 2 and "tok_embeddings" not in name else no_decay).append(p)
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": args.weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}],
                            lr=args.lr, betas=(0.9, 0.95), eps=1e-8)

    rng = random.Random(args.seed)
    epoch_batches = []
    whole = int(math.floor(args.epochs))
    for _ in range(whole):
        epoch_batches += make_batches(examples, args.batch_tokens, rng)
    frac = args.epochs - whole
    if frac > 0:
        extra = make_batches(examples, args.batch_tokens, rng)
        epoch_batches += extra[:int(len(extra) * frac)]
    total_steps = len(epoch_batches)
    if args.max_steps:
        total_steps = min(total_steps, args.max_steps)
    log("steps: %d (batch of <= %d padded tokens)" % (total_steps, args.batch_tokens))

    def lr_at(step):
        if step < args.warmup:
            return args.lr * (step + 1) / args.warmup
        progress = (step - args.warmup) / max(1, total_steps - args.warmup)
        floor = args.min_lr_ratio
        return args.lr * (floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * progress)))

    model.train()
    t_train = time.time()
    seen_tokens, window_loss, window_n = 0, 0.0, 0
    history = []
    for step in range(total_steps):
        batch = epoch_batches[step]
        ids, targets = collate(torch, examples, batch)
        for g in opt.param_groups:
            g["lr"] = lr_at(step)
        logits = model(ids)
        loss = F.cross_entropy(logits.reshape(-1, cfg.vocab_size), targets.reshape(-1),
                               ignore_index=-100)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        seen_tokens += ids.numel()
        window_loss += float(loss)
        window_n += 1
        if (step + 1) % args.log_every == 0 or step + 1 == total_steps:
            el = time.time() - t_train
            log("step %5d/%d  loss %.4f  lr %.2e  %.0f tok/s  elapsed %.0fs" %
                (step + 1, total_steps, window_loss / window_n, lr_at(step),
                 seen_tokens / el, el))
            history.append({"step": step + 1, "loss": window_loss / window_n,
                            "elapsed_s": el})
            window_loss, window_n = 0.0, 0

    wall = time.time() - t_start
    cpu = time.process_time() - cpu_start
    torch.save({"config": cfg.to_dict(), "state_dict": model.state_dict()}, out / "model.pt")
    info = {"args": vars(args), "config": cfg.to_dict(),
            "parameters": model.parameter_count(), "examples": len(examples),
            "tokens_per_epoch": n_tokens, "steps": total_steps,
            "wall_seconds": wall, "train_seconds": time.time() - t_train,
            "process_cpu_seconds": cpu, "torch": torch.__version__,
            "history": history, "log": log_lines}
    with open(out / "train_log.json", "w") as f:
        json.dump(info, f, indent=1)
    log("done: wall %.0fs, process CPU %.0fs" % (wall, cpu))


if __name__ == "__main__":
    main()
