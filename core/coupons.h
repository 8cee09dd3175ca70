// Coupon rules that need no database: codes (alphabet, check character, generation from an
// injected random source), validity windows in the programme's zone and the discount arithmetic.
// The ledger commands over the store are in core/ledger.h (ledger_coupons.cpp).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/limits.h"
#include "core/program.h"
#include "core/status.h"
#include "core/types.h"

namespace loyalty {

// A source of cryptographically random bytes. core stays free of system calls: the API layer
// provides one over getrandom(2) (api/crypto.h), tests may provide a seeded one.
class RandomSource {
 public:
  virtual ~RandomSource() = default;
  // Fills out[0..size) with random bytes; kInternal if the source fails.
  virtual Status Fill(uint8_t* out, size_t size) = 0;
};

// Reads `source` in blocks of 4 KiB and hands the bytes out in small pieces: one system call
// per ~120 codes instead of one per code (bulk issuance). Not thread-safe; one per command.
class BufferedRandom final : public RandomSource {
 public:
  explicit BufferedRandom(RandomSource& source) : source_(source) {}
  Status Fill(uint8_t* out, size_t size) override;

 private:
  RandomSource& source_;
  uint8_t buffer_[4096];
  size_t used_ = sizeof buffer_;  // empty
};

// 31 symbols: digits and capitals without 0/O, 1/I/L. 31 is prime, which the check needs.
inline constexpr std::string_view kCouponAlphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

// Value of a symbol in kCouponAlphabet, or -1.
int CouponSymbolValue(char c);

// The check character for `body` (symbols of the alphabet, at most 29 of them): the weighted sum
// of (position + 1) * value over body + check is 0 mod 31. With distinct non-zero weights mod a
// prime every single-character substitution and every adjacent transposition changes the sum.
char CouponCheckChar(std::string_view body);

// Upper-cases, drops spaces and hyphens (codes may be typed in groups) and puts one '-' between
// the prefix and the body (the last 13 characters): "welcome 7k3m-9xq2-rt4hc" ->
// "WELCOME-7K3M9XQ2RT4HC".
std::string NormalizeCouponCode(std::string_view text);

// Form and check character of a normalized code, before any lookup: kCouponCodeInvalid.
// Form: [PREFIX "-"] BODY, PREFIX 1-12 of A-Z/0-9, BODY kCouponRandomChars symbols + check.
Status ValidateCouponCode(std::string_view code);

// A fresh code: prefix (may be empty), kCouponRandomChars random symbols (rejection sampling,
// no modulo bias), check character.
Result<std::string> GenerateCouponCode(RandomSource& random, std::string_view prefix);

// Validity of a coupon of template t issued at issued_us, in zone tz: days_from_issue runs from
// the issue instant to the start of day (issue date + days) - the end of the last day; fixed
// dates run from 00:00 of valid_from to 00:00 after valid_until.
struct ValidityWindow {
  Micros from_us = 0;
  Micros until_us = 0;  // exclusive
};
ValidityWindow CouponValidity(const CouponTemplate& t, Micros issued_us, const std::string& tz);

// Discount of one coupon on a base amount (>= 0): fixed, or percent truncated to the unit and
// capped; never above the base.
Won CouponDiscount(const CouponTemplate& t, Won base_won);

// Why coupon c (of template t) cannot be used by `customer_id` on an order of amount_won at
// now_us, or ok. The checks in the order their codes are documented in docs/coupons.md.
Status CheckCouponUsable(const Coupon& c, const CouponTemplate& t, const std::string& customer_id,
                         Won amount_won, Micros now_us);

}  // namespace loyalty
