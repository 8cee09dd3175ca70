// Small cryptographic helpers for the API layer: SHA-256 and HMAC-SHA256 in hex and bytes from
// the kernel's CSPRNG (getrandom(2)). Thread-safe.
#pragma once

#include <optional>
#include <string>

#include "core/coupons.h"
#include "core/status.h"

namespace loyalty {

// Lower-case hex SHA-256 of `data` (64 characters).
std::string Sha256Hex(const std::string& data);

// Lower-case hex HMAC-SHA256 (RFC 2104) of `data` under `key` (64 characters): the webhook
// signature (docs/messages.md).
std::string HmacSha256Hex(const std::string& key, const std::string& data);

// Compares two strings in time that depends only on their lengths (signature checks).
bool ConstantTimeEquals(const std::string& a, const std::string& b);

// `count` bytes from getrandom(2): a cryptographic source. kInternal if the kernel refuses.
Result<std::string> SecureRandomBytes(size_t count);

// RFC 4648 base32 alphabet in lower case, without padding: 5 bits per character.
std::string Base32Lower(const std::string& bytes);

// Lower-case hex of raw bytes.
std::string HexLower(const std::string& bytes);

// The raw 32 bytes of HMAC-SHA256 (RFC 2104) of `data` under `key`: the Standard Webhooks
// signature of domain-event webhooks (docs/webhooks.md).
std::string HmacSha256Bytes(const std::string& key, const std::string& data);

// RFC 4648 base64, standard alphabet, with '=' padding, no line breaks.
std::string Base64Encode(const std::string& bytes);
// The inverse: nullopt unless `text` is canonical padded base64 of the standard alphabet.
std::optional<std::string> Base64Decode(const std::string& text);

// core's RandomSource over getrandom(2). Stateless: one instance may serve every thread.
class SystemRandom final : public RandomSource {
 public:
  Status Fill(uint8_t* out, size_t size) override;
  static SystemRandom& Instance();
};

}  // namespace loyalty
