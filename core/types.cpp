#include "core/types.h"

namespace loyalty {

const char* CouponStatusName(CouponStatus status) {
  switch (status) {
    case CouponStatus::kActive:
      return "active";
    case CouponStatus::kRedeemed:
      return "redeemed";
    case CouponStatus::kExpired:
      return "expired";
    case CouponStatus::kRevoked:
      return "revoked";
  }
  return "unknown";
}

const char* MessageCategoryName(MessageCategory c) {
  switch (c) {
    case MessageCategory::kInformational:
      return "informational";
    case MessageCategory::kAdvertising:
      return "advertising";
  }
  return "unknown";
}

const char* MessageStatusName(MessageStatus s) {
  switch (s) {
    case MessageStatus::kPending:
      return "pending";
    case MessageStatus::kDelivered:
      return "delivered";
    case MessageStatus::kDeadLetter:
      return "dead_letter";
    case MessageStatus::kSuppressed:
      return "suppressed";
    case MessageStatus::kCancelled:
      return "cancelled";
  }
  return "unknown";
}

const char* LotKindName(LotKind kind) {
  switch (kind) {
    case LotKind::kPending:
      return "pending";
    case LotKind::kAvailable:
      return "available";
    case LotKind::kDeficit:
      return "deficit";
  }
  return "unknown";
}

const char* EntryKindName(EntryKind kind) {
  switch (kind) {
    case EntryKind::kEarn:
      return "earn";
    case EntryKind::kActivate:
      return "activate";
    case EntryKind::kRedeem:
      return "redeem";
    case EntryKind::kExpire:
      return "expire";
    case EntryKind::kAdjust:
      return "adjust";
    case EntryKind::kReverse:
      return "reverse";
    case EntryKind::kRestore:
      return "restore";
  }
  return "unknown";
}

const char* OrderStatusName(OrderStatus status) {
  switch (status) {
    case OrderStatus::kPlaced:
      return "placed";
    case OrderStatus::kConfirmed:
      return "confirmed";
    case OrderStatus::kCancelled:
      return "cancelled";
  }
  return "unknown";
}

}  // namespace loyalty
