"""Step timing shared by the PyTorch twins (unet_torch.py, unetpp_torch.py, resnet20_torch.py, sunet_torch.py):
the same warm-up / timed-steps loop and the same JSON timing fields as `unet-pipelines bench train`."""
import resource
import time


def percentile(sorted_vals, p):
    pos = p / 100.0 * (len(sorted_vals) - 1)
    lo = int(pos)
    hi = min(len(sorted_vals) - 1, lo + 1)
    return sorted_vals[lo] + (pos - lo) * (sorted_vals[hi] - sorted_vals[lo])


def timed_steps(step, warmup, steps, batch):
    """Runs `warmup` untimed and `steps` timed calls of step() (which returns the loss; a NaN loss stops
    the run) and returns the timing fields: median/p10/p90 step ms, images per second, peak RSS, total s."""
    t0 = time.perf_counter()
    for _ in range(warmup):
        step()
    ms = []
    for _ in range(steps):
        s = time.perf_counter()
        loss = step()
        ms.append((time.perf_counter() - s) * 1000)
        if loss != loss:
            raise SystemExit("loss became NaN")
    total = time.perf_counter() - t0
    ms.sort()
    median = percentile(ms, 50)
    return {"median_step_ms": round(median, 1), "p10_step_ms": round(percentile(ms, 10), 1),
            "p90_step_ms": round(percentile(ms, 90), 1), "images_per_s": round(batch * 1000.0 / median, 1),
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, "total_s": round(total, 1)}
