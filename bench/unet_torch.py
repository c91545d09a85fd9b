#!/usr/bin/python3
"""PyTorch peer of `unet-pipelines bench train`: the same U-Net (depth 4 = four 2x2 poolings, 16 base
filters, 3x3 same-padding convolutions + ReLU, 2x2 stride-2 transposed-convolution upsampling, skip
concatenation, 1x1 sigmoid head: 1,940,817 parameters), pixel-wise BCE-with-logits loss, SGD momentum
0.99, on a fixed random batch. Prints one JSON line with median_step_ms like the Java bench.

Run with Debian's interpreter: /usr/bin/python3 bench/unet_torch.py --size 128 --batch 4
"""
import argparse
import json

import torch
import torch.nn as nn

from torch_timing import timed_steps


def double_conv(cin, cout):
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, padding=1), nn.ReLU(inplace=True),
        nn.Conv2d(cout, cout, 3, padding=1), nn.ReLU(inplace=True))


class UNet(nn.Module):
    def __init__(self, depth=4, filters=16, classes=1):
        super().__init__()
        self.depth = depth
        self.inc = double_conv(1, filters)
        self.downs = nn.ModuleList(double_conv(filters << (i - 1), filters << i) for i in range(1, depth + 1))
        self.ups = nn.ModuleList(nn.ConvTranspose2d(filters << (i + 1), filters << i, 2, stride=2)
                                 for i in range(depth - 1, -1, -1))
        self.up_convs = nn.ModuleList(double_conv(filters << (i + 1), filters << i) for i in range(depth - 1, -1, -1))
        self.head = nn.Conv2d(filters, classes, 1)

    def forward(self, x):
        x = self.inc(x)
        skips = []
        for down in self.downs:
            skips.append(x)
            x = down(nn.functional.max_pool2d(x, 2))
        for up, conv, skip in zip(self.ups, self.up_convs, reversed(skips)):
            x = conv(torch.cat([skip, up(x)], dim=1))
        return self.head(x)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--size", type=int, default=128)
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--channels-last", action="store_true", help="NHWC memory format")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(42)
    net = UNet()
    params = sum(p.numel() for p in net.parameters())
    fmt = torch.channels_last if a.channels_last else torch.contiguous_format
    net = net.to(memory_format=fmt)
    opt = torch.optim.SGD(net.parameters(), lr=1e-3, momentum=0.99)
    loss_fn = nn.BCEWithLogitsLoss()
    x = torch.rand(a.batch, 1, a.size, a.size).to(memory_format=fmt)
    y = (torch.rand(a.batch, 1, a.size, a.size) < 0.78).float()

    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(net(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    timing = timed_steps(step, a.warmup, a.steps, a.batch)
    print(json.dumps({
        "bench": "train", "framework": "pytorch-" + torch.__version__, "size": a.size, "batch": a.batch,
        "steps": a.steps, "threads": a.threads, "parameters": params, **timing}))


if __name__ == "__main__":
    main()
