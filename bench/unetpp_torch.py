#!/usr/bin/python3
"""PyTorch peer of `unet-pipelines bench train --family unetpp [--deep-supervision]`: UNet++ as the
original code builds it (MrGiovanni/Nested-UNet model_logic.py; MODELS.md section 1), on a fixed random
batch, Adam (lr 1e-3, the Keras default the code gets from optimizer="Adam"), and the code's hybrid loss
0.5 * BCE - soft Dice over the whole batch (smooth 1), summed over the deep-supervision heads (or their
mean with --head-loss mean). Prints one JSON line with median_step_ms like the Java bench.

Network: nodes X^{i,j} = H([Up(X^{i+1,j-1}), X^{i,0}, ..., X^{i,j-1}]) (--family unetplus:
[Up(X^{i+1,j-1}), X^{i,j-1}]), H = conv3x3-ReLU-Dropout(0.5) twice (same padding, bias), Up = 2x2
stride-2 transposed conv with bias, 1x1 heads on X^{0,1..4} with deep supervision (X^{0,4} only
without). Filters 32, 64, 128, 256, 512, 1 input channel, 1 class: 9,041,601 parameters (9,041,700
with deep supervision; UNet+ 8,728,257 / 8,728,356), asserted: the original code's and the Java count.

Run with Debian's interpreter: /usr/bin/python3 bench/unetpp_torch.py --size 96 --batch 8 [--deep-supervision]
"""
import argparse
import json

import torch
import torch.nn as nn

from torch_timing import timed_steps


FILTERS = [32, 64, 128, 256, 512]
# the original code's counts (MODELS.md 1.2) for the default filters: (without, with deep supervision)
PARAMS = {"unetpp": (9_041_601, 9_041_700), "unetplus": (8_728_257, 8_728_356)}


def standard_unit(cin, f, dropout):
    """H: conv3x3-ReLU-Dropout twice (Keras standard_unit)."""
    return nn.Sequential(
        nn.Conv2d(cin, f, 3, padding=1), nn.ReLU(inplace=True), nn.Dropout(dropout),
        nn.Conv2d(f, f, 3, padding=1), nn.ReLU(inplace=True), nn.Dropout(dropout))


class NestedUNet(nn.Module):
    """UNet++ (dense skips) or UNet+ (neighbour skips)."""

    def __init__(self, family="unetpp", filters=None, dropout=0.5, deep_supervision=False, classes=1, channels=1):
        super().__init__()
        f = filters or FILTERS
        self.family = family
        self.deep_supervision = deep_supervision
        self.backbone = nn.ModuleList(standard_unit(channels if i == 0 else f[i - 1], f[i], dropout) for i in range(5))
        # X^{i,j} for j >= 1, anti-diagonal k = i + j by anti-diagonal
        self.nodes = [(k - j, j) for k in range(1, 5) for j in range(1, k + 1)]
        self.up = nn.ModuleDict()
        self.unit = nn.ModuleDict()
        for i, j in self.nodes:
            skips = j if family == "unetpp" else 1
            self.up[f"x_{i}_{j}"] = nn.ConvTranspose2d(f[i + 1], f[i], 2, stride=2)
            self.unit[f"x_{i}_{j}"] = standard_unit(f[i] * (1 + skips), f[i], dropout)
        depths = [1, 2, 3, 4] if deep_supervision else [4]
        self.heads = nn.ModuleDict({f"L{d}": nn.Conv2d(f[0], classes, 1) for d in depths})

    def forward(self, image):
        x = {}
        x[0, 0] = self.backbone[0](image)
        for k in range(1, 5):  # anti-diagonal k: X^{k,0}, X^{k-1,1}, ..., X^{0,k}
            x[k, 0] = self.backbone[k](nn.functional.max_pool2d(x[k - 1, 0], 2))
            for j in range(1, k + 1):
                i = k - j
                name = f"x_{i}_{j}"
                skips = [x[i, m] for m in range(j)] if self.family == "unetpp" else [x[i, j - 1]]
                x[i, j] = self.unit[name](torch.cat([self.up[name](x[i + 1, j - 1])] + skips, dim=1))
        return [head(x[0, int(name[1:])]) for name, head in self.heads.items()]


def hybrid_loss(logits, y, smooth=1.0):
    """The code's bce_dice_loss: 0.5 * mean BCE - (2 sum(y p) + 1) / (sum y + sum p + 1), one Dice per batch."""
    p = torch.sigmoid(logits)
    bce = nn.functional.binary_cross_entropy_with_logits(logits, y)
    dice = (2 * (p * y).sum() + smooth) / (p.sum() + y.sum() + smooth)
    return 0.5 * bce - dice


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--family", choices=sorted(PARAMS), default="unetpp")
    ap.add_argument("--deep-supervision", action="store_true", help="heads L1..L4 on X^{0,1..4}")
    ap.add_argument("--head-loss", choices=["sum", "mean"], default="sum")
    ap.add_argument("--filters", type=lambda s: [int(v) for v in s.split(",")], default=None,
                    help="filters per level (default 32,64,128,256,512)")
    ap.add_argument("--dropout", type=float, default=0.5)
    ap.add_argument("--size", type=int, default=96)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--channels-last", action="store_true", help="NHWC memory format")
    a = ap.parse_args()
    if a.size % 16 or a.size <= 0:
        ap.error(f"--size must be a positive multiple of 16 (four 2x2 poolings, same padding), got {a.size}")
    if a.filters is not None and len(a.filters) != 5:
        ap.error(f"--filters needs 5 levels, got {a.filters}")
    torch.set_num_threads(a.threads)
    torch.manual_seed(42)
    net = NestedUNet(a.family, a.filters, a.dropout, a.deep_supervision)
    params = sum(p.numel() for p in net.parameters())
    if a.filters is None or a.filters == FILTERS:
        expected = PARAMS[a.family][1 if a.deep_supervision else 0]
        assert params == expected, f"{a.family} has {params} parameters, the original code {expected}"
    fmt = torch.channels_last if a.channels_last else torch.contiguous_format
    net = net.to(memory_format=fmt).train()
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    x = torch.rand(a.batch, 1, a.size, a.size).to(memory_format=fmt)
    y = (torch.rand(a.batch, 1, a.size, a.size) < 0.78).float()

    def step():
        opt.zero_grad(set_to_none=True)
        losses = [hybrid_loss(h, y) for h in net(x)]
        loss = sum(losses) if a.head_loss == "sum" else sum(losses) / len(losses)
        loss.backward()
        opt.step()
        return loss.item()

    timing = timed_steps(step, a.warmup, a.steps, a.batch)
    print(json.dumps({
        "bench": "train", "framework": "pytorch-" + torch.__version__, "family": a.family,
        "deep_supervision": a.deep_supervision, "size": a.size, "batch": a.batch,
        "steps": a.steps, "threads": a.threads, "parameters": params, **timing}))


if __name__ == "__main__":
    main()
