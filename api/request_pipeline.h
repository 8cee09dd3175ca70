// One HTTP request, start to finish: request id, body (capped), route, auth and role, media
// type, Idempotency-Key syntax, JSON parse, handler, problem+json on any failure, metrics and
// one log line. It is the only place that reads POCO's request head, and it has
// the one catch-all: nothing a request does can take the process down.
#pragma once

#include <Poco/Net/HTTPRequest.h>
#include <spdlog/logger.h>

#include <memory>
#include <string>

#include "api/front_door.h"
#include "api/http_types.h"
#include "api/routes.h"
#include "api/service.h"
#include "core/limits.h"

namespace loyalty {

// kMaxBodyBytes, kMaxDrainBytes, kMaxRequestIdLength: core/limits.h. The front door reads a body
// over kMaxBodyBytes to its end (up to kMaxDrainBytes) and discards it; the pipeline answers 413.

class RequestPipeline {
 public:
  RequestPipeline(ServiceEnv& env, bool json_logs);
  // Never throws; runs on a front-door worker thread.
  FrontReply Handle(const FrontRequest& request);

 private:
  struct Outcome {
    ApiResponse response;
    std::string route = "unmatched";  // the template, for metrics and logs
    bool close = false;               // the connection cannot be reused
  };
  Outcome Process(const FrontRequest& request, const std::string& request_id);
  // After routing: key and role, path ids, media type, Idempotency-Key, body, handler.
  Result<ApiResponse> Dispatch(const Poco::Net::HTTPRequest& request, const RouteInfo& route,
                               ApiRequest& req, const std::string& body);
  void Log(const std::string& method, const std::string& route, int status, double latency_ms,
           const std::string& request_id);

  ServiceEnv& env_;
  const bool json_logs_;
  std::shared_ptr<spdlog::logger> logger_;
};

// The client's X-Request-Id when it is 1..128 characters of [A-Za-z0-9._:-], else a new one.
std::string ChooseRequestId(const std::string& from_client);

}  // namespace loyalty
