// Messages (docs/messages.md): the pull API of the outbox (claim with a lease, acknowledge),
// the feed for audit and replay, the admin replay, a customer's messages, and cart events.
#include <string>
#include <vector>

#include "api/handlers.h"
#include "api/idempotency.h"
#include "api/json_codec.h"
#include "api/json_render.h"
#include "api/webhook_worker.h"
#include "core/json_writer.h"
#include "core/limits.h"
#include "core/messaging.h"

namespace loyalty {
namespace {

constexpr int64_t kMaxLeaseSeconds = kMaxLeaseUs / kSecondUs;
constexpr int64_t kDefaultLeaseSeconds = kDefaultLeaseUs / kSecondUs;
constexpr int64_t kMaxCartItems = 100'000;

constexpr MessageStatus kAllStatuses[] = {MessageStatus::kPending, MessageStatus::kDelivered,
                                          MessageStatus::kDeadLetter, MessageStatus::kSuppressed,
                                          MessageStatus::kCancelled};

Result<int64_t> OptIntegerIn(const Poco::JSON::Object& b, const std::string& name, int64_t fallback,
                             int64_t min, int64_t max) {
  LOYALTY_ASSIGN_OR_RETURN(std::optional<int64_t> v, OptInteger(b, name));
  if (!v) return fallback;
  LOYALTY_RETURN_IF_ERROR(CheckRange(name, *v, min, max));
  return *v;
}

// An array member's item as an integer, with the body's strict number rules.
Result<int64_t> ItemInteger(const std::string& field, const Poco::Dynamic::Var& item) {
  Poco::JSON::Object one;
  one.set(field, item);
  return RequireInteger(one, field);
}

Result<std::vector<int64_t>> ParseMessageIds(const Poco::JSON::Object& b) {
  if (!b.has("message_ids")) return Status::Invalid("message_ids", "is required");
  Poco::JSON::Array::Ptr arr = b.getArray("message_ids");
  if (arr.isNull()) return Status::Invalid("message_ids", "must be an array of message ids");
  if (arr->size() < 1 || arr->size() > kMaxAckIds) {
    return Status::Invalid("message_ids",
                           "must list 1 to " + std::to_string(kMaxAckIds) + " message ids");
  }
  std::vector<int64_t> ids;
  ids.reserve(arr->size());
  for (size_t i = 0; i < arr->size(); ++i) {
    const std::string field = "message_ids[" + std::to_string(i) + "]";
    LOYALTY_ASSIGN_OR_RETURN(int64_t id, ItemInteger(field, arr->get(static_cast<unsigned>(i))));
    LOYALTY_RETURN_IF_ERROR(CheckRange(field, id, 1, kMaxJsonSafeInteger));
    ids.push_back(id);
  }
  return ids;
}

std::string RenderAckResult(const AckResult& r) {
  JsonWriter w;
  w.Int("message_id", r.message_id);
  if (r.status.ok()) {
    w.Str("status", MessageStatusName(MessageStatus::kDelivered));
  } else {
    w.Raw("error", JsonWriter()
                       .Str("code", CodeName(r.status.code()))
                       .Str("detail", r.status.message())
                       .Finish());
  }
  return w.Finish();
}

// The filters shared by the two message feeds: status and type.
Status ParseFilters(const ApiRequest& req, MessageQuery& q) {
  if (const std::string* status = req.Query("status")) {
    bool known = false;
    std::string names;
    for (MessageStatus s : kAllStatuses) {
      names += std::string(names.empty() ? "" : ", ") + MessageStatusName(s);
      if (*status == MessageStatusName(s)) {
        q.status = s;
        known = true;
      }
    }
    if (!known) return Status::Invalid("status", "must be one of: " + names);
  }
  if (const std::string* type = req.Query("type")) {
    if (!IsMessageType(*type)) {
      std::string names;
      for (const std::string& t : MessageTypes()) names += (names.empty() ? "" : ", ") + t;
      return Status::Invalid("type", "must be one of: " + names);
    }
    q.type = *type;
  }
  return Status::Ok();
}

Status RequireCustomer(Session& s, const std::string& customer_id) {
  LOYALTY_ASSIGN_OR_RETURN(std::optional<Customer> c, s.FindCustomer(customer_id));
  if (!c) return Status(Code::kNotFound, "customer " + customer_id + " not found", "customer_id");
  return Status::Ok();
}

}  // namespace

Result<ApiResponse> HandlePullMessages(ServiceEnv& env, const ApiRequest& req) {
  const Poco::JSON::Object& b = *req.body;
  LOYALTY_RETURN_IF_ERROR(CheckKnownFields(b, {"limit", "lease_seconds"}));
  LOYALTY_ASSIGN_OR_RETURN(int64_t limit,
                           OptIntegerIn(b, "limit", kDefaultPullLimit, 1, kMaxPullLimit));
  LOYALTY_ASSIGN_OR_RETURN(
      int64_t lease_seconds,
      OptIntegerIn(b, "lease_seconds", kDefaultLeaseSeconds, 1, kMaxLeaseSeconds));
  ClaimOptions o;
  o.limit = static_cast<int>(limit);
  o.lease_us = lease_seconds * 1'000'000;
  o.owner = req.key.name;
  const Ctx ctx = env.MakeCtx(req.key);
  // No natural key: a retry without an Idempotency-Key simply claims the next messages.
  return RunIdempotent(env, req, NaturalKey{}, [&](Session& s) -> Result<ApiResponse> {
    LOYALTY_ASSIGN_OR_RETURN(std::vector<Message> messages, ClaimMessages(s, o, ctx));
    std::vector<std::string> items;
    items.reserve(messages.size());
    for (const Message& m : messages) items.push_back(RenderMessage(m));
    return ApiResponse::Json(200, JsonWriter()
                                      .Raw("messages", JsonArray(items))
                                      .Int("count", static_cast<int64_t>(messages.size()))
                                      .Finish());
  });
}

Result<ApiResponse> HandleAckMessages(ServiceEnv& env, const ApiRequest& req) {
  const Poco::JSON::Object& b = *req.body;
  LOYALTY_RETURN_IF_ERROR(CheckKnownFields(b, {"message_ids"}));
  LOYALTY_ASSIGN_OR_RETURN(std::vector<int64_t> ids, ParseMessageIds(b));
  const Ctx ctx = env.MakeCtx(req.key);
  return RunIdempotent(env, req, NaturalKey{}, [&](Session& s) -> Result<ApiResponse> {
    LOYALTY_ASSIGN_OR_RETURN(std::vector<AckResult> results, AckMessages(s, ids, ctx));
    std::vector<std::string> items;
    items.reserve(results.size());
    for (const AckResult& r : results) items.push_back(RenderAckResult(r));
    return ApiResponse::Json(200, JsonWriter().Raw("results", JsonArray(items)).Finish());
  });
}

Result<ApiResponse> HandleListMessages(ServiceEnv& env, const ApiRequest& req) {
  MessageQuery q;
  LOYALTY_ASSIGN_OR_RETURN(q.limit, PageLimit(req));
  LOYALTY_ASSIGN_OR_RETURN(q.after_message_id, CursorParam(req, "after"));
  if (const std::string* customer_id = req.Query("customer_id")) {
    LOYALTY_RETURN_IF_ERROR(ValidateId("customer_id", *customer_id));
    q.customer_id = *customer_id;
  }
  LOYALTY_RETURN_IF_ERROR(ParseFilters(req, q));
  LOYALTY_ASSIGN_OR_RETURN(std::vector<Message> messages,
                           env.readers.Read([&](Session& s) { return s.ListMessages(q); }));
  return ApiResponse::Json(200, RenderMessagePage(messages, q.after_message_id, q.limit));
}

Result<ApiResponse> HandleCustomerMessages(ServiceEnv& env, const ApiRequest& req) {
  MessageQuery q;
  q.customer_id = req.Param("customer_id");
  LOYALTY_ASSIGN_OR_RETURN(q.limit, PageLimit(req));
  LOYALTY_ASSIGN_OR_RETURN(q.after_message_id, CursorParam(req, "after"));
  LOYALTY_RETURN_IF_ERROR(ParseFilters(req, q));
  LOYALTY_ASSIGN_OR_RETURN(std::vector<Message> messages,
                           env.readers.Read([&](Session& s) -> Result<std::vector<Message>> {
                             LOYALTY_RETURN_IF_ERROR(RequireCustomer(s, q.customer_id));
                             return s.ListMessages(q);
                           }));
  return ApiResponse::Json(200, RenderMessagePage(messages, q.after_message_id, q.limit));
}

Result<ApiResponse> HandleReplayMessages(ServiceEnv& env, const ApiRequest& req) {
  const Poco::JSON::Object& b = *req.body;
  LOYALTY_RETURN_IF_ERROR(CheckKnownFields(b, {"after_message_id", "up_to_message_id"}));
  LOYALTY_ASSIGN_OR_RETURN(int64_t after, RequireInteger(b, "after_message_id"));
  LOYALTY_RETURN_IF_ERROR(CheckRange("after_message_id", after, 0, kMaxJsonSafeInteger));
  LOYALTY_ASSIGN_OR_RETURN(std::optional<int64_t> up_to, OptInteger(b, "up_to_message_id"));
  if (up_to) {
    LOYALTY_RETURN_IF_ERROR(CheckRange("up_to_message_id", *up_to, 1, kMaxJsonSafeInteger));
    if (*up_to <= after) {
      return Status::Invalid("up_to_message_id", "must be greater than after_message_id");
    }
  }
  const Ctx ctx = env.MakeCtx(req.key);
  LOYALTY_ASSIGN_OR_RETURN(
      ApiResponse out,
      RunIdempotent(env, req, NaturalKey{}, [&](Session& s) -> Result<ApiResponse> {
        LOYALTY_ASSIGN_OR_RETURN(int64_t requeued,
                                 ReplayMessages(s, after, up_to.value_or(0), ctx));
        return ApiResponse::Json(200, JsonWriter().Int("requeued", requeued).Finish());
      }));
  if (env.webhook != nullptr) env.webhook->Wake();
  return out;
}

Result<ApiResponse> HandleRecordCart(ServiceEnv& env, const ApiRequest& req) {
  const Poco::JSON::Object& b = *req.body;
  LOYALTY_RETURN_IF_ERROR(CheckKnownFields(b, {"customer_id", "cart_id", "amount_won", "items"}));
  CartEvent e;
  LOYALTY_ASSIGN_OR_RETURN(e.customer_id, RequireId(b, "customer_id"));
  LOYALTY_ASSIGN_OR_RETURN(e.cart_id, RequireId(b, "cart_id"));
  LOYALTY_ASSIGN_OR_RETURN(e.amount_won, RequireInteger(b, "amount_won"));
  LOYALTY_RETURN_IF_ERROR(CheckRange("amount_won", e.amount_won, 1, kMaxOrderAmountWon));
  LOYALTY_ASSIGN_OR_RETURN(int64_t items, OptIntegerIn(b, "items", 0, 0, kMaxCartItems));
  e.items = static_cast<int32_t>(items);
  const Ctx ctx = env.MakeCtx(req.key);
  // Idempotent on (customer, cart_id) by the message's dedupe key: the same cart posted again
  // answers with the reminder scheduled the first time.
  return RunIdempotent(env, req, NaturalKey{}, [&](Session& s) -> Result<ApiResponse> {
    LOYALTY_RETURN_IF_ERROR(RequireCustomer(s, e.customer_id));
    LOYALTY_ASSIGN_OR_RETURN(std::optional<MessageWrite> w, RecordCart(s, e, ctx));
    JsonWriter body;
    if (w) {
      body.Bool("scheduled", w->message.status == MessageStatus::kPending)
          .Raw("message", RenderMessage(w->message));
    } else {
      body.Bool("scheduled", false).Null("message");
    }
    ApiResponse out = ApiResponse::Json(202, body.Finish());
    if (w && w->replayed) out.headers.emplace_back("Idempotent-Replayed", "true");
    return out;
  });
}

}  // namespace loyalty
