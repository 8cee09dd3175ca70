// Stable sharding of customers for jobs split over several workers (`--shard k/n`).
// CRC-32 (IEEE 802.3, as zlib's crc32 and MySQL's CRC32()) of the customer id, modulo n, so SQL
// engines can compute the same shard set-based.
#pragma once

#include <cstdint>
#include <string_view>

namespace loyalty {

uint32_t Crc32(std::string_view bytes);

// REQUIRES: shards >= 1. Returns 0..shards-1.
inline int ShardOf(std::string_view customer_id, int shards) {
  return static_cast<int>(Crc32(customer_id) % static_cast<uint32_t>(shards));
}

}  // namespace loyalty
