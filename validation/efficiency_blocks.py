"""How many pairs does calibrate.py's `parallel_efficiency` need? (issue #8; docs/model.md, "Cores busy at once")

Runs calibrate.py's own pairs (one process alone, then two at once, started at a barrier, each timing its own
work; the same sizing and the same quiet check) N times per CPU kind, then cuts the sequence into consecutive
blocks of 5, 12, 20 and 30 pairs and prints, per block size, the range and standard deviation of the median
ratio over the blocks: what one calibration with that many pairs would have recorded, draw by draw. Blocks
are consecutive, not resampled, because the VM's speed drifts over seconds (validation/speed_modes.py).

    flock /work/machine.lock .venv/bin/python validation/efficiency_blocks.py [PAIRS] [TARGET_MS] [--save F]
    (defaults 60 pairs of ~60 ms work, calibrate.py's size: about 30 s)
"""
import json
import multiprocessing
import os
import statistics
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Sources", "RealRuns", "python"))
import calibrate  # noqa: E402 - the pairs calibrate.py times
import harness  # noqa: E402


def pairs(count, target_ns):
    """{kind: [[alone ns, together ns, machine busy while alone], ...]}, as calibrate.py measures one pair."""
    context = multiprocessing.get_context("fork")
    harness.sha_buffer(calibrate.SHA_CHUNK)
    kinds = {"py": (harness.burn_python, lambda n: (n,), 1_000_000, 1.0),
             "pow": (harness.burn_pow, lambda n: (n,), 200_000, 1.58),
             "sha": (harness.burn_sha, lambda n: (n, calibrate.SHA_CHUNK), 1 << 24, 1.0)}
    out = {}
    for kind, (function, arguments, amount, power) in kinds.items():
        alone = calibrate.median_of(3, function, *arguments(amount))
        amount = max(1, int(amount * (target_ns / max(1, alone)) ** (1 / power)))
        rows = []
        for _ in range(count):
            single, busy, _ = calibrate._run_at_once(context, 1, function, arguments(amount))
            together, _, _ = calibrate._run_at_once(context, 2, function, arguments(amount))
            rows.append([single, together, busy])
        out[kind] = rows
    return out


def report(data, cores=2):
    for kind, rows in data.items():
        quiet = [(s, t) for s, t, busy in rows if busy is None or busy <= 1 / cores + 0.15]
        alone = [s / 1e6 for s, _ in quiet]
        print(f"{kind}: {len(quiet)} quiet pairs of {len(rows)}; alone {min(alone):.0f}-{max(alone):.0f} ms; "
              f"median ratio of all {statistics.median(s / t for s, t in quiet):.3f}")
        for size in (5, 12, 20, 30):
            medians = [statistics.median(s / t for s, t in quiet[i:i + size])
                       for i in range(0, len(quiet) - size + 1, size)]
            if len(medians) < 2:
                continue
            print(f"  median of {size:2}: {min(medians):.3f}-{max(medians):.3f}, sd {statistics.pstdev(medians):.3f} "
                  f"over {len(medians)} blocks")


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    save = sys.argv[sys.argv.index("--save") + 1] if "--save" in sys.argv else None
    if save in args:
        args.remove(save)
    count = int(args[0]) if args else 60
    target_ns = int(float(args[1]) * 1e6) if len(args) > 1 else 60_000_000
    data = pairs(count, target_ns)
    if save:
        with open(save, "w") as f:
            json.dump(data, f)
    report(data)


if __name__ == "__main__":
    main()
