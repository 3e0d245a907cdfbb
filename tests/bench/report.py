#!/usr/bin/python3
"""Turns the Google Benchmark JSON of bench_unlock (and, optionally, of
bench_inference) into docs/benchmarks.md.

Usage: report.py RESULTS.json OUTPUT.md [--inference=INFERENCE.json]
                 [--plot-data=TSV --plot-image=PNG] [KEY=VALUE ...]
RESULTS.json is bench_unlock's output; --inference adds the section
"Per-query latency: plain vs online unlock" from bench_inference's output.
--plot-data writes the throughput table as tab-separated values for
scripts/plot-throughput.gp, and --plot-image links the chart it draws.
The KEY=VALUE pairs (machine, compiler, date, ...) come from scripts/bench.sh
and are printed in the "Machine" list in the order given. Standard library only.
"""
import json
import sys

SIZES = [("256KiB", "256 KiB"), ("65536KiB", "64 MiB")]

# (benchmark name prefix, row label); the size is appended as "/<size>".
ROWS = [
    ("memcpy", "memcpy"),
    ("openssl_aes128ctr", "OpenSSL AES-128-CTR (EVP)"),
    ("unlock/none/scalar", "none, scalar"),
    ("unlock/none/fast", "none, fast"),
    ("unlock/deeplock/scalar", "deeplock, scalar (warm)"),
    ("unlock/deeplock/fast", "deeplock, fast (warm)"),
    ("unlock/deeplock/fast_cold", "deeplock, fast, cold"),
    ("unlock/ctr/scalar", "ctr, scalar"),
    ("unlock/ctr/fast", "ctr, fast"),
]

UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}

# Per-query latency (bench_inference): models, batches and the rows of each
# table as (benchmark name prefix, row label); "/<model>/b<batch>" is appended.
INF_MODELS = [("mlp", "fmnist_mlp"), ("cnn", "fmnist_cnn")]
INF_BATCHES = [1, 64]
INF_VARIANTS = [
    ("none/scalar", "none, scalar"),
    ("deeplock/scalar", "deeplock, scalar"),
    ("deeplock/fast", "deeplock, fast"),
    ("ctr/scalar", "ctr, scalar"),
    ("ctr/fast", "ctr, fast"),
]

DEEPLOCK_GOAL = 0.8  # deeplock fast >= 0.8 x memcpy at 64 MiB
CTR_GOAL = 1.0       # ctr fast >= OpenSSL AES-128-CTR at both sizes


def base_name(name):
    """'memcpy/256KiB/min_time:0.250' -> 'memcpy/256KiB'."""
    parts = [p for p in name.split("/") if ":" not in p and p != "real_time"]
    return "/".join(parts)


def size_bytes(size_key):
    return int(size_key[: -len("KiB")]) * 1024


def load_medians(path, value):
    """Google Benchmark JSON -> (data, {base name: value(b) plus "cv"}).

    `value(b)` turns one benchmark record into the figures to report; medians
    of repeated runs win over single runs of the same name, and the spread of
    the repetitions (stddev / mean of the CPU time) is attached as "cv".
    """
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    results = {}
    cvs = {}
    for b in data.get("benchmarks", []):
        name = base_name(b.get("run_name", b["name"]))
        if b.get("error_occurred"):
            results[name] = {"error": b.get("error_message", "skipped")}
            continue
        if b.get("run_type") == "aggregate" and b.get("aggregate_name") == "cv":
            cvs[name] = b["cpu_time"]
            continue
        if b.get("run_type") == "aggregate" and b.get("aggregate_name") != "median":
            continue
        if b.get("run_type") == "aggregate" or name not in results:
            results[name] = value(name, b)
    for name, cv in cvs.items():
        if name in results and "cpu" in results[name]:
            results[name]["cv"] = cv
    return data, results


def load(path):
    """bench_unlock JSON -> (data, {base name: {"cpu": GB/s, "wall": GB/s, "cv": x}})."""
    def throughput(name, b):
        size = size_bytes(name.rsplit("/", 1)[1])
        unit = UNIT_SECONDS[b.get("time_unit", "ns")]
        return {"cpu": size / (b["cpu_time"] * unit) / 1e9, "wall": size / (b["real_time"] * unit) / 1e9}
    return load_medians(path, throughput)


def load_latency(path):
    """bench_inference JSON -> (data, {base name: {"cpu": us, "wall": us, "cv": x}})."""
    def latency(_name, b):
        unit = UNIT_SECONDS[b.get("time_unit", "ns")] / 1e-6
        return {"cpu": b["cpu_time"] * unit, "wall": b["real_time"] * unit}
    return load_medians(path, latency)


def fmt_us(x):
    if x >= 100:
        return f"{x:,.0f}"
    if x >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}"


def repetitions(data):
    """How many repetitions each benchmark ran (None when not repeated)."""
    return next((b["repetitions"] for b in data.get("benchmarks", []) if "repetitions" in b), None)


def latency_row(w, label, r, base, with_wall):
    """One table row: latency, ratio to `base`, spread (and wall time)."""
    blanks = 4 if with_wall else 3
    if r is None:
        w(f"| {label} |" + " — |" * blanks)
        return
    if "error" in r:
        w(f"| {label} | *skipped: {r['error']}* |" + " |" * (blanks - 1))
        return
    ratio = fmt_ratio(r["cpu"] / base["cpu"]) if base and "cpu" in base else "—"
    spread = f"±{100 * r['cv']:.0f}%" if "cv" in r else "—"
    wall = f" {fmt_us(r['wall'])} |" if with_wall else ""
    w(f"| {label} | {fmt_us(r['cpu'])} | {ratio} | {spread} |" + wall)


def latency_section(w, data, lat):
    """Writes "Per-query latency: plain vs online unlock" from bench_inference."""
    ctx = data.get("context", {})
    reps = repetitions(data)
    w("## Per-query latency: plain vs online unlock")
    w("")
    w("What locking costs a query, measured by `bench_inference` "
      "(tests/bench/bench_inference.cpp) on the two models in `models/`. Two ways "
      "to serve a locked model:")
    w("")
    w("- **Unlock once, then infer**: the device loads the key once, unlocks the "
      "weights once and keeps them unlocked in device memory. Every query then runs "
      "exactly the plain network, so the per-query overhead is **zero by "
      "construction** (ratio 1.00×); the one-off cost is the *unlock only* and "
      "*build network* rows further down. The **plain** row is this setting.")
    w("- **Online unlock** (the Deep-Lock paper's per-query setting): every query "
      "unlocks the weights again before it runs. Timed per query: "
      "`locking::unlock_model` (key check value, header tag and every tensor's GMAC tag "
      "verified, then every tensor unlocked, as a device would), "
      "`runtime::Network::from_model` on the result, and `net.run(batch)`. The "
      "container is parsed once before timing (the device holds the file in memory). "
      "Scheme **none** (no cipher, tags still verified) separates the container, "
      "tag and network-build overhead from the cipher's.")
    w("")
    w(f"Latency is the median of {reps or '?'} repetitions (at least 0.25 s of CPU "
      "time each, shuffled together) of the process CPU time per query in µs "
      "(1 query = 1 batch), single-threaded; **× plain** is that latency over the "
      "plain row's of the same model and batch. **spread** is the coefficient of "
      "variation of the repetitions; **wall µs** is wall-clock time, for reference. "
      f"Inputs: {ctx.get('inputs', 'unknown')}, the first 1 or 64. Before timing, "
      "every online-unlock row checks that its logits equal the plain network's bit "
      "for bit. The deeplock rows here are *cold* by nature: each query builds a new "
      "`OpeningCipher` and its key-schedule checkpoints inside `unlock_model`.")
    w("")

    def row(label, r, base):
        latency_row(w, label, r, base, with_wall=True)

    for model_key, model_label in INF_MODELS:
        for batch in INF_BATCHES:
            suffix = f"/{model_key}/b{batch}"
            w(f"### {model_label}, batch {batch}")
            w("")
            w("| row | latency (µs) | × plain | spread | wall µs |")
            w("| --- | ---: | ---: | ---: | ---: |")
            base = lat.get("plain" + suffix)
            row("plain (= unlock once, then infer)", base, base)
            for prefix, label in INF_VARIANTS:
                row(f"online unlock, {label}", lat.get(f"online_unlock/{prefix}{suffix}"), base)
            w("")

    w("### Where the online-unlock time goes")
    w("")
    w("The parts of an online-unlock query timed alone: *unlock only* is "
      "`unlock_model` (verify and unlock, no network), *build network* is "
      "`Network::from_model` on the plain model, *run* is the plain row. **× plain "
      "batch 1** gives each part over the batch-1 plain latency. Unlock only plus "
      "build network is, within noise, what online unlock adds to a query over "
      "plain.")
    w("")
    for model_key, model_label in INF_MODELS:
        w(f"**{model_label}**")
        w("")
        w("| part | CPU µs | × plain batch 1 | spread |")
        w("| --- | ---: | ---: | ---: |")
        base = lat.get(f"plain/{model_key}/b1")

        def part(label, r):
            latency_row(w, label, r, base, with_wall=False)

        for prefix, label in INF_VARIANTS:
            part(f"unlock only, {label}", lat.get(f"unlock_only/{prefix}/{model_key}"))
        part("build network", lat.get(f"build_network/{model_key}"))
        for batch in INF_BATCHES:
            part(f"run, batch {batch}", lat.get(f"plain/{model_key}/b{batch}"))
        w("")


def fmt_gbs(x):
    return f"{x:.2f}" if x >= 1 else f"{x:.3f}"


def fmt_ratio(x):
    return f"{x:.2f}×" if x >= 0.1 else f"{x:.3f}×"


def main(argv):
    if len(argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    data, results = load(argv[1])
    inference = None
    plot_data = plot_image = None
    for a in argv[3:]:
        if a.startswith("--inference="):
            inference = load_latency(a[len("--inference="):])
        elif a.startswith("--plot-data="):
            plot_data = a[len("--plot-data="):]
        elif a.startswith("--plot-image="):
            plot_image = a[len("--plot-image="):]
    extra = [a.split("=", 1) for a in argv[3:] if "=" in a and not a.startswith("--")]
    ctx = data.get("context", {})
    reps = repetitions(data)

    out = []
    w = out.append
    w("# Benchmarks")
    w("")
    w("Unlock throughput of every scheme and backend, measured in one run of "
      "`bench_unlock` (tests/bench/bench_unlock.cpp) beside `memcpy` and OpenSSL "
      "AES-128-CTR on the same buffers"
      + ("; then the per-query latency of plain inference against Deep-Lock's online "
         "unlock, measured by `bench_inference` (tests/bench/bench_inference.cpp)"
         if inference else "")
      + ". This file is generated by `make bench` "
      "(scripts/bench.sh); do not edit it by hand.")
    w("")
    w("## Machine")
    w("")
    for key, value in extra:
        w(f"- {key}: {value}")
    if ctx:
        w(f"- CPUs seen by the benchmark: {ctx.get('num_cpus', '?')} at "
          f"{ctx.get('mhz_per_cpu', '?')} MHz; load average at start: "
          + ", ".join(f"{x:.2f}" for x in ctx.get("load_avg", [])))
        caches = ", ".join(
            f"L{c['level']} {c['type'].lower()} {c['size'] // 1024} KiB (×{c.get('num_sharing', 1)} sharing)"
            for c in ctx.get("caches", []))
        if caches:
            w(f"- caches: {caches}")
        w(f"- fast backend (AVX-512BW + GFNI + VAES) available: {ctx.get('fast_backend_available', '?')}")
        if ctx.get("library_build_type") == "debug":
            w("- Google Benchmark reports its own library as a debug build (Debian's "
              "package); that affects only the harness, not the timed code.")
    w("")
    w("## Method")
    w("")
    w(f"- Each benchmark runs {reps or '?'} repetitions of at least 0.5 s of CPU time, the "
      "repetitions of all benchmarks shuffled together (`--benchmark_enable_random_interleaving`); "
      "the tables give the median. Throughput is bytes / time in GB/s (10^9 bytes/s). "
      "**spread** is the coefficient of variation (stddev / mean) of the repetitions' CPU time.")
    w("- **GB/s** is over process CPU time: these machines are shared, and CPU time "
      "leaves out the time other processes hold the core. **wall GB/s** is over "
      "wall-clock time, for reference; when the two differ much, the machine was busy.")
    w("- Ratios are of the CPU-time medians of this one run, so every row is "
      "compared with baselines measured minutes apart at most on the same buffers.")
    w("- Input: a random buffer (any byte string is a valid locked buffer), unlocked "
      "at stream offset 0 into a separate output buffer; both 64-byte aligned, allocated "
      "and touched once before timing. Single-threaded.")
    w("- OpenSSL AES-128-CTR: one `EVP_CIPHER_CTX`, `EVP_EncryptInit_ex` with key and IV "
      "then one `EVP_EncryptUpdate` over the whole buffer per iteration.")
    w("- **deeplock (warm)**: `OpeningCipher::prepare(size)` builds the key-schedule "
      "checkpoints before timing, as `unlock_model` does for the whole stream. "
      "**deeplock, fast, cold**: every iteration constructs a new `OpeningCipher` (including its "
      "KBKDF derivation) and unlocks once, building the checkpoints sequentially on the way.")
    w("- Rows marked *skipped* could not run on this machine (the fast backend needs "
      "AVX-512BW, GFNI and VAES).")
    w("")

    def get(prefix, size_key):
        return results.get(f"{prefix}/{size_key}")

    for size_key, size_label in SIZES:
        w(f"## {size_label}")
        w("")
        w("| benchmark | GB/s | × memcpy | × OpenSSL CTR | spread | wall GB/s |")
        w("| --- | ---: | ---: | ---: | ---: | ---: |")
        base_m = get("memcpy", size_key)
        base_o = get("openssl_aes128ctr", size_key)
        for prefix, label in ROWS:
            r = get(prefix, size_key)
            if r is None:
                w(f"| {label} | — | — | — | — | — |")
                continue
            if "error" in r:
                w(f"| {label} | *skipped: {r['error']}* | | | | |")
                continue
            rm = fmt_ratio(r["cpu"] / base_m["cpu"]) if base_m and "cpu" in base_m else "—"
            ro = fmt_ratio(r["cpu"] / base_o["cpu"]) if base_o and "cpu" in base_o else "—"
            spread = f"±{100 * r['cv']:.0f}%" if "cv" in r else "—"
            w(f"| {label} | {fmt_gbs(r['cpu'])} | {rm} | {ro} | {spread} | {fmt_gbs(r['wall'])} |")
        w("")

    w("## Goals")
    w("")
    w("| goal | measured | result |")
    w("| --- | ---: | --- |")
    verdicts = []

    def check(label, num, den, goal):
        if not num or not den or "cpu" not in num or "cpu" not in den:
            why = num.get("error") if num and "error" in num else "not measured"
            w(f"| {label} | — | NOT RUN ({why}) |")
            verdicts.append("NOT RUN")
            return
        ratio = num["cpu"] / den["cpu"]
        verdict = "PASS" if ratio >= goal else "MISS"
        w(f"| {label} | {ratio:.2f}× | **{verdict}** |")
        verdicts.append(verdict)

    check("deeplock fast (warm) ≥ 0.8 × memcpy at 64 MiB",
          get("unlock/deeplock/fast", "65536KiB"), get("memcpy", "65536KiB"), DEEPLOCK_GOAL)
    for size_key, size_label in SIZES:
        check(f"ctr fast ≥ 1.0 × OpenSSL AES-128-CTR at {size_label}",
              get("unlock/ctr/fast", size_key), get("openssl_aes128ctr", size_key), CTR_GOAL)
    w("")
    cold = get("unlock/deeplock/fast_cold", "65536KiB")
    mc = get("memcpy", "65536KiB")
    if cold and mc and "cpu" in cold and "cpu" in mc:
        w(f"For reference, deeplock fast *cold* at 64 MiB reaches "
          f"{cold['cpu'] / mc['cpu']:.2f}× memcpy; the goal is stated for the warm path.")
        w("")
    if plot_data:
        with open(plot_data, "w", encoding="utf-8") as f:
            f.write("# row\t" + "\t".join(label for _, label in SIZES) + "\n")
            for prefix, label in ROWS:
                cells = [get(prefix, key) for key, _ in SIZES]
                if all(c and "cpu" in c for c in cells):
                    f.write(f'"{label}"\t' + "\t".join(f"{c['cpu']:.3f}" for c in cells) + "\n")
    if plot_image:
        w(f"![Unlock throughput in GB/s at 256 KiB and 64 MiB]({plot_image})")
        w("")
    if inference:
        latency_section(w, *inference)
    w("## Reproduce")
    w("")
    w("```sh")
    w("make bench                  # installs dependencies, builds (Release), runs, rewrites this file")
    w("# or, on an existing build:")
    w("cmake --build build -j2 --target bench_unlock bench_inference && bash scripts/bench.sh build")
    w("```")
    w("")
    w("The raw Google Benchmark JSON is left in `<build dir>/bench_unlock.json`"
      + (" and `<build dir>/bench_inference.json`." if inference else "."))
    w("")

    with open(argv[2], "w", encoding="utf-8") as f:
        f.write("\n".join(out))
    print("\n".join(out[out.index("## Goals"):out.index("## Reproduce")]).rstrip())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
