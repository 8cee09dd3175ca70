// SHA-256 (FIPS 180-4), for the fingerprints core code keeps of what it was asked (the request
// hash of an imported row). Not for secrets: api/crypto.h has the HMACs and random bytes.
#pragma once

#include <string>
#include <string_view>

namespace loyalty {

// Lower-case hex of SHA-256(data), 64 characters.
std::string Sha256HexOf(std::string_view data);

}  // namespace loyalty
