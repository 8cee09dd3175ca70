// The pure rules of domain-event webhooks (core/event_hooks.h): the list of subscribable types
// is every type core appends, event type validation, the filter, and the delivery steps
// (skip, success, backoff doubling up to its cap, dead letter at max_attempts).
#include "core/event_hooks.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

namespace loyalty {
namespace {

constexpr Micros kSecond = 1'000'000;

// Every string literal "<word>.<word>" within an AppendEvent call (up to its first ';') and
// every literal type chosen into a variable passed to it, read from core/*.cpp.
std::set<std::string> TypesAppendedInCore() {
  std::set<std::string> types;
  const std::regex literal(R"re("([a-z_]+\.[a-z_]+)")re");
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(LOYALTY_SOURCE_DIR) + "/core")) {
    if (entry.path().extension() != ".cpp") continue;
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    const std::string src = text.str();
    for (size_t at = src.find("AppendEvent("); at != std::string::npos;
         at = src.find("AppendEvent(", at + 1)) {
      const std::string call = src.substr(at, src.find(';', at) - at);
      for (std::sregex_iterator it(call.begin(), call.end(), literal), end; it != end; ++it) {
        types.insert((*it)[1]);
      }
    }
    // Types picked before the call (`event = "coupon.expiring_soon";`).
    const std::regex assigned(R"re(event = "([a-z_]+\.[a-z_]+)")re");
    for (std::sregex_iterator it(src.begin(), src.end(), assigned), end; it != end; ++it) {
      types.insert((*it)[1]);
    }
  }
  return types;
}

TEST(EventHooksTest, EveryEventTypeCoreAppendsCanBeSubscribedTo) {
  const std::set<std::string> appended = TypesAppendedInCore();
  const std::set<std::string> listed(EventTypes().begin(), EventTypes().end());
  EXPECT_EQ(listed.size(), EventTypes().size()) << "listed twice";
  EXPECT_TRUE(std::is_sorted(EventTypes().begin(), EventTypes().end()));  // binary search
  for (const std::string& t : appended) EXPECT_TRUE(listed.count(t) > 0) << t << " not listed";
  for (const std::string& t : listed) EXPECT_TRUE(appended.count(t) > 0) << t << " never appended";
  EXPECT_GT(appended.size(), 15u) << "the scan really saw the calls";
}

TEST(EventHooksTest, EventTypesAreKnownListedOnceOrTheWildcardAlone) {
  EXPECT_TRUE(ValidateEventTypes({"tier.upgraded", "tier.downgraded"}).ok());
  EXPECT_TRUE(ValidateEventTypes({"*"}).ok());
  EXPECT_EQ(ValidateEventTypes({}).field(), "event_types");
  EXPECT_EQ(ValidateEventTypes({"tier.upgraded", "tier.upgrade"}).field(), "event_types[1]");
  EXPECT_EQ(ValidateEventTypes({"order.placed", "order.placed"}).field(), "event_types[1]");
  EXPECT_EQ(ValidateEventTypes({"order.placed", "*"}).field(), "event_types[1]");
  EXPECT_EQ(ValidateEventTypes({"Tier.Upgraded"}).field(), "event_types[0]");
}

TEST(EventHooksTest, TheFilterAndTheStoredFormRoundTrip) {
  EventSubscription s;
  s.event_types = SplitEventTypes(JoinEventTypes({"tier.upgraded", "points.expired"}));
  EXPECT_EQ(s.event_types, (std::vector<std::string>{"tier.upgraded", "points.expired"}));
  EXPECT_TRUE(Subscribes(s, "points.expired"));
  EXPECT_FALSE(Subscribes(s, "order.placed"));
  s.event_types = {"*"};
  EXPECT_TRUE(Subscribes(s, "order.placed"));
  EXPECT_TRUE(SplitEventTypes("").empty());
}

TEST(EventHooksTest, ThePreviousSecretSignsOnlyDuringItsGracePeriod) {
  EventSubscription s;
  EXPECT_FALSE(SignsWithPrevious(s, 10));
  s.previous_secret = "whsec_x";
  s.previous_secret_until_us = 100;
  EXPECT_TRUE(SignsWithPrevious(s, 99));
  EXPECT_FALSE(SignsWithPrevious(s, 100));
}

TEST(EventHooksTest, FailuresBackOffDoublingUpToTheCapThenDeadLetter) {
  RetryPolicy p;
  p.max_attempts = 5;
  p.base_backoff_us = 10 * kSecond;
  p.max_backoff_us = 30 * kSecond;
  EventDeliveryState s;
  s.cursor_event_id = 4;
  s = AfterSkip(s, 5);  // not subscribed: passed
  EXPECT_EQ(s.cursor_event_id, 5);
  const Micros t = 1000 * kSecond;
  const std::vector<Micros> waits = {10 * kSecond, 20 * kSecond, 30 * kSecond, 30 * kSecond};
  for (size_t i = 0; i < waits.size(); ++i) {
    DeliveryStep step = AfterAttempt(s, 7, "HTTP 503", p, t);
    EXPECT_FALSE(step.dead_lettered);
    EXPECT_EQ(step.state.attempts, static_cast<int>(i + 1));
    EXPECT_EQ(step.state.cursor_event_id, 5);  // held at the failing event
    EXPECT_EQ(step.state.next_attempt_at_us, t + waits[i]);
    EXPECT_EQ(step.state.last_error, "HTTP 503");
    s = step.state;
  }
  DeliveryStep last = AfterAttempt(s, 7, std::string(600, 'e'), p, t);
  EXPECT_TRUE(last.dead_lettered);
  EXPECT_EQ(last.state.cursor_event_id, 7);
  EXPECT_EQ(last.state.attempts, 0);
  EXPECT_EQ(last.state.dead_letter_count, 1);
  EXPECT_EQ(last.state.last_error.size(), kMaxEventHookErrorBytes);
  DeliveryStep ok = AfterAttempt(last.state, 9, "", p, t + 1);
  EXPECT_FALSE(ok.dead_lettered);
  EXPECT_EQ(ok.state.cursor_event_id, 9);
  EXPECT_EQ(ok.state.delivered_count, 1);
  EXPECT_EQ(ok.state.last_error, "");
  EXPECT_EQ(ok.state.last_attempt_at_us, t + 1);
}

}  // namespace
}  // namespace loyalty
