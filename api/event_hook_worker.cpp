#include "api/event_hook_worker.h"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Timespan.h>
#include <Poco/URI.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <istream>
#include <optional>
#include <ostream>
#include <utility>
#include <vector>

#include "api/crypto.h"
#include "api/json_render.h"
#include "api/service.h"
#include "api/tls_client.h"
#include "core/event_hooks.h"
#include "core/limits.h"

namespace loyalty {
namespace {

constexpr size_t kMaxResponseDrain = 64 * 1024;  // response bytes read to keep the connection
constexpr Micros kLeaseMarginUs = 30 * kSecondUs;
constexpr const char kSecretPrefix[] = "whsec_";

Status CheckRange(const char* field, int v, int lo, int hi) {
  if (v < lo || v > hi) {
    return Status::Invalid(field, "must be " + std::to_string(lo) + " to " + std::to_string(hi));
  }
  return Status::Ok();
}

std::string NodeName() {
  char host[256] = {0};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  Result<std::string> random = SecureRandomBytes(6);
  return std::string(host) + ":" + std::to_string(getpid()) + ":" +
         (random.ok() ? HexLower(*random) : "0");
}

}  // namespace

struct EventHookWorker::Conn {
  std::string url;
  std::string path;
  std::unique_ptr<Poco::Net::HTTPClientSession> session;
};

Status ValidateEventHookOptions(const EventHookOptions& o) {
  LOYALTY_RETURN_IF_ERROR(CheckRange("event_hook_max_attempts", o.max_attempts, 1, 100));
  LOYALTY_RETURN_IF_ERROR(CheckRange("event_hook_backoff_seconds", o.backoff_seconds, 1, 86400));
  LOYALTY_RETURN_IF_ERROR(CheckRange("event_hook_timeout_ms", o.timeout_ms, 100, 60000));
  LOYALTY_RETURN_IF_ERROR(CheckRange("event_hook_poll_interval_ms", o.poll_interval_ms, 10, 60000));
  LOYALTY_RETURN_IF_ERROR(CheckRange("event_hook_batch", o.batch, 1, kMaxPageSize));
  return Status::Ok();
}

Status ValidateSubscriptionUrl(const std::string& url) {
  if (url.empty()) return Status::Invalid("url", "is required");
  if (url.size() > kMaxWebhookUrlLength) {
    return Status::Invalid(
        "url", "must be at most " + std::to_string(kMaxWebhookUrlLength) + " characters");
  }
  Poco::URI uri;
  try {
    uri = Poco::URI(url);
  } catch (const Poco::Exception& e) {
    return Status::Invalid("url", "is not a URL: " + e.displayText());
  }
  if (uri.getScheme() != "http" && uri.getScheme() != "https") {
    return Status::Invalid("url", "must be an http:// or https:// URL");
  }
  if (uri.getHost().empty()) return Status::Invalid("url", "has no host");
  if (!uri.getUserInfo().empty()) {
    return Status::Invalid("url",
                           "must not carry credentials (the signature is the "
                           "authentication)");
  }
  if (!uri.getFragment().empty()) return Status::Invalid("url", "must not have a fragment");
  return Status::Ok();
}

Result<std::string> NewEventHookSecret() {
  LOYALTY_ASSIGN_OR_RETURN(std::string bytes, SecureRandomBytes(kEventHookSecretBytes));
  return kSecretPrefix + Base64Encode(bytes);
}

std::string StandardWebhookSignature(const std::string& secret, const std::string& id,
                                     const std::string& timestamp, const std::string& body) {
  const std::string prefix = kSecretPrefix;
  if (secret.rfind(prefix, 0) != 0) return "";
  std::optional<std::string> key = Base64Decode(secret.substr(prefix.size()));
  if (!key || key->empty()) return "";
  return "v1," + Base64Encode(HmacSha256Bytes(*key, id + "." + timestamp + "." + body));
}

std::string StandardWebhookSignatureHeader(const EventSubscription& s, Micros now_us,
                                           const std::string& id, const std::string& timestamp,
                                           const std::string& body) {
  std::string header = StandardWebhookSignature(s.secret, id, timestamp, body);
  if (SignsWithPrevious(s, now_us)) {
    header += " " + StandardWebhookSignature(s.previous_secret, id, timestamp, body);
  }
  return header;
}

EventHookWorker::EventHookWorker(ServiceEnv& env, EventHookOptions opts)
    : env_(env), opts_(std::move(opts)) {}

EventHookWorker::~EventHookWorker() { Stop(); }

Status EventHookWorker::Start() {
  LOYALTY_RETURN_IF_ERROR(ValidateEventHookOptions(opts_));
  owner_ = NodeName();
  loop_.Start(opts_.poll_interval_ms, [this] { return RunRound(); });
  return Status::Ok();
}

void EventHookWorker::Stop() {
  loop_.Stop();
  conns_.clear();
}

void EventHookWorker::Wake() { loop_.Wake(); }

bool EventHookWorker::RunRound() {
  const Micros now_us = env_.clock.NowMicros();
  std::vector<int64_t> due;
  int64_t last_event_id = 0;
  Status read = env_.readers.Read([&](Session& s) -> Status {
    LOYALTY_ASSIGN_OR_RETURN(due, s.ListDueEventSubscriptions(now_us, kMaxEventSubscriptions));
    LOYALTY_ASSIGN_OR_RETURN(last_event_id, s.LastEventId());
    return Status::Ok();
  });
  if (!read.ok()) {
    spdlog::warn("event webhooks: cannot read the subscriptions: {}", read.ToString());
    return false;
  }
  bool more = false;
  for (int64_t id : due) {
    if (loop_.stopping()) return false;
    if (Serve(id, last_event_id)) more = true;
  }
  return more;
}

bool EventHookWorker::Serve(int64_t id, int64_t last_event_id) {
  // Cheap first: nothing new after the cursor means no lease and no write.
  Result<std::optional<EventSubscription>> peek =
      env_.readers.Read([&](Session& s) { return s.FindEventSubscription(id); });
  if (!peek.ok() || !peek->has_value() || (*peek)->delivery.cursor_event_id >= last_event_id) {
    return false;
  }
  // Long enough to post a whole batch at the worst timeout, plus a margin.
  const Micros lease_us =
      std::min(static_cast<Micros>(opts_.batch) * (opts_.timeout_ms + 1000) * 1000 + kLeaseMarginUs,
               kMaxLeaseUs);
  const Micros now_us = env_.clock.NowMicros();
  std::optional<EventSubscription> sub;
  Status st = env_.executor.Submit([&](Session& s) -> Status {
    sub.reset();
    LOYALTY_ASSIGN_OR_RETURN(bool leased,
                             s.LeaseEventSubscription(id, owner_, now_us, now_us + lease_us));
    if (!leased) return Status::Ok();
    LOYALTY_ASSIGN_OR_RETURN(sub, s.FindEventSubscription(id));
    return Status::Ok();
  });
  if (!st.ok()) {
    spdlog::warn("event webhooks: cannot lease subscription {}: {}", id, st.ToString());
    return false;
  }
  if (!sub || sub->delivery.next_attempt_at_us > now_us) {  // another node has it, or backoff
    if (sub) Release(id);
    return false;
  }
  EventQuery q;
  q.after_event_id = sub->delivery.cursor_event_id;
  q.limit = opts_.batch;
  Result<std::vector<Event>> events =
      env_.readers.Read([&](Session& s) { return s.ListEvents(q); });
  if (!events.ok()) {
    spdlog::warn("event webhooks: cannot read events: {}", events.status().ToString());
    Release(id);
    return false;
  }
  RetryPolicy policy;
  policy.max_attempts = opts_.max_attempts;
  policy.base_backoff_us = static_cast<Micros>(opts_.backoff_seconds) * kSecondUs;
  policy.max_backoff_us = std::max(kHourUs, policy.base_backoff_us);
  EventDeliveryState state = sub->delivery;
  bool skipped = false;  // passed events not saved yet
  bool held = false;     // stopped at a failing event
  for (const Event& e : *events) {
    if (loop_.stopping()) break;
    if (!Subscribes(*sub, e.type)) {
      state = AfterSkip(state, e.event_id);
      skipped = true;
      continue;
    }
    const std::string error = Post(*sub, e);
    const DeliveryStep step =
        AfterAttempt(state, e.event_id, error, policy, env_.clock.NowMicros());
    if (!Save(*sub, step.state, step.dead_lettered ? &e : nullptr)) {
      Release(id);  // a replay came first (a no-op when another node holds the lease now)
      return false;
    }
    state = step.state;
    ++state.version;
    skipped = false;
    if (step.dead_lettered) {
      spdlog::warn("event webhooks: subscription {} dead-lettered event {} after {} attempts ({})",
                   id, e.event_id, opts_.max_attempts, error);
    } else if (!error.empty()) {
      spdlog::info("event webhooks: subscription {} event {} attempt {} failed ({})", id,
                   e.event_id, state.attempts, error);
      held = true;
      break;
    }
  }
  if (skipped) Save(*sub, state, nullptr);  // refused: a replay came first
  Release(id);
  return !held && static_cast<int>(events->size()) >= opts_.batch;
}

bool EventHookWorker::Save(const EventSubscription& s, const EventDeliveryState& state,
                           const Event* dead) {
  const Micros now_us = env_.clock.NowMicros();
  Status st = env_.executor.Submit([&](Session& session) -> Status {
    LOYALTY_ASSIGN_OR_RETURN(bool saved,
                             session.SaveEventDelivery(s.subscription_id, owner_, state, now_us));
    if (!saved) return Status(Code::kInvalidState, "lease lost or replayed");
    if (dead != nullptr) {
      EventDeadLetter d;
      d.subscription_id = s.subscription_id;
      d.event_id = dead->event_id;
      d.customer_id = dead->customer_id;
      d.type = dead->type;
      d.attempts = opts_.max_attempts;
      d.last_error = state.last_error;
      d.created_at_us = now_us;
      LOYALTY_RETURN_IF_ERROR(session.InsertEventDeadLetter(d).status());
    }
    return Status::Ok();
  });
  if (!st.ok() && st.code() != Code::kInvalidState) {
    spdlog::warn("event webhooks: subscription {}: cannot save the delivery state: {}",
                 s.subscription_id, st.ToString());
  }
  return st.ok();
}

void EventHookWorker::Release(int64_t id) {
  Status st = env_.executor.Submit(
      [&](Session& s) -> Status { return s.ReleaseEventSubscription(id, owner_); });
  if (!st.ok()) spdlog::warn("event webhooks: cannot release subscription {}", id);
}

std::string EventHookWorker::Post(const EventSubscription& s, const Event& e) {
  std::unique_ptr<Conn>& conn = conns_[s.subscription_id];
  if (!conn || conn->url != s.url) conn = std::make_unique<Conn>(Conn{s.url, "", nullptr});
  const std::string body = RenderEvent(e);
  const Micros now_us = env_.clock.NowMicros();
  const std::string id = std::to_string(e.event_id);
  const std::string timestamp = std::to_string(now_us / kSecondUs);
  try {
    if (!conn->session) {
      const Poco::URI uri(s.url);
      conn->path = uri.getPathAndQuery().empty() ? "/" : uri.getPathAndQuery();
      if (uri.getScheme() == "https") {
        Result<Poco::Net::Context::Ptr> tls = MakeTlsClientContext("");
        if (!tls.ok()) return "tls: " + tls.status().message();
        conn->session =
            std::make_unique<Poco::Net::HTTPSClientSession>(uri.getHost(), uri.getPort(), *tls);
      } else {
        conn->session =
            std::make_unique<Poco::Net::HTTPClientSession>(uri.getHost(), uri.getPort());
      }
      conn->session->setTimeout(
          Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(opts_.timeout_ms) * 1000));
      conn->session->setKeepAlive(true);
      conn->session->setKeepAliveTimeout(Poco::Timespan(2, 0));
    }
    Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_POST, conn->path,
                               Poco::Net::HTTPMessage::HTTP_1_1);
    req.setContentType("application/json");
    req.setContentLength(static_cast<std::streamsize>(body.size()));
    req.setKeepAlive(true);
    req.set("User-Agent", "loyalty-webhook/1");
    req.set("webhook-id", id);
    req.set("webhook-timestamp", timestamp);
    req.set("webhook-signature", StandardWebhookSignatureHeader(s, now_us, id, timestamp, body));
    std::ostream& os = conn->session->sendRequest(req);
    os.write(body.data(), static_cast<std::streamsize>(body.size()));
    Poco::Net::HTTPResponse resp;
    std::istream& is = conn->session->receiveResponse(resp);
    char buffer[4096];
    size_t total = 0;
    while (is && total <= kMaxResponseDrain) {
      is.read(buffer, sizeof buffer);
      const std::streamsize n = is.gcount();
      if (n <= 0) break;
      total += static_cast<size_t>(n);
    }
    if (total > kMaxResponseDrain || is.bad()) conn->session.reset();
    const int status = static_cast<int>(resp.getStatus());
    if (status >= 200 && status < 300) return "";
    return "HTTP " + std::to_string(status);
  } catch (const Poco::TimeoutException& e) {
    conn->session.reset();
    return "timeout: " + e.displayText();
  } catch (const Poco::Net::SSLException& e) {
    conn->session.reset();
    return "tls: " + e.displayText();
  } catch (const Poco::Exception& e) {
    conn->session.reset();
    return "connection: " + e.displayText();
  } catch (const std::exception& e) {
    conn->session.reset();
    return std::string("connection: ") + e.what();
  }
}

}  // namespace loyalty
