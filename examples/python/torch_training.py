#!/usr/bin/env python3
"""A torch training loop through recon's CT projector: a small learned unrolled reconstruction
for sparse-view parallel-beam CT, trained on random ellipse phantoms.

The network runs K unrolled steps

    x <- x - a_k A^T (A x - y)        (A: recon's Joseph projector, through A.to_torch())
    x <- x + CNN_k(x)                 (a two-layer 3x3 convolutional correction)

from the FBP start, with the step sizes a_k and the CNNs learned by Adam on the mean squared
error to the phantoms. Every forward pass applies A and A^T (torch.autograd.Function from
recon.ops.Operator.to_torch: forward A, backward A^T, batched over the leading axis), and every
backward pass applies them again: the gradient flows through the projector. The script prints
the training loss and the test error of FBP, of K plain gradient steps from FBP with step
1/||A||^2, and of the trained network.

Usage: torch_training.py [--size N] [--views V] [--steps S] [--iters K] [--device cpu|auto]
"""
import argparse
import time

import numpy as np
import torch

import recon


def ellipses(rng, count, n):
    """count random phantoms of n x n pixels: 3 to 6 overlapping ellipses of random densities."""
    yy, xx = np.mgrid[-1:1:n * 1j, -1:1:n * 1j]
    out = np.zeros((count, n, n), np.float32)
    for img in out:
        for _ in range(rng.integers(3, 7)):
            cx, cy = rng.uniform(-0.5, 0.5, 2)
            a, b = rng.uniform(0.1, 0.5, 2)
            t = rng.uniform(0, np.pi)
            u = (xx - cx) * np.cos(t) + (yy - cy) * np.sin(t)
            v = -(xx - cx) * np.sin(t) + (yy - cy) * np.cos(t)
            img[(u / a) ** 2 + (v / b) ** 2 <= 1] += rng.uniform(0.2, 1.0)
    return out


class Unrolled(torch.nn.Module):
    """K gradient steps on 0.5 ||A x - y||^2, each followed by a learned convolutional correction."""

    def __init__(self, projector, iters, channels=8):
        super().__init__()
        self.A = projector.to_torch()       # y = A.apply(x), batched over the leading axis
        self.At = projector.T.to_torch()    # x = At.apply(y)
        step = 1.0 / projector.norm() ** 2
        self.log_steps = torch.nn.Parameter(torch.full((iters,), float(np.log(step))))
        self.cnns = torch.nn.ModuleList(
            torch.nn.Sequential(torch.nn.Conv2d(1, channels, 3, padding=1), torch.nn.ReLU(),
                                torch.nn.Conv2d(channels, 1, 3, padding=1)) for _ in range(iters))

    def forward(self, x, y):
        for k, cnn in enumerate(self.cnns):
            x = x - torch.exp(self.log_steps[k]) * self.At.apply(self.A.apply(x) - y)
            x = x + cnn(x.unsqueeze(1)).squeeze(1)
        return x


def rmse(a, b):
    return float(torch.sqrt(torch.mean((a - b) ** 2)))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--size", type=int, default=64, help="image side in pixels")
    p.add_argument("--views", type=int, default=0, help="projection angles over 180 degrees (0: size / 4)")
    p.add_argument("--steps", type=int, default=200, help="Adam steps")
    p.add_argument("--iters", type=int, default=3, help="unrolled iterations K")
    p.add_argument("--train", type=int, default=32, help="training phantoms")
    p.add_argument("--device", default="auto", help="the projector's device (cpu, cuda, auto)")
    a = p.parse_args()
    n = a.size
    views = a.views or max(4, n // 4)
    rng = np.random.default_rng(0)
    torch.manual_seed(0)

    g = recon.ct.Geometry.parallel2d((n, n), views, (3 * n) // 2, voxel_size=2.0 / n, pixel=2.0 / n)
    A = recon.ct.Projector(g, device=a.device)
    truth = ellipses(rng, a.train + 8, n)
    sino = np.stack([A(x) for x in truth])
    sino += 0.01 * np.abs(sino).max() * rng.standard_normal(sino.shape).astype(np.float32)
    fbp = np.stack([recon.ct.fbp(y, g) for y in sino])
    x_true, y, x_fbp = (torch.from_numpy(t) for t in (truth, sino, fbp))
    train, test = slice(0, a.train), slice(a.train, None)
    print(f"[setup] {n}x{n} phantoms, {views} views x {g.projection_shape[1]} detector columns, "
          f"{a.train} training and {len(truth) - a.train} test images, projector on {A.device}")

    model = Unrolled(A, a.iters)
    with torch.no_grad():  # the baseline: the same K gradient steps without the learned parts
        x = x_fbp[test].clone()
        step = 1.0 / A.norm() ** 2
        for _ in range(a.iters):
            x = x - step * model.At.apply(model.A.apply(x) - y[test])
        gd_error = rmse(x, x_true[test])

    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    start, batch = time.time(), 8
    for s in range(a.steps):
        idx = torch.from_numpy(rng.choice(a.train, size=min(batch, a.train), replace=False))
        opt.zero_grad()
        loss = torch.mean((model(x_fbp[idx], y[idx]) - x_true[idx]) ** 2)
        loss.backward()  # through the CNNs and, by A.to_torch()'s backward, through A^T and A
        opt.step()
        if s == 0 or (s + 1) % max(1, a.steps // 5) == 0:
            print(f"[train] step {s + 1:4d}/{a.steps}: loss {float(loss):.5f} ({time.time() - start:.1f} s)")

    with torch.no_grad():
        learned_error = rmse(model(x_fbp[test], y[test]), x_true[test])
    print(f"[test] FBP: rmse {rmse(x_fbp[test], x_true[test]):.4f}")
    print(f"[test] {a.iters} gradient steps from FBP: rmse {gd_error:.4f}")
    print(f"[test] learned unrolled ({a.iters} iterations): rmse {learned_error:.4f}")


if __name__ == "__main__":
    main()
