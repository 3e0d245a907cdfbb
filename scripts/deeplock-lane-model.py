#!/usr/bin/env python3
"""Cycle model of the HLS kernel's deeplock keystream (docs/engine.md,
"Layers"; hls/include/modelock_hls/keystream.hpp): four lanes, each one
schedule step a cycle in ONE flat loop over all of its segments (it takes
the next checkpoint when a segment begins, so its pipeline never drains
between segments), writing a 64-byte chunk every fourth step into a FIFO
that keystream_chunks drains in segment order at one chunk a cycle.

As the code does, a tensor starts `seek` steps into its first segment (lane
0 steps through them without writing: stream offset / 16 mod 64, a
multiple of 4) and its last segment may end early. A lane whose FIFO is
full stalls (a blocking write in a pipelined loop). Prints the cycles until
the reader has every chunk and the overhead over one chunk a cycle, for a
few FIFO depths (the kernel's is 128) and seeks, from which the engine's
FIFO depth and start-up figures come.

It models the schedule of the kernel's loops at II = 1, not the kernel's
arithmetic (hls/tests/keystream and tests/hls hold that bit-exact).
Usage: deeplock-lane-model.py
"""
import sys

LANES = 4
ROUNDS_PER_SEGMENT = 64             # kEngineCheckpointRounds (hls/kernel/lock_engine.hpp)


def cycles(chunks: int, depth: int, seek: int = 0) -> int:
    """Cycles until the reader has taken `chunks` chunks of a tensor whose
    first chunk is `seek` steps into its first segment."""
    assert seek % 4 == 0 and 0 <= seek < ROUNDS_PER_SEGMENT
    end = seek + 4 * chunks                       # steps from the first segment's checkpoint
    segments = (end + ROUNDS_PER_SEGMENT - 1) // ROUNDS_PER_SEGMENT
    # Each lane's flat loop: the step counts of its segments, in order.
    plan = [[min(ROUNDS_PER_SEGMENT, end - s * ROUNDS_PER_SEGMENT)
             for s in range(g, segments, LANES)] for g in range(LANES)]
    total_steps = [sum(p) for p in plan]
    done = [0] * LANES                            # steps done by each lane
    fifo = [0] * LANES                            # chunks waiting in each lane's FIFO
    taken = 0
    t = 0
    while taken < chunks:
        t += 1
        # The reader: chunk c lies in segment (seek + 4c) // 64, run by that segment's lane.
        lane = ((seek + 4 * taken) // ROUNDS_PER_SEGMENT) % LANES
        if fifo[lane]:
            fifo[lane] -= 1
            taken += 1
        for g in range(LANES):
            if done[g] >= total_steps[g]:
                continue
            # The step about to run: its segment and position in it.
            k, position = 0, done[g]
            while position >= plan[g][k]:
                position -= plan[g][k]
                k += 1
            segment = g + LANES * k
            step = segment * ROUNDS_PER_SEGMENT + position + 1   # state after this step
            writes = step % 4 == 0 and step > seek
            if writes and fifo[g] >= depth:
                continue                          # FIFO full: the lane's pipeline stalls
            done[g] += 1
            if writes:
                fifo[g] += 1
    return t


def main() -> int:
    chunks_per_segment = ROUNDS_PER_SEGMENT // 4
    print("segments  depth  seek  cycles  overhead over one chunk a cycle")
    for depth in (16, 32, 64, 128):
        for seek in (0, ROUNDS_PER_SEGMENT - 4):
            for n in (1, 4, 16, 64):
                chunks = n * chunks_per_segment
                c = cycles(chunks, depth, seek)
                print(f"{n:8d} {depth:6d} {seek:5d} {c:7d} {c - chunks:8d}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
