// Re-aligns keystream chunks onto a tensor's first stream byte (docs/
// engine.md, "Layers"): beat i of the tensor takes 64 consecutive bytes of
// chunks i and i + 1 (a barrel shift over two consecutive chunks), bytes
// skip .. skip + 63 of {chunk i + 1, chunk i}, for a skip > 0; the first
// chunk then only primes the shift and there is one chunk more than beats.
// With skip = 0 every chunk is a beat. So the producer makes its chunks from
// a place at most 63 bytes before the tensor's first byte and gives the
// distance as the skip: deeplock its whole 64-byte chunks (the offset
// rounded down to 64, skip = offset mod 64), ctr its 16-byte blocks from
// three blocks before the offset's block (skip = 48 + offset mod 16, or 0).
//
// One aligner serves both keystreams in the engine (lock_engine chooses the
// chunk stream of the loaded scheme before it; a run uses one scheme).
// Each keystream had its own before, deeplock's 64-way shift (1,688 LUTs)
// and ctr's 16-way one (1,055 LUTs, 634 FFs), and lock_engine chose between
// their beats (512 LUTs); now the same 512-LUT choice is made on the chunks,
// and ctr's aligner is gone. ctr's chunks start three blocks early when its
// offset is not a multiple of 16, so its skips (0, 49..63) are a subset of
// deeplock's and it needs no shift of its own: the same chunks, the same
// cycles.
//
// The chunk stream carries its own framing: first/last flags and the skip
// of the tensor (constant within one), so this stage needs no request port
// and a new tensor may follow the last chunk of the previous one directly.
//
// The shift is three levels of 4-way choices, the farthest first (16, then
// 4, then 1 byte steps), each level only as wide as the bytes later levels
// can still bring into the beat (127, 79, 67, 64 bytes), built of
// modelock_mux4 instances: behind their module boundary each level stays
// one LUT6 a bit. As one part-select at a variable byte offset,
// window[8 * skip +: 512], Yosys 0.23 built a shifter of six 2-way levels
// over 1,024 bits: 4,387 LUTs for the 64-way shift alone; as the same levels
// written as case statements in this module, ABC merged them into wide-LUT
// trees, 3,319 LUTs; as trees of modelock_mux4 with no 2:1 choice of the
// current chunk after them (below), 1,688: 210 mux4s of 8 LUTs
// (scripts/synth-rtl.sh --one modelock_deeplock_keystream, the aligner's
// lines). The mux4 trees' gain needs the kept hierarchy: flattened, ABC
// maps them as it did the case statements (3,318 LUTs and 1,665 MUXFs with
// the 2:1 choice); the choice's does not (1,722 LUTs and 68 MUXFs
// flattened). Depth, flattened: 3 LUTs, 2 MUXFs and the 2-block carry chain
// of skip - 1 (1.95 ns by scripts/logic-depth.py's weights, as the
// case-statement form's 3 LUTs and 4 MUXFs).
//
// Why the window starts at byte 1: the beat of skip 0 is the current chunk,
// bytes 64..127 of {current, previous}, which is where a shift by
// (skip - 1) mod 64 = 63 lands from byte 1, as skips s > 0 land at byte s:
// so skip 0 needs no 2:1 choice of the current chunk after the shift (512
// LUTs, the last level of an 8-input choice).
//
// Handshake: valid/ready on both sides; the output is a register. A chunk
// is taken whenever the output register is empty or being read
// (in_ready_o = !out_valid_o || out_ready_i; the priming chunk then makes
// no beat). One beat a cycle in steady state, latency 1. clear_i drops the
// output beat at the next edge (the keystream's flush) and zeroes the
// keystream bytes held, the output beat and the previous chunk (no
// keystream outlives a run; the flip-flops' synchronous reset, no LUT).
module modelock_keystream_align (
  input  logic         clk_i,
  input  logic         rst_ni,
  input  logic         clear_i,
  input  logic         in_valid_i,
  output logic         in_ready_o,
  input  logic [511:0] in_chunk_i,  // beat order
  input  logic         in_first_i,  // first chunk of a tensor
  input  logic         in_last_i,   // last chunk of a tensor
  input  logic [5:0]   in_skip_i,   // bytes before the tensor's first in its first chunk
  output logic         out_valid_o,
  input  logic         out_ready_i,
  output logic [511:0] out_beat_o,  // beat order: byte i is KS(offset + 64 n + i)
  output logic         out_last_o
);
  localparam int unsigned SkipBits = 6;
  localparam int unsigned Levels = SkipBits / 2;
  // Bytes a beat can take: 64 from the farthest shift on.
  localparam int unsigned WindowBytes = 64 + (1 << SkipBits) - 1;
  // Stage i (0: the window) holds the bytes the levels after it can still
  // bring into the beat, 64 + 4^(Levels - i) - 1; stage Levels is the beat.
  // All stages side by side in one vector, stage i from bit stage_at(i).
  localparam int unsigned StagesW = 8 * (64 * (Levels + 1) + ((1 << (2 * Levels + 2)) - 1) / 3 - Levels - 1);

  logic [511:8] previous_q;  // byte 0 of the previous chunk never reaches a beat
  logic [StagesW-1:0] stages;
  logic [SkipBits-1:0] shift;
  logic priming, take;

  // Bit where stage i starts: 8 times the sum of the earlier stages' bytes.
  function automatic int unsigned stage_at(int unsigned i);
    int unsigned bytes;
    bytes = 0;
    for (int unsigned j = 0; j < i; j++) bytes += 64 + (1 << (2 * (Levels - j))) - 1;
    stage_at = 8 * bytes;
  endfunction

  // The previous chunk from byte 1, then the first bytes of the current one.
  assign stages[8*WindowBytes-1:0] = {in_chunk_i, previous_q};
  // skip - 1 for a skip > 0, and 63 for skip 0, which reaches the current chunk.
  assign shift = in_skip_i - 6'd1;
  // Level i moves by 0..3 steps of 4^(Levels - 1 - i) bytes, chosen by
  // shift bits 2 (Levels - 1 - i) + 1 .. 2 (Levels - 1 - i).
  for (genvar i = 0; i < Levels; i++) begin : g_level
    localparam int unsigned Step = 1 << (2 * (Levels - 1 - i));
    localparam int unsigned OutBytes = 64 + Step - 1;
    localparam int unsigned InAt = stage_at(i);
    localparam int unsigned OutAt = stage_at(i + 1);
    for (genvar k = 0; k < OutBytes; k++) begin : g_byte
      modelock_mux4 #(.W(8)) u_mux (
        .in_i({stages[InAt + 8 * (k + 3 * Step) +: 8], stages[InAt + 8 * (k + 2 * Step) +: 8],
               stages[InAt + 8 * (k + Step) +: 8], stages[InAt + 8 * k +: 8]}),
        .sel_i(shift[2 * (Levels - 1 - i) +: 2]),
        .out_o(stages[OutAt + 8 * k +: 8])
      );
    end
  end
  assign priming = in_first_i && in_skip_i != '0;
  assign in_ready_o = !out_valid_o || out_ready_i;
  assign take = in_valid_i && in_ready_o;

  // clear_i zeroes the keystream bytes held (the flip-flops' synchronous
  // reset, no LUT).
  always_ff @(posedge clk_i) begin
    if (clear_i) previous_q <= '0;
    else if (take) previous_q <= in_chunk_i[511:8];
    if (clear_i) out_beat_o <= '0;
    else if (take && !priming) out_beat_o <= stages[StagesW-1 -: 512];
    if (take && !priming) out_last_o <= in_last_i;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) out_valid_o <= 1'b0;
    else if (clear_i) out_valid_o <= 1'b0;
    else if (take) out_valid_o <= !priming;
    else if (out_ready_i) out_valid_o <= 1'b0;
  end
endmodule
