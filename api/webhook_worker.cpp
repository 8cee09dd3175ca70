#include "api/webhook_worker.h"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Timespan.h>
#include <Poco/URI.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <istream>
#include <mutex>
#include <ostream>
#include <utility>
#include <vector>

#include "api/crypto.h"
#include "api/json_render.h"
#include "api/metrics.h"
#include "api/service.h"
#include "api/tls_client.h"
#include "core/business_time.h"
#include "core/limits.h"
#include "core/messaging.h"

namespace loyalty {
namespace {

constexpr size_t kMaxErrorChars = 300;           // last_error kept on the message
constexpr size_t kMaxResponseDrain = 64 * 1024;  // response bytes read to keep the connection
constexpr Micros kMaxBackoffUs = kHourUs;
constexpr Micros kLeaseMarginUs = int64_t{30} * 1'000'000;

Status CheckRange(const char* field, int v, int lo, int hi) {
  if (v < lo || v > hi) {
    return Status::Invalid(field, "must be " + std::to_string(lo) + " to " + std::to_string(hi));
  }
  return Status::Ok();
}

std::string Truncate(std::string s) {
  if (s.size() > kMaxErrorChars) {
    s.resize(kMaxErrorChars);
    // Do not leave half a UTF-8 sequence at the end.
    while (!s.empty() && (static_cast<unsigned char>(s.back()) & 0xC0) == 0x80) s.pop_back();
    if (!s.empty() && (static_cast<unsigned char>(s.back()) & 0x80) != 0) s.pop_back();
  }
  return s;
}

std::string Trim(const std::string& s) {
  const size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  const size_t e = s.find_last_not_of(" \t");
  return s.substr(b, e - b + 1);
}

}  // namespace

struct WebhookWorker::Tls {
  Poco::Net::Context::Ptr context;
};

Status ValidateWebhookOptions(const WebhookOptions& o) {
  if (o.url.empty()) return Status::Invalid("webhook_url", "is required");
  Poco::URI uri;
  try {
    uri = Poco::URI(o.url);
  } catch (const Poco::Exception& e) {
    return Status::Invalid("webhook_url", "is not a URL: " + e.displayText());
  }
  const bool https = uri.getScheme() == "https";
  if (uri.getScheme() != "http" && !https) {
    return Status::Invalid("webhook_url", "must be an http:// or https:// URL");
  }
  if (uri.getHost().empty()) return Status::Invalid("webhook_url", "has no host");
  if (!uri.getUserInfo().empty()) {
    return Status::Invalid("webhook_url",
                           "must not carry credentials (the signature is the "
                           "authentication)");
  }
  if (o.secret.size() < kMinWebhookSecretLength) {
    return Status::Invalid(
        "webhook_secret", "must be at least " + std::to_string(kMinWebhookSecretLength) + " bytes");
  }
  if (!o.previous_secret.empty()) {
    if (o.previous_secret.size() < kMinWebhookSecretLength) {
      return Status::Invalid(
          "webhook_previous_secret",
          "must be at least " + std::to_string(kMinWebhookSecretLength) + " bytes");
    }
    if (o.previous_secret == o.secret) {
      // Most likely the new secret file was not written: rotating to the same key rotates nothing.
      return Status::Invalid("webhook_previous_secret", "is the same as the secret");
    }
  }
  if (!o.ca_file.empty()) {
    if (!https) return Status::Invalid("webhook_ca_file", "applies only to an https:// URL");
    if (!std::ifstream(o.ca_file)) {
      return Status::Invalid("webhook_ca_file", "cannot read " + o.ca_file);
    }
  }
  LOYALTY_RETURN_IF_ERROR(CheckRange("webhook_max_attempts", o.max_attempts, 1, 100));
  LOYALTY_RETURN_IF_ERROR(CheckRange("webhook_backoff_seconds", o.backoff_seconds, 1, 86400));
  LOYALTY_RETURN_IF_ERROR(CheckRange("webhook_timeout_ms", o.timeout_ms, 100, 60000));
  LOYALTY_RETURN_IF_ERROR(CheckRange("webhook_poll_interval_ms", o.poll_interval_ms, 10, 60000));
  LOYALTY_RETURN_IF_ERROR(CheckRange("webhook_batch", o.batch, 1, 500));
  return Status::Ok();
}

std::string WebhookSignature(const std::string& secret, const std::string& timestamp,
                             const std::string& body) {
  return "v1=" + HmacSha256Hex(secret, timestamp + "." + body);
}

std::string WebhookSignatureHeader(const std::string& secret, const std::string& previous_secret,
                                   const std::string& timestamp, const std::string& body) {
  std::string header = WebhookSignature(secret, timestamp, body);
  if (!previous_secret.empty()) header += ", " + WebhookSignature(previous_secret, timestamp, body);
  return header;
}

bool VerifyWebhookSignature(const std::string& secret, const std::string& timestamp,
                            const std::string& body, const std::string& header) {
  const std::string expected = WebhookSignature(secret, timestamp, body);
  bool match = false;
  size_t start = 0;
  while (start <= header.size()) {
    size_t end = header.find(',', start);
    if (end == std::string::npos) end = header.size();
    // No early exit: every listed signature is compared.
    if (ConstantTimeEquals(Trim(header.substr(start, end - start)), expected)) match = true;
    start = end + 1;
  }
  return match;
}

WebhookWorker::WebhookWorker(ServiceEnv& env, WebhookOptions opts)
    : env_(env), opts_(std::move(opts)) {}

WebhookWorker::~WebhookWorker() { Stop(); }

Status WebhookWorker::Start() {
  LOYALTY_RETURN_IF_ERROR(ValidateWebhookOptions(opts_));
  const Poco::URI uri(opts_.url);
  host_ = uri.getHost();
  port_ = uri.getPort();
  path_ = uri.getPathAndQuery();
  if (path_.empty()) path_ = "/";
  tls_.reset();
  if (uri.getScheme() == "https") {
    LOYALTY_ASSIGN_OR_RETURN(Poco::Net::Context::Ptr context, MakeTlsClientContext(opts_.ca_file));
    tls_ = std::make_unique<Tls>(Tls{std::move(context)});
  }
  loop_.Start(opts_.poll_interval_ms, [this] { return RunOnce(); });  // the outbox at once
  spdlog::info(
      "webhook delivery to {} (max {} attempts, backoff from {} s{})", opts_.url,
      opts_.max_attempts, opts_.backoff_seconds,
      tls_ ? opts_.ca_file.empty() ? "; TLS, system CAs" : "; TLS, system CAs and " + opts_.ca_file
           : "");
  if (!opts_.previous_secret.empty()) {
    spdlog::warn(
        "webhook: signing with the previous secret too (rotation); drop it once every "
        "receiver verifies with the new one");
  }
  return Status::Ok();
}

void WebhookWorker::Stop() {
  loop_.Stop();
  session_.reset();
}

void WebhookWorker::Wake() { loop_.Wake(); }

bool WebhookWorker::RunOnce() {
  ClaimOptions claim;
  claim.limit = opts_.batch;
  // Long enough to post the whole batch at the worst timeout, plus a margin.
  claim.lease_us =
      std::min(static_cast<Micros>(opts_.batch) * (opts_.timeout_ms + 1000) * 1000 + kLeaseMarginUs,
               kMaxLeaseUs);
  claim.owner = "webhook";
  const Ctx ctx{env_.program, env_.clock.NowMicros(), Actor{"webhook", "system"}, env_.random};
  std::vector<Message> claimed;
  Status st = env_.executor.Submit([&](Session& s) -> Status {
    LOYALTY_ASSIGN_OR_RETURN(claimed, ClaimMessages(s, claim, ctx));
    return Status::Ok();
  });
  if (!st.ok()) {
    spdlog::warn("webhook: cannot claim messages: {}", st.ToString());
    return false;
  }
  for (const Message& m : claimed) {
    {
      if (loop_.stopping()) return false;  // the rest wait out their lease
    }
    Record(m, Post(m));
  }
  return static_cast<int>(claimed.size()) >= opts_.batch;
}

WebhookWorker::Outcome WebhookWorker::Post(const Message& m) {
  const std::string body = RenderMessage(m);
  const std::string timestamp = std::to_string(env_.clock.NowMicros() / 1'000'000);
  Outcome out;
  try {
    if (!session_) {
      if (tls_) {
        session_ = std::make_unique<Poco::Net::HTTPSClientSession>(host_, port_, tls_->context);
      } else {
        session_ = std::make_unique<Poco::Net::HTTPClientSession>(host_, port_);
      }
      session_->setTimeout(
          Poco::Timespan(static_cast<Poco::Timespan::TimeDiff>(opts_.timeout_ms) * 1000));
      session_->setKeepAlive(true);
      // An idle connection the receiver may have closed is not reused.
      session_->setKeepAliveTimeout(Poco::Timespan(2, 0));
    }
    Poco::Net::HTTPRequest req(Poco::Net::HTTPRequest::HTTP_POST, path_,
                               Poco::Net::HTTPMessage::HTTP_1_1);
    req.setContentType("application/json");
    req.setContentLength(static_cast<std::streamsize>(body.size()));
    req.setKeepAlive(true);
    req.set("User-Agent", "loyalty-webhook/1");
    req.set("X-Loyalty-Timestamp", timestamp);
    req.set("X-Loyalty-Signature",
            WebhookSignatureHeader(opts_.secret, opts_.previous_secret, timestamp, body));
    req.set("X-Loyalty-Message-Id", std::to_string(m.message_id));
    std::ostream& os = session_->sendRequest(req);
    os.write(body.data(), static_cast<std::streamsize>(body.size()));
    Poco::Net::HTTPResponse resp;
    std::istream& is = session_->receiveResponse(resp);
    char buffer[4096];
    size_t total = 0;
    while (is && total <= kMaxResponseDrain) {
      is.read(buffer, sizeof buffer);
      const std::streamsize n = is.gcount();
      if (n <= 0) break;
      total += static_cast<size_t>(n);
    }
    if (total > kMaxResponseDrain || is.bad()) session_.reset();  // not in step any more
    const int status = static_cast<int>(resp.getStatus());
    if (status >= 200 && status < 300) {
      out.delivered = true;
    } else {
      out.error = "HTTP " + std::to_string(status);
    }
  } catch (const Poco::TimeoutException& e) {
    session_.reset();
    out.error = Truncate("timeout: " + e.displayText());
  } catch (const Poco::Net::SSLException& e) {  // handshake, certificate or host name
    session_.reset();
    out.error = Truncate("tls: " + e.displayText());
  } catch (const Poco::Exception& e) {
    session_.reset();
    out.error = Truncate("connection: " + e.displayText());
  } catch (const std::exception& e) {
    session_.reset();
    out.error = Truncate(std::string("connection: ") + e.what());
  }
  return out;
}

void WebhookWorker::Record(const Message& m, const Outcome& outcome) {
  const Ctx ctx{env_.program, env_.clock.NowMicros(), Actor{"webhook", "system"}, env_.random};
  if (outcome.delivered) {
    std::vector<AckResult> results;
    Status st = env_.executor.Submit([&](Session& s) -> Status {
      LOYALTY_ASSIGN_OR_RETURN(results, AckMessages(s, {m.message_id}, ctx));
      return Status::Ok();
    });
    if (!st.ok()) {  // the lease runs out and the message is sent again (at least once)
      spdlog::warn("webhook: message {} accepted but not marked delivered: {}", m.message_id,
                   st.ToString());
      return;
    }
    env_.metrics.CountWebhookDelivered();
    for (const AckResult& r : results) {
      if (!r.status.ok()) {
        spdlog::warn("webhook: message {} accepted; ack says {}", r.message_id,
                     r.status.ToString());
      }
    }
    return;
  }
  env_.metrics.CountWebhookFailed();
  RetryPolicy policy;
  policy.max_attempts = opts_.max_attempts;
  policy.base_backoff_us = static_cast<Micros>(opts_.backoff_seconds) * 1'000'000;
  policy.max_backoff_us = std::max(kMaxBackoffUs, policy.base_backoff_us);
  Message updated;
  Status st = env_.executor.Submit([&](Session& s) -> Status {
    LOYALTY_ASSIGN_OR_RETURN(updated,
                             RecordDeliveryFailure(s, m.message_id, outcome.error, policy, ctx));
    return Status::Ok();
  });
  if (!st.ok()) {
    spdlog::warn("webhook: message {} failed ({}) and could not be recorded: {}", m.message_id,
                 outcome.error, st.ToString());
    return;
  }
  if (updated.status == MessageStatus::kDeadLetter) {
    env_.metrics.CountWebhookDeadLettered();
    spdlog::warn("webhook: message {} dead-lettered after {} attempts (last: {})", m.message_id,
                 updated.attempts, outcome.error);
  } else {
    spdlog::info("webhook: message {} attempt {} failed ({}); next not before {}", m.message_id,
                 updated.attempts, outcome.error, FormatInstant(updated.not_before_us));
  }
}

}  // namespace loyalty
