#!/usr/bin/python3
"""PyTorch twin of the Java Stacked U-Nets (org.unetpipelines.model.sunet.SUNet), written from
../shared/MODELS.md section 2 (not copied from shahsohil/sunets): SUNet-64's 7x7/2 stem and pre-activation
residual block, blocks of U-Net modules (BN-ReLU before every conv, 1x1 in to N, stride-2 encoder levels,
transposed-conv decoder levels sized from the actual encoder tensors, concat [D2, E1], 1x1 out to M, identity or
1x1-projection residual), 2x2 average pools or 1x1 stride-1 transitions, BN-ReLU, global pool, Linear.
Layers are named as the Java variables (unet1_0/down0/conv1 -> key unet1_0__down0__conv1), so --crosscheck can
load the same formula weights as SUNetTest.matchesThePyTorchTwin and print the logits.

Variants: u1, u2 (32x32) and sunet64 (output stride 32). Timing mode prints JSON like bench/resnet20_torch.py.
Run with Debian's interpreter: /usr/bin/python3 bench/sunet_torch.py --variant u1 --size 32 --batch 128
"""
import argparse
import json

import torch
import torch.nn as nn
import torch.nn.functional as F

from torch_timing import timed_steps

# (N, [(modules, M, levels)], pools after the blocks but the last)
VARIANTS = {
    "u1": (64, [(2, 256, 2)], []),
    "u2": (64, [(2, 256, 2), (2, 512, 2)], [False]),
    "sunet64": (64, [(2, 256, 2), (4, 512, 2), (4, 768, 2), (1, 1024, 1)], [True, True, True]),
}
EXPECTED = {("u1", 1, 10): 995_338, ("u2", 1, 10): 1_914_506, ("u1", 3, 10): 1_001_610, ("u2", 3, 10): 1_920_778,
            ("sunet64", 3, 1000): 6_910_248}


class SUNet(nn.Module):
    def __init__(self, variant="u1", channels=1, classes=10):
        super().__init__()
        self.n, self.blocks, self.pools = VARIANTS[variant]
        self.m = nn.ModuleDict()
        self.conv("conv1", channels, 64, 7, stride=2, padding=3)
        self.bn("residual1/bn", 64)
        self.conv("residual1/conv1", 64, 128, 3, stride=2, padding=1)
        self.bn("residual1/bn2", 128)
        self.conv("residual1/conv2", 128, 128, 3, padding=1)
        self.conv("residual1/shortcut", 64, 128, 1, stride=2)
        c = 128
        for j, (modules, width, levels) in enumerate(self.blocks):
            for i in range(modules):
                self.module_layers(f"unet{j + 1}_{i}", c, width, levels)
                c = width
        self.bn("bn2", c)
        self.m["linear"] = nn.Linear(c, classes)

    def conv(self, name, cin, cout, k, stride=1, padding=0):
        self.m[name.replace("/", "__")] = nn.Conv2d(cin, cout, k, stride=stride, padding=padding)

    def bn(self, name, c):
        self.m[name.replace("/", "__")] = nn.BatchNorm2d(c)

    def module_layers(self, p, cin, m, levels):
        n = self.n
        if cin != m:
            self.bn(p + "/bn", cin)
            self.conv(p + "/upsample", cin, m, 1)
        else:
            self.bn(p + "/down0/bn0", cin)
        self.conv(p + "/down0/conv0", cin, n, 1)
        for i in range(levels):
            self.bn(f"{p}/down{i}/bn1", n)
            self.conv(f"{p}/down{i}/conv1", n, n, 3, stride=2, padding=1)
            self.bn(f"{p}/down{i}/bn2", n)
            self.conv(f"{p}/down{i}/conv2", n, n, 3, padding=1)
        for i in range(levels - 1, -1, -1):
            cin_up = n if i == levels - 1 else 2 * n
            self.bn(f"{p}/up{i}/bn0", cin_up)
            self.m[f"{p}/up{i}/deconv0".replace("/", "__")] = nn.ConvTranspose2d(cin_up, n, 3, stride=2, padding=1)
            self.bn(f"{p}/up{i}/bn1", n)
            self.conv(f"{p}/up{i}/deconv1", n, n, 3, padding=1)
        self.bn(f"{p}/up0/bn2", n)
        self.conv(f"{p}/up0/conv2", n, m, 1)

    def l(self, name):
        return self.m[name.replace("/", "__")]

    def module(self, p, x, m, levels):
        project = x.shape[1] != m
        pre = F.relu(self.l(p + "/bn")(x)) if project else x
        xs = [pre]
        h = pre if project else F.relu(self.l(p + "/down0/bn0")(pre))
        h = self.l(p + "/down0/conv0")(h)
        for i in range(levels):
            h = self.l(f"{p}/down{i}/conv1")(F.relu(self.l(f"{p}/down{i}/bn1")(h)))
            h = self.l(f"{p}/down{i}/conv2")(F.relu(self.l(f"{p}/down{i}/bn2")(h)))
            xs.append(h)
        out = xs[levels]
        for i in range(levels - 1, -1, -1):
            out = F.relu(self.l(f"{p}/up{i}/bn0")(out))
            out = self.l(f"{p}/up{i}/deconv0")(out, output_size=xs[i].shape[-2:])  # the actual skip size
            out = self.l(f"{p}/up{i}/deconv1")(F.relu(self.l(f"{p}/up{i}/bn1")(out)))
            if i > 0:
                out = torch.cat([out, xs[i]], 1)
            else:
                out = self.l(f"{p}/up0/conv2")(F.relu(self.l(f"{p}/up0/bn2")(out)))
                out = out + (self.l(p + "/upsample")(pre) if project else x)
        return out

    def forward(self, x):
        x = self.l("conv1")(x)
        y = F.relu(self.l("residual1/bn")(x))
        h = self.l("residual1/conv1")(y)
        h = self.l("residual1/conv2")(F.relu(self.l("residual1/bn2")(h)))
        x = h + self.l("residual1/shortcut")(y)
        for j, (modules, width, levels) in enumerate(self.blocks):
            for i in range(modules):
                x = self.module(f"unet{j + 1}_{i}", x, width, levels)
            if j < len(self.blocks) - 1 and self.pools[j]:
                x = F.avg_pool2d(x, 2, 2)
        x = F.relu(self.l("bn2")(x))
        return self.l("linear")(x.mean(dim=(2, 3)))


def formula(kind, shape):
    """The formula values of bench/resnet20_torch.py, in TensorFlow's layout."""
    n = 1
    for d in shape:
        n *= d
    i = torch.arange(n, dtype=torch.float64)
    if kind == "kernel":
        v = (2.0 / (n // shape[-1])) ** 0.5 * torch.sin(0.7 * i + n)
    elif kind == "bias":
        v = 0.1 * torch.sin(0.3 * i)
    elif kind == "gamma":
        v = 1 + 0.1 * torch.sin(0.5 * i + n)
    elif kind == "beta":
        v = 0.1 * torch.cos(0.5 * i)
    elif kind == "moving_mean":
        v = 0.05 * torch.sin(0.9 * i)
    else:
        v = 1 + 0.2 * torch.cos(0.4 * i) ** 2
    return v.float().reshape(shape)


def load_formula(net):
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
                a, b, kh, kw = m.weight.shape  # Conv2d [out, in, k, k] <- TF [k, k, in, out]; ConvT [in, out, k, k] <- TF [k, k, out, in]
                m.weight.copy_(formula("kernel", (kh, kw, b, a)).permute(3, 2, 0, 1))
                m.bias.copy_(formula("bias", (m.bias.shape[0],)))
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


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--variant", default="u1", choices=sorted(VARIANTS))
    ap.add_argument("--channels", type=int, default=1)
    ap.add_argument("--classes", type=int, default=10)
    ap.add_argument("--size", type=int, default=32)
    ap.add_argument("--batch", type=int, default=128)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--weight-decay", type=float, default=1e-4, help="lambda of lambda * sum(w^2) over the kernels")
    ap.add_argument("--crosscheck", action="store_true", help="print inference logits for formula weights, no timing")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(42)
    net = SUNet(a.variant, a.channels, a.classes)
    params = sum(p.numel() for p in net.parameters())
    want = EXPECTED.get((a.variant, a.channels, a.classes))
    if want is not None:
        assert params == want, f"{a.variant} has {params} parameters, expected {want}"
    if a.crosscheck:
        net.eval()
        load_formula(net)
        s = a.size
        k = torch.arange(s * s * a.channels, dtype=torch.float64)
        x = torch.stack([(torch.sin(0.1 * k) + 1) / 2, (torch.cos(0.07 * k) + 1) / 2]).float()
        x = x.reshape(2, s, s, a.channels).permute(0, 3, 1, 2).contiguous()
        with torch.no_grad():
            print(json.dumps({"params": params, "logits": [round(v, 6) for v in net(x).flatten().tolist()]}))
        return
    kernels = [m.weight for m in net.modules() if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear))]
    opt = torch.optim.SGD(net.parameters(), lr=1e-3, momentum=0.99)
    x = torch.rand(a.batch, a.channels, a.size, a.size)
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
        "bench": "train", "framework": "pytorch-" + torch.__version__, "family": "sunet",
        "variant": f"{a.variant}-os32-c{a.channels}-k{a.classes}", "size": a.size, "batch": a.batch, "steps": a.steps,
        "threads": a.threads, "parameters": params, "params": params, **timing}))


if __name__ == "__main__":
    main()
