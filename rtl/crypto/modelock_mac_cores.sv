// The K_mac cores: one iterative AES core and one serial GF(2^128)
// multiplier, shared by their two users, which never run at once:
//
// - key: modelock_mac_key, at load_key (E(K_mac, 0^128) = H, then H^2..H^4);
// - check: modelock_gmac_finish, during a run (E(K_mac, J0) and (Y ^ L)·H).
//
// Who has them: whoever starts a core. Both cores take their inputs only
// at their start (modelock_aes_iterative, modelock_gf128_mul_serial), so
// each core has a start for each user: the check's with its operands, the
// key's with its own (the AES core's start_zero_i, the zero block; the
// multiplier's start_plain_i, the key's X and C = 0). The
// AES key (K_mac) and the multiplier's B (H, or the key's H being
// multiplied up) are one signal for both. The results go to both; each
// user reads them only while it is waiting for them.
//
// Why they never overlap (docs/engine.md, "Commands"): the sequencer runs
// one command at a time. load_key's derivation (modelock_key_state's
// Build) is inside the command; it starts after a run has ended and ends
// before load_key's done, and clear_key (or a refused load) clears the key
// unit only while it is idle (modelock_key_state starts it only from its
// Idle state). The checks start only inside a run (the program reader's
// and tensor stream's gmac_start), each waited for before the run goes on,
// and every run ends with the 1,024-cycle wipe, far more than a check's 17
// cycles, before the sequencer takes another command. So no cycle changes:
// each user finds the cores idle when it starts them, as with cores of its
// own.
//
// Key material stays in them after a user is done (the AES block holds H
// or E(K_mac, J0); the multiplier's V holds H, its Z a power of H or a
// check's product), so clear_i, modelock_key_state's clear of its units at
// clear_key and at every load (only in its Idle state, with both users
// idle), zeroes both cores' registers (docs/engine.md, "Commands":
// clear_key leaves no key material).
//
// Sharing saves an AES core and a multiplier: Yosys (`synth-rtl.sh --one`,
// modules alone) gives modelock_key_state, with the check now inside,
// 6,185 LUTs and 4,794 FFs against 5,631 and 4,791 for it and 2,650 and
// 527 for modelock_gmac_finish with cores of its own: 2,096 LUTs and 524
// FFs fewer (1,874 had ABC mapped the removed AES core as the kept one:
// 1,673 against 1,451 LUTs for the same RTL in the two runs). The choice
// here was 386 of the LUTs that remain (2 x 128 AND gates for the AES block
// and Z's start, a 2:1 choice of the multiplier's A): in a module of its
// own it cannot fold into the cores' register inputs. It now lies in the
// cores (their second starts), in the LUTs of their start logic. Flattened
// (synth_xilinx -flatten, the same modules) much of it does: 5,653 LUTs
// against 5,676 + 2,542, and the longest path is modelock_key_state's own
// before and after (4 LUTs, 3 MUXFs, 2 carry blocks: 2.55 ns by
// scripts/logic-depth.py).
module modelock_mac_cores (
  input  logic          clk_i,
  input  logic          rst_ni,
  input  logic          clear_i,          // clear_key, a refused load: both cores zeroed (idle then)
  input  logic [127:0]  key_i,            // K_mac (the AES core steps its schedule)
  input  logic [127:0]  h_i,              // the multiplier's B for both users
  // key: modelock_mac_key
  input  logic          key_aes_start_i,  // E(K_mac, 0^128)
  input  logic          key_mul_start_i,  // key_mul_a_i · h_i
  input  logic [127:0]  key_mul_a_i,
  // check: modelock_gmac_finish, both cores at once
  input  logic          check_start_i,
  input  logic [127:0]  check_block_i,    // J0
  input  logic [127:0]  check_mul_a_i,    // Y ^ L
  input  logic [127:0]  check_mul_c_i,    // the expected tag, Z's start
  // results, to both
  output logic          aes_done_o,
  output logic [127:0]  aes_block_o,
  output logic          mul_done_o,
  output logic [127:0]  product_o
);
  logic aes_busy, mul_busy;

  modelock_aes_iterative u_aes (
    .clk_i, .rst_ni, .clear_i, .key_i,
    .start_i(check_start_i),
    .start_zero_i(key_aes_start_i),
    .block_i(check_block_i),
    .busy_o(aes_busy),
    .done_o(aes_done_o),
    .block_o(aes_block_o)
  );

  modelock_gf128_mul_serial u_mul (
    .clk_i, .rst_ni, .clear_i,
    .start_i(check_start_i),
    .start_plain_i(key_mul_start_i),
    .a_i(check_mul_a_i),
    .plain_a_i(key_mul_a_i),
    .b_i(h_i),
    .c_i(check_mul_c_i),
    .busy_o(mul_busy),
    .done_o(mul_done_o),
    .product_o
  );

  // Each user follows its own steps, so neither needs the cores' busy.
  logic unused_busy;
  assign unused_busy = aes_busy ^ mul_busy;
endmodule
