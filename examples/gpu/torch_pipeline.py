#!/usr/bin/env python3
"""A small PyTorch program for perfwatch's check on a real GPU.

Two stages, written to $PERFWATCH_SPANS: `prepare` builds the input on the
CPU (one core, ~1.5 s), `matmul` allocates several GiB on the GPU and
multiplies matrices (~2 s). At the end it prints
`torch.cuda.max_memory_allocated` so that perfwatch's peak GPU memory can
be compared with PyTorch's own figure.

    perfwatch run --runs 3 -- python3 examples/gpu/torch_pipeline.py
"""

import json
import os
import time

import torch


def write(records):
    path = os.environ.get("PERFWATCH_SPANS")
    if path:
        with open(path, "a", encoding="utf-8") as f:
            for r in records:
                f.write(json.dumps(r) + "\n")


def main():
    pid = os.getpid()
    t0 = time.time_ns()
    # CPU-bound input preparation: the GPU waits.
    torch.set_num_threads(1)
    host = torch.empty(4096, 4096)
    deadline = time.monotonic() + 1.5
    while time.monotonic() < deadline:
        host.uniform_()
    t1 = time.time_ns()
    device = torch.device("cuda")
    a = host.to(device)
    # Several GiB: 6 matrices of 8192² floats (256 MiB each) plus products.
    mats = [torch.randn(8192, 8192, device=device) for _ in range(6)]
    end_at = time.monotonic() + 2.0
    while time.monotonic() < end_at:
        for m in mats:
            m.copy_(m @ mats[0] / 8192.0)
        torch.cuda.synchronize()
    del a
    t2 = time.time_ns()

    def span(n, name, parent, s, e):
        return {"type": "span", "id": f"{pid}-{n}", "parent": parent, "name": name,
                "start_unix_ns": s, "end_unix_ns": e, "ok": True}

    write([span(2, "prepare", f"{pid}-1", t0, t1), span(3, "matmul", f"{pid}-1", t1, t2),
           span(1, "job", None, t0, t2)])
    print(f"torch.cuda.max_memory_allocated {torch.cuda.max_memory_allocated()}")
    print(f"torch.cuda.max_memory_reserved {torch.cuda.max_memory_reserved()}")


if __name__ == "__main__":
    main()
