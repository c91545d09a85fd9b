#!/usr/bin/python3
"""PyTorch peer of `unet-pipelines bench train --family redo`: one ReDo iteration (mickaelChen/ReDO train.py,
MODELS.md 3.5) with the four networks as model/redo/ builds them, at the sizes the Java code supports
(128 = the original; 64 = one block fewer per network, as RedoConfig documents):

  F  (mask network): ReflPad3 Conv7x7 -> nf/4, Conv3x3 -> nf/2, Conv3x3 -> nf (stride 2 for the first
     log2(S/32) of the two), IN(affine) + ReLU after each, res blocks, pyramid pooling (1, 2, 3, 6 bins on 32x32),
     up path, Conv7x7 -> 1, sigmoid: masks [m, 1 - m];
  G_k (one per region): Dense(nz -> 4*4*16nf), residual up-blocks with z-conditioned IN and the soft mask
     pooled to each resolution, self-attention before the last block, SN convs, tanh, times m_k;
  D: SN residual down-blocks, self-attention after the first, sum pooling, Dense(-> 1);
  delta: D's architecture without attention, Dense(-> K * nz), fed sum_k G_k.

A batch of 2B images is B redrawn + B independent reals (the Java task's split). Generator phase:
L_G = -mean D(fakes) + lambda_z * MSE(z, delta(sum_k h_k)); step F (Adam, coupled weight decay), all G_k and
delta. Discriminator phase: the fakes recomputed without gradient, hinge loss on [reals, fakes] in one D pass;
step D. Adam betas (0, 0.9). Spectral norm: torch's parametrization, one power iteration per forward.
Asserts the trainable parameter count when --params is given (the side-by-side script passes Java's), and
prints one JSON line with median_step_ms, images_per_s and params like the Java bench.

Run with Debian's interpreter: /usr/bin/python3 bench/redo_torch.py --size 64 --batch 16 --threads 2
"""
import argparse
import json
import math

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.parametrizations import spectral_norm

from torch_timing import timed_steps


def sn_conv(cin, cout, k, bias=True):
    return spectral_norm(nn.Conv2d(cin, cout, k, padding=k // 2, bias=bias))


class SelfAttention(nn.Module):
    """BigGAN-style: f, g = SN-1x1 C -> C/8, h = SN-1x1 C -> C/2, g and h max-pooled 2x2, o = SN-1x1 C/2 -> C."""

    def __init__(self, c):
        super().__init__()
        nh = max(c // 8, 1)
        self.f, self.g = sn_conv(c, nh, 1, False), sn_conv(c, nh, 1, False)
        self.h, self.o = sn_conv(c, c // 2, 1, False), sn_conv(c // 2, c, 1, False)
        self.gamma = nn.Parameter(torch.zeros(1))

    def forward(self, x):
        n, c, hh, ww = x.shape
        f = self.f(x).flatten(2)                      # [N, nh, HW]
        g = F.max_pool2d(self.g(x), 2).flatten(2)     # [N, nh, HW/4]
        h = F.max_pool2d(self.h(x), 2).flatten(2)     # [N, C/2, HW/4]
        a = torch.softmax(torch.bmm(f.transpose(1, 2), g), dim=-1)   # [N, HW, HW/4]
        o = torch.bmm(h, a.transpose(1, 2)).view(n, c // 2, hh, ww)  # [N, C/2, H, W]
        return x + self.gamma * self.o(o)


class MaskNetwork(nn.Module):
    def __init__(self, size, nf, res_blocks, channels):
        super().__init__()
        steps = 2 if size >= 128 else 1 if size == 64 else 0
        self.steps = steps
        self.down = nn.Sequential(
            nn.ReflectionPad2d(3), nn.Conv2d(channels, nf // 4, 7, bias=False), nn.InstanceNorm2d(nf // 4, affine=True),
            nn.ReLU(),
            nn.Conv2d(nf // 4, nf // 2, 3, stride=2 if steps > 0 else 1, padding=1, bias=False),
            nn.InstanceNorm2d(nf // 2, affine=True), nn.ReLU(),
            nn.Conv2d(nf // 2, nf, 3, stride=2 if steps > 1 else 1, padding=1, bias=False),
            nn.InstanceNorm2d(nf, affine=True), nn.ReLU())
        self.res = nn.ModuleList(nn.ModuleList([
            nn.Conv2d(nf, nf, 3, padding=1, bias=False), nn.InstanceNorm2d(nf, affine=True),
            nn.Conv2d(nf, nf, 3, padding=1), nn.InstanceNorm2d(nf, affine=True)]) for _ in range(res_blocks))
        self.bins = (1, 2, 3, 6)
        self.psp = nn.ModuleList(nn.Conv2d(nf, 1, 1) for _ in self.bins)
        w = nf + len(self.bins)
        self.up1 = nn.Sequential(nn.Conv2d(w, w // 2, 3, padding=1, bias=False), nn.InstanceNorm2d(w // 2, affine=True),
                                 nn.ReLU())
        self.up2 = nn.Sequential(nn.Conv2d(w // 2, w // 4, 3, padding=1, bias=False),
                                 nn.InstanceNorm2d(w // 4, affine=True), nn.ReLU())
        self.out = nn.Sequential(nn.ReflectionPad2d(3), nn.Conv2d(w // 4, 1, 7))

    def forward(self, x):
        f = self.down(x)                                                   # [N, nf, s, s]
        for c1, n1, c2, n2 in self.res:
            f = F.relu(n2(c2(F.relu(n1(c1(f)))) + f))
        s = f.shape[-1]
        maps = [f] + [F.interpolate(conv(F.avg_pool2d(f, s // b)), size=(s, s), mode="bilinear", align_corners=False)
                      for b, conv in zip(self.bins, self.psp)]
        y = torch.cat(maps, 1)                                             # [N, nf + 4, s, s]
        if self.steps >= 2:
            y = F.interpolate(y, scale_factor=2, mode="nearest")
        y = self.up1(y)
        if self.steps >= 1:
            y = F.interpolate(y, scale_factor=2, mode="nearest")
        m = torch.sigmoid(self.out(self.up2(y)))                           # [N, 1, S, S]
        return torch.cat([m, 1 - m], 1)                                    # [N, 2, S, S]


class CondNorm(nn.Module):
    """IN without affine, times gamma(z) plus beta(z) (gamma as is, not 1 + gamma)."""

    def __init__(self, c, nz):
        super().__init__()
        self.norm = nn.InstanceNorm2d(c, affine=False)
        self.gamma, self.beta = nn.Linear(nz, c), nn.Linear(nz, c)

    def forward(self, x, z):
        return self.norm(x) * self.gamma(z)[:, :, None, None] + self.beta(z)[:, :, None, None]


class UpBlock(nn.Module):
    def __init__(self, cin, cout, nz):
        super().__init__()
        self.norm_a, self.norm_b = CondNorm(cin, nz), CondNorm(cout, nz)
        self.conv_a, self.conv_b = sn_conv(cin + 1, cout, 3, False), sn_conv(cout, cout, 3)
        self.shortcut = sn_conv(cin, cout, 1)

    def forward(self, x, m, z):
        k = m.shape[-1] // x.shape[-1]
        h = torch.cat([F.relu(self.norm_a(x, z)), F.avg_pool2d(m, k) if k > 1 else m], 1)
        h = self.conv_a(F.interpolate(h, scale_factor=2, mode="nearest"))
        h = self.conv_b(F.relu(self.norm_b(h, z)))
        return h + self.shortcut(F.interpolate(x, scale_factor=2, mode="nearest"))


class RegionGenerator(nn.Module):
    WIDTHS = (16, 16, 8, 4, 2, 1)

    def __init__(self, size, nf, nz, channels, attention):
        super().__init__()
        blocks = int(math.log2(size // 4))
        first = len(self.WIDTHS) - 1 - blocks
        self.w0 = self.WIDTHS[first] * nf
        self.dense = nn.Linear(nz, 4 * 4 * self.w0)
        self.blocks = nn.ModuleList(UpBlock(self.WIDTHS[first + b] * nf, self.WIDTHS[first + b + 1] * nf, nz)
                                    for b in range(blocks))
        self.attention = SelfAttention(2 * nf) if attention else None
        self.norm = CondNorm(nf, nz)
        self.conv = sn_conv(nf + 1, channels, 3)

    def forward(self, m, z):
        x = self.dense(z).view(-1, self.w0, 4, 4)   # [N, 16nf, 4, 4] (PyTorch's channel-major reshape)
        for b, block in enumerate(self.blocks):
            if b == len(self.blocks) - 1 and self.attention is not None:
                x = self.attention(x)
            x = block(x, m, z)
        return torch.tanh(self.conv(torch.cat([F.relu(self.norm(x, z)), m], 1))) * m


class DownBlock(nn.Module):
    def __init__(self, cin, cout, first):
        super().__init__()
        self.first = first
        self.conv1, self.conv2, self.shortcut = sn_conv(cin, cout, 3), sn_conv(cout, cout, 3), sn_conv(cin, cout, 1)

    def forward(self, x):
        h = self.conv1(x if self.first else F.relu(x))
        h = F.avg_pool2d(self.conv2(F.relu(h)), 2)
        return h + self.shortcut(F.avg_pool2d(x, 2))


class ResidualEncoder(nn.Module):
    def __init__(self, size, nf, channels, attention, outputs):
        super().__init__()
        blocks = [DownBlock(channels, nf, True)]
        self.attention = SelfAttention(nf) if attention else None
        w = nf
        for _ in range(int(math.log2(size // 8))):
            blocks.append(DownBlock(w, 2 * w, False))
            w *= 2
        self.blocks = nn.ModuleList(blocks)
        self.last1, self.last2 = sn_conv(w, w, 3), sn_conv(w, w, 3)
        self.dense = nn.Linear(w, outputs)

    def forward(self, x):
        h = self.blocks[0](x)
        if self.attention is not None:
            h = self.attention(h)
        for b in self.blocks[1:]:
            h = b(h)
        h = h + self.last2(F.relu(self.last1(F.relu(h))))
        return self.dense(h.sum(dim=(2, 3)))


def orthogonal(module, gain=0.8):
    for m in module.modules():
        if isinstance(m, (nn.Conv2d, nn.Linear)):
            w = m.parametrizations.weight.original if hasattr(m, "parametrizations") else m.weight
            nn.init.orthogonal_(w, gain=gain)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--size", type=int, default=64)
    p.add_argument("--batch", type=int, default=16, help="2B images: B redrawn + B reals")
    p.add_argument("--regions", type=int, default=2)
    p.add_argument("--nz", type=int, default=32)
    p.add_argument("--mask-filters", type=int, default=32)
    p.add_argument("--mask-res-blocks", type=int, default=3)
    p.add_argument("--generator-filters", type=int, default=32)
    p.add_argument("--discriminator-filters", type=int, default=32)
    p.add_argument("--encoder-filters", type=int, default=16)
    p.add_argument("--no-attention", action="store_true", help="no self-attention in G and D")
    p.add_argument("--channels", type=int, default=3)
    p.add_argument("--lr-mask", type=float, default=1e-4)
    p.add_argument("--params", type=int, help="assert this trainable parameter count (Java's)")
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    if a.regions != 2:
        raise SystemExit("the twin builds K = 2 (sigmoid masks)")
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    att = not a.no_attention
    f = MaskNetwork(a.size, a.mask_filters, a.mask_res_blocks, a.channels)
    gs = nn.ModuleList(RegionGenerator(a.size, a.generator_filters, a.nz, a.channels, att) for _ in range(a.regions))
    d = ResidualEncoder(a.size, a.discriminator_filters, a.channels, att, 1)
    delta = ResidualEncoder(a.size, a.encoder_filters, a.channels, False, a.regions * a.nz)
    for net in (f, gs, d, delta):
        orthogonal(net)
    params = sum(q.numel() for net in (f, gs, d, delta) for q in net.parameters())
    if a.params is not None:
        assert params == a.params, f"the twin has {params} parameters, Java {a.params}"
    betas = (0.0, 0.9)
    opt_g = torch.optim.Adam([{"params": f.parameters(), "lr": a.lr_mask, "weight_decay": 1e-4},
                              {"params": gs.parameters()}, {"params": delta.parameters()}], lr=1e-4, betas=betas)
    opt_d = torch.optim.Adam(d.parameters(), lr=1e-4, betas=betas)
    b = a.batch // 2
    images = torch.rand(a.batch, a.channels, a.size, a.size) * 2 - 1
    x, x_real = images[0::2], images[1::2]
    z = torch.randn(b, a.regions, a.nz)

    def fakes():
        m = f(x)                                                            # [B, K, S, S]
        h = [g(m[:, k:k + 1], z[:, k]) for k, g in enumerate(gs)]          # K x [B, C, S, S]
        return h, torch.cat([hk + (1 - m[:, k:k + 1]) * x for k, hk in enumerate(h)], 0)   # [K*B, C, S, S]

    def step():
        opt_g.zero_grad(set_to_none=True)
        h, fake = fakes()
        loss_z = F.mse_loss(delta(sum(h)), z.reshape(b, -1))
        loss_g = -d(fake).mean() + 5.0 * loss_z
        loss_g.backward()
        opt_g.step()
        opt_d.zero_grad(set_to_none=True)
        with torch.no_grad():
            _, fake = fakes()
        out = d(torch.cat([x_real, fake], 0))
        loss_d = F.relu(1 - out[:b]).mean() + F.relu(1 + out[b:]).mean()
        loss_d.backward()
        opt_d.step()
        return loss_g.item() + loss_d.item()

    timing = timed_steps(step, a.warmup, a.steps, a.batch)
    print(json.dumps({
        "bench": "train", "framework": "pytorch-" + torch.__version__, "family": "redo",
        "variant": f"k{a.regions}-z{a.nz}-f{a.mask_filters}-g{a.generator_filters}{'sa' if att else ''}"
                   f"-d{a.discriminator_filters}{'sa' if att else ''}-e{a.encoder_filters}",
        "size": a.size, "batch": a.batch, "steps": a.steps, "threads": a.threads, "parameters": params,
        "params": params, **timing}))


if __name__ == "__main__":
    main()
