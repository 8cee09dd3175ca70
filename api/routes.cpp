#include "api/routes.h"

#include <algorithm>

#include "api/handlers.h"

namespace loyalty {
namespace {

std::vector<std::string_view> Split(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t start = 1;  // paths start with '/'
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    parts.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

// Matches one template against a path; fills params on success.
bool MatchTemplate(std::string_view tmpl, std::string_view path,
                   std::map<std::string, std::string>& params) {
  if (path.empty() || path.front() != '/') return false;
  const std::vector<std::string_view> t = Split(tmpl);
  const std::vector<std::string_view> p = Split(path);
  if (t.size() != p.size()) return false;
  std::map<std::string, std::string> found;
  for (size_t i = 0; i < t.size(); ++i) {
    if (t[i].size() > 2 && t[i].front() == '{' && t[i].back() == '}') {
      if (p[i].empty()) return false;
      found.emplace(std::string(t[i].substr(1, t[i].size() - 2)), std::string(p[i]));
    } else if (t[i] != p[i]) {
      return false;
    }
  }
  params = std::move(found);
  return true;
}

std::vector<RouteInfo> BuildRoutes() {
  // The role matrix. admin may call everything; the two probes need no key.
  // kShopAndCs: the shop's checkout and customer service.
  const std::vector<std::string> kCustomerRead = {"checkout", "cs_agent",  "cs_supervisor",
                                                  "admin",    "messaging", "jobs"};
  const std::vector<std::string> kShopAndCs = {"checkout", "cs_agent", "cs_supervisor", "admin"};
  const std::vector<std::string> kCheckout = {"checkout", "admin"};
  const std::vector<std::string> kCs = {"cs_agent", "cs_supervisor", "admin"};
  const std::vector<std::string> kCustomerEvents = {"cs_agent", "cs_supervisor", "admin",
                                                    "messaging"};
  const std::vector<std::string> kFeed = {"admin", "messaging", "jobs"};
  const std::vector<std::string> kCampaigns = {"cs_supervisor", "admin"};
  const std::vector<std::string> kMessaging = {"messaging", "admin"};
  // Consent changes: the messaging layer (080 replies, unsubscribe links) and CS.
  const std::vector<std::string> kConsent = {"messaging", "cs_agent", "cs_supervisor", "admin"};
  const std::vector<std::string> kAdmin = {"admin"};
  // Which programme decides: every key that calls the API (not the metrics scraper's).
  const std::vector<std::string> kAnyRole = {"checkout", "cs_agent",  "cs_supervisor",
                                             "admin",    "messaging", "jobs"};
  // A scraper gets a key of its own: the figures tell traffic and errors, not for everyone.
  const std::vector<std::string> kMetrics = {"metrics", "admin"};
  return {
      {"GET", "/healthz", false, {}, &HandleHealthz},
      {"GET", "/readyz", false, {}, &HandleReadyz},
      {"GET", "/metrics", true, kMetrics, &HandleMetrics},
      {"GET", "/v1/program", true, kAnyRole, &HandleGetProgram},
      // Two segments: never taken for /v1/customers/{customer_id} (MatchTemplate compares
      // the number of segments first).
      {"GET", "/v1/customers", true, kCs, &HandleListCustomers},
      {"PUT", "/v1/customers/{customer_id}", true, kShopAndCs, &HandlePutCustomer},
      {"GET", "/v1/customers/{customer_id}", true, kCustomerRead, &HandleGetCustomer},
      {"GET", "/v1/customers/{customer_id}/ledger", true, kShopAndCs, &HandleCustomerLedger},
      {"GET", "/v1/customers/{customer_id}/tier-changes", true, kCustomerRead,
       &HandleCustomerTierChanges},
      {"GET", "/v1/customers/{customer_id}/events", true, kCustomerEvents, &HandleCustomerEvents},
      {"GET", "/v1/customers/{customer_id}/messages", true, kCustomerEvents,
       &HandleCustomerMessages},
      {"POST", "/v1/customers/{customer_id}/consent", true, kConsent, &HandlePostConsent},
      {"POST", "/v1/customers/{customer_id}/adjustments", true, kCs, &HandleCreateAdjustment},
      {"POST", "/v1/customers/{customer_id}/coupons", true, kCs, &HandleIssueCoupon},
      {"GET", "/v1/customers/{customer_id}/coupons", true, kCustomerRead, &HandleCustomerCoupons},
      {"POST", "/v1/coupon-batches", true, kCampaigns, &HandleCreateCouponBatch},
      {"GET", "/v1/coupon-batches/{batch_id}", true, kCampaigns, &HandleGetCouponBatch},
      {"GET", "/v1/coupon-batches/{batch_id}/coupons", true, kCampaigns, &HandleCouponBatchCoupons},
      {"GET", "/v1/events", true, kFeed, &HandleListEvents},
      {"POST", "/v1/messages/pull", true, kMessaging, &HandlePullMessages},
      {"POST", "/v1/messages/ack", true, kMessaging, &HandleAckMessages},
      {"GET", "/v1/messages", true, kMessaging, &HandleListMessages},
      {"POST", "/v1/messages/replay", true, kAdmin, &HandleReplayMessages},
      {"POST", "/v1/webhooks/subscriptions", true, kAdmin, &HandleCreateEventSubscription},
      {"GET", "/v1/webhooks/subscriptions", true, kAdmin, &HandleListEventSubscriptions},
      {"GET", "/v1/webhooks/subscriptions/{subscription_id}", true, kAdmin,
       &HandleGetEventSubscription},
      {"DELETE", "/v1/webhooks/subscriptions/{subscription_id}", true, kAdmin,
       &HandleDeleteEventSubscription},
      {"POST", "/v1/webhooks/subscriptions/{subscription_id}/rotate", true, kAdmin,
       &HandleRotateEventSubscriptionSecret},
      {"POST", "/v1/webhooks/subscriptions/{subscription_id}/replay", true, kAdmin,
       &HandleReplayEventSubscription},
      {"GET", "/v1/reports/liability", true, kAdmin, &HandleLiabilityReport},
      {"POST", "/v1/carts", true, kCheckout, &HandleRecordCart},
      {"POST", "/v1/quotes", true, kCheckout, &HandleCreateQuote},
      {"POST", "/v1/orders", true, kCheckout, &HandleCreateOrder},
      {"GET", "/v1/orders/{order_id}", true, kShopAndCs, &HandleGetOrder},
      {"POST", "/v1/orders/{order_id}/confirm", true, kCheckout, &HandleConfirmOrder},
      {"POST", "/v1/orders/{order_id}/refunds", true, kCheckout, &HandleCreateRefund},
      {"POST", "/v1/orders/{order_id}/cancel", true, kCheckout, &HandleCancelOrder},
  };
}

}  // namespace

const std::vector<RouteInfo>& Routes() {
  static const std::vector<RouteInfo> kRoutes = BuildRoutes();
  return kRoutes;
}

RouteMatch MatchRoute(std::string_view method, std::string_view path) {
  RouteMatch match;
  for (const RouteInfo& route : Routes()) {
    std::map<std::string, std::string> params;
    if (!MatchTemplate(route.path, path, params)) continue;
    if (route.method == method) {
      match.route = &route;
      match.params = std::move(params);
      match.allowed_methods.clear();
      return match;
    }
    match.allowed_methods.push_back(route.method);
  }
  return match;
}

bool RoleAllowed(const RouteInfo& route, const std::string& role) {
  if (!route.requires_auth) return true;
  return std::find(route.roles.begin(), route.roles.end(), role) != route.roles.end();
}

}  // namespace loyalty
