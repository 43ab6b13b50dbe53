#!/usr/bin/env python3
"""Summarises a gpu-check results folder (scripts/gpu/check-run.sh) into check.json (the keys
bench/results/h200-check.json keeps) and check.md, and prints the summary as the run's last lines.
Standard library only: it runs under whatever python3 the GPU machine has.

Accounting: a test is a case gtest ran (status RUN; disabled ones are not counted); skipped is
gtest's SKIPPED result, and the reasons are the messages the logs print after "Skipped" (gtest's
JSON has none). Cuda cases are the typed cases on the Cuda backend (suite instance */Cuda_*) and
the parity cases (suites named *Parity*, host-against-GPU comparisons; ParityHelper, the
comparison helper's own host test, is not one). A process stopped at its time limit (rc 124) is a
timeout, one given no time at all is "not run: no time left"; without a GPU (nvidia-smi absent)
the GPU end-to-end runs that report no CUDA device are "skipped: no GPU", not failures. Steps
left out by RECON_CHECK_STEPS (steps-chosen.txt) are not counted as problems. "astra vs recon":
bench/astra_ct.py's mapping checks and rows (ASTRA ms, recon ms, their ratio, GUPS, relative
difference); ASTRA missing or slower is reported, never a problem. "distributed": the dist step's
test_device per rank count (rank 0's report; skip reasons from every rank's log) and ct cgls by
views against the serial file (the same bits or PSNR >= 100 dB); a bundle without mpiexec is a
problem when the step was chosen.
Usage: check-summary.py RESULTS_DIR COMMIT"""
import collections
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


def load_json(path):
    text = read(path)
    try:
        return json.loads(text) if text.strip() else None
    except json.JSONDecodeError:
        return None


def rc_lines(path):
    """'NAME rc=N key=value...' lines -> {NAME: {'rc': N, key: value}}."""
    rows = {}
    for line in read(path).splitlines():
        parts = line.split()
        if len(parts) < 2 or not parts[1].startswith("rc="):
            continue
        row = {"rc": int(parts[1][3:])}
        for kv in parts[2:]:
            k, _, v = kv.partition("=")
            row[k] = int(v) if v.isdigit() else v
        rows[parts[0]] = row
    return rows


def stopped(rc, limit):
    """How a process that did not finish is described, or None."""
    if rc in (124, 137):
        return "not run: no time left" if (limit is not None and limit < 2) else f"timed out after {limit} s"
    return None


def is_cuda_case(suite, test):
    if "/Cuda" in suite or "cuda" in str(test.get("value_param", "")).lower():
        return True
    return is_parity_case(suite)


def is_parity_case(suite):
    return "Parity" in suite.split("/")[0] and not suite.startswith("ParityHelper")


def skip_reasons(log):
    """gtest prints 'file:line: Skipped' and the message on the next line(s)."""
    reasons = collections.Counter()
    lines = log.splitlines()
    for i, line in enumerate(lines):
        if line.endswith(": Skipped") and i + 1 < len(lines):
            msg = lines[i + 1].strip()
            reasons["no CUDA device" if "no CUDA device" in msg else msg or "(no message)"] += 1
    return reasons


def case_counts(report):
    """gtest's JSON report -> cases run, failed, skipped; Cuda and parity cases among them."""
    n = dict.fromkeys(("total", "failed", "skipped", "cuda_run", "cuda_skipped", "parity_run", "parity_skipped",
                       "parity_failed"), 0)
    for suite in (report or {}).get("testsuites", []):
        for t in suite.get("testsuite", []):
            if t.get("status", "RUN") != "RUN":
                continue
            skipped = t.get("result") == "SKIPPED"
            failed = bool(t.get("failures"))
            n["total"] += 1
            n["failed"] += failed
            n["skipped"] += skipped
            if is_cuda_case(suite["name"], t):
                n["cuda_skipped" if skipped else "cuda_run"] += 1
            if is_parity_case(suite["name"]):
                n["parity_skipped" if skipped else "parity_run"] += 1
                n["parity_failed"] += failed
    return n


def tests():
    rows = []
    totals = {"total": 0, "failed": 0, "skipped": 0, "cuda_run": 0, "cuda_skipped": 0, "parity_run": 0,
              "parity_failed": 0, "parity_skipped": 0, "executables_failed": 0}
    reasons = collections.Counter()
    for name, rc in sorted(rc_lines(os.path.join(results, "tests", "rc.txt")).items()):
        report = load_json(os.path.join(results, "tests", name + ".json"))
        row = {"suite": name, "rc": rc["rc"], "limit_s": rc.get("limit"), "total": 0, "failed": 0, "skipped": 0,
               "cuda_run": 0, "cuda_skipped": 0}
        why = stopped(rc["rc"], rc.get("limit"))
        counts = case_counts(report)
        for k in ("total", "failed", "skipped", "cuda_run", "cuda_skipped"):
            row[k] = counts[k]
        for k in ("parity_run", "parity_skipped", "parity_failed"):
            totals[k] += counts[k]
        if rc["rc"] != 0 and not row["failed"]:
            # Crashed, or stopped, before or after writing its report: the executable failed.
            row["note"] = why or ("no report" if not report else "nonzero exit, no failed case")
        r = skip_reasons(read(os.path.join(results, "tests", name + ".log")))
        row["skip_reasons"] = dict(r)
        reasons.update(r)
        for k in ("total", "failed", "skipped", "cuda_run", "cuda_skipped"):
            totals[k] += row[k]
        totals["executables_failed"] += rc["rc"] != 0
        rows.append(row)
    return rows, totals, reasons


def dist():
    """The distributed step: test_device per rank count (rank 0's report), and ct cgls split by
    views against the serial file. -> (rows, lines, problems)."""
    d = os.path.join(results, "dist")
    if not os.path.isdir(d):
        return [], [], []
    missing = read(os.path.join(d, "missing.txt")).strip()
    if missing:
        return [], [f"not run: {missing}"], [f"dist not run ({missing})"]
    setup = load_json(os.path.join(d, "setup.json")) or {}
    rows, lines, problems = [], [], []
    lines.append(f"on {setup.get('device')}, ct cgls {setup.get('n')}^3; NCCL library: {setup.get('nccl_lib') or 'none found'}")
    for name, rc in rc_lines(os.path.join(d, "rc.txt")).items():
        why = stopped(rc["rc"], rc.get("limit"))
        how = f"{rc.get('ranks')} rank(s), staging {rc.get('staging')}" if rc.get("ranks") else "serial"
        row = {"run": name, "rc": rc["rc"], "ranks": rc.get("ranks"), "staging": rc.get("staging"),
               "limit_s": rc.get("limit")}
        if name.startswith("test_"):
            counts = case_counts(load_json(os.path.join(d, f"{name}-0.json")))
            row.update(counts)
            reasons = skip_reasons(read(os.path.join(d, name + ".log")))
            ok = rc["rc"] == 0 and counts["total"] > 0 and not counts["failed"]
            text = (f"{counts['total']} tests, {counts['failed']} failed, {counts['skipped']} skipped; Cuda cases "
                    f"{counts['cuda_run']} run, {counts['cuda_skipped']} skipped")
            if reasons:  # every rank prints its skips into the one log
                text += " (skip messages, all ranks: " + "; ".join(f"{v} {k}" for k, v in reasons.most_common()) + ")"
        elif name.startswith("cgls-n"):
            m = load_json(os.path.join(d, f"{name}-vs-serial.json")) or {}
            same = os.path.exists(os.path.join(d, f"{name}.same"))
            row.update(same_bits=same, psnr=m.get("psnr"), rmse=m.get("rmse"))
            ok = rc["rc"] == 0 and (same or (m.get("psnr") or 0) >= 100)
            text = "vs serial: " + ("the same bits" if same else
                                    f"PSNR {m['psnr']:.1f} dB, rmse {m.get('rmse'):.3g}" if m.get("psnr") else "no comparison")
        elif name == "ranks-n2":
            ok = rc["rc"] == 0
            text = "; ".join(sorted(read(os.path.join(d, name + ".log")).split("\n")))[:200].strip("; ")
        else:
            ok = rc["rc"] == 0
            text = "ok" if ok else ""
        if not ok:
            tail = read(os.path.join(d, name + ".log")).strip().splitlines()[-2:]
            text += f" FAILED rc {rc['rc']}" + (f", {why}" if why else "") + (": " + " | ".join(tail)[-200:] if tail else "")
            problems.append(f"dist {name}")
        row["ok"] = ok
        rows.append(row)
        lines.append(f"{name} ({how}): {text}")
    return rows, lines, problems


def sanitizer():
    rows = []
    for log in sorted(glob.glob(os.path.join(results, "sanitizer", "*.log"))):
        text = read(log)
        m = re.search(r"ERROR SUMMARY: (\d+) error", text)
        rc = re.search(r"rc=(\d+)(?: limit=(\d+))?", text)
        rcv = int(rc.group(1)) if rc else None
        limit = int(rc.group(2)) if rc and rc.group(2) else None
        rows.append({"run": os.path.basename(log)[:-4], "errors": int(m.group(1)) if m else None, "rc": rcv,
                     "limit_s": limit, "stopped": stopped(rcv, limit)})
    return rows


def e2e(no_gpu):
    runs = [json.loads(line) for line in read(os.path.join(results, "e2e", "runs.jsonl")).splitlines() if line]
    for r in runs:
        summary = load_json(os.path.join(results, "e2e", r["name"] + ".json")) or {}
        for k in ("iterations", "elapsed_s", "psnr", "device", "streamed"):
            r[k] = summary.get(k)
        err = read(os.path.join(results, "e2e", r["name"] + ".err")).strip()
        why = stopped(r["rc"], r.get("limit_s"))
        if r["rc"] == 0:
            r["status"] = "ok"
        elif why:
            r["status"] = why
        elif no_gpu and "no CUDA device" in err:
            r["status"] = "skipped: no GPU"
        else:
            r["status"] = "FAILED"
        if r["rc"] != 0 and err:
            r["error"] = err[-300:]
    return runs


def benchmarks():
    rows = []
    for name, rc in sorted(rc_lines(os.path.join(results, "bench", "rc.txt")).items()):
        data = load_json(os.path.join(results, "bench", f"{name}-{rc.get('device', 'cuda')}.json"))
        n = len(data.get("benchmarks", [])) if data else 0
        why = stopped(rc["rc"], rc.get("limit"))
        ok = rc["rc"] == 0 and n > 0
        rows.append({"suite": name, "rc": rc["rc"], "device": rc.get("device"), "limit_s": rc.get("limit"),
                     "results": n, "ok": ok, "status": "ok" if ok else (why or "FAILED")})
    return rows


def peers():
    """bench/gpu_tv_peers.py's result: per case, us per iteration of recon and each peer."""
    data = load_json(os.path.join(results, "peers", "tv.json"))
    if not data:
        tail = read(os.path.join(results, "peers", "tv.md")).strip().splitlines()[-2:]
        return None, " ".join(tail) or "not run"
    lines = []
    for c in data.get("cases", []):
        cells = []
        for name in ("recon_pdhg", "ccpi_pd_tv", "deepinv_tv"):
            r = c.get(name, {})
            t = r.get("seconds_per_iteration")
            cells.append(f"{name} {1e6 * t:.1f} us" if t is not None else f"{name} {r.get('error', '?')[:60]}")
        lines.append(f"{c['size']}: " + ", ".join(cells))
    return data, "; ".join(lines)


def astra():
    """bench/astra_ct.py's result: (data, summary lines)."""
    data = load_json(os.path.join(results, "astra", "astra_ct.json"))
    log = read(os.path.join(results, "astra", "astra_ct.md")).strip().splitlines()
    if not data:
        return None, ["not run" if not log else "no result: " + " ".join(log[-2:])[:300]]
    lines = []
    if data.get("astra_missing"):
        lines.append(f"ASTRA missing: {data['astra_missing']}")
    else:
        lines.append(f"ASTRA {data.get('astra_version')} ({data.get('astra_arrays', '?')}); recon on "
                     f"{data.get('recon_device_name') or data.get('recon_device')}")
    maps = []
    for m in data.get("mapping", []):
        if m.get("rel_diff") is not None:
            maps.append(f"{m['check']} {m['rel_diff']:.2g}" + (f" [{m['diagnosis']}]" if m.get("diagnosis") else ""))
        else:
            maps.append(f"{m['check']} {m.get('error', '?')[:80]}")
    if maps:
        lines.append("mapping (rel diff): " + "; ".join(maps))
    for r in data.get("rows", []):
        a, c = r.get("astra", {}), r.get("recon", {})

        def ms(side):
            t = side.get("seconds")
            if t:
                return f"{1e3 * t:.2f} ms"
            why = side.get("error", "missing")
            return "missing" if why == data.get("astra_missing") else f"missing ({why[:70]})"

        ratio = f", ASTRA/recon {r['astra_over_recon']:.2f}" if r.get("astra_over_recon") else ""
        gups = ", GUPS " + " / ".join(f"{s['gups']:.1f}" if s.get("gups") else "-" for s in (a, c)) \
            if (a.get("gups") or c.get("gups")) else ""
        diff = f", rel diff {r['rel_diff']:.2g}" if r.get("rel_diff") is not None else ""
        host = " (ASTRA on host arrays)" if a.get("memory") == "host" else ""
        lines.append(f"{r['case']} {r['op']}: ASTRA {ms(a)}, recon {ms(c)}{ratio}{gups}{diff}{host}")
    return data, lines


def main():
    info = load_json(os.path.join(results, "info.json")) or {}
    gpu_text = read(os.path.join(results, "gpu.txt")).strip()
    no_gpu = os.path.exists(os.path.join(results, "no-gpu"))
    gpu_line = gpu_text.splitlines()[0] if gpu_text else "none"
    devices = info.get("devices", [])
    cuda_dev = next((d for d in devices if d.get("device") == "cuda"), {})
    host_dev = next((d for d in devices if d.get("device") == "host"), {})
    rows, t, reasons = tests()
    san = sanitizer()
    runs = e2e(no_gpu)
    bench = benchmarks()
    peer_data, peer_line = peers()
    astra_data, astra_lines = astra()
    dist_rows, dist_lines, dist_problems = dist()
    chosen = read(os.path.join(results, "steps-chosen.txt")).strip()
    wanted = (lambda step: not chosen or step in chosen.split(","))
    san_errors = sum(r["errors"] or 0 for r in san)
    san_unfinished = [r for r in san if r["errors"] is None]
    sizes = load_json(os.path.join(results, "e2e", "sizes.json")) or {}
    mode = [line for line in read(os.path.join(results, "mode.txt")).splitlines() if line]
    check = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "commit": commit,
        "mode": mode,
        "gpu": "none" if no_gpu else gpu_line.split(",")[0],
        "gpu_query": "" if no_gpu else gpu_line,
        "no_gpu_reason": gpu_line.removeprefix("none: ") if no_gpu else None,
        "copy_bandwidth_gbps": cuda_dev.get("copy_bandwidth_gbps"),
        "host_copy_bandwidth_gbps": host_dev.get("copy_bandwidth_gbps"),
        "tests_total": t["total"], "tests_failed": t["failed"], "tests_skipped": t["skipped"],
        "test_executables_failed": t["executables_failed"], "skip_reasons": dict(reasons),
        "cuda_cases_run": t["cuda_run"], "cuda_cases_skipped": t["cuda_skipped"],
        "parity_cases_run": t["parity_run"], "parity_cases_skipped": t["parity_skipped"],
        "parity_failures": t["parity_failed"],
        "sanitizer_runs": san, "sanitizer_errors": san_errors,
        "benchmark_suites_ok": sum(b["ok"] for b in bench), "benchmark_suites": len(bench), "benchmarks": bench,
        "end_to_end_sizes": sizes, "suites": rows, "end_to_end": runs, "tv_peers": peer_data,
        "steps_chosen": chosen or "all", "astra_ct": astra_data, "dist": dist_rows,
    }
    with open(os.path.join(results, "check.json"), "w") as f:
        json.dump(check, f, indent=1)

    lines = [f"# GPU check: {check['gpu']} ({check['date']}, commit {commit[:10]})", ""]
    lines += [f"- {m}" for m in mode] + ([""] if mode else [])
    lines += [f"Copy bandwidth: {check['copy_bandwidth_gbps']} GB/s device, {check['host_copy_bandwidth_gbps']} GB/s host.",
              "", "| suite | rc | tests | failed | skipped | Cuda run | Cuda skipped | note |", "|---|---|---|---|---|---|---|---|"]
    lines += [f"| {r['suite']} | {r['rc']} | {r['total']} | {r['failed']} | {r['skipped']} | {r['cuda_run']} | "
              f"{r['cuda_skipped']} | {r.get('note', '')} |" for r in rows]
    lines += ["", "| skip reason | cases |", "|---|---|"] + [f"| {k} | {v} |" for k, v in reasons.most_common()]
    lines += ["", "| sanitizer run | errors | rc | note |", "|---|---|---|---|"]
    lines += [f"| {r['run']} | {r['errors']} | {r['rc']} | {r['stopped'] or ''} |" for r in san]
    lines += ["", "| benchmark suite | device | rc | results | status |", "|---|---|---|---|---|"]
    lines += [f"| {b['suite']} | {b['device']} | {b['rc']} | {b['results']} | {b['status']} |" for b in bench]
    lines += ["", "Distributed runs (dist step):", ""] + [f"- {x}" for x in dist_lines]
    lines += ["", f"TV against its GPU peers (bench/gpu_tv_peers.py): {peer_line}"]
    lines += ["", "ASTRA vs recon (bench/astra_ct.py; GUPS ASTRA / recon):", ""] + [f"- {a}" for a in astra_lines]
    lines += ["", f"End-to-end sizes: {json.dumps(sizes)}", "",
              "| end to end | status | rc | wall (s) | limit (s) | solver time (s) | iterations | PSNR |",
              "|---|---|---|---|---|---|---|---|"]
    lines += [f"| {r['name']} | {r['status']} | {r['rc']} | {r['wall_s']} | {r.get('limit_s')} | {r.get('elapsed_s')} | "
              f"{r.get('iterations')} | {r.get('psnr')} |" for r in runs]
    with open(os.path.join(results, "check.md"), "w") as f:
        f.write("\n".join(lines) + "\n")

    problems = []
    print("gpu-check summary")
    for m in mode:
        print(f"  {m.removeprefix('gpu-check: ')}")
    print(f"  gpu: {'none (' + check['no_gpu_reason'] + ')' if no_gpu else gpu_line}; copy bandwidth "
          f"{check['copy_bandwidth_gbps']} GB/s device, {check['host_copy_bandwidth_gbps']} GB/s host")
    print(f"  tests: {t['total']} in {len(rows)} executables, {t['failed']} failed, {t['skipped']} skipped; "
          f"Cuda cases {t['cuda_run']} run, {t['cuda_skipped']} skipped; parity {t['parity_run']} run, "
          f"{t['parity_skipped']} skipped, {t['parity_failed']} failed")
    if reasons:
        print("  skipped: " + "; ".join(f"{v} {k}" for k, v in reasons.most_common()))
    for r in rows:
        if r["failed"] or r["rc"] != 0:
            print(f"  FAILED suite {r['suite']}: rc {r['rc']}, {r['failed']} failed{', ' + r['note'] if r.get('note') else ''}")
            problems.append(f"test executable {r['suite']}")
    if not san:
        print(f"  sanitizer: not run ({read(os.path.join(results, 'sanitizer', 'missing.txt')).strip() or 'no log'})")
    else:
        print(f"  sanitizer: {len(san)} runs, {san_errors} errors " +
              " ".join(f"[{r['run']}: {r['stopped'] or r['errors']}]" for r in san))
        if san_errors:
            problems.append(f"{san_errors} sanitizer errors")
        if san_unfinished:
            problems.append(f"{len(san_unfinished)} sanitizer runs unfinished")
    bdev = sorted({b["device"] for b in bench})
    where = "on the host (no GPU: a smoke pass)" if no_gpu else "on " + ", ".join(map(str, bdev))
    print(f"  benchmarks: {check['benchmark_suites_ok']}/{len(bench)} suites ran {where}, "
          f"{sum(b['results'] for b in bench)} results, a JSON per suite" +
          "".join(f"; {b['suite']}: {b['status']}" for b in bench if not b["ok"]))
    if wanted("bench") and (check["benchmark_suites_ok"] < len(bench) or not bench):
        problems.append("benchmarks")
    if not no_gpu and wanted("peers"):
        print(f"  tv peers: {peer_line}")
    if wanted("astra"):
        print("  astra vs recon (GUPS ASTRA / recon):")
        for a in astra_lines:
            print(f"    {a}")
    if sizes:
        print(f"  e2e sizes: denoise {sizes.get('tv_n')}^2, ct recon {sizes.get('ct_n')}^3, fdk {sizes.get('fdk_n')}^3 "
              f"(host fdk {sizes.get('host_fdk_n')}^3)")
    for r in runs:
        per_it = (f", {1000 * r['elapsed_s'] / r['iterations']:.2f} ms/iteration"
                  if r.get("elapsed_s") and r.get("iterations") else "")
        detail = ""
        if r["status"] == "FAILED" and r.get("error"):
            detail = ", " + r["error"][-160:].replace("\n", " ")
        if r.get("psnr") is not None:
            detail += f", PSNR {r['psnr']:.1f} dB"
        plan = r.get("streamed")
        if plan and "pieces" in plan:
            detail += (f", streamed in {plan['pieces']} pieces ({plan['slab_depth']} slices x "
                       f"{plan['views_per_chunk']} views)")
        elif plan:
            detail += f", streamed in slabs of {plan['slab_depth']} slices"
        print(f"  e2e {r['name']}: {r['status']}, wall {r['wall_s']} s (limit {r.get('limit_s')} s), "
              f"solver {r.get('elapsed_s')} s{per_it}{detail}")
        if r["status"] == "FAILED":
            problems.append(f"e2e {r['name']}")
        elif r["status"].startswith(("timed out", "not run")) and not r["name"].endswith(("-cpu", "-host")):
            problems.append(f"e2e {r['name']} {r['status']}")
    if dist_lines and wanted("dist"):
        print("  distributed (mpiexec):")
        for x in dist_lines:
            print(f"    {x}")
        problems += dist_problems
    if t["failed"]:
        problems.insert(0, f"{t['failed']} failed tests")
    if chosen:
        print(f"  steps chosen (RECON_CHECK_STEPS): {chosen}")
    print("  verdict: " + ("clean" + (" (no GPU: the GPU parts skipped)" if no_gpu else "")
                           if not problems else "PROBLEMS: " + ", ".join(problems)))


if __name__ == "__main__":
    main()
