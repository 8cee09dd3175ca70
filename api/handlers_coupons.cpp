// Coupons: issuance by hand, a customer's coupons, bulk batches.
#include "api/coupon_batches.h"
#include "api/handlers.h"
#include "api/idempotency.h"
#include "api/json_codec.h"
#include "api/json_render.h"
#include "core/json_writer.h"
#include "core/ledger.h"
#include "core/limits.h"

namespace loyalty {
namespace {

Result<std::string> RequireString(const Poco::JSON::Object& b, const std::string& name,
                                  size_t max_chars) {
  LOYALTY_ASSIGN_OR_RETURN(std::optional<std::string> v, OptString(b, name, max_chars));
  if (!v || v->empty()) return Status::Invalid(name, "is required");
  return std::move(*v);
}

std::string RenderCouponPage(const std::vector<Coupon>& coupons, int limit) {
  std::vector<std::string> items;
  items.reserve(coupons.size());
  for (const Coupon& c : coupons) items.push_back(RenderCoupon(c));
  const bool full = static_cast<int>(coupons.size()) >= limit;
  return JsonWriter()
      .Raw("coupons", JsonArray(items))
      .Raw("next_cursor", full ? JsonWriter::Quote(coupons.back().code) : "null")
      .Finish();
}

Result<std::optional<CouponStatus>> StatusParam(const ApiRequest& req) {
  const std::string* found = req.Query("status");
  if (found == nullptr) return std::optional<CouponStatus>();
  const std::string& text = *found;
  for (CouponStatus s : {CouponStatus::kActive, CouponStatus::kRedeemed, CouponStatus::kExpired,
                         CouponStatus::kRevoked}) {
    if (text == CouponStatusName(s)) return std::optional<CouponStatus>(s);
  }
  return Status::Invalid("status", "must be one of: active, redeemed, expired, revoked");
}

}  // namespace

Result<std::vector<std::string>> ParseCouponCodes(const Poco::JSON::Object& b) {
  std::vector<std::string> codes;
  if (!b.has("coupon_code")) return codes;
  Poco::Dynamic::Var v = b.get("coupon_code");
  if (v.isString()) {
    LOYALTY_ASSIGN_OR_RETURN(std::optional<std::string> one,
                             OptString(b, "coupon_code", kMaxCouponCodeLength + 8));
    codes.push_back(*one);
    return codes;
  }
  Poco::JSON::Array::Ptr arr = b.getArray("coupon_code");
  if (arr.isNull()) return Status::Invalid("coupon_code", "must be a string or an array of them");
  if (arr->size() < 1 || arr->size() > 5) {
    return Status::Invalid("coupon_code", "must list 1 to 5 codes");
  }
  for (size_t i = 0; i < arr->size(); ++i) {
    const std::string field = "coupon_code[" + std::to_string(i) + "]";
    LOYALTY_ASSIGN_OR_RETURN(std::string code, ItemString(field, arr->get(static_cast<unsigned>(i)),
                                                          kMaxCouponCodeLength + 8));
    codes.push_back(std::move(code));
  }
  return codes;
}

Result<ApiResponse> HandleIssueCoupon(ServiceEnv& env, const ApiRequest& req) {
  const Poco::JSON::Object& b = *req.body;
  LOYALTY_RETURN_IF_ERROR(CheckKnownFields(b, {"issuance_id", "template", "reason"}));
  LOYALTY_ASSIGN_OR_RETURN(std::string issuance_id, RequireId(b, "issuance_id"));
  IssueCouponRequest r;
  r.customer_id = req.Param("customer_id");
  LOYALTY_ASSIGN_OR_RETURN(r.template_code, RequireString(b, "template", kMaxCodeChars));
  LOYALTY_ASSIGN_OR_RETURN(r.reason, RequireString(b, "reason", kMaxReasonLength));
  r.dedupe_key = "manual:" + issuance_id;
  const Ctx ctx = env.MakeCtx(req.key);
  const NaturalKey natural{"coupon-issue:" + issuance_id, "issuance_id"};
  return RunIdempotent(env, req, natural, [&](Session& s) -> Result<ApiResponse> {
    LOYALTY_ASSIGN_OR_RETURN(CouponIssue issue, IssueCoupon(s, r, ctx));
    return ApiResponse::Json(201, RenderCoupon(issue.coupon));
  });
}

Result<ApiResponse> HandleCustomerCoupons(ServiceEnv& env, const ApiRequest& req) {
  LOYALTY_ASSIGN_OR_RETURN(int limit, PageLimit(req));
  LOYALTY_ASSIGN_OR_RETURN(std::optional<CouponStatus> status, StatusParam(req));
  const std::string* query_cursor = req.Query("cursor");
  const std::string cursor = query_cursor != nullptr ? *query_cursor : "";
  if (cursor.size() > kMaxCouponCodeLength) return Status::Invalid("cursor", "is not a cursor");
  const Ctx ctx = env.MakeCtx(req.key);
  LOYALTY_ASSIGN_OR_RETURN(std::vector<Coupon> coupons, env.readers.Read([&](Session& s) {
    return ListCustomerCoupons(s, req.Param("customer_id"), status, cursor, limit, ctx);
  }));
  return ApiResponse::Json(200, RenderCouponPage(coupons, limit));
}

Result<ApiResponse> HandleCreateCouponBatch(ServiceEnv& env, const ApiRequest& req) {
  const Poco::JSON::Object& b = *req.body;
  LOYALTY_RETURN_IF_ERROR(
      CheckKnownFields(b, {"batch_id", "template", "reason", "customer_ids", "count"}));
  CouponBatch batch;
  LOYALTY_ASSIGN_OR_RETURN(batch.batch_id, RequireId(b, "batch_id"));
  LOYALTY_ASSIGN_OR_RETURN(batch.template_code, RequireString(b, "template", kMaxCodeChars));
  if (env.program.FindCouponTemplate(batch.template_code) == nullptr) {
    return Status::Invalid("template", "'" + batch.template_code + "' is not a coupon template");
  }
  LOYALTY_ASSIGN_OR_RETURN(batch.reason, RequireString(b, "reason", kMaxReasonLength));
  if (b.has("customer_ids") == b.has("count")) {
    return Status::Invalid("customer_ids", "give either customer_ids or count");
  }
  if (b.has("customer_ids")) {
    Poco::JSON::Array::Ptr arr = b.getArray("customer_ids");
    if (arr.isNull() || arr->size() < 1 || arr->size() > 5000) {
      return Status::Invalid("customer_ids", "must be an array of 1 to 5000 customer ids");
    }
    for (size_t i = 0; i < arr->size(); ++i) {
      Poco::Dynamic::Var item = arr->get(static_cast<unsigned>(i));
      const std::string field = "customer_ids[" + std::to_string(i) + "]";
      if (!item.isString()) return Status::Invalid(field, "must be a string");
      std::string id = item.extract<std::string>();
      LOYALTY_RETURN_IF_ERROR(ValidateId(field, id));
      batch.customer_ids.push_back(std::move(id));
    }
    batch.requested = static_cast<int64_t>(batch.customer_ids.size());
  } else {
    LOYALTY_ASSIGN_OR_RETURN(batch.requested, RequireInteger(b, "count"));
    LOYALTY_RETURN_IF_ERROR(CheckRange("count", batch.requested, 1, kMaxCouponBatchCount));
  }
  const Ctx ctx = env.MakeCtx(req.key);
  batch.status = "pending";
  batch.issued_by = ctx.actor.Label();
  batch.request_hash = req.request_hash;
  batch.created_at_us = ctx.now_us;
  const bool sync = batch.requested <= kSyncCouponBatchLimit;
  const NaturalKey natural{"coupon-batch:" + batch.batch_id, "batch_id"};
  LOYALTY_ASSIGN_OR_RETURN(
      ApiResponse out, RunIdempotent(env, req, natural, [&](Session& s) -> Result<ApiResponse> {
        for (const std::string& id : batch.customer_ids) {
          LOYALTY_ASSIGN_OR_RETURN(std::optional<Customer> c, s.FindCustomer(id));
          if (!c) return Status(Code::kNotFound, "customer " + id + " not found", "customer_ids");
        }
        LOYALTY_RETURN_IF_ERROR(s.InsertCouponBatch(batch));
        if (!sync) return ApiResponse::Json(202, RenderCouponBatch(batch));
        LOYALTY_ASSIGN_OR_RETURN(int64_t issued,
                                 ProcessCouponBatch(s, batch.batch_id, batch.requested, ctx));
        (void)issued;
        LOYALTY_ASSIGN_OR_RETURN(std::optional<CouponBatch> done,
                                 s.FindCouponBatch(batch.batch_id));
        CouponQuery q;
        q.batch_id = batch.batch_id;
        q.limit = kMaxPageSize;
        std::vector<std::string> codes;
        for (;;) {
          LOYALTY_ASSIGN_OR_RETURN(std::vector<Coupon> page, s.ListCoupons(q));
          for (const Coupon& c : page) codes.push_back(c.code);
          if (static_cast<int>(page.size()) < q.limit) break;
          q.after_code = page.back().code;
        }
        return ApiResponse::Json(201, JsonWriter()
                                          .Raw("batch", RenderCouponBatch(*done))
                                          .Raw("codes", JsonStringArray(codes))
                                          .Finish());
      }));
  if (out.status == 202 && env.batches != nullptr) env.batches->Enqueue(batch.batch_id);
  return out;
}

Result<ApiResponse> HandleGetCouponBatch(ServiceEnv& env, const ApiRequest& req) {
  const std::string& batch_id = req.Param("batch_id");
  LOYALTY_ASSIGN_OR_RETURN(std::optional<CouponBatch> batch, env.readers.Read([&](Session& s) {
    return s.FindCouponBatch(batch_id);
  }));
  if (!batch) return Status(Code::kNotFound, "coupon batch " + batch_id + " not found", "batch_id");
  return ApiResponse::Json(200, RenderCouponBatch(*batch));
}

Result<ApiResponse> HandleCouponBatchCoupons(ServiceEnv& env, const ApiRequest& req) {
  LOYALTY_ASSIGN_OR_RETURN(int limit, PageLimit(req));
  CouponQuery q;
  q.batch_id = req.Param("batch_id");
  if (const std::string* c = req.Query("cursor")) q.after_code = *c;
  q.limit = limit;
  if (q.after_code.size() > kMaxCouponCodeLength)
    return Status::Invalid("cursor", "is not a cursor");
  LOYALTY_ASSIGN_OR_RETURN(
      std::vector<Coupon> coupons, env.readers.Read([&](Session& s) -> Result<std::vector<Coupon>> {
        LOYALTY_ASSIGN_OR_RETURN(std::optional<CouponBatch> batch, s.FindCouponBatch(q.batch_id));
        if (!batch) {
          return Status(Code::kNotFound, "coupon batch not found", "batch_id");
        }
        return s.ListCoupons(q);
      }));
  return ApiResponse::Json(200, RenderCouponPage(coupons, limit));
}

}  // namespace loyalty
