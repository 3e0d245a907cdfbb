// A deeplock lane's chunk FIFO (modelock_deeplock_keystream): the same
// handshake and timing as modelock_fifo #(.WIDTH(521), .DEPTH(DEPTH)) with
// its asynchronous read, but most of each entry in block RAM.
//
// Why: as modelock_fifo the four FIFOs were distributed RAM, 624 LUTs each
// (75 RAM64M8 for 521 bits). Block RAM reads synchronously: the head would
// be visible one edge after a push into an empty FIFO, so a lane's first
// chunk would reach the merger a cycle late (a first segment comes at a
// chunk every four cycles, the merger waiting on each), unless a bypass
// register and a 521-bit choice beside the RAM (no cheaper than the
// distributed RAM) covered that edge. But a chunk's tag and first three
// blocks are known an edge before the chunk is pushed: the lane makes one
// 16-byte block a cycle and the tag is its job's registers
// (modelock_deeplock_lane). So they are written then (front_*), to the slot
// the push will fill, and the block RAM's output latch, read every edge at
// the head the edge leaves, already holds them when the push makes the
// entry the head; only the last block (made in the push's cycle) and its
// 128 bits stay in distributed RAM, read asynchronously. The FIFO's
// pointers, ready and valid are modelock_fifo's, so its cycles are too.
//
// The front write goes ahead of the push by any number of edges (the lane
// holds a complete chunk while the FIFO is full), into the slot the push
// will fill, write_q mod DEPTH: DEPTH slots, as the pointers address. That
// slot holds an entry still held only while the FIFO is full, and then it
// is the head's, whose front is already in the output latch (it is read
// into the latch when the entry becomes the head and not again: the next
// read is of the slot after it, at its pop), so the write loses nothing
// (DEPTH >= 2). The latch reads the head's slot at
// every edge while the FIFO is empty (a push then makes the slot read the
// head), the slot after the head at a pop, and holds otherwise. It reads a
// slot a front write writes at the same edge only when the FIFO is empty
// after that edge, so the next edge's read takes the written data before
// the push can make it the head. The pop is the RAM's read enable; the
// read address is read_q, or read_q + 1 while the FIFO holds an entry (an
// incrementer and a choice by out_valid_o, logic of the pointer registers
// alone): the merger's handshake reaches no address pin (as the ctr cores'
// handshake is their block RAMs' enable).
//
// The wipe (docs/engine.md: no keystream outlives a run). Block RAM and
// LUT RAM have no clear, so while clear_i is high write_q walks the slots,
// one an edge, writing every slot of both memories with what the lane then
// gives, and read_q follows it (the FIFO is empty from the first edge on).
// From its second edge of clear_i the lane gives no keystream
// (modelock_deeplock_lane: its partial chunk zeroed, its block the key
// schedule's step of its zeroed state, 16 bytes of S(0) = 0x63, the same
// for every key; the tag is job framing), so a clear held DEPTH + 2
// edges leaves every slot and the output latch (which reads the slot
// written, before the write, while the FIFO is empty) free of keystream.
// The engine's wipe holds it 1,024 edges (modelock_sequencer's Wipe). The
// data need no AND with the clear (about 2,000 LUTs for the four lanes'
// 521 bits): the walk costs the two write enables and read_q's third
// choice: the FIFO took 191 LUTs before the wipe and 184 with it (Yosys's
// noise), the keystream 3,346 and 3,359, the same 2,504 FFs and 44
// RAMB18E2.
//
// Yosys (scripts/synth-rtl.sh --one modelock_deeplock_keystream): 182
// LUTs (the last block's 19 RAM64M8, the pointers) and 11 RAMB18E2 a lane
// (DEPTH slots of 393 bits; 2 DEPTH took as many RAMB18E2, 512 deep),
// against 624 LUTs (75 RAM64M8) as modelock_fifo; the lane loses its third
// block's register (modelock_deeplock_lane: 557 -> 427 LUTs, 543 -> 415
// FFs). Depth: the head's front comes from the block RAM's output latch
// (its clock to output, of the order of 1 ns, against a LUT RAM read from
// the read pointer's register).
module modelock_deeplock_fifo #(
  parameter int unsigned DEPTH = 64,     // a power of two, at least 2
  parameter int unsigned FRONT_W = 393,  // tag and first three blocks
  parameter int unsigned BACK_W = 128    // the last block
) (
  input  logic                       clk_i,
  input  logic                       rst_ni,
  input  logic                       clear_i,
  input  logic                       front_valid_i,  // the next push's front, an edge or more ahead
                                                     // (never in a push's cycle)
  input  logic [FRONT_W-1:0]         front_i,
  input  logic                       in_valid_i,
  output logic                       in_ready_o,
  input  logic [BACK_W-1:0]          in_back_i,
  output logic                       out_valid_o,
  input  logic                       out_ready_i,
  output logic [FRONT_W-1:0]         out_front_o,
  output logic [BACK_W-1:0]          out_back_o
);
  localparam int unsigned AddrBits = $clog2(DEPTH);

  (* ram_style = "block" *) logic [FRONT_W-1:0] front_mem [DEPTH];
  logic [BACK_W-1:0] back_mem [DEPTH];
  logic [AddrBits:0] write_q, read_q;
  logic push, pop;

  assign in_ready_o = (write_q ^ read_q) != {1'b1, {AddrBits{1'b0}}};
  assign out_valid_o = write_q != read_q;
  assign push = in_valid_i && in_ready_o;
  assign pop = out_valid_o && out_ready_i;
  assign out_back_o = back_mem[read_q[AddrBits-1:0]];

  // The wipe: while clear_i is high, write_q walks every slot, writing
  // what the lane then gives (not keystream: modelock_deeplock_lane), and
  // read_q follows it, so the FIFO is empty from the first edge on.
  always_ff @(posedge clk_i) begin
    if (front_valid_i || clear_i) front_mem[write_q[AddrBits-1:0]] <= front_i;
    // The block RAM's output latch.
    if (pop || !out_valid_o) out_front_o <= front_mem[out_valid_o ? read_q[AddrBits-1:0] + 1'b1 : read_q[AddrBits-1:0]];
    if (push || clear_i) back_mem[write_q[AddrBits-1:0]] <= in_back_i;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      write_q <= '0;
      read_q <= '0;
    end else if (clear_i) begin
      write_q <= write_q + 1'b1;
      read_q <= write_q + 1'b1;
    end else begin
      if (push) write_q <= write_q + 1'b1;
      if (pop) read_q <= read_q + 1'b1;
    end
  end
endmodule
