// JSON renderings of the domain records for API responses: snake_case members, amounts and
// points as integers, instants as RFC 3339 UTC strings (null when unset), event payloads
// embedded as JSON. Member order is fixed, so equal records render to equal bytes.
#pragma once

#include <string>
#include <vector>

#include "core/ledger.h"
#include "core/types.h"

namespace loyalty {

std::string RenderCustomer(const Customer& c);
std::string RenderTierChange(const TierChange& c);  // one record of the tier history
// The customer as of now, with pending points and the next expiring lots.
std::string RenderCustomerView(const CustomerView& v);
// refunds == nullptr: the "refunds" member is left out.
std::string RenderOrder(const Order& o, const std::vector<Refund>* refunds = nullptr);
std::string RenderRefund(const Refund& r);
std::string RenderQuote(const std::string& customer_id, const Quote& q);
std::string RenderEntry(const Entry& e);
std::string RenderAdjustment(const Adjustment& a);
std::string RenderEvent(const Event& e);
// status: as shown (EffectiveStatus); the stored one may still say active past the end.
std::string RenderCoupon(const Coupon& c);
std::string RenderCouponBatch(const CouponBatch& b);
// One outbox message as the pull API, the feeds and the webhook show it (docs/messages.md):
// variables embedded as a JSON object; sms_text, status_reason, last_error null when empty.
std::string RenderMessage(const Message& m);
// {"messages": [...], "next_cursor": "<last message_id, or after when empty>", "has_more"}:
// the same shape as the event feeds.
std::string RenderMessagePage(const std::vector<Message>& messages, int64_t after, int limit);
// ["A","B"] of plain strings.
std::string JsonStringArray(const std::vector<std::string>& items);

// "[a,b,c]" from already rendered items.
std::string JsonArray(const std::vector<std::string>& items);
// "\"2026-01-01T00:00:00Z\"", or "null" for 0.
std::string JsonInstantOrNull(Micros t_us);
// "\"123\"" (cursors are strings), or "null" for 0.
std::string JsonCursorOrNull(int64_t id);

}  // namespace loyalty
