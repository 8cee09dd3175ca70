// Domain-event webhook subscriptions (docs/webhooks.md): create (the secret shown once), list,
// show with delivery figures and dead letters, disable, rotate the secret, replay from a cursor.
// Admin only (api/routes.cpp). The worker that delivers is api/event_hook_worker.h.
#include <optional>
#include <string>
#include <vector>

#include "api/event_hook_worker.h"
#include "api/handlers.h"
#include "api/idempotency.h"
#include "api/json_codec.h"
#include "api/json_render.h"
#include "core/event_hooks.h"
#include "core/json_writer.h"
#include "core/limits.h"

namespace loyalty {
namespace {

std::string RenderDeadLetter(const EventDeadLetter& d) {
  return JsonWriter()
      .Int("event_id", d.event_id)
      .Str("customer_id", d.customer_id)
      .Str("type", d.type)
      .Int("attempts", d.attempts)
      .Str("last_error", d.last_error)
      .Raw("dead_lettered_at", JsonInstantOrNull(d.created_at_us))
      .Finish();
}

// Never the secrets. dead_letters == nullptr: the member is left out (the list).
std::string RenderSubscription(const EventSubscription& s, Micros now_us,
                               const std::vector<EventDeadLetter>* dead_letters = nullptr,
                               const std::string& secret = "") {
  const EventDeliveryState& d = s.delivery;
  JsonWriter w;
  w.Int("subscription_id", s.subscription_id)
      .Str("url", s.url)
      .Raw("event_types", JsonStringArray(s.event_types))
      .Str("description", s.description)
      .Str("status", SubscriptionStatusName(s.status))
      .Raw("created_at", JsonInstantOrNull(s.created_at_us))
      .Raw("updated_at", JsonInstantOrNull(s.updated_at_us))
      .Raw("disabled_at", JsonInstantOrNull(s.disabled_at_us))
      .Raw("previous_secret_expires_at",
           JsonInstantOrNull(SignsWithPrevious(s, now_us) ? s.previous_secret_until_us : 0))
      .Raw("delivery",
           JsonWriter()
               .Int("cursor_event_id", d.cursor_event_id)
               .Int("failed_attempts", d.attempts)
               .Raw("next_attempt_at", JsonInstantOrNull(d.next_attempt_at_us))
               .Raw("last_attempt_at", JsonInstantOrNull(d.last_attempt_at_us))
               .Raw("last_error", d.last_error.empty() ? "null" : JsonWriter::Quote(d.last_error))
               .Int("delivered", d.delivered_count)
               .Int("dead_lettered", d.dead_letter_count)
               .Finish());
  if (dead_letters != nullptr) {
    std::vector<std::string> items;
    for (const EventDeadLetter& dl : *dead_letters) items.push_back(RenderDeadLetter(dl));
    w.Raw("dead_letters", JsonArray(items));
  }
  if (!secret.empty()) w.Str("secret", secret);
  return w.Finish();
}

Result<int64_t> SubscriptionId(const ApiRequest& req) {
  return ParseQueryInteger("subscription_id", req.Param("subscription_id"), 1, kMaxJsonSafeInteger);
}

Status NotFound(int64_t id) {
  return Status(Code::kNotFound, "no webhook subscription " + std::to_string(id),
                "subscription_id");
}

Result<EventSubscription> FindOrNotFound(Session& s, int64_t id) {
  LOYALTY_ASSIGN_OR_RETURN(std::optional<EventSubscription> found, s.FindEventSubscription(id));
  if (!found) return NotFound(id);
  return std::move(*found);
}

Result<std::vector<std::string>> ParseEventTypes(const Poco::JSON::Object& b) {
  if (!b.has("event_types")) return Status::Invalid("event_types", "is required");
  Poco::JSON::Array::Ptr arr = b.getArray("event_types");
  if (arr.isNull()) return Status::Invalid("event_types", "must be an array of event types");
  std::vector<std::string> types;
  for (size_t i = 0; i < arr->size() && i <= EventTypes().size(); ++i) {
    LOYALTY_ASSIGN_OR_RETURN(std::string t,
                             ItemString("event_types[" + std::to_string(i) + "]",
                                        arr->get(static_cast<unsigned>(i)), kMaxCodeChars * 2));
    types.push_back(std::move(t));
  }
  LOYALTY_RETURN_IF_ERROR(ValidateEventTypes(types));
  return types;
}

void WakeWorker(ServiceEnv& env) {
  if (env.event_hooks != nullptr) env.event_hooks->Wake();
}

}  // namespace

Result<ApiResponse> HandleCreateEventSubscription(ServiceEnv& env, const ApiRequest& req) {
  const Poco::JSON::Object& b = *req.body;
  LOYALTY_RETURN_IF_ERROR(CheckKnownFields(b, {"url", "event_types", "description"}));
  LOYALTY_ASSIGN_OR_RETURN(std::optional<std::string> url,
                           OptString(b, "url", kMaxWebhookUrlLength));
  LOYALTY_RETURN_IF_ERROR(ValidateSubscriptionUrl(url.value_or("")));
  LOYALTY_ASSIGN_OR_RETURN(std::vector<std::string> types, ParseEventTypes(b));
  LOYALTY_ASSIGN_OR_RETURN(std::optional<std::string> description,
                           OptString(b, "description", kMaxSubscriptionDescriptionChars));
  // Drawn before the command, which may run more than once.
  LOYALTY_ASSIGN_OR_RETURN(std::string secret, NewEventHookSecret());
  const Micros now_us = env.clock.NowMicros();
  LOYALTY_ASSIGN_OR_RETURN(
      ApiResponse out,
      RunIdempotent(env, req, NaturalKey{}, [&](Session& s) -> Result<ApiResponse> {
        LOYALTY_ASSIGN_OR_RETURN(int64_t active, s.CountActiveEventSubscriptions());
        if (active >= kMaxEventSubscriptions) {
          return Status(Code::kInvalidState, "at most " + std::to_string(kMaxEventSubscriptions) +
                                                 " active webhook subscriptions; delete one first");
        }
        EventSubscription sub;
        sub.url = *url;
        sub.event_types = types;
        sub.description = description.value_or("");
        sub.secret = secret;
        sub.created_at_us = now_us;
        sub.updated_at_us = now_us;
        // A new subscription gets the events from now on; a replay reaches back.
        LOYALTY_ASSIGN_OR_RETURN(sub.delivery.cursor_event_id, s.LastEventId());
        sub.delivery.next_attempt_at_us = now_us;
        LOYALTY_ASSIGN_OR_RETURN(sub.subscription_id, s.InsertEventSubscription(sub));
        return ApiResponse::Json(201, RenderSubscription(sub, now_us, nullptr, secret));
      }));
  WakeWorker(env);
  return out;
}

Result<ApiResponse> HandleListEventSubscriptions(ServiceEnv& env, const ApiRequest& req) {
  LOYALTY_ASSIGN_OR_RETURN(int limit, PageLimit(req));
  LOYALTY_ASSIGN_OR_RETURN(int64_t after, CursorParam(req, "after"));
  LOYALTY_ASSIGN_OR_RETURN(std::vector<EventSubscription> subs, env.readers.Read([&](Session& s) {
    return s.ListEventSubscriptions(after, limit);
  }));
  const Micros now_us = env.clock.NowMicros();
  std::vector<std::string> items;
  for (const EventSubscription& s : subs) items.push_back(RenderSubscription(s, now_us));
  const int64_t next = subs.empty() ? after : subs.back().subscription_id;
  return ApiResponse::Json(200, JsonWriter()
                                    .Raw("subscriptions", JsonArray(items))
                                    .Str("next_cursor", std::to_string(next))
                                    .Bool("has_more", static_cast<int>(subs.size()) >= limit)
                                    .Finish());
}

Result<ApiResponse> HandleGetEventSubscription(ServiceEnv& env, const ApiRequest& req) {
  LOYALTY_ASSIGN_OR_RETURN(int64_t id, SubscriptionId(req));
  EventSubscription sub;
  std::vector<EventDeadLetter> dead;
  LOYALTY_RETURN_IF_ERROR(env.readers.Read([&](Session& s) -> Status {
    LOYALTY_ASSIGN_OR_RETURN(sub, FindOrNotFound(s, id));
    LOYALTY_ASSIGN_OR_RETURN(dead, s.ListEventDeadLetters(id, kEventHookDeadLettersShown));
    return Status::Ok();
  }));
  return ApiResponse::Json(200, RenderSubscription(sub, env.clock.NowMicros(), &dead));
}

Result<ApiResponse> HandleDeleteEventSubscription(ServiceEnv& env, const ApiRequest& req) {
  LOYALTY_ASSIGN_OR_RETURN(int64_t id, SubscriptionId(req));
  const Micros now_us = env.clock.NowMicros();
  EventSubscription sub;
  LOYALTY_RETURN_IF_ERROR(env.executor.Submit([&](Session& s) -> Status {
    LOYALTY_ASSIGN_OR_RETURN(sub, FindOrNotFound(s, id));
    if (sub.status == SubscriptionStatus::kDisabled) return Status::Ok();  // again: the same
    sub.status = SubscriptionStatus::kDisabled;
    sub.disabled_at_us = now_us;
    sub.updated_at_us = now_us;
    return s.UpdateEventSubscriptionSettings(sub);
  }));
  return ApiResponse::Json(200, RenderSubscription(sub, now_us));
}

Result<ApiResponse> HandleRotateEventSubscriptionSecret(ServiceEnv& env, const ApiRequest& req) {
  LOYALTY_ASSIGN_OR_RETURN(int64_t id, SubscriptionId(req));
  LOYALTY_RETURN_IF_ERROR(CheckKnownFields(*req.body, {}));
  LOYALTY_ASSIGN_OR_RETURN(std::string secret, NewEventHookSecret());
  const Micros now_us = env.clock.NowMicros();
  return RunIdempotent(env, req, NaturalKey{}, [&](Session& s) -> Result<ApiResponse> {
    LOYALTY_ASSIGN_OR_RETURN(EventSubscription sub, FindOrNotFound(s, id));
    if (sub.status != SubscriptionStatus::kActive) {
      return Status(Code::kInvalidState,
                    "webhook subscription " + std::to_string(id) + " is disabled",
                    "subscription_id");
    }
    sub.previous_secret = sub.secret;
    sub.previous_secret_until_us = now_us + kEventHookSecretGraceUs;
    sub.secret = secret;
    sub.updated_at_us = now_us;
    LOYALTY_RETURN_IF_ERROR(s.UpdateEventSubscriptionSettings(sub));
    return ApiResponse::Json(200, RenderSubscription(sub, now_us, nullptr, secret));
  });
}

Result<ApiResponse> HandleReplayEventSubscription(ServiceEnv& env, const ApiRequest& req) {
  LOYALTY_ASSIGN_OR_RETURN(int64_t id, SubscriptionId(req));
  const Poco::JSON::Object& b = *req.body;
  LOYALTY_RETURN_IF_ERROR(CheckKnownFields(b, {"after_event_id"}));
  LOYALTY_ASSIGN_OR_RETURN(int64_t after, RequireInteger(b, "after_event_id"));
  LOYALTY_RETURN_IF_ERROR(CheckRange("after_event_id", after, 0, kMaxJsonSafeInteger));
  const Micros now_us = env.clock.NowMicros();
  LOYALTY_ASSIGN_OR_RETURN(
      ApiResponse out,
      RunIdempotent(env, req, NaturalKey{}, [&](Session& s) -> Result<ApiResponse> {
        LOYALTY_ASSIGN_OR_RETURN(EventSubscription sub, FindOrNotFound(s, id));
        if (sub.status != SubscriptionStatus::kActive) {
          return Status(Code::kInvalidState,
                        "webhook subscription " + std::to_string(id) + " is disabled",
                        "subscription_id");
        }
        LOYALTY_ASSIGN_OR_RETURN(int64_t last, s.LastEventId());
        if (after > last) {
          return Status::Invalid("after_event_id",
                                 "is beyond the last event (" + std::to_string(last) + ")");
        }
        LOYALTY_ASSIGN_OR_RETURN(bool replayed, s.ReplayEventSubscription(id, after, now_us));
        if (!replayed) return NotFound(id);
        LOYALTY_ASSIGN_OR_RETURN(sub, FindOrNotFound(s, id));
        return ApiResponse::Json(200, RenderSubscription(sub, now_us));
      }));
  WakeWorker(env);
  return out;
}

}  // namespace loyalty
