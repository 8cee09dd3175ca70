// Route handlers: parse and validate the request (api/json_codec.h), call core (core/ledger.h)
// on a read session or through the executor, render the answer (api/json_render.h).
// Errors are returned as Status; the server renders them as problem+json.
#pragma once

#include <string>
#include <vector>

#include "api/http_types.h"
#include "api/service.h"
#include "core/status.h"

namespace loyalty {

// handlers_system.cpp
Result<ApiResponse> HandleHealthz(ServiceEnv& env, const ApiRequest& req);
Result<ApiResponse> HandleReadyz(ServiceEnv& env, const ApiRequest& req);
Result<ApiResponse> HandleMetrics(ServiceEnv& env, const ApiRequest& req);
Result<ApiResponse> HandleListEvents(ServiceEnv& env, const ApiRequest& req);

// handlers_program.cpp
Result<ApiResponse> HandleGetProgram(ServiceEnv& env, const ApiRequest& req);

// handlers_reports.cpp: GET /v1/reports/liability (core/liability.h).
Result<ApiResponse> HandleLiabilityReport(ServiceEnv& env, const ApiRequest& req);

// handlers_customers.cpp
Result<ApiResponse> HandlePutCustomer(ServiceEnv& env, const ApiRequest& req);
Result<ApiResponse> HandleGetCustomer(ServiceEnv& env, const ApiRequest& req);
// GET /v1/customers?tier=&limit=&cursor=: customers by tier (any without tier), ascending by id.
Result<ApiResponse> HandleListCustomers(ServiceEnv& env, const ApiRequest& req);
Result<ApiResponse> HandleCustomerTierChanges(ServiceEnv& env, const ApiRequest& req);
Result<ApiResponse> HandleCustomerLedger(ServiceEnv& env, const ApiRequest& req);
Result<ApiResponse> HandleCustomerEvents(ServiceEnv& env, const ApiRequest& req);
Result<ApiResponse> HandleCreateAdjustment(ServiceEnv& env, const ApiRequest& req);
// POST /v1/customers/{id}/consent (core/consent.h).
Result<ApiResponse> HandlePostConsent(ServiceEnv& env, const ApiRequest& req);

// handlers_orders.cpp
Result<ApiResponse> HandleCreateQuote(ServiceEnv& env, const ApiRequest& req);
Result<ApiResponse> HandleCreateOrder(ServiceEnv& env, const ApiRequest& req);
Result<ApiResponse> HandleGetOrder(ServiceEnv& env, const ApiRequest& req);
Result<ApiResponse> HandleConfirmOrder(ServiceEnv& env, const ApiRequest& req);
Result<ApiResponse> HandleCreateRefund(ServiceEnv& env, const ApiRequest& req);
Result<ApiResponse> HandleCancelOrder(ServiceEnv& env, const ApiRequest& req);

// handlers_coupons.cpp
Result<ApiResponse> HandleIssueCoupon(ServiceEnv& env, const ApiRequest& req);
Result<ApiResponse> HandleCustomerCoupons(ServiceEnv& env, const ApiRequest& req);
Result<ApiResponse> HandleCreateCouponBatch(ServiceEnv& env, const ApiRequest& req);
Result<ApiResponse> HandleGetCouponBatch(ServiceEnv& env, const ApiRequest& req);
Result<ApiResponse> HandleCouponBatchCoupons(ServiceEnv& env, const ApiRequest& req);
// "coupon_code": absent, one code or an array of 1-5 codes (as typed).
Result<std::vector<std::string>> ParseCouponCodes(const Poco::JSON::Object& body);

// handlers_messages.cpp (docs/messages.md)
Result<ApiResponse> HandlePullMessages(ServiceEnv& env, const ApiRequest& req);
Result<ApiResponse> HandleAckMessages(ServiceEnv& env, const ApiRequest& req);
Result<ApiResponse> HandleListMessages(ServiceEnv& env, const ApiRequest& req);
Result<ApiResponse> HandleReplayMessages(ServiceEnv& env, const ApiRequest& req);
Result<ApiResponse> HandleCustomerMessages(ServiceEnv& env, const ApiRequest& req);
Result<ApiResponse> HandleRecordCart(ServiceEnv& env, const ApiRequest& req);

// handlers_webhooks.cpp: domain-event webhook subscriptions (docs/webhooks.md), admin only.
Result<ApiResponse> HandleCreateEventSubscription(ServiceEnv& env, const ApiRequest& req);
Result<ApiResponse> HandleListEventSubscriptions(ServiceEnv& env, const ApiRequest& req);
Result<ApiResponse> HandleGetEventSubscription(ServiceEnv& env, const ApiRequest& req);
Result<ApiResponse> HandleDeleteEventSubscription(ServiceEnv& env, const ApiRequest& req);
Result<ApiResponse> HandleRotateEventSubscriptionSecret(ServiceEnv& env, const ApiRequest& req);
Result<ApiResponse> HandleReplayEventSubscription(ServiceEnv& env, const ApiRequest& req);

// Shared by the paged handlers: the "limit" query parameter (1..kMaxPageSize, default
// kDefaultPageSize) and an id cursor (>= 0, default 0).
Result<int> PageLimit(const ApiRequest& req);
Result<int64_t> CursorParam(const ApiRequest& req, const std::string& name);
// {"events": [...], "next_cursor": "<last event_id, or after when empty>", "has_more": bool}
std::string RenderEventPage(const std::vector<Event>& events, int64_t after, int limit);

}  // namespace loyalty
