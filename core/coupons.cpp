#include "core/coupons.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "core/business_time.h"

namespace loyalty {

namespace {

constexpr int kModulus = 31;
static_assert(kCouponAlphabet.size() == kModulus);

bool IsPrefixChar(char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

// Weighted sum of the symbols of `text` (all in the alphabet), weights 1, 2, 3, ...
int WeightedSum(std::string_view text) {
  int sum = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    sum = (sum + static_cast<int>(i + 1) * CouponSymbolValue(text[i])) % kModulus;
  }
  return sum;
}

int Inverse(int a) {  // modular inverse by Fermat: a^(p-2) mod p
  int result = 1;
  for (int i = 0; i < kModulus - 2; ++i) result = (result * a) % kModulus;
  return result;
}

}  // namespace

Status BufferedRandom::Fill(uint8_t* out, size_t size) {
  while (size > 0) {
    if (used_ == sizeof buffer_) {
      LOYALTY_RETURN_IF_ERROR(source_.Fill(buffer_, sizeof buffer_));
      used_ = 0;
    }
    const size_t n = std::min(size, sizeof buffer_ - used_);
    std::memcpy(out, buffer_ + used_, n);
    std::memset(buffer_ + used_, 0, n);  // handed-out bytes do not linger
    used_ += n;
    out += n;
    size -= n;
  }
  return Status::Ok();
}

int CouponSymbolValue(char c) {
  static const auto kTable = [] {
    std::array<int8_t, 256> t{};
    t.fill(-1);
    for (size_t i = 0; i < kCouponAlphabet.size(); ++i) {
      t[static_cast<unsigned char>(kCouponAlphabet[i])] = static_cast<int8_t>(i);
    }
    return t;
  }();
  return kTable[static_cast<unsigned char>(c)];
}

char CouponCheckChar(std::string_view body) {
  LOYALTY_CHECK(body.size() + 1 < kModulus);  // weights must stay distinct and non-zero
  const int weight = static_cast<int>(body.size() + 1);
  const int need = (kModulus - WeightedSum(body)) % kModulus;
  return kCouponAlphabet[static_cast<size_t>((need * Inverse(weight)) % kModulus)];
}

std::string NormalizeCouponCode(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 1);
  for (char c : text) {
    if (c == ' ' || c == '-') continue;
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    out.push_back(c);
  }
  // The body is always the last kCouponRandomChars + 1 characters; the rest is the prefix.
  if (out.size() > kCouponRandomChars + 1) {
    out.insert(out.size() - (kCouponRandomChars + 1), 1, '-');
  }
  return out;
}

Status ValidateCouponCode(std::string_view code) {
  auto invalid = [](const char* why) {
    return Status(Code::kCouponCodeInvalid, why, "coupon_code");
  };
  if (code.empty() || code.size() > kMaxCouponCodeLength) return invalid("has the wrong length");
  std::string_view body = code;
  const size_t dash = code.find('-');
  if (dash != std::string_view::npos) {
    std::string_view prefix = code.substr(0, dash);
    if (prefix.empty() || prefix.size() > 12 ||
        !std::all_of(prefix.begin(), prefix.end(), IsPrefixChar)) {
      return invalid("has a malformed prefix");
    }
    body = code.substr(dash + 1);
  }
  if (body.size() != kCouponRandomChars + 1) return invalid("has the wrong length");
  for (char c : body) {
    if (CouponSymbolValue(c) < 0) return invalid("contains a character that is never used");
  }
  if (WeightedSum(body) != 0) return invalid("fails its check character (a typo?)");
  return Status::Ok();
}

Result<std::string> GenerateCouponCode(RandomSource& random, std::string_view prefix) {
  std::string body;
  body.reserve(kCouponRandomChars + 1);
  uint8_t bytes[32];
  while (body.size() < kCouponRandomChars) {
    LOYALTY_RETURN_IF_ERROR(random.Fill(bytes, sizeof bytes));
    for (uint8_t b : bytes) {
      if (b >= 248) continue;  // 248 = 8 * 31: keeps every symbol equally likely
      body.push_back(kCouponAlphabet[b % kModulus]);
      if (body.size() == kCouponRandomChars) break;
    }
  }
  body.push_back(CouponCheckChar(body));
  if (prefix.empty()) return body;
  std::string code(prefix);
  code.push_back('-');
  code += body;
  return code;
}

ValidityWindow CouponValidity(const CouponTemplate& t, Micros issued_us, const std::string& tz) {
  ValidityWindow w;
  if (t.valid_days > 0) {
    w.from_us = issued_us;
    w.until_us = StartOfDay(AddDays(BusinessDate(issued_us, tz), t.valid_days), tz);
    return w;
  }
  // Validated by ValidateProgram: both dates parse.
  LocalDate from = ParseLocalDate(t.valid_from).value();
  LocalDate until = ParseLocalDate(t.valid_until).value();
  w.from_us = StartOfDay(from, tz);
  w.until_us = StartOfDay(AddDays(until, 1), tz);
  return w;
}

Won CouponDiscount(const CouponTemplate& t, Won base_won) {
  if (base_won <= 0) return 0;
  Won d = 0;
  if (t.kind == CouponKind::kFixedWon) {
    d = t.discount_won;
  } else {
    // base <= 10^10 and bp <= 10^4: the product fits easily in 64 bits.
    d = base_won * t.percent_bp / 10000;
    d -= d % t.truncation_unit_won;
    if (t.cap_won > 0) d = std::min(d, t.cap_won);
  }
  return std::min(d, base_won);
}

Status CheckCouponUsable(const Coupon& c, const CouponTemplate& t, const std::string& customer_id,
                         Won amount_won, Micros now_us) {
  const std::string field = "coupon_code";
  // Used first: a campaign code redeemed by someone else is "already redeemed", not "theirs".
  if (c.status != CouponStatus::kRedeemed && !c.customer_id.empty() &&
      c.customer_id != customer_id) {
    return Status(Code::kCouponNotOwned, "the coupon belongs to another customer", field);
  }
  switch (c.status) {
    case CouponStatus::kRedeemed:
      return Status(Code::kCouponAlreadyRedeemed,
                    "the coupon was already used by order " + c.order_id, field);
    case CouponStatus::kRevoked:
      return Status(Code::kCouponRevoked, "the coupon was revoked", field);
    case CouponStatus::kExpired:
      return Status(Code::kCouponExpired, "the coupon expired", field);
    case CouponStatus::kActive:
      break;
  }
  if (now_us < c.valid_from_us) {
    return Status(Code::kCouponNotYetValid,
                  "the coupon is valid from " + FormatInstant(c.valid_from_us), field);
  }
  if (now_us >= c.valid_until_us) {
    return Status(Code::kCouponExpired, "the coupon expired at " + FormatInstant(c.valid_until_us),
                  field);
  }
  if (amount_won < t.min_order_won) {
    return Status(Code::kCouponMinOrderNotMet,
                  "the coupon needs an order of at least ₩" + std::to_string(t.min_order_won),
                  field);
  }
  return Status::Ok();
}

}  // namespace loyalty
