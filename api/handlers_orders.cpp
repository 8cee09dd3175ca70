// Checkout: quotes, orders, confirmation (구매확정), refunds and cancellation.
#include "api/handlers.h"
#include "api/idempotency.h"
#include "api/json_codec.h"
#include "api/json_render.h"
#include "core/json_writer.h"
#include "core/ledger.h"

namespace loyalty {
namespace {

// A won amount or point count that is present: within [min, max].
Result<int64_t> Amount(const Poco::JSON::Object& b, const std::string& name, int64_t min,
                       int64_t max) {
  LOYALTY_ASSIGN_OR_RETURN(int64_t v, RequireInteger(b, name));
  if (min > 0 && v <= 0) return Status::Invalid(name, "must be positive");
  if (v < 0) return Status::Invalid(name, "must not be negative");
  LOYALTY_RETURN_IF_ERROR(CheckRange(name, v, min, max));
  return v;
}

Result<int64_t> OptAmount(const Poco::JSON::Object& b, const std::string& name, int64_t max) {
  if (!b.has(name)) return int64_t{0};
  return Amount(b, name, 0, max);
}

Result<OrderRequest> ParseOrderRequest(const ApiRequest& req) {
  const Poco::JSON::Object& b = *req.body;
  LOYALTY_RETURN_IF_ERROR(CheckKnownFields(b, {"order_id", "customer_id", "amount_won",
                                               "shipping_won", "points_to_redeem", "coupon_code"}));
  OrderRequest r;
  r.request_hash = req.request_hash;
  LOYALTY_ASSIGN_OR_RETURN(r.order_id, RequireId(b, "order_id"));
  LOYALTY_ASSIGN_OR_RETURN(r.customer_id, RequireId(b, "customer_id"));
  LOYALTY_ASSIGN_OR_RETURN(r.amount_won, Amount(b, "amount_won", 1, kMaxOrderAmountWon));
  LOYALTY_ASSIGN_OR_RETURN(r.shipping_won, OptAmount(b, "shipping_won", kMaxOrderAmountWon));
  LOYALTY_ASSIGN_OR_RETURN(r.points_to_redeem,
                           OptAmount(b, "points_to_redeem", kMaxOrderAmountWon));
  LOYALTY_ASSIGN_OR_RETURN(r.coupon_codes, ParseCouponCodes(b));
  return r;
}

Result<QuoteRequest> ParseQuoteRequest(const ApiRequest& req) {
  const Poco::JSON::Object& b = *req.body;
  LOYALTY_RETURN_IF_ERROR(
      CheckKnownFields(b, {"customer_id", "amount_won", "points_to_redeem", "coupon_code"}));
  QuoteRequest q;
  LOYALTY_ASSIGN_OR_RETURN(q.customer_id, RequireId(b, "customer_id"));
  LOYALTY_ASSIGN_OR_RETURN(q.amount_won, Amount(b, "amount_won", 1, kMaxOrderAmountWon));
  LOYALTY_ASSIGN_OR_RETURN(q.points_to_redeem,
                           OptAmount(b, "points_to_redeem", kMaxOrderAmountWon));
  LOYALTY_ASSIGN_OR_RETURN(q.coupon_codes, ParseCouponCodes(b));
  return q;
}

std::string RenderRefundWrite(const RefundWrite& w) {
  return JsonWriter()
      .Raw("refund", RenderRefund(w.refund))
      .Raw("order", RenderOrder(w.order))
      .Finish();
}

}  // namespace

Result<ApiResponse> HandleCreateQuote(ServiceEnv& env, const ApiRequest& req) {
  LOYALTY_ASSIGN_OR_RETURN(QuoteRequest q, ParseQuoteRequest(req));
  const Ctx ctx = env.MakeCtx(req.key);
  LOYALTY_ASSIGN_OR_RETURN(Quote quote,
                           env.readers.Read([&](Session& s) { return QuoteOrder(s, q, ctx); }));
  return ApiResponse::Json(200, RenderQuote(q.customer_id, quote));
}

Result<ApiResponse> HandleCreateOrder(ServiceEnv& env, const ApiRequest& req) {
  LOYALTY_ASSIGN_OR_RETURN(OrderRequest r, ParseOrderRequest(req));
  const Ctx ctx = env.MakeCtx(req.key);
  const NaturalKey natural{"order:" + r.order_id, "order_id"};
  return RunIdempotent(env, req, natural, [&](Session& s) -> Result<ApiResponse> {
    LOYALTY_ASSIGN_OR_RETURN(OrderWrite w, CreateOrder(s, r, ctx));
    LOYALTY_ASSIGN_OR_RETURN(std::vector<Refund> refunds, s.ListRefunds(r.order_id));
    ApiResponse out = ApiResponse::Json(201, RenderOrder(w.order, &refunds));
    if (w.replayed) out.headers.emplace_back("Idempotent-Replayed", "true");
    return out;
  });
}

Result<ApiResponse> HandleGetOrder(ServiceEnv& env, const ApiRequest& req) {
  const std::string& order_id = req.Param("order_id");
  return env.readers.Read([&](Session& s) -> Result<ApiResponse> {
    LOYALTY_ASSIGN_OR_RETURN(std::optional<Order> order, s.FindOrder(order_id));
    if (!order) return Status(Code::kNotFound, "order " + order_id + " not found", "order_id");
    LOYALTY_ASSIGN_OR_RETURN(std::vector<Refund> refunds, s.ListRefunds(order_id));
    return ApiResponse::Json(200, RenderOrder(*order, &refunds));
  });
}

Result<ApiResponse> HandleConfirmOrder(ServiceEnv& env, const ApiRequest& req) {
  LOYALTY_RETURN_IF_ERROR(CheckKnownFields(*req.body, {}));
  const std::string& order_id = req.Param("order_id");
  const Ctx ctx = env.MakeCtx(req.key);
  return RunIdempotent(env, req, NaturalKey{}, [&](Session& s) -> Result<ApiResponse> {
    LOYALTY_ASSIGN_OR_RETURN(OrderWrite w, ConfirmOrder(s, order_id, ctx));
    LOYALTY_ASSIGN_OR_RETURN(std::vector<Refund> refunds, s.ListRefunds(order_id));
    return ApiResponse::Json(200, RenderOrder(w.order, &refunds));
  });
}

Result<ApiResponse> HandleCreateRefund(ServiceEnv& env, const ApiRequest& req) {
  const Poco::JSON::Object& b = *req.body;
  LOYALTY_RETURN_IF_ERROR(CheckKnownFields(b, {"refund_id", "amount_won"}));
  RefundRequest r;
  r.order_id = req.Param("order_id");
  r.request_hash = req.request_hash;
  LOYALTY_ASSIGN_OR_RETURN(r.refund_id, RequireId(b, "refund_id"));
  LOYALTY_ASSIGN_OR_RETURN(r.amount_won, Amount(b, "amount_won", 1, kMaxOrderAmountWon));
  const Ctx ctx = env.MakeCtx(req.key);
  const NaturalKey natural{"refund:" + r.order_id + ":" + r.refund_id, "refund_id"};
  return RunIdempotent(env, req, natural, [&](Session& s) -> Result<ApiResponse> {
    LOYALTY_ASSIGN_OR_RETURN(RefundWrite w, RefundOrder(s, r, ctx));
    ApiResponse out = ApiResponse::Json(201, RenderRefundWrite(w));
    if (w.replayed) out.headers.emplace_back("Idempotent-Replayed", "true");
    return out;
  });
}

Result<ApiResponse> HandleCancelOrder(ServiceEnv& env, const ApiRequest& req) {
  const Poco::JSON::Object& b = *req.body;
  LOYALTY_RETURN_IF_ERROR(CheckKnownFields(b, {"refund_id"}));
  LOYALTY_ASSIGN_OR_RETURN(std::optional<std::string> refund_id, OptId(b, "refund_id"));
  RefundRequest r;
  r.order_id = req.Param("order_id");
  r.refund_id = refund_id.value_or("cancel");
  r.cancel = true;
  r.request_hash = req.request_hash;
  const Ctx ctx = env.MakeCtx(req.key);
  const NaturalKey natural{"refund:" + r.order_id + ":" + r.refund_id, "refund_id"};
  return RunIdempotent(env, req, natural, [&](Session& s) -> Result<ApiResponse> {
    LOYALTY_ASSIGN_OR_RETURN(RefundWrite w, RefundOrder(s, r, ctx));
    return ApiResponse::Json(w.replayed ? 200 : 201, RenderRefundWrite(w));
  });
}

}  // namespace loyalty
