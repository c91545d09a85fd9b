#!/usr/bin/python3
"""PyTorch peer of `unet-pipelines bench train --family resnet`: the same ResNet-20 (He et al. 2016, CIFAR
variant, option-A shortcuts: x[:, :, ::2, ::2] with the new channels zero-padded, half before and half after;
3x3 convolutions without bias, BatchNorm2d, global average pooling, Linear(64 -> classes)), softmax
cross-entropy plus the L2 penalty lambda * sum(w^2) over the convolution and linear weights (lambda 1e-4, as
the Java classification task), SGD momentum 0.99 and lr 1e-3 (the Java bench's settings), on a fixed random
batch: images uniform in [0, 1), one random class per image. Asserts the parameter count (269,434 for one
input channel and 10 classes, 269,722 for three) and prints one JSON line with median_step_ms, images_per_s
and params like the Java bench.

Run with Debian's interpreter: /usr/bin/python3 bench/resnet20_torch.py --size 32 --batch 128 --threads 2
"""
import argparse
import json

import torch
import torch.nn as nn
import torch.nn.functional as F

from torch_timing import timed_steps

EXPECTED = {(20, 1, 10): 269_434, (20, 3, 10): 269_722}


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.pad = (cout - cin) // 2 if stride != 1 or cin != cout else None
        self.extra = cout - cin - (self.pad or 0)
        self.stride = stride

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.pad is None:
            short = x
        else:  # option A: subsample, zero-pad the channels
            short = F.pad(x[:, :, ::self.stride, ::self.stride], (0, 0, 0, 0, self.pad, self.extra))
        return F.relu(out + short)


class ResNet(nn.Module):
    def __init__(self, depth=20, channels=1, classes=10, filters=16):
        super().__init__()
        assert (depth - 2) % 6 == 0, "depth must be 6n+2"
        n = (depth - 2) // 6
        self.conv1 = nn.Conv2d(channels, filters, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(filters)
        blocks = []
        cin = filters
        for s in range(3):
            w = filters << s
            for b in range(n):
                blocks.append(BasicBlock(cin, w, 2 if s > 0 and b == 0 else 1))
                cin = w
        self.blocks = nn.Sequential(*blocks)
        self.fc = nn.Linear(cin, classes)
        for m in self.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                nn.init.kaiming_normal_(m.weight)

    def forward(self, x):
        x = self.blocks(F.relu(self.bn1(self.conv1(x))))
        return self.fc(x.mean(dim=(2, 3)))


def formula(kind, shape):
    """The cross-check's deterministic values, indexed in TensorFlow's layout (conv [kh, kw, in, out],
    dense [in, out], vectors [c]); the Java test ResNetTest.matchesThePyTorchTwin uses the same formulas."""
    n = 1
    for d in shape:
        n *= d
    i = torch.arange(n, dtype=torch.float64)
    if kind == "kernel":
        fan_in = n // shape[-1]
        v = (2.0 / fan_in) ** 0.5 * torch.sin(0.7 * i + n)
    elif kind == "bias":
        v = 0.1 * torch.sin(0.3 * i)
    elif kind == "gamma":
        v = 1 + 0.1 * torch.sin(0.5 * i + n)
    elif kind == "beta":
        v = 0.1 * torch.cos(0.5 * i)
    elif kind == "moving_mean":
        v = 0.05 * torch.sin(0.9 * i)
    else:  # moving_variance
        v = 1 + 0.2 * torch.cos(0.4 * i) ** 2
    return v.float().reshape(shape)


def crosscheck(a):
    """Logits of the inference pass for formula weights and two formula images (JSON on one line)."""
    net = ResNet(a.depth, a.channels, a.classes).eval()
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, nn.Conv2d):
                o, c, kh, kw = m.weight.shape
                m.weight.copy_(formula("kernel", (kh, kw, c, o)).permute(3, 2, 0, 1))
            elif isinstance(m, nn.Linear):
                o, c = m.weight.shape
                m.weight.copy_(formula("kernel", (c, o)).t())
                m.bias.copy_(formula("bias", (o,)))
            elif isinstance(m, nn.BatchNorm2d):
                c = m.num_features
                m.weight.copy_(formula("gamma", (c,)))
                m.bias.copy_(formula("beta", (c,)))
                m.running_mean.copy_(formula("moving_mean", (c,)))
                m.running_var.copy_(formula("moving_variance", (c,)))
        s = a.size
        k = torch.arange(s * s * a.channels, dtype=torch.float64)
        # NHWC flat index k = (h * s + w) * C + c
        x = torch.stack([(torch.sin(0.1 * k) + 1) / 2, (torch.cos(0.07 * k) + 1) / 2]).float()
        x = x.reshape(2, s, s, a.channels).permute(0, 3, 1, 2).contiguous()
        print(json.dumps({"logits": [round(v, 6) for v in net(x).flatten().tolist()]}))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--depth", type=int, default=20)
    ap.add_argument("--channels", type=int, default=1)
    ap.add_argument("--classes", type=int, default=10)
    ap.add_argument("--size", type=int, default=32)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--weight-decay", type=float, default=1e-4, help="lambda of lambda * sum(w^2)")
    ap.add_argument("--channels-last", action="store_true", help="NHWC memory format")
    ap.add_argument("--crosscheck", action="store_true", help="print inference logits for formula weights, no timing")
    a = ap.parse_args()
    if a.crosscheck:
        crosscheck(a)
        return
    torch.set_num_threads(a.threads)
    torch.manual_seed(42)
    net = ResNet(a.depth, a.channels, a.classes)
    params = sum(p.numel() for p in net.parameters())
    want = EXPECTED.get((a.depth, a.channels, a.classes))
    if want is not None:
        assert params == want, f"ResNet-{a.depth} has {params} parameters, expected {want}"
    fmt = torch.channels_last if a.channels_last else torch.contiguous_format
    net = net.to(memory_format=fmt)
    kernels = [m.weight for m in net.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    opt = torch.optim.SGD(net.parameters(), lr=1e-3, momentum=0.99)
    x = torch.rand(a.batch, a.channels, a.size, a.size).to(memory_format=fmt)
    y = torch.randint(0, a.classes, (a.batch,))

    def step():
        opt.zero_grad(set_to_none=True)
        loss = F.cross_entropy(net(x), y)
        if a.weight_decay > 0:
            loss = loss + a.weight_decay * sum((w * w).sum() for w in kernels)
        loss.backward()
        opt.step()
        return loss.item()

    timing = timed_steps(step, a.warmup, a.steps, a.batch)
    print(json.dumps({
        "bench": "train", "framework": "pytorch-" + torch.__version__, "family": "resnet",
        "variant": f"resnet{a.depth}-f16-c{a.channels}-k{a.classes}", "size": a.size, "batch": a.batch,
        "steps": a.steps, "threads": a.threads, "parameters": params, "params": params, **timing}))


if __name__ == "__main__":
    main()
