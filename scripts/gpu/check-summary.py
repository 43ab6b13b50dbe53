#!/usr/bin/env python3
"""Summarises a gpu-check results folder (scripts/gpu/check-run.sh) into check.json (the keys
bench/results/h200-check.json keeps) and check.md, and prints the summary as the run's last lines.
Standard library only: it runs under whatever python3 the GPU machine has.
Usage: check-summary.py RESULTS_DIR COMMIT"""
import datetime
import glob
import json
import os
import re
import sys

results, commit = sys.argv[1], sys.argv[2]


def read(path, default=""):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return default


def is_cuda_case(suite, test):
    text = " ".join(str(test.get(k, "")) for k in ("name", "type_param", "value_param")) + " " + suite
    return "cuda" in text.lower() or "parity" in text.lower()


def tests():
    rows, totals = [], {"total": 0, "failed": 0, "skipped": 0, "cuda_run": 0, "cuda_skipped": 0,
                        "parity_failed": 0, "parity_run": 0}
    rc = dict(line.split(" rc=") for line in read(os.path.join(results, "tests", "rc.txt")).split("\n") if " rc=" in line)
    for name in sorted(rc):
        report = read(os.path.join(results, "tests", name + ".json"))
        row = {"suite": name, "rc": int(rc[name]), "total": 0, "failed": 0, "skipped": 0, "cuda_run": 0,
               "cuda_skipped": 0}
        if report:
            for suite in json.loads(report).get("testsuites", []):
                for t in suite.get("testsuite", []):
                    skipped = t.get("result") == "SKIPPED"
                    failed = bool(t.get("failures"))
                    row["total"] += 1
                    row["failed"] += failed
                    row["skipped"] += skipped
                    if is_cuda_case(suite["name"], t):
                        row["cuda_skipped" if skipped else "cuda_run"] += 1
                    if "parity" in (suite["name"] + t["name"]).lower() and not skipped:
                        totals["parity_run"] += 1
                        totals["parity_failed"] += failed
        elif row["rc"] != 0:
            row["failed"] = 1  # crashed or timed out before writing its report
        for k in ("total", "failed", "skipped", "cuda_run", "cuda_skipped"):
            totals[k] += row[k]
        rows.append(row)
    return rows, totals


def sanitizer():
    rows = []
    for log in sorted(glob.glob(os.path.join(results, "sanitizer", "*.log"))):
        text = read(log)
        m = re.search(r"ERROR SUMMARY: (\d+) error", text)
        rc = re.search(r"rc=(\d+)", text)
        rows.append({"run": os.path.basename(log)[:-4], "errors": int(m.group(1)) if m else None,
                     "rc": int(rc.group(1)) if rc else None})
    return rows


def e2e():
    runs = [json.loads(line) for line in read(os.path.join(results, "e2e", "runs.jsonl")).splitlines() if line]
    for r in runs:
        out = read(os.path.join(results, "e2e", r["name"] + ".json"))
        try:
            summary = json.loads(out) if out.strip() else {}
        except json.JSONDecodeError:
            summary = {}
        r["iterations"] = summary.get("iterations")
        r["elapsed_s"] = summary.get("elapsed_s")
        r["psnr"] = summary.get("psnr")
        if r["rc"] != 0:
            r["error"] = read(os.path.join(results, "e2e", r["name"] + ".err")).strip()[-300:]
    return runs


def bench_count():
    ok = [line for line in read(os.path.join(results, "bench", "rc.txt")).splitlines() if line.endswith("rc=0")]
    return len(ok), len(read(os.path.join(results, "bench", "rc.txt")).splitlines())


def main():
    info = {}
    try:
        info = json.loads(read(os.path.join(results, "info.json")) or "{}")
    except json.JSONDecodeError:
        pass
    gpu_line = read(os.path.join(results, "gpu.txt")).strip().splitlines()
    devices = info.get("devices", [])
    cuda_dev = next((d for d in devices if d.get("device") == "cuda"), {})
    host_dev = next((d for d in devices if d.get("device") == "host"), {})
    rows, t = tests()
    san = sanitizer()
    runs = e2e()
    bench_ok, bench_all = bench_count()
    san_errors = sum(r["errors"] or 0 for r in san) + sum(1 for r in san if r["errors"] is None)
    check = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "commit": commit,
        "gpu": gpu_line[0].split(",")[0] if gpu_line else "none",
        "gpu_query": gpu_line[0] if gpu_line else "",
        "copy_bandwidth_gbps": cuda_dev.get("copy_bandwidth_gbps"),
        "host_copy_bandwidth_gbps": host_dev.get("copy_bandwidth_gbps"),
        "tests_total": t["total"], "tests_failed": t["failed"], "tests_skipped": t["skipped"],
        "cuda_cases_run": t["cuda_run"], "cuda_cases_skipped": t["cuda_skipped"],
        "parity_cases_run": t["parity_run"], "parity_failures": t["parity_failed"],
        "sanitizer_runs": san, "sanitizer_errors": san_errors,
        "benchmark_suites_ok": bench_ok, "benchmark_suites": bench_all,
        "suites": rows, "end_to_end": runs,
    }
    with open(os.path.join(results, "check.json"), "w") as f:
        json.dump(check, f, indent=1)
    lines = [f"# GPU check: {check['gpu']} ({check['date']}, commit {commit[:10]})", "",
             f"Copy bandwidth: {check['copy_bandwidth_gbps']} GB/s device, {check['host_copy_bandwidth_gbps']} GB/s host.",
             "", "| suite | rc | tests | failed | skipped | Cuda run | Cuda skipped |", "|---|---|---|---|---|---|---|"]
    lines += [f"| {r['suite']} | {r['rc']} | {r['total']} | {r['failed']} | {r['skipped']} | {r['cuda_run']} | "
              f"{r['cuda_skipped']} |" for r in rows]
    lines += ["", "| sanitizer run | errors | rc |", "|---|---|---|"]
    lines += [f"| {r['run']} | {r['errors']} | {r['rc']} |" for r in san]
    lines += ["", "| end to end | rc | wall (s) | solver time (s) | iterations | PSNR |", "|---|---|---|---|---|---|"]
    lines += [f"| {r['name']} | {r['rc']} | {r['wall_s']} | {r.get('elapsed_s')} | {r.get('iterations')} | "
              f"{r.get('psnr')} |" for r in runs]
    with open(os.path.join(results, "check.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("gpu-check summary")
    print(f"  gpu: {check['gpu_query'] or 'none'}; copy bandwidth {check['copy_bandwidth_gbps']} GB/s")
    print(f"  tests: {t['total']} in {len(rows)} executables, {t['failed']} failed, {t['skipped']} skipped; "
          f"Cuda cases {t['cuda_run']} run, {t['cuda_skipped']} skipped; parity {t['parity_run']} run, "
          f"{t['parity_failed']} failed")
    for r in rows:
        if r["failed"] or r["rc"] != 0:
            print(f"  FAILED suite {r['suite']}: rc {r['rc']}, {r['failed']} failed")
    print(f"  sanitizer: {len(san)} runs, {san_errors} errors " +
          " ".join(f"[{r['run']}: {r['errors']}]" for r in san))
    print(f"  benchmarks: {bench_ok}/{bench_all} suites ran")
    for r in runs:
        per_it = (f", {1000 * r['elapsed_s'] / r['iterations']:.2f} ms/iteration"
                  if r.get("elapsed_s") and r.get("iterations") else "")
        print(f"  e2e {r['name']}: rc {r['rc']}, wall {r['wall_s']} s, solver {r.get('elapsed_s')} s{per_it}"
              f"{', ' + r['error'][:120] if r.get('error') else ''}")


if __name__ == "__main__":
    main()
