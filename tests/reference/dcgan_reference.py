#!/usr/bin/env python3
"""Reference DCGAN in PyTorch, for scoring side by side with the playground's DCGAN.

This is a small, standalone PyTorch implementation of the usual "PyTorch-GAN
kind" DCGAN for 28x28 MNIST, written for this project (not copied from any
other repository). It trains on the playground's own digits file
(`www/data/mnist.bin`, 10,000 digits) and, at chosen step counts, writes 1,000
samples as a float32 .npy of shape (1000, 28, 28) in [0, 1], which the
project's evaluator scores with its own classifier metrics:

    gan-playground eval --samples DIR/samples-<step>.npy

Model (G): z ~ N(0, I) of size 100 -> Linear -> 128x7x7 -> BatchNorm2d ->
Upsample x2 -> Conv3x3 128->128 -> BN -> LeakyReLU(0.2) -> Upsample x2 ->
Conv3x3 128->64 -> BN -> LeakyReLU(0.2) -> Conv3x3 64->1 -> Tanh.
Model (D): Conv3x3 s2 1->64 -> LeakyReLU(0.2) -> Conv3x3 s2 64->128 -> BN ->
LeakyReLU(0.2) -> flatten -> Linear -> 1 logit.
Init: conv/linear weights N(0, 0.02), BatchNorm weight N(1, 0.02), bias 0.
Training: BCE with logits, non-saturating G loss, Adam(2e-4, betas 0.5/0.999)
for both, batch 64, one D step (real and fake batches in separate forward
passes, fakes detached) then one G step per step.

Requirements: python3 with torch (CPU is fine) and numpy; Pillow for PNG grids
(optional). Run from the repository root:

    python3 tests/reference/dcgan_reference.py --steps 5000 --threads 1 \
        --checkpoints 500,1000,2000,5000 --out /tmp/ref-dcgan
"""
import argparse
import os
import struct
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

Z_DIM = 100
BATCH = 64


def load_mnist_bin(path):
    """Read the playground's mnist.bin; returns (pixels float32 N x 1 x 28 x 28 in [-1, 1], labels u8)."""
    with open(path, "rb") as f:
        data = f.read()
    magic, version, rows, cols, _pad, count = struct.unpack("<4sBBBBI", data[:12])
    if version != 1 or rows != 28 or cols != 28:
        raise ValueError(f"unexpected header in {path}: {magic!r} v{version} {rows}x{cols}")
    labels = np.frombuffer(data, dtype=np.uint8, count=count, offset=12)
    pixels = np.frombuffer(data, dtype=np.uint8, count=count * rows * cols, offset=12 + count)
    x = pixels.astype(np.float32).reshape(count, 1, rows, cols) / 127.5 - 1.0
    return torch.from_numpy(x), labels


class Generator(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(Z_DIM, 128 * 7 * 7)
        self.net = nn.Sequential(
            nn.BatchNorm2d(128),
            nn.Upsample(scale_factor=2, mode="nearest"),
            nn.Conv2d(128, 128, 3, stride=1, padding=1),
            nn.BatchNorm2d(128),
            nn.LeakyReLU(0.2),
            nn.Upsample(scale_factor=2, mode="nearest"),
            nn.Conv2d(128, 64, 3, stride=1, padding=1),
            nn.BatchNorm2d(64),
            nn.LeakyReLU(0.2),
            nn.Conv2d(64, 1, 3, stride=1, padding=1),
            nn.Tanh(),
        )

    def forward(self, z):
        return self.net(self.fc(z).view(-1, 128, 7, 7))


class Discriminator(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(1, 64, 3, stride=2, padding=1),  # 28 -> 14
            nn.LeakyReLU(0.2),
            nn.Conv2d(64, 128, 3, stride=2, padding=1),  # 14 -> 7
            nn.BatchNorm2d(128),
            nn.LeakyReLU(0.2),
            nn.Flatten(),
            nn.Linear(128 * 7 * 7, 1),
        )

    def forward(self, x):
        return self.net(x).view(-1)


def dcgan_init(m):
    if isinstance(m, (nn.Conv2d, nn.Linear)):
        nn.init.normal_(m.weight, 0.0, 0.02)
        nn.init.zeros_(m.bias)
    elif isinstance(m, nn.BatchNorm2d):
        nn.init.normal_(m.weight, 1.0, 0.02)
        nn.init.zeros_(m.bias)


def save_grid_png(samples, path, n=8):
    try:
        from PIL import Image
    except ImportError:
        return False
    tiles = samples[: n * n]
    grid = tiles.reshape(n, n, 28, 28).transpose(0, 2, 1, 3).reshape(n * 28, n * 28)
    Image.fromarray((grid * 255.0 + 0.5).astype(np.uint8), mode="L").save(path)
    return True


@torch.no_grad()
def sample(gen, count=1000, batch=100, seed=1234):
    """Samples in [0, 1], G kept in train mode (batch statistics), from a fixed z stream."""
    gen.train()
    zgen = torch.Generator().manual_seed(seed)
    outs = []
    for _ in range(count // batch):
        z = torch.randn(batch, Z_DIM, generator=zgen)
        outs.append(((gen(z) + 1.0) / 2.0).clamp(0.0, 1.0))
    return torch.cat(outs).squeeze(1).numpy().astype(np.float32)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default="www/data/mnist.bin")
    ap.add_argument("--steps", type=int, default=5000)
    ap.add_argument("--checkpoints", default="500,1000,2000,5000",
                    help="comma-separated steps at which to write samples")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--out", default="/tmp/ref-dcgan")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    os.makedirs(args.out, exist_ok=True)
    checkpoints = sorted({int(s) for s in args.checkpoints.split(",") if s.strip()})

    x, _labels = load_mnist_bin(args.data)
    n = x.shape[0]
    print(f"torch {torch.__version__}, threads {torch.get_num_threads()}, {n} digits, "
          f"steps {args.steps}, checkpoints {checkpoints}", flush=True)

    gen, disc = Generator(), Discriminator()
    gen.apply(dcgan_init)
    disc.apply(dcgan_init)
    opt_g = torch.optim.Adam(gen.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(disc.parameters(), lr=2e-4, betas=(0.5, 0.999))
    ones = torch.ones(BATCH)
    zeros = torch.zeros(BATCH)

    shuffle_gen = torch.Generator().manual_seed(args.seed)
    per_epoch = n // BATCH  # drop the last partial batch
    perm, pos = None, per_epoch
    train_time = 0.0
    for step in range(1, args.steps + 1):
        t0 = time.perf_counter()
        if pos >= per_epoch:
            perm, pos = torch.randperm(n, generator=shuffle_gen), 0
        real = x[perm[pos * BATCH:(pos + 1) * BATCH]]
        pos += 1

        # D step: real and fake batches in separate forward passes, fakes detached.
        gen.train()
        disc.train()
        fake = gen(torch.randn(BATCH, Z_DIM))
        # Sum of the two means, as the playground's BCE loss (Adam makes a 0.5 factor moot).
        d_loss = (F.binary_cross_entropy_with_logits(disc(real), ones)
                  + F.binary_cross_entropy_with_logits(disc(fake.detach()), zeros))
        opt_d.zero_grad(set_to_none=True)
        d_loss.backward()
        opt_d.step()

        # G step (non-saturating): maximise log D(G(z)), on a fresh z.
        fake = gen(torch.randn(BATCH, Z_DIM))
        g_loss = F.binary_cross_entropy_with_logits(disc(fake), ones)
        opt_g.zero_grad(set_to_none=True)
        g_loss.backward()
        opt_g.step()
        train_time += time.perf_counter() - t0

        if step % 100 == 0:
            print(f"step {step}: d_loss {d_loss.item():.4f} g_loss {g_loss.item():.4f} "
                  f"({1000 * train_time / step:.1f} ms/step)", flush=True)
        if step in checkpoints:
            s = sample(gen)
            path = os.path.join(args.out, f"samples-{step}.npy")
            np.save(path, s)
            png = save_grid_png(s, os.path.join(args.out, f"grid-{step}.png"))
            print(f"checkpoint {step}: train wall {train_time:.1f} s, "
                  f"{1000 * train_time / step:.1f} ms/step, wrote {path}"
                  + (" and grid png" if png else ""), flush=True)


if __name__ == "__main__":
    main()
