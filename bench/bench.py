#!/usr/bin/env python3
"""The securebase benchmark harness.

Builds the binaries, generates deterministic corpora with `xtask corpus`,
and measures, alternating runs, side by side in one run:

  * production `securebase build` against `hugo` on the same pages
    (wall time: median and spread; peak memory from /usr/bin/time -v),
    with the corpus's trust root, and the time of its own step that
    selects the approved versions and verifies every signature (what
    `--verbose` reports);
  * `securebase check` with its readability pass, warm (as it runs again
    on unchanged files, taking their figures from the memo an earlier
    check left) and cold (`--no-cache`, every file measured), and without
    the pass (the corpus's site.toml with `[readability] level = "off"`),
    three times as many runs as the builds, alternating, each timed by
    the wall clock and by its CPU time (user + system, which another
    program's load on the machine moves less); the readability pass alone
    on one core (`xtask readability-speed`); and `securebase preview`;
  * a single-item edit under `securebase serve`, from the file write to
    the rebuilt page being served;
  * the I/O floor: `cp -r` of the sources in and of the output out.

Every timed command starts after `sync`, untimed, so that writes left
by the run before it are not flushed during it.

    bench/bench.py            # 1,000 and 10,000 items, 5 runs each
    bench/bench.py --quick    # 200 items, 1 run: keeps the harness alive in CI

It prints a Markdown table and, unless --quick, writes it into
BENCHMARKS.md between the markers there.
"""

import argparse
import json
import os
import platform
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RELEASE = ROOT / "target" / "release"


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def settle():
    """Flushes the writes of earlier runs to disk, untimed, so that no run
    pays for another's (a build leaves hundreds of megabytes for the kernel
    to write back after it exits, whichever generator it was)."""
    os.sync()


def timed(cmd, cwd=None):
    """Runs cmd under /usr/bin/time -v; returns (wall seconds, peak KB,
    the command's stderr followed by time's report)."""
    settle()
    out = subprocess.run(
        ["/usr/bin/time", "-v"] + cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    if out.returncode != 0:
        sys.exit(f"failed: {' '.join(map(str, cmd))}\n{out.stderr[-2000:]}")
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (.+)", out.stderr).group(1)
    parts = [float(p) for p in wall.split(":")]
    seconds = parts[-1] + 60 * parts[-2] + (3600 * parts[-3] if len(parts) > 2 else 0)
    peak = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", out.stderr).group(1))
    return seconds, peak, out.stderr


def verify_seconds(stderr):
    """The verification step's own time, from the stderr of a
    `securebase build --verbose`."""
    found = re.search(r"selected and verified the approved versions in ([0-9.]+) s", stderr)
    if found is None:
        sys.exit(f"the build did not report its verification time\n{stderr[-2000:]}")
    return float(found.group(1))


def clock(cmd, cwd=None):
    return clock_cpu(cmd, cwd)[0]


def clock_cpu(cmd, cwd=None):
    """Runs cmd; returns (wall seconds, CPU seconds: user + system, of the
    command and what it waited for)."""
    settle()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def readability_speed(site, runs):
    """The readability pass alone on one core, and beside it bare loops
    over the same bytes (a syllable look-up per word alone; words found one
    after another and looked up; words found from bit masks and looked up),
    in ns a byte of the corpus's bodies (`xtask readability-speed`)."""
    out = subprocess.run(
        [RELEASE / "xtask", "readability-speed", "--root", site, "--runs", str(max(runs, 3))],
        check=True, capture_output=True, text=True,
    ).stdout
    (body_bytes,) = re.findall(r"\(([0-9]+) bytes\)", out)
    pass_, lookup, chained, masked = re.findall(r"([0-9.]+) ns a byte", out)
    return {
        "body_bytes": int(body_bytes),
        "pass_ns_per_byte": float(pass_),
        "lookup_ns_per_byte": float(lookup),
        "chained_ns_per_byte": float(chained),
        "masked_ns_per_byte": float(masked),
    }


def summary(values):
    values = sorted(values)
    med = statistics.median(values)
    return {"median": med, "min": values[0], "max": values[-1], "runs": len(values)}


def fmt(s, unit="s"):
    if s["runs"] == 1:
        return f"{s['median']:.3f} {unit}"
    return f"{s['median']:.3f} {unit} ({s['min']:.3f}–{s['max']:.3f})"


def ensure_tools():
    if not Path("/usr/bin/time").exists():
        run(["apt-get", "install", "-y", "-qq", "time"], stdout=subprocess.DEVNULL)
    if shutil.which("hugo") is None:
        run(["apt-get", "update", "-qq"], stdout=subprocess.DEVNULL)
        run(["apt-get", "install", "-y", "-qq", "hugo"], stdout=subprocess.DEVNULL)
    run(["cargo", "build", "--release", "--quiet", "-p", "securebase-cli", "-p", "xtask"], cwd=ROOT)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url):
    with urllib.request.urlopen(url, timeout=30) as r:
        return r.read().decode("utf-8", "replace")


def serve_edit(site, runs):
    """Milliseconds from writing one item to its rebuilt page being served."""
    port = free_port()
    proc = subprocess.Popen(
        [RELEASE / "securebase", "serve", "--quiet", "--root", site, "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.time() + 300
        while True:
            try:
                get(base + "/")
                break
            except OSError:
                if time.time() > deadline:
                    sys.exit("serve did not start")
                time.sleep(0.05)
        items = sorted((Path(site) / "content" / "guides").glob("*.md"))
        times = []
        for n in range(runs):
            item = items[n % len(items)]
            url = f"{base}/guides/{item.stem}/"
            marker = f"bench-marker-{n}-{time.time_ns()}"
            text = item.read_text()
            start = time.perf_counter()
            item.write_text(text + f"\n{marker}\n")
            while marker not in get(url):
                if time.perf_counter() - start > 60:
                    sys.exit("the edit never appeared")
                time.sleep(0.002)
            times.append((time.perf_counter() - start) * 1000)
            item.write_text(text)
            # Let serve settle before the next edit: wait for the restored
            # text, then for the collection's index, which serve sends only
            # once the pages that list items have been rendered again.
            while marker in get(url):
                time.sleep(0.002)
            get(f"{base}/guides/")
            time.sleep(0.2)
        return times
    finally:
        proc.terminate()
        proc.wait()


def measure(items, runs, work):
    corpus = work / f"corpus-{items}"
    run([RELEASE / "xtask", "corpus", "--items", str(items), "--out", corpus, "--project", ROOT], stdout=subprocess.DEVNULL)
    site, hugo = corpus / "securebase", corpus / "hugo"
    build = [RELEASE / "securebase", "build", "--root", site, "--trust-root", corpus / "trust-root"]
    out_sb, out_hugo = work / f"out-sb-{items}", work / f"out-hugo-{items}"
    sb, hg, sb_mem, hg_mem, verify = [], [], [], [], []
    for _ in range(runs):  # alternate, so both see the same machine state
        # --verbose (a few lines on stderr) for the verification step's time.
        t, m, err = timed(build + ["--verbose", "--out", out_sb])
        sb.append(t)
        sb_mem.append(m)
        verify.append(verify_seconds(err))
        t, m, _ = timed(["hugo", "--quiet", "-s", hugo, "-d", out_hugo])
        hg.append(t)
        hg_mem.append(m)
    # The same builds into empty output folders: nothing earlier to reuse.
    sb_cold, hg_cold = [], []
    for _ in range(runs):
        for out in (out_sb, out_hugo):
            shutil.rmtree(out, ignore_errors=True)
        for stale in work.glob(f".{out_sb.name}.*"):
            shutil.rmtree(stale, ignore_errors=True)
        sb_cold.append(timed(build + ["--quiet", "--out", out_sb])[0])
        hg_cold.append(timed(["hugo", "--quiet", "-s", hugo, "-d", out_hugo])[0])
    check, check_cold, check_off = [], [], []
    cpu, cpu_cold, cpu_off = [], [], []
    toml = site / "site.toml"
    measured = toml.read_text()
    assert "[readability]\n" in measured, "the corpus's site.toml has a [readability] table"
    unmeasured = measured.replace("[readability]\n", '[readability]\nlevel = "off"\n', 1)
    check_cmd = [RELEASE / "securebase", "check", "--quiet", "--root", site]
    os.environ["SECUREBASE_CACHE_DIR"] = str(work / "cache")
    shutil.rmtree(work / "cache", ignore_errors=True)
    toml.write_text(measured)
    run(check_cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # leaves the memo warm runs take
    for _ in range(3 * runs):  # alternate, as above
        toml.write_text(measured)
        for walls, cpus, cmd in ((check, cpu, check_cmd), (check_cold, cpu_cold, check_cmd + ["--no-cache"])):
            wall, used = clock_cpu(cmd)
            walls.append(wall)
            cpus.append(used)
        toml.write_text(unmeasured)
        wall, used = clock_cpu(check_cmd)
        check_off.append(wall)
        cpu_off.append(used)
    toml.write_text(measured)
    preview = [timed([RELEASE / "securebase", "preview", "--quiet", "--root", site, "--out", work / "preview"])[0] for _ in range(runs)]
    floor = []
    for _ in range(runs):
        copy_in, copy_out = work / "copy-in", work / "copy-out"
        shutil.rmtree(copy_in, ignore_errors=True)
        shutil.rmtree(copy_out, ignore_errors=True)
        copy_in.mkdir()
        t_in = clock(["cp", "-r", site / "content", site / "site.toml", site / "themes", copy_in])
        t_out = clock(["cp", "-r", out_sb, copy_out])
        floor.append(t_in + t_out)
    edit = serve_edit(site, max(runs, 3))
    return {
        "items": items,
        "securebase_build": summary(sb),
        "verify": summary(verify),
        "hugo": summary(hg),
        "securebase_cold": summary(sb_cold),
        "hugo_cold": summary(hg_cold),
        "securebase_peak_mb": max(sb_mem) / 1024,
        "hugo_peak_mb": max(hg_mem) / 1024,
        "check": summary(check),
        "check_cold": summary(check_cold),
        "check_without_readability": summary(check_off),
        "check_cpu": summary(cpu),
        "check_cold_cpu": summary(cpu_cold),
        "check_without_readability_cpu": summary(cpu_off),
        "readability_speed": readability_speed(site, runs),
        "preview": summary(preview),
        "io_floor": summary(floor),
        "serve_edit_ms": summary(edit),
    }


def machine():
    cpu = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    hugo = subprocess.run(["hugo", "version"], capture_output=True, text=True).stdout.split()[1]
    return f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GiB, {platform.system()} {platform.release()}, hugo {hugo}"


def table(results, command):
    lines = [
        f"Machine: {machine()}. Command: `{command}`.",
        "",
        "| items | securebase build | of which verify | hugo | ratio (target ≤ 0.5) | into an empty folder: securebase / hugo (ratio) | peak memory securebase / hugo | check, warm (target < 0.5 s at 10k) | check --no-cache (cold) | check without readability: time; the pass adds, warm / cold (target ≤ 10%), by wall time; by CPU time | preview | serve edit → served (target ≤ 50 ms) | I/O floor (cp in + out) | build / floor (target ≤ 4) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        ratio = r["securebase_build"]["median"] / r["hugo"]["median"]
        cold = r["securebase_cold"]["median"] / r["hugo_cold"]["median"]
        floor_ratio = r["securebase_build"]["median"] / r["io_floor"]["median"]
        without = r["check_without_readability"]
        added = r["check"]["median"] / without["median"] - 1
        added_cold = r["check_cold"]["median"] / without["median"] - 1
        cpu_off = r["check_without_readability_cpu"]["median"]
        cpu_added = r["check_cpu"]["median"] / cpu_off - 1
        cpu_added_cold = r["check_cold_cpu"]["median"] / cpu_off - 1
        lines.append(
            f"| {r['items']:,} | {fmt(r['securebase_build'])} | {fmt(r['verify'])} | {fmt(r['hugo'])} | {ratio:.2f} | "
            f"{fmt(r['securebase_cold'])} / {fmt(r['hugo_cold'])} ({cold:.2f}) | "
            f"{r['securebase_peak_mb']:.0f} MB / {r['hugo_peak_mb']:.0f} MB | {fmt(r['check'])} | {fmt(r['check_cold'])} | {fmt(without)}; {added:+.0%} / {added_cold:+.0%}; {cpu_added:+.0%} / {cpu_added_cold:+.0%} | {fmt(r['preview'])} | "
            f"{fmt(r['serve_edit_ms'], 'ms')} | {fmt(r['io_floor'])} | {floor_ratio:.1f} |"
        )
    if len(results) >= 2:
        a, b = results[0], results[-1]
        scale = b["securebase_build"]["median"] / a["securebase_build"]["median"]
        lines += ["", f"Scaling {a['items']:,} → {b['items']:,} items: {scale:.1f}× the time (target ≤ 11×)."]
    last = results[-1]
    speed = last["readability_speed"]

    def per_byte(seconds):
        return seconds * 1e9 / speed["body_bytes"]

    cpu_off = last["check_without_readability_cpu"]["median"]
    lines += [
        "",
        f"The readability pass alone, on one core, over the {last['items']:,}-item corpus's bodies "
        f"(`xtask readability-speed`, fastest run): {speed['pass_ns_per_byte']:.2f} ns a byte. "
        f"Bare loops over the same bytes, with no Markdown, sentences or syllable rules: "
        f"a syllable look-up per word, with the words found beforehand, {speed['lookup_ns_per_byte']:.2f}; "
        f"words found one after another as the pass finds them, each looked up, {speed['chained_ns_per_byte']:.2f}; "
        f"words found from bit masks of 64 bytes, each looked up, {speed['masked_ns_per_byte']:.2f} ns a byte.",
        "",
        f"Inside `check --no-cache` at {last['items']:,} items the pass costs "
        f"{per_byte(last['check_cold_cpu']['median'] - cpu_off):.2f} ns of CPU time a byte of the bodies "
        f"(the CPU time it adds, over the bodies' bytes); 10% of `check`'s CPU time without the pass would be "
        f"{per_byte(0.1 * cpu_off):.2f} ns a byte.",
    ]
    lines += [
        "",
        "Medians of the runs, with the fastest and slowest in brackets; securebase and hugo runs alternate.",
        "\"Of which verify\" is the production build's own step that selects the approved versions from git and "
        "verifies every signature and ledger history (as `--verbose` reports it).",
    ]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200 items, one run (for CI)")
    parser.add_argument("--items", type=int, nargs="*", help="corpus sizes (default 1000 10000)")
    parser.add_argument("--runs", type=int, help="runs per measurement (default 5)")
    args = parser.parse_args()
    sizes = args.items or ([200] if args.quick else [1000, 10000])
    runs = args.runs or (1 if args.quick else 5)
    ensure_tools()
    command = "bench/bench.py" + (" --quick" if args.quick else "") + (f" --items {' '.join(map(str, sizes))}" if args.items else "") + (f" --runs {runs}" if args.runs else "")
    with tempfile.TemporaryDirectory(prefix="securebase-bench-") as tmp:
        results = [measure(n, runs, Path(tmp)) for n in sizes]
    text = table(results, command)
    print(text)
    (ROOT / "target").mkdir(exist_ok=True)
    (ROOT / "target" / "bench.json").write_text(json.dumps(results, indent=2))
    if not args.quick:
        path = ROOT / "BENCHMARKS.md"
        doc = path.read_text()
        start, end = "<!-- bench:start -->", "<!-- bench:end -->"
        if start in doc and end in doc:
            doc = doc[: doc.index(start) + len(start)] + "\n" + text + "\n" + doc[doc.index(end):]
            path.write_text(doc)


if __name__ == "__main__":
    main()
