#!/usr/bin/env python3
"""Cycle model of the HLS kernel's deeplock keystream (docs/engine.md,
"Pipeline"): four lanes, each one schedule step a cycle on its own
checkpoint segment, feeding FIFOs that keystream_chunks drains in segment
order at one 64-byte chunk a cycle. Prints the cycles to produce a tensor's
keystream of N segments and the overhead over N * 64 for a few FIFO depths,
from which the engine's lane FIFO depth and the start-up figure come.

It models the schedule of the kernel's loops at II = 1, not the kernel's
arithmetic (tests/hls holds that bit-exact). Usage: deeplock-lane-model.py
"""
import sys

LANES = 4
ROUNDS_PER_SEGMENT = 256            # kEngineCheckpointRounds (hls/kernel/lock_engine.hpp)
CHUNKS_PER_SEGMENT = ROUNDS_PER_SEGMENT // 4


def cycles(segments: int, depth: int) -> int:
    """Cycles until the reader has taken every chunk of `segments` segments."""
    segment = list(range(LANES))    # the segment each lane is running
    steps = [0] * LANES             # schedule steps into that segment
    fifo = [[] for _ in range(LANES)]
    taken = 0
    total = segments * CHUNKS_PER_SEGMENT
    t = 0
    while taken < total:
        t += 1
        lane = (taken // CHUNKS_PER_SEGMENT) % LANES
        if fifo[lane]:              # the reader: one chunk a cycle, in order
            fifo[lane].pop(0)
            taken += 1
        for g in range(LANES):      # the lanes: one step a cycle, a chunk every four
            if segment[g] >= segments or len(fifo[g]) >= depth:
                continue
            steps[g] += 1
            if steps[g] % 4 == 0:
                fifo[g].append(segment[g])
                if steps[g] == ROUNDS_PER_SEGMENT:
                    steps[g] = 0
                    segment[g] += LANES
    return t


def main() -> int:
    print("segments  depth  cycles  overhead over 64 N")
    for depth in (16, 32, 64, 128):
        for n in (1, 4, 16, 64):
            c = cycles(n, depth)
            print(f"{n:8d} {depth:6d} {c:7d} {c - n * CHUNKS_PER_SEGMENT:8d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
