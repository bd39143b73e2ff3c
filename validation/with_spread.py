"""A copy of a measurements file whose every machine profile has the given `coreSpeedSpread`, to see what a spread
measured later (`simulate calibrate` has measured it since 2026-12-04) would have changed on measurements whose
profiles lack it (docs/model.md, "Two busy cores, two speeds"). The copy goes to OUT_DIR/measurements.json with
the file's known_misses.json beside it, so that `simulate validate --measurements OUT_DIR/measurements.json`
judges it as the original.

    python3 validation/with_spread.py validation/fifth-host/measurements.json /tmp/spread '{"pow": 1.11, "py": 1.09, "sha": 1.01}'
"""
import json
import os
import shutil
import sys


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    source, out_dir, spread = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    if not isinstance(spread, dict) or not all(k in ("py", "pow", "sha") and v >= 1 for k, v in spread.items()):
        sys.exit('the spread is an object of "py", "pow", "sha", each a ratio of at least 1, e.g. {"pow": 1.11}')
    with open(source) as f:
        measurements = json.load(f)
    for profile in [measurements["machine"]] + (measurements.get("sessionProfiles") or []):
        profile["coreSpeedSpread"] = spread
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "measurements.json"), "w") as f:
        json.dump(measurements, f, indent=2, sort_keys=True)
    misses = os.path.join(os.path.dirname(source), "known_misses.json")
    if os.path.exists(misses):
        shutil.copy(misses, out_dir)


if __name__ == "__main__":
    main()
