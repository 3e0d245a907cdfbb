// The Alveo cards bitstreams/ builds for: their memory banks, and which bank
// each buffer of lock_engine reaches, read from the card's connectivity file
// (bitstreams/connectivity/<card>.cfg), the same file `v++ --link` reads.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "xclbin_writer.hpp"

namespace modelock::xclbin {

struct Card {
  std::string name;  // u50, u55c, u250, u280
  std::vector<Memory> memories;
};

// The card a platform VBNV names ("xilinx_u55c_gen3x16_xdma_3_202210_1" is
// a u55c), as bitstreams/Makefile picks the connectivity file. Throws
// std::invalid_argument naming the cards it knows.
[[nodiscard]] Card card_of(std::string_view platform);

// The `sp=lock_engine_<n>.<argument>:<bank>` lines of a connectivity file
// (`<bank>` is TYPE[i] or TYPE[i:j]) as connections of compute unit n - 1
// to `card`'s memories.
// Throws std::invalid_argument naming `origin` and the line for an argument
// that is not a buffer of the kernel or a bank the card does not have.
[[nodiscard]] std::vector<Connection> read_connectivity(std::string_view text, const Card& card,
                                                        std::string_view origin);

}  // namespace modelock::xclbin
