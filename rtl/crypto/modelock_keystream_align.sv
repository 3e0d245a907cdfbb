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
  logic [511:0] previous_q;
  logic [1023:0] window;  // previous chunk, then the current one: bytes 0..127
  logic priming, take;

  assign window = {in_chunk_i, previous_q};
  assign priming = in_first_i && in_skip_i != '0;
  assign in_ready_o = !out_valid_o || out_ready_i;
  assign take = in_valid_i && in_ready_o;

  always_ff @(posedge clk_i) begin
    if (take) previous_q <= in_chunk_i;
    if (take && !priming) begin
      out_beat_o <= in_skip_i == '0 ? in_chunk_i : window[8*in_skip_i +: 512];
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
