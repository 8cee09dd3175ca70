// Probes, metrics and the global event feed.
#include "api/handlers.h"
#include "api/job_metrics.h"
#include "api/json_codec.h"
#include "api/json_render.h"
#include "api/metrics.h"
#include "api/program_watch.h"
#include "core/json_writer.h"

namespace loyalty {

Result<int> PageLimit(const ApiRequest& req) {
  const std::string* text = req.Query("limit");
  if (text == nullptr) return kDefaultPageSize;
  LOYALTY_ASSIGN_OR_RETURN(int64_t limit, ParseQueryInteger("limit", *text, 1, kMaxPageSize));
  return static_cast<int>(limit);
}

Result<int64_t> CursorParam(const ApiRequest& req, const std::string& name) {
  const std::string* text = req.Query(name);
  if (text == nullptr || text->empty()) return int64_t{0};
  return ParseQueryInteger(name, *text, 0, kMaxJsonSafeInteger);
}

Result<ApiResponse> HandleHealthz(ServiceEnv&, const ApiRequest&) {
  return ApiResponse::Json(200, R"({"status":"ok"})");
}

Result<ApiResponse> HandleReadyz(ServiceEnv& env, const ApiRequest&) {
  if (env.draining != nullptr && env.draining->load()) {
    return Status(Code::kUnavailable, "draining: the server is shutting down");
  }
  Status read = env.readers.Read([](Session&) { return Status::Ok(); });
  if (!read.ok()) return Status(Code::kUnavailable, "database not readable: " + read.message());
  Status schema = env.store.CheckSchema();
  if (!schema.ok()) return Status(Code::kUnavailable, "schema not ready: " + schema.message());
  if (env.program_watch != nullptr) {
    LOYALTY_RETURN_IF_ERROR(env.program_watch->Check(env.readers, env.clock.NowMicros()));
  }
  return ApiResponse::Json(200, R"({"status":"ready"})");
}

Result<ApiResponse> HandleMetrics(ServiceEnv& env, const ApiRequest&) {
  ApiResponse r = ApiResponse::Json(200, env.metrics.Render(env.executor.Snapshot()));
  if (env.extra_metrics) r.body += env.extra_metrics();
  if (env.job_metrics != nullptr)
    r.body += env.job_metrics->Render(env.readers, env.clock.NowMicros());
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  return r;
}

std::string RenderEventPage(const std::vector<Event>& events, int64_t after, int limit) {
  std::vector<std::string> items;
  items.reserve(events.size());
  for (const Event& e : events) items.push_back(RenderEvent(e));
  const int64_t next = events.empty() ? after : events.back().event_id;
  return JsonWriter()
      .Raw("events", JsonArray(items))
      .Str("next_cursor", std::to_string(next))
      .Bool("has_more", static_cast<int>(events.size()) >= limit)
      .Finish();
}

Result<ApiResponse> HandleListEvents(ServiceEnv& env, const ApiRequest& req) {
  LOYALTY_ASSIGN_OR_RETURN(int limit, PageLimit(req));
  LOYALTY_ASSIGN_OR_RETURN(int64_t after, CursorParam(req, "after"));
  EventQuery q;
  q.after_event_id = after;
  q.limit = limit;
  LOYALTY_ASSIGN_OR_RETURN(std::vector<Event> events,
                           env.readers.Read([&](Session& s) { return s.ListEvents(q); }));
  return ApiResponse::Json(200, RenderEventPage(events, after, limit));
}

}  // namespace loyalty
