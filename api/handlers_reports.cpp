// GET /v1/reports/liability: the points liability report (core/liability.h,
// docs/ledger.md "Points liability"), as JSON or, with ?format=csv, as CSV.
#include "api/handlers.h"
#include "api/json_codec.h"
#include "core/liability.h"

namespace loyalty {
namespace {

struct LiabilityQuery {
  LiabilityRequest request;
  bool csv = false;
};

// ?month=YYYY-MM (required), &months=N (1..kMaxReportMonths, default 1), &format=json|csv.
Result<LiabilityQuery> ParseLiabilityQuery(const ApiRequest& req, Micros now_us) {
  LiabilityQuery q;
  const std::string* month = req.Query("month");
  if (month == nullptr) {
    return Status::Invalid("month", "is required: the first month as YYYY-MM, e.g. 2026-11");
  }
  LOYALTY_ASSIGN_OR_RETURN(q.request.first, ParseLocalMonth(*month, "month"));
  if (const std::string* months = req.Query("months"); months != nullptr) {
    LOYALTY_ASSIGN_OR_RETURN(int64_t n, ParseQueryInteger("months", *months, 1, kMaxReportMonths));
    q.request.months = static_cast<int>(n);
  }
  if (const std::string* format = req.Query("format"); format != nullptr) {
    if (*format != "json" && *format != "csv") {
      return Status::Invalid("format", "must be json or csv");
    }
    q.csv = *format == "csv";
  }
  q.request.now_us = now_us;
  return q;
}

}  // namespace

Result<ApiResponse> HandleLiabilityReport(ServiceEnv& env, const ApiRequest& req) {
  LOYALTY_ASSIGN_OR_RETURN(LiabilityQuery q, ParseLiabilityQuery(req, env.clock.NowMicros()));
  LOYALTY_RETURN_IF_ERROR(ValidateLiabilityRequest(q.request, env.program));
  // One snapshot for every month: the figures of one report always roll forward.
  LOYALTY_ASSIGN_OR_RETURN(LiabilityReport report, env.readers.Read([&](Session& s) {
    return BuildLiabilityReport(s, env.program, q.request);
  }));
  if (!q.csv) return ApiResponse::Json(200, LiabilityReportJson(report));
  ApiResponse r;
  r.status = 200;
  r.body = LiabilityReportCsv(report);
  r.content_type = "text/csv; charset=utf-8";
  r.headers.emplace_back("Content-Disposition", "attachment; filename=\"liability-" +
                                                    FormatLocalMonth(q.request.first) + ".csv\"");
  return r;
}

}  // namespace loyalty
