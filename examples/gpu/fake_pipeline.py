#!/usr/bin/env python3
"""A two-stage program for perfwatch's scripted GPU (fake-gpu.json).

`prepare` keeps one CPU core busy for 0.4 s (decoding input, as a data
loader does); `infer` waits 0.6 s, as a program waits for its GPU kernels.
Run with PERFWATCH_GPU_SCRIPT=fake-gpu.json, perfwatch sees the GPU idle
through `prepare` and busy through `infer`: the input-bound pattern. The
stages go to $PERFWATCH_SPANS in perfwatch's span-file format; the
standard library only.
"""

import json
import os
import time


def now_ns():
    return time.time_ns()


def write(records):
    path = os.environ.get("PERFWATCH_SPANS")
    if not path:
        return
    with open(path, "a", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r) + "\n")


def main():
    pid = os.getpid()
    job_start = now_ns()
    start = now_ns()
    deadline = time.monotonic() + float(os.environ.get("PREPARE_S", "0.4"))
    x = 0
    while time.monotonic() < deadline:
        x = (x * 31 + 7) % 1000003
    prepared = now_ns()
    time.sleep(float(os.environ.get("INFER_S", "0.6")))
    end = now_ns()

    def span(n, name, parent, a, b):
        return {"type": "span", "id": f"{pid}-{n}", "parent": parent, "name": name,
                "start_unix_ns": a, "end_unix_ns": b, "ok": True}

    write([
        span(2, "prepare", f"{pid}-1", start, prepared),
        span(3, "infer", f"{pid}-1", prepared, end),
        span(1, "job", None, job_start, end),
    ])


if __name__ == "__main__":
    main()
