// Re-aligns keystream chunks onto a tensor's first stream byte (docs/
// engine.md, "Layers"): chunks are generated from the stream offset rounded
// down to 64 bytes, chunk c covering stream bytes base + 64 c .. + 63, and
// beat i of the tensor takes bytes skip .. skip + 63 of chunks i and i + 1
// (skip = offset mod 64): a barrel shift over two consecutive chunks. With
// skip = 0 every chunk is a beat; otherwise the first chunk only primes the
// shift and there is one chunk more than beats.
//
// The chunk stream carries its own framing: first/last flags and the skip
// of the tensor (constant within one), so this stage needs no request port
// and a new tensor may follow the last chunk of the previous one directly.
//
// SkipBits: the skips the producer can give, 2^SkipBits of them, and so the
// width of the barrel shift. deeplock makes whole 64-byte chunks from its
// schedule (6 bits: a 64-way shift); ctr can start its chunks at any 16-byte
// block (4 bits: a 16-way shift, a third of the LUTs).
//
// The shift is written as SkipBits / 2 levels of 4-way choices, the
// farthest first (16, then 4, then 1 byte steps for SkipBits = 6), over a
// window of only the bytes a beat can take (127, not 128). As one
// part-select at a variable byte offset, window[8 * skip +: 512], Yosys
// 0.23 built a shifter of six 2-way levels over 1,024 bits: 4,387 LUTs
// for the 64-way shift alone, 3,317 this way
// (scripts/synth-rtl.sh --one modelock_keystream_align).
//
// Handshake: valid/ready on both sides; the output is a register. A chunk
// is taken whenever the output register is empty or being read
// (in_ready_o = !out_valid_o || out_ready_i; the priming chunk then makes
// no beat). One beat a cycle in steady state, latency 1. clear_i drops the
// output beat at the next edge (the keystream's flush).
module modelock_keystream_align #(
  parameter int unsigned SkipBits = 6
) (
  input  logic         clk_i,
  input  logic         rst_ni,
  input  logic         clear_i,
  input  logic         in_valid_i,
  output logic         in_ready_o,
  input  logic [511:0] in_chunk_i,  // beat order
  input  logic         in_first_i,  // first chunk of a tensor
  input  logic         in_last_i,   // last chunk of a tensor
  input  logic [SkipBits-1:0] in_skip_i,  // the tensor's first byte in its first chunk
  output logic         out_valid_o,
  input  logic         out_ready_i,
  output logic [511:0] out_beat_o,  // beat order: byte i is KS(offset + 64 n + i)
  output logic         out_last_o
);
  localparam int unsigned Levels = SkipBits / 2;
  // Bytes a beat can take: 64 from the farthest skip on.
  localparam int unsigned WindowW = 8 * (64 + (1 << SkipBits) - 1);

  logic [511:0] previous_q;
  logic [WindowW-1:0] window, shifted;  // previous chunk, then the current one
  logic priming, take;

  assign window = WindowW'({in_chunk_i, previous_q});
  // Level l moves by 0..3 steps of 4^l bytes (shifts by constants: wires).
  // The bits of a level that no later level can bring into the beat drive
  // nothing, and Yosys drops them: each level is as wide as it needs.
  always_comb begin
    shifted = window;
    for (int l = Levels - 1; l >= 0; l--) begin
      unique case (in_skip_i[2*l +: 2])
        2'd0: ;
        2'd1: shifted = shifted >> (8 * (1 << (2 * l)));
        2'd2: shifted = shifted >> (16 * (1 << (2 * l)));
        default: shifted = shifted >> (24 * (1 << (2 * l)));
      endcase
    end
  end
  assign priming = in_first_i && in_skip_i != '0;
  assign in_ready_o = !out_valid_o || out_ready_i;
  assign take = in_valid_i && in_ready_o;

  always_ff @(posedge clk_i) begin
    if (take) previous_q <= in_chunk_i;
    if (take && !priming) begin
      out_beat_o <= in_skip_i == '0 ? in_chunk_i : shifted[511:0];
      out_last_o <= in_last_i;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) out_valid_o <= 1'b0;
    else if (clear_i) out_valid_o <= 1'b0;
    else if (take) out_valid_o <= !priming;
    else if (out_ready_i) out_valid_o <= 1'b0;
  end
endmodule
