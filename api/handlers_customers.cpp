// Customers: upsert, read, ledger, per-customer events, CS adjustments.
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "api/handlers.h"
#include "api/idempotency.h"
#include "api/json_codec.h"
#include "api/json_render.h"
#include "api/routes.h"
#include "core/business_time.h"
#include "core/consent.h"
#include "core/json_writer.h"
#include "core/ledger.h"

namespace loyalty {
namespace {

constexpr size_t kDateLength = 10;  // YYYY-MM-DD

Result<CustomerInput> ParseCustomerInput(const ApiRequest& req) {
  const Poco::JSON::Object& b = *req.body;
  LOYALTY_RETURN_IF_ERROR(
      CheckKnownFields(b, {"birth_date", "marketing_consent", "night_consent"}));
  CustomerInput in;
  in.customer_id = req.Param("customer_id");
  LOYALTY_ASSIGN_OR_RETURN(in.birth_date, OptNullableString(b, "birth_date", kDateLength));
  if (in.birth_date && *in.birth_date && !ParseLocalDate(**in.birth_date).ok()) {
    return Status::Invalid("birth_date", "must be a calendar date YYYY-MM-DD");
  }
  LOYALTY_ASSIGN_OR_RETURN(in.marketing_consent, OptBool(b, "marketing_consent"));
  LOYALTY_ASSIGN_OR_RETURN(in.night_consent, OptBool(b, "night_consent"));
  return in;
}

Result<AdjustRequest> ParseAdjustRequest(const ApiRequest& req) {
  const Poco::JSON::Object& b = *req.body;
  LOYALTY_RETURN_IF_ERROR(CheckKnownFields(b, {"adjustment_id", "points", "reason_code", "note"}));
  AdjustRequest r;
  r.customer_id = req.Param("customer_id");
  r.request_hash = req.request_hash;
  LOYALTY_ASSIGN_OR_RETURN(r.adjustment_id, RequireId(b, "adjustment_id"));
  LOYALTY_ASSIGN_OR_RETURN(r.points, RequireInteger(b, "points"));
  if (r.points == 0) return Status::Invalid("points", "must not be zero");
  LOYALTY_RETURN_IF_ERROR(
      CheckRange("points", r.points, -kMaxAdjustmentPoints, kMaxAdjustmentPoints));
  LOYALTY_ASSIGN_OR_RETURN(std::optional<std::string> reason,
                           OptString(b, "reason_code", kMaxReasonCodeLength));
  if (!reason) return Status::Invalid("reason_code", "is required");
  LOYALTY_RETURN_IF_ERROR(ValidateReasonCode("reason_code", *reason));
  r.reason_code = std::move(*reason);
  LOYALTY_ASSIGN_OR_RETURN(std::optional<std::string> note,
                           OptString(b, "note", kMaxReasonLength, TextLines::kMultiLine));
  r.note = note.value_or("");
  return r;
}

Result<ConsentRequest> ParseConsentRequest(const ApiRequest& req) {
  const Poco::JSON::Object& b = *req.body;
  LOYALTY_RETURN_IF_ERROR(
      CheckKnownFields(b, {"marketing_consent", "night_consent", "channel", "reconfirm"}));
  ConsentRequest r;
  r.customer_id = req.Param("customer_id");
  LOYALTY_ASSIGN_OR_RETURN(r.marketing_consent, OptBool(b, "marketing_consent"));
  LOYALTY_ASSIGN_OR_RETURN(r.night_consent, OptBool(b, "night_consent"));
  LOYALTY_ASSIGN_OR_RETURN(std::optional<bool> reconfirm, OptBool(b, "reconfirm"));
  r.reconfirm = reconfirm.value_or(false);
  LOYALTY_ASSIGN_OR_RETURN(std::optional<std::string> channel,
                           OptString(b, "channel", kMaxConsentChannelLength));
  if (!channel) return Status::Invalid("channel", "is required");
  LOYALTY_RETURN_IF_ERROR(CheckConsentChannel(*channel));
  r.channel = std::move(*channel);
  if (!r.marketing_consent && !r.night_consent && !r.reconfirm) {
    return Status::Invalid("marketing_consent",
                           "give marketing_consent, night_consent or reconfirm: true");
  }
  return r;
}

Status RequireCustomer(Session& s, const std::string& customer_id) {
  LOYALTY_ASSIGN_OR_RETURN(std::optional<Customer> c, s.FindCustomer(customer_id));
  if (!c) return Status(Code::kNotFound, "customer " + customer_id + " not found", "customer_id");
  return Status::Ok();
}

}  // namespace

Result<ApiResponse> HandlePutCustomer(ServiceEnv& env, const ApiRequest& req) {
  LOYALTY_ASSIGN_OR_RETURN(CustomerInput in, ParseCustomerInput(req));
  const Ctx ctx = env.MakeCtx(req.key);
  return RunIdempotent(env, req, NaturalKey{}, [&](Session& s) -> Result<ApiResponse> {
    LOYALTY_ASSIGN_OR_RETURN(CustomerWrite w, UpsertCustomer(s, in, ctx));
    return ApiResponse::Json(w.created ? 201 : 200, RenderCustomer(w.customer));
  });
}

Result<ApiResponse> HandlePostConsent(ServiceEnv& env, const ApiRequest& req) {
  LOYALTY_ASSIGN_OR_RETURN(ConsentRequest r, ParseConsentRequest(req));
  const Ctx ctx = env.MakeCtx(req.key);
  return RunIdempotent(env, req, NaturalKey{}, [&](Session& s) -> Result<ApiResponse> {
    LOYALTY_ASSIGN_OR_RETURN(ConsentWrite w, ChangeConsent(s, r, ctx));
    const Customer& c = w.customer;
    JsonWriter out;
    out.Str("customer_id", c.customer_id)
        .Bool("marketing_consent", c.marketing_consent)
        .Bool("night_consent", c.night_consent)
        .Raw("consent_confirmed_at", JsonInstantOrNull(c.consent_confirmed_at_us))
        .Raw("consent_channel",
             c.consent_channel.empty() ? "null" : JsonWriter::Quote(c.consent_channel))
        .Bool("recorded", w.change.has_value())
        .Int("suppressed_messages", w.suppressed_messages)
        .Bool("notice_written", w.notice_written);
    return ApiResponse::Json(200, out.Finish());
  });
}

Result<ApiResponse> HandleGetCustomer(ServiceEnv& env, const ApiRequest& req) {
  const Ctx ctx = env.MakeCtx(req.key);
  LOYALTY_ASSIGN_OR_RETURN(CustomerView view, env.readers.Read([&](Session& s) {
    return ReadCustomer(s, req.Param("customer_id"), ctx);
  }));
  return ApiResponse::Json(200, RenderCustomerView(view));
}

Result<ApiResponse> HandleCustomerTierChanges(ServiceEnv& env, const ApiRequest& req) {
  LOYALTY_ASSIGN_OR_RETURN(int limit, PageLimit(req));
  const std::string customer_id = req.Param("customer_id");
  LOYALTY_ASSIGN_OR_RETURN(std::vector<TierChange> changes,
                           env.readers.Read([&](Session& s) -> Result<std::vector<TierChange>> {
                             LOYALTY_RETURN_IF_ERROR(RequireCustomer(s, customer_id));
                             return s.ListTierChanges(customer_id, limit);
                           }));
  std::vector<std::string> items;
  items.reserve(changes.size());
  for (const TierChange& c : changes) items.push_back(RenderTierChange(c));
  return ApiResponse::Json(200, JsonWriter().Raw("tier_changes", JsonArray(items)).Finish());
}

Result<ApiResponse> HandleCustomerLedger(ServiceEnv& env, const ApiRequest& req) {
  LOYALTY_ASSIGN_OR_RETURN(int limit, PageLimit(req));
  LOYALTY_ASSIGN_OR_RETURN(int64_t cursor, CursorParam(req, "cursor"));
  EntryQuery q;
  q.customer_id = req.Param("customer_id");
  q.before_entry_id = cursor;
  q.limit = limit;
  LOYALTY_ASSIGN_OR_RETURN(std::vector<Entry> entries,
                           env.readers.Read([&](Session& s) -> Result<std::vector<Entry>> {
                             LOYALTY_RETURN_IF_ERROR(RequireCustomer(s, q.customer_id));
                             return s.ListEntries(q);
                           }));
  std::vector<std::string> items;
  items.reserve(entries.size());
  for (const Entry& e : entries) items.push_back(RenderEntry(e));
  const bool full = static_cast<int>(entries.size()) >= limit;
  return ApiResponse::Json(
      200, JsonWriter()
               .Raw("entries", JsonArray(items))
               .Raw("next_cursor", JsonCursorOrNull(full ? entries.back().entry_id : 0))
               .Finish());
}

Result<ApiResponse> HandleCustomerEvents(ServiceEnv& env, const ApiRequest& req) {
  LOYALTY_ASSIGN_OR_RETURN(int limit, PageLimit(req));
  LOYALTY_ASSIGN_OR_RETURN(int64_t after, CursorParam(req, "after"));
  EventQuery q;
  q.customer_id = req.Param("customer_id");
  q.after_event_id = after;
  q.limit = limit;
  LOYALTY_ASSIGN_OR_RETURN(std::vector<Event> events,
                           env.readers.Read([&](Session& s) -> Result<std::vector<Event>> {
                             LOYALTY_RETURN_IF_ERROR(RequireCustomer(s, q.customer_id));
                             return s.ListEvents(q);
                           }));
  return ApiResponse::Json(200, RenderEventPage(events, after, limit));
}

Result<ApiResponse> HandleCreateAdjustment(ServiceEnv& env, const ApiRequest& req) {
  LOYALTY_ASSIGN_OR_RETURN(AdjustRequest r, ParseAdjustRequest(req));
  if (req.key.role == "cs_agent" && std::llabs(r.points) > kCsAgentAdjustmentLimitPoints) {
    return Status(Code::kForbidden, "adjustments over 10,000 points need cs_supervisor", "points");
  }
  const Ctx ctx = env.MakeCtx(req.key);
  const NaturalKey natural{"adjust:" + r.adjustment_id, "adjustment_id"};
  return RunIdempotent(env, req, natural, [&](Session& s) -> Result<ApiResponse> {
    LOYALTY_ASSIGN_OR_RETURN(AdjustWrite w, AdjustPoints(s, r, ctx));
    ApiResponse out = ApiResponse::Json(201, JsonWriter()
                                                 .Raw("adjustment", RenderAdjustment(w.adjustment))
                                                 .Raw("customer", RenderCustomer(w.customer))
                                                 .Finish());
    if (w.replayed) out.headers.emplace_back("Idempotent-Replayed", "true");
    return out;
  });
}

// --- GET /v1/customers: customers by tier, keyset pages ---

namespace {

constexpr char kBase64Url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// The cursor is the page's last customer_id in unpadded base64url: opaque, and safe in a query
// string whatever the id holds.
std::string EncodeCursor(const std::string& id) {
  std::string out;
  uint32_t bits = 0;
  int count = 0;
  for (unsigned char ch : id) {
    bits = (bits << 8) | ch;
    count += 8;
    while (count >= 6) {
      count -= 6;
      out += kBase64Url[(bits >> count) & 0x3F];
    }
  }
  if (count > 0) out += kBase64Url[(bits << (6 - count)) & 0x3F];
  return out;
}

Result<std::string> DecodeCursor(const std::string& cursor) {
  const Status bad = Status::Invalid("cursor", "is not a cursor of this list");
  if (cursor.size() % 4 == 1 || cursor.size() > (kMaxIdLength * 4 + 2) / 3) return bad;
  std::string out;
  uint32_t bits = 0;
  int count = 0;
  for (char ch : cursor) {
    const char* at = std::strchr(kBase64Url, ch);
    if (ch == '\0' || at == nullptr) return bad;
    bits = (bits << 6) | static_cast<uint32_t>(at - kBase64Url);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out += static_cast<char>((bits >> count) & 0xFF);
    }
  }
  if ((bits & ((1u << count) - 1)) != 0) return bad;  // non-canonical trailing bits
  if (out.empty()) return bad;
  return out;
}

std::string RenderCustomerListItem(const CustomerPageRow& r) {
  const Customer& c = r.customer;
  return JsonWriter()
      .Str("customer_id", c.customer_id)
      .Str("tier", c.tier)
      .Raw("tier_since", JsonInstantOrNull(c.tier_since_us))
      .Int("available_points", r.available_now_points)
      .Int("pending_points", c.pending_points)
      .Raw("next_expiry", JsonInstantOrNull(r.earliest_expiry_us))
      .Finish();
}

}  // namespace

Result<ApiResponse> HandleListCustomers(ServiceEnv& env, const ApiRequest& req) {
  LOYALTY_ASSIGN_OR_RETURN(int limit, PageLimit(req));
  const Ctx ctx = env.MakeCtx(req.key);
  CustomerPageQuery q;
  if (const std::string* tier = req.Query("tier"); tier != nullptr) {
    if (ctx.program.FindTier(*tier) == nullptr) {
      std::string codes;
      for (const TierRule& t : ctx.program.tiers) codes += (codes.empty() ? "" : ", ") + t.code;
      return Status::Invalid("tier", "is not a tier of the programme in force (" + codes + ")");
    }
    q.tier = *tier;
  }
  if (const std::string* cursor = req.Query("cursor"); cursor != nullptr && !cursor->empty()) {
    LOYALTY_ASSIGN_OR_RETURN(q.after_customer_id, DecodeCursor(*cursor));
  }
  q.as_of_us = ctx.now_us;
  q.limit = limit + 1;  // one more than the page: has_more without a second query
  LOYALTY_ASSIGN_OR_RETURN(std::vector<CustomerPageRow> rows,
                           env.readers.Read([&](Session& s) { return s.ListCustomerPage(q); }));
  const bool more = static_cast<int>(rows.size()) > limit;
  if (more) rows.resize(static_cast<size_t>(limit));
  std::vector<std::string> items;
  items.reserve(rows.size());
  for (const CustomerPageRow& r : rows) items.push_back(RenderCustomerListItem(r));
  return ApiResponse::Json(
      200,
      JsonWriter()
          .Raw("customers", JsonArray(items))
          .Raw("next_cursor",
               more ? JsonWriter::Quote(EncodeCursor(rows.back().customer.customer_id)) : "null")
          .Bool("has_more", more)
          .Finish());
}

}  // namespace loyalty
