#!/usr/bin/env python3
"""Runs kitsune-bench and checks that it printed every figure of its scenario, well formed.

usage: check_output.py <scenario> <kitsune-bench> <args...>
It checks the output's shape (each metric line present, numbers parse, ratios agree with their
parts), never how fast anything was.
"""
import re
import subprocess
import sys

RATIO = {
    "small": ["p50_us", "p99_us", "qps"],
    "large": ["mb_per_s"],
    "sessions": ["open_p50_ms", "open_p99_ms"],
    "launch": ["first_result_p50_ms", "first_result_p99_ms", "all_served_s"],
}
VALUES = {
    "small": {"cpu_us_per_op": ["engine_direct", "engine_gateway", "gateway", "gateway_over_engine"],
              "gateway_peak_rss_mb": ["gateway"], "gateway_threads": ["gateway"]},
    "large": {"cpu_us_per_op": ["engine_direct", "engine_gateway", "gateway", "gateway_over_engine"],
              "gateway_peak_rss_mb": ["gateway"], "gateway_threads": ["gateway"]},
    "sessions": {"cpu_us_per_op": ["engine_direct", "gateway"], "gateway_rss_mb": ["sessions_10"],
                 "gateway_threads": ["sessions_10"], "gateway_peak_rss_mb": ["gateway"]},
    "launch": {"served": ["direct", "gateway", "sessions"],
               "peak_concurrent_launches": ["gateway", "cap"],
               "gateway_peak_rss_mb": ["gateway"], "gateway_threads": ["gateway"]},
}


def main():
    scenario, command = sys.argv[1], sys.argv[2:]
    run = subprocess.run(command, capture_output=True, text=True, timeout=110)
    sys.stdout.write(run.stdout)
    sys.stderr.write(run.stderr[-4000:])
    if run.returncode != 0:
        sys.exit(f"kitsune-bench exited with {run.returncode}")
    lines = {}
    for line in run.stdout.splitlines():
        if line.startswith("#"):
            continue
        fields = dict(kv.split("=", 1) for kv in line.split())
        if fields.get("scenario") != scenario:
            sys.exit(f"a line of another scenario: {line}")
        lines[fields["metric"]] = fields
    number = re.compile(r"^-?\d+(\.\d+)?$")
    for metric in RATIO[scenario]:
        f = lines.get(metric)
        if not f:
            sys.exit(f"no line for metric={metric}")
        for key in ("direct", "gateway", "ratio"):
            if not number.match(f.get(key, "")):
                sys.exit(f"metric={metric}: {key} is not a number: {f}")
        direct, gateway, ratio = float(f["direct"]), float(f["gateway"]), float(f["ratio"])
        if direct <= 0 or gateway <= 0:
            sys.exit(f"metric={metric}: a side measured nothing: {f}")
        if abs(ratio - gateway / direct) > 0.01 * max(1.0, ratio) + 0.002:
            sys.exit(f"metric={metric}: ratio {ratio} is not gateway/direct: {f}")
    for metric, keys in VALUES[scenario].items():
        f = lines.get(metric)
        if not f:
            sys.exit(f"no line for metric={metric}")
        for key in keys:
            if not number.match(f.get(key, "")):
                sys.exit(f"metric={metric}: {key} missing or not a number: {f}")
    if scenario == "launch":
        served = lines["served"]
        if not (served["direct"] == served["gateway"] == served["sessions"]):
            sys.exit(f"not every session was served: {served}")
        peak = lines["peak_concurrent_launches"]
        if int(peak["cap"]) > 0 and not 1 <= int(peak["gateway"]) <= int(peak["cap"]):
            sys.exit(f"launches not capped as configured: {peak}")
    print(f"bench smoke {scenario}: every figure printed")


if __name__ == "__main__":
    main()
