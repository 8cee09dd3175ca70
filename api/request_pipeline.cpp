#include "api/request_pipeline.h"

#include <Poco/Exception.h>
#include <Poco/URI.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <random>

#include "api/auth.h"
#include "api/crypto.h"
#include "api/idempotency.h"
#include "api/json_codec.h"
#include "api/metrics.h"
#include "api/problem.h"
#include "api/routes.h"
#include "core/business_time.h"
#include "core/json_writer.h"

namespace loyalty {
namespace {

Result<std::map<std::string, std::string>> ParseQuery(const std::string& raw) {
  std::map<std::string, std::string> out;
  size_t start = 0;
  while (start < raw.size()) {
    size_t end = raw.find('&', start);
    if (end == std::string::npos) end = raw.size();
    const std::string part = raw.substr(start, end - start);
    start = end + 1;
    if (part.empty()) continue;
    const size_t eq = part.find('=');
    std::string name, value;
    try {
      Poco::URI::decode(part.substr(0, eq), name, true);
      if (eq != std::string::npos) Poco::URI::decode(part.substr(eq + 1), value, true);
    } catch (const Poco::Exception&) {
      return Status::Invalid("query", "is not a valid percent-encoded query string");
    }
    out[name] = value;
  }
  return out;
}

bool IsJsonMediaType(const std::string& content_type) {
  std::string type = content_type.substr(0, content_type.find(';'));
  type.erase(std::remove_if(type.begin(), type.end(),
                            [](unsigned char c) { return std::isspace(c) != 0; }),
             type.end());
  std::transform(type.begin(), type.end(), type.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return type == "application/json";
}

std::string Join(const std::vector<std::string>& items, const char* sep) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : sep) + item;
  return out;
}

std::string FormatMs(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", ms);
  return buf;
}

}  // namespace

std::string ChooseRequestId(const std::string& from_client) {
  const bool sane = !from_client.empty() && from_client.size() <= kMaxRequestIdLength &&
                    std::all_of(from_client.begin(), from_client.end(), [](unsigned char c) {
                      return std::isalnum(c) != 0 || c == '.' || c == '_' || c == ':' || c == '-';
                    });
  if (sane) return from_client;
  // Request ids must be unique, not secret: a generator per thread, seeded once from the OS,
  // instead of a getrandom() call per request (visible in profiles of the front door).
  thread_local std::mt19937_64 generator = [] {
    Result<std::string> seed = SecureRandomBytes(8);
    uint64_t value =
        static_cast<uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
    if (seed.ok()) std::memcpy(&value, seed->data(), sizeof value);
    return std::mt19937_64(value);
  }();
  const uint64_t id = generator();
  char buf[24];
  std::snprintf(buf, sizeof buf, "req_%016llx", static_cast<unsigned long long>(id));
  return buf;
}

RequestPipeline::RequestPipeline(ServiceEnv& env, bool json_logs)
    : env_(env), json_logs_(json_logs) {
  if (json_logs_) {
    logger_ = std::make_shared<spdlog::logger>("loyalty.http",
                                               std::make_shared<spdlog::sinks::stdout_sink_mt>());
    logger_->set_pattern("%v");
    logger_->set_level(spdlog::default_logger()->level());
  } else {
    logger_ = spdlog::default_logger();
  }
}

FrontReply RequestPipeline::Handle(const FrontRequest& request) {
  const auto started = std::chrono::steady_clock::now();
  const std::string request_id = ChooseRequestId(request.head.get("X-Request-Id", ""));
  Outcome outcome;
  try {
    outcome = Process(request, request_id);
  } catch (const Poco::Exception& e) {
    logger_->error("request {} failed: {}", request_id, e.displayText());
    outcome.response = ProblemFromStatus(Status(Code::kInternal, e.displayText()), request_id);
    outcome.close = true;
  } catch (const std::exception& e) {
    logger_->error("request {} failed: {}", request_id, std::string(e.what()));
    outcome.response = ProblemFromStatus(Status(Code::kInternal, e.what()), request_id);
    outcome.close = true;
  } catch (...) {
    logger_->error("request {} failed with an unknown exception", request_id);
    outcome.response = ProblemFromStatus(Status(Code::kInternal, "unknown"), request_id);
    outcome.close = true;
  }
  ApiResponse& r = outcome.response;
  FrontReply reply;
  reply.status = r.status;
  reply.content_type = std::move(r.content_type);
  reply.headers = std::move(r.headers);
  reply.headers.emplace_back("X-Request-Id", request_id);
  reply.body = std::move(r.body);
  reply.close = outcome.close;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  env_.metrics.ObserveRequest(outcome.route, request.head.getMethod(), reply.status, seconds);
  Log(request.head.getMethod(), outcome.route, reply.status, seconds * 1000.0, request_id);
  return reply;
}

RequestPipeline::Outcome RequestPipeline::Process(const FrontRequest& front,
                                                  const std::string& request_id) {
  const Poco::Net::HTTPRequest& request = front.head;
  Outcome outcome;
  ApiRequest req;
  req.method = request.getMethod();
  req.request_id = request_id;
  const std::string& uri = request.getURI();
  const size_t q = uri.find('?');
  req.path = uri.substr(0, q);
  RouteMatch match = MatchRoute(req.method, req.path);
  if (match.route != nullptr) outcome.route = match.route->path;
  // The front door has read the whole body (or discarded one over the limit).
  if (front.body_too_large) {
    outcome.response =
        ProblemFromStatus(Status(Code::kPayloadTooLarge,
                                 "request body over " + std::to_string(kMaxBodyBytes) + " bytes"),
                          request_id);
    return outcome;
  }
  if (match.route == nullptr) {
    if (match.allowed_methods.empty()) {
      outcome.response =
          ProblemFor(HttpProblem::kRouteNotFound, "no route for " + req.path, request_id);
    } else {
      outcome.response = ProblemFor(HttpProblem::kMethodNotAllowed,
                                    req.method + " is not allowed on " + req.path, request_id);
      outcome.response.headers.emplace_back("Allow", Join(match.allowed_methods, ", "));
    }
    return outcome;
  }
  req.route = match.route->path;
  req.params = std::move(match.params);
  Result<std::map<std::string, std::string>> query =
      ParseQuery(q == std::string::npos ? "" : uri.substr(q + 1));
  if (query.ok()) req.query = std::move(*query);
  Result<ApiResponse> result =
      query.ok() ? Dispatch(request, *match.route, req, front.body) : query.status();
  if (result.ok()) {
    outcome.response = std::move(result).value();
  } else {
    if (result.status().code() == Code::kInternal) {
      logger_->error("request {}: {}", request_id, result.status().ToString());
    }
    outcome.response = ProblemFromStatus(result.status(), request_id);
  }
  return outcome;
}

Result<ApiResponse> RequestPipeline::Dispatch(const Poco::Net::HTTPRequest& request,
                                              const RouteInfo& route, ApiRequest& req,
                                              const std::string& body) {
  if (route.requires_auth) {
    const std::string authorization = request.get("Authorization", "");
    LOYALTY_ASSIGN_OR_RETURN(req.key, env_.readers.Read([&](Session& s) {
      return Authenticate(ApiRecordsOf(s), authorization);
    }));
    if (!RoleAllowed(route, req.key.role)) {
      return Status(Code::kForbidden,
                    "role " + req.key.role + " may not call " + req.method + " " + route.path);
    }
  }
  for (const auto& [name, value] : req.params) LOYALTY_RETURN_IF_ERROR(ValidateId(name, value));
  if (req.method == "POST" || req.method == "PUT") {
    if (request.has("Content-Type") ? !IsJsonMediaType(request.getContentType()) : !body.empty()) {
      return ProblemFor(HttpProblem::kUnsupportedMediaType, "the body must be application/json",
                        req.request_id);
    }
    if (request.has("Idempotency-Key")) {
      req.idempotency_key = request.get("Idempotency-Key");
      LOYALTY_RETURN_IF_ERROR(ValidateIdempotencyKey(req.idempotency_key));
    }
    LOYALTY_ASSIGN_OR_RETURN(req.body, ParseJsonBody(body));
    req.request_hash = RequestHash(req.method, req.path, *req.body);
  }
  return route.handler(env_, req);
}

void RequestPipeline::Log(const std::string& method, const std::string& route, int status,
                          double latency_ms, const std::string& request_id) {
  if (!logger_->should_log(spdlog::level::info)) return;
  if (json_logs_) {
    logger_->info(JsonWriter()
                      .Str("ts", FormatInstant(env_.clock.NowMicros()))
                      .Str("level", "info")
                      .Str("method", method)
                      .Str("route", route)
                      .Int("status", status)
                      .Raw("latency_ms", FormatMs(latency_ms))
                      .Str("request_id", request_id)
                      .Finish());
  } else {
    logger_->info("{} {} {} {}ms request_id={}", method, route, status, FormatMs(latency_ms),
                  request_id);
  }
}

}  // namespace loyalty
