// Ledger behaviours through the real SQLite store (one transaction per command).
#include <gtest/gtest.h>

#include "core/points_math.h"
#include "tests/core/test_util.h"

namespace loyalty {
namespace {

using testing::Kst;
using testing::LedgerFixture;

constexpr Micros kDay = 86'400'000'000;

class LedgerTest : public LedgerFixture {
 protected:
  // Gives the customer `points` available points in one lot activated now.
  void Grant(const std::string& customer, Points points, const std::string& id) {
    auto a = Adjust(id, customer, points);
    ASSERT_TRUE(a.ok()) << a.status().ToString();
  }
  std::vector<Lot> Lots(const std::string& customer, LotKind kind) {
    LotQuery q;
    q.customer_id = customer;
    q.kind = kind;
    q.only_nonzero = false;
    q.include_expired = true;
    auto r = session_->FindLots(q);
    EXPECT_TRUE(r.ok());
    return r.value();
  }
  std::vector<Event> Events(const std::string& customer) {
    EventQuery q;
    q.customer_id = customer;
    q.limit = 500;
    return session_->ListEvents(q).value();
  }
};

TEST_F(LedgerTest, OrderEarnsPendingPointsThatConfirmationActivates) {
  MakeCustomer("c1");
  auto o = Order("o1", "c1", 50000);
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  EXPECT_EQ(o->order.earn_points, 500);  // BRONZE 1%
  EXPECT_EQ(o->order.earn_rate_bp, 100);
  EXPECT_EQ(o->order.rule_version, 3);
  EXPECT_EQ(o->order.qualifying_won, 50000);
  EXPECT_EQ(Get("c1").pending_points, 500);
  EXPECT_EQ(Get("c1").available_points, 0);

  now_us_ += 3 * kDay;
  auto c = Confirm("o1");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->order.status, OrderStatus::kConfirmed);
  EXPECT_EQ(Get("c1").pending_points, 0);
  EXPECT_EQ(Get("c1").available_points, 500);
  auto lots = Lots("c1", LotKind::kAvailable);
  ASSERT_EQ(lots.size(), 1u);
  EXPECT_EQ(lots[0].expires_at_us, ExpiryFor(program_, now_us_));  // counted from activation
  EXPECT_EQ(lots[0].order_id, "o1");
  EXPECT_EQ(CheckAll(), "");
}

TEST_F(LedgerTest, ConfirmingTwiceActivatesOnce) {
  MakeCustomer("c1");
  ASSERT_TRUE(Order("o1", "c1", 10000).ok());
  ASSERT_TRUE(Confirm("o1").ok());
  auto again = Confirm("o1");
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(Get("c1").available_points, 100);
  EXPECT_EQ(CheckAll(), "");
}

TEST_F(LedgerTest, RedemptionConsumesSoonestExpiringLotsFirst) {
  MakeCustomer("c1");
  Grant("c1", 300, "a-old");
  now_us_ += 40 * kDay;
  Grant("c1", 1000, "a-new");
  auto o = Order("o1", "c1", 20000, 500);
  ASSERT_TRUE(o.ok()) << o.status().ToString();
  auto lots = Lots("c1", LotKind::kAvailable);
  ASSERT_EQ(lots.size(), 2u);
  EXPECT_EQ(lots[0].remaining_points, 0);  // the older lot went first
  EXPECT_EQ(lots[1].remaining_points, 800);
  EXPECT_EQ(o->order.paid_won, 19500);
  EXPECT_EQ(o->order.earn_points, 195);  // earned on the cash part only
  EXPECT_EQ(Get("c1").available_points, 800);
  EXPECT_EQ(CheckAll(), "");
}

TEST_F(LedgerTest, RejectedRedemptionWritesNothing) {
  MakeCustomer("c1");
  Grant("c1", 100, "a1");
  auto o = Order("o1", "c1", 20000, 500);
  EXPECT_EQ(o.status().code(), Code::kInsufficientPoints);
  EXPECT_FALSE(session_->FindOrder("o1")->has_value());
  EXPECT_EQ(Get("c1").available_points, 100);
  EXPECT_EQ(Get("c1").pending_points, 0);
  EXPECT_EQ(CheckAll(), "");
}

TEST_F(LedgerTest, RefundRestoresRedeemedPointsIntoTheirOriginalLots) {
  MakeCustomer("c1");
  Grant("c1", 300, "a-old");
  now_us_ += 40 * kDay;
  Grant("c1", 1000, "a-new");
  ASSERT_TRUE(Order("o1", "c1", 20000, 500).ok());
  auto lots_before = Lots("c1", LotKind::kAvailable);
  auto f = RefundOf("o1", "r1", 20000);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->refund.restored_points, 500);
  EXPECT_EQ(f->refund.cash_refund_won, 19500);
  EXPECT_EQ(f->order.status, OrderStatus::kCancelled);
  auto lots = Lots("c1", LotKind::kAvailable);
  ASSERT_EQ(lots.size(), 2u);
  EXPECT_EQ(lots[0].remaining_points, 300);  // back with its original expiry
  EXPECT_EQ(lots[0].expires_at_us, lots_before[0].expires_at_us);
  EXPECT_EQ(lots[1].remaining_points, 1000);
  EXPECT_EQ(Get("c1").available_points, 1300);
  EXPECT_EQ(Get("c1").pending_points, 0);  // the pending earn was clawed back in full
  EXPECT_EQ(CheckAll(), "");
}

TEST_F(LedgerTest, PointsRestoredIntoAnExpiredLotExpireAgainAtOnce) {
  MakeCustomer("c1");
  Grant("c1", 1000, "a1");
  ASSERT_TRUE(Order("o1", "c1", 5000, 1000).ok());
  now_us_ += 400 * kDay;  // the lot's 12 months are over
  auto f = RefundOf("o1", "r1", 5000);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  // Given back, but not usable: reported as expired, never as "restored 1,000".
  EXPECT_EQ(f->refund.restored_points, 0);
  EXPECT_EQ(f->refund.restored_expired_points, 1000);
  EXPECT_EQ(f->order.restored_points, 0);
  EXPECT_EQ(f->order.restored_expired_points, 1000);
  EXPECT_EQ(Get("c1").available_points, 0);
  auto lots = Lots("c1", LotKind::kAvailable);
  ASSERT_EQ(lots.size(), 1u);
  EXPECT_TRUE(lots[0].expired);
  EntryQuery q;
  q.customer_id = "c1";
  auto entries = session_->ListEntries(q).value();
  // Newest first: the clawback of the pending earn, the re-expiry, the restore.
  ASSERT_GE(entries.size(), 3u);
  EXPECT_EQ(entries[0].kind, EntryKind::kReverse);
  EXPECT_EQ(entries[1].kind, EntryKind::kExpire);
  EXPECT_EQ(entries[1].available_delta, -1000);
  EXPECT_EQ(entries[2].kind, EntryKind::kRestore);
  EXPECT_EQ(entries[2].available_delta, 1000);
  EXPECT_EQ(CheckAll(), "");
}

TEST_F(LedgerTest, RestoredPointsAreSplitIntoUsableAndExpiredAtOnce) {
  MakeCustomer("c1");
  Grant("c1", 400, "a-old");  // expires first, so the redemption draws it first
  now_us_ += 200 * kDay;
  Grant("c1", 600, "a-new");
  ASSERT_TRUE(Order("o1", "c1", 10000, 1000).ok());
  now_us_ += 200 * kDay;                // a-old's 12 months are over, a-new's are not
  auto f = RefundOf("o1", "r1", 5000);  // half: 500 back, into a-new first (reverse of the draw)
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->refund.restored_points, 500);
  EXPECT_EQ(f->refund.restored_expired_points, 0);
  auto g = RefundOf("o1", "r2", 0, /*cancel=*/true);  // 100 more into a-new, 400 into a-old
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  EXPECT_EQ(g->refund.restored_points, 100);
  EXPECT_EQ(g->refund.restored_expired_points, 400);
  EXPECT_EQ(g->order.restored_points, 600);
  EXPECT_EQ(g->order.restored_expired_points, 400);
  EXPECT_EQ(Get("c1").available_points, 600);  // exactly the usable figure
  EXPECT_EQ(CheckAll(), "");
}

TEST_F(LedgerTest, PartialRefundsAreProportionalAndCancelSettlesTheRest) {
  MakeCustomer("c1");
  Grant("c1", 10000, "a1");
  // 30,000 won, 1,000 points redeemed: earns 1% of 29,000 = 290.
  ASSERT_TRUE(Order("o1", "c1", 30000, 1000).ok());
  auto f1 = RefundOf("o1", "r1", 10000);  // one third
  ASSERT_TRUE(f1.ok()) << f1.status().ToString();
  EXPECT_EQ(f1->refund.restored_points, 333);  // floor(1000/3)
  EXPECT_EQ(f1->refund.clawed_points, 96);     // floor(290/3)
  EXPECT_EQ(f1->refund.cash_refund_won, 10000 - 333);
  EXPECT_EQ(f1->order.qualifying_won, 20000 - 667);
  auto f2 = RefundOf("o1", "r2", 0, /*cancel=*/true);
  ASSERT_TRUE(f2.ok()) << f2.status().ToString();
  EXPECT_EQ(f2->refund.amount_won, 20000);
  EXPECT_EQ(f2->refund.restored_points, 667);
  EXPECT_EQ(f2->refund.clawed_points, 194);
  EXPECT_EQ(f2->order.restored_points, 1000);
  EXPECT_EQ(f2->order.restored_expired_points, 0);
  EXPECT_EQ(f2->order.clawback_requested_points, 290);
  EXPECT_EQ(f2->order.earn_clawed_points, 290);  // all of it from the pending earn
  EXPECT_EQ(f2->order.shortfall_points, 0);
  EXPECT_EQ(f2->order.qualifying_won, 0);
  EXPECT_EQ(f2->order.status, OrderStatus::kCancelled);
  EXPECT_EQ(Get("c1").available_points, 10000);
  EXPECT_EQ(Get("c1").pending_points, 0);
  EXPECT_EQ(CheckAll(), "");
}

TEST_F(LedgerTest, RefundsAreIdempotentOnRefundId) {
  MakeCustomer("c1");
  ASSERT_TRUE(Order("o1", "c1", 30000).ok());
  ASSERT_TRUE(RefundOf("o1", "r1", 10000).ok());
  auto again = RefundOf("o1", "r1", 10000);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(again->order.refunded_won, 10000);
  EXPECT_EQ(RefundOf("o1", "r1", 5000).status().code(), Code::kIdempotencyConflict);
  EXPECT_EQ(RefundOf("o1", "r9", 20001).status().code(), Code::kRefundExceedsOrder);
  EXPECT_EQ(RefundOf("nope", "r1", 1).status().code(), Code::kNotFound);
  EXPECT_EQ(CheckAll(), "");
}

TEST_F(LedgerTest, OrdersAreIdempotentOnOrderId) {
  MakeCustomer("c1");
  auto first = Order("o1", "c1", 30000);
  ASSERT_TRUE(first.ok());
  auto again = Order("o1", "c1", 30000);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(Get("c1").pending_points, 300);  // not earned twice
  EXPECT_EQ(Order("o1", "c1", 30001).status().code(), Code::kIdempotencyConflict);
  EXPECT_EQ(Order("o2", "ghost", 100).status().code(), Code::kNotFound);
}

TEST_F(LedgerTest, ClawbackTakeAvailableRecordsTheShortfall) {
  MakeCustomer("c1");
  ASSERT_TRUE(Order("o1", "c1", 100000).ok());  // earns 1,000
  ASSERT_TRUE(Confirm("o1").ok());
  ASSERT_TRUE(Order("o2", "c1", 5000, 900).ok());  // spends 900 of them
  auto f = RefundOf("o1", "r1", 100000);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->refund.clawback_requested_points, 1000);
  EXPECT_EQ(f->refund.clawed_points, 100);  // only what the balance held
  EXPECT_EQ(f->refund.shortfall_points, 900);
  EXPECT_EQ(f->refund.deduction_won, 0);
  EXPECT_EQ(f->order.clawback_requested_points, 1000);
  EXPECT_EQ(f->order.earn_clawed_points, 100);
  EXPECT_EQ(f->order.shortfall_points, 900);
  EXPECT_EQ(Get("c1").available_points, 0);
  EXPECT_EQ(CheckAll(), "");
}

TEST_F(LedgerTest, ClawedPointsAreWhatTheBalanceLostOverSeveralRefunds) {
  MakeCustomer("c1");
  ASSERT_TRUE(Order("o1", "c1", 95500).ok());  // earns 955
  ASSERT_TRUE(Confirm("o1").ok());
  ASSERT_TRUE(Order("o2", "c1", 5000, 700).ok());  // 255 left
  const Points before = Get("c1").available_points;
  auto f1 = RefundOf("o1", "r1", 47750);  // half: asks 477 back, the balance holds 255
  ASSERT_TRUE(f1.ok()) << f1.status().ToString();
  EXPECT_EQ(f1->refund.clawback_requested_points, 477);
  EXPECT_EQ(f1->refund.clawed_points, 255);
  EXPECT_EQ(f1->refund.shortfall_points, 222);
  EXPECT_EQ(before - Get("c1").available_points, f1->refund.clawed_points);
  Grant("c1", 100, "a1");
  auto f2 = RefundOf("o1", "r2", 0, /*cancel=*/true);  // asks the other 478, 100 there
  ASSERT_TRUE(f2.ok()) << f2.status().ToString();
  EXPECT_EQ(f2->refund.clawback_requested_points, 478);
  EXPECT_EQ(f2->refund.clawed_points, 100);
  EXPECT_EQ(f2->refund.shortfall_points, 378);
  // The order: everything earned was asked back, 355 of it removed, 600 never recovered.
  EXPECT_EQ(f2->order.clawback_requested_points, 955);
  EXPECT_EQ(f2->order.earn_clawed_points, 355);
  EXPECT_EQ(f2->order.shortfall_points, 600);
  EXPECT_EQ(Get("c1").available_points, 0);
  EXPECT_EQ(CheckAll(), "");
}

TEST_F(LedgerTest, ClawbackDeductFromRefundReportsWon) {
  program_.clawback_policy = ClawbackPolicy::kDeductFromRefund;
  MakeCustomer("c1");
  ASSERT_TRUE(Order("o1", "c1", 100000).ok());
  ASSERT_TRUE(Confirm("o1").ok());
  ASSERT_TRUE(Order("o2", "c1", 5000, 900).ok());
  auto f = RefundOf("o1", "r1", 100000);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  EXPECT_EQ(f->refund.clawback_requested_points, 1000);
  EXPECT_EQ(f->refund.clawed_points, 100);
  EXPECT_EQ(f->refund.deduction_won, 900);
  EXPECT_EQ(f->refund.shortfall_points, 0);
  EXPECT_EQ(f->refund.cash_refund_won, 100000 - 900);
  EXPECT_EQ(f->order.earn_clawed_points, 100);
  EXPECT_EQ(f->order.shortfall_points, 0);
  EXPECT_EQ(CheckAll(), "");
}

TEST_F(LedgerTest, ClawbackAllowNegativeLeavesADeficitThatTheNextEarnRepays) {
  program_.clawback_policy = ClawbackPolicy::kAllowNegative;
  MakeCustomer("c1");
  ASSERT_TRUE(Order("o1", "c1", 100000).ok());
  ASSERT_TRUE(Confirm("o1").ok());
  ASSERT_TRUE(Order("o2", "c1", 5000, 900).ok());
  auto f = RefundOf("o1", "r1", 100000);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  // Removed in full: 100 from the balance and 900 as a deficit; nothing is short.
  EXPECT_EQ(f->refund.clawback_requested_points, 1000);
  EXPECT_EQ(f->refund.clawed_points, 1000);
  EXPECT_EQ(f->refund.shortfall_points, 0);
  EXPECT_EQ(f->order.earn_clawed_points, 1000);
  EXPECT_EQ(Get("c1").available_points, -900);
  EXPECT_EQ(CheckAll(), "");
  ASSERT_TRUE(Order("o3", "c1", 200000).ok());  // earns 2,000
  ASSERT_TRUE(Confirm("o3").ok());
  EXPECT_EQ(Get("c1").available_points, 1100);
  auto deficit = Lots("c1", LotKind::kDeficit);
  ASSERT_EQ(deficit.size(), 1u);
  EXPECT_EQ(deficit[0].remaining_points, 0);
  EXPECT_EQ(CheckAll(), "");
}

TEST_F(LedgerTest, RateAndRuleVersionAreSnapshottedOnTheOrder) {
  MakeCustomer("c1");
  ASSERT_TRUE(Order("o1", "c1", 100000).ok());  // 1%: 1,000
  program_.tiers[0].earn_rate_bp = 500;         // the rule changes afterwards
  program_.version = 4;
  auto f = RefundOf("o1", "r1", 50000);
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->refund.clawed_points, 500);  // from the snapshot, not the new 5%
  EXPECT_EQ(f->order.rule_version, 3);
  EXPECT_EQ(CheckAll(), "");
}

TEST_F(LedgerTest, CancelledOrderCannotBeConfirmed) {
  MakeCustomer("c1");
  ASSERT_TRUE(Order("o1", "c1", 10000).ok());
  ASSERT_TRUE(RefundOf("o1", "cancel", 0, true).ok());
  EXPECT_EQ(Confirm("o1").status().code(), Code::kInvalidState);
  EXPECT_EQ(RefundOf("o1", "r2", 1).status().code(), Code::kInvalidState);
}

TEST_F(LedgerTest, NegativeAdjustmentBeyondTheBalanceIsRefusedUnlessAllowed) {
  MakeCustomer("c1");
  Grant("c1", 100, "a1");
  EXPECT_EQ(Adjust("a2", "c1", -101).status().code(), Code::kNegativeBalanceNotAllowed);
  EXPECT_EQ(Get("c1").available_points, 100);
  ASSERT_TRUE(Adjust("a3", "c1", -100).ok());
  EXPECT_EQ(Get("c1").available_points, 0);
  program_.allow_negative_adjustments = true;
  ASSERT_TRUE(Adjust("a4", "c1", -50).ok());
  EXPECT_EQ(Get("c1").available_points, -50);
  EXPECT_EQ(CheckAll(), "");
}

TEST_F(LedgerTest, AdjustmentsAreIdempotentAndRecordTheActor) {
  MakeCustomer("c1");
  auto a = Adjust("a1", "c1", 500);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->adjustment.actor_name, "tester");
  EXPECT_EQ(a->adjustment.actor_role, "admin");
  auto again = Adjust("a1", "c1", 500);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(again->replayed);
  EXPECT_EQ(Get("c1").available_points, 500);
  EXPECT_EQ(Adjust("a1", "c1", 600).status().code(), Code::kIdempotencyConflict);
  EXPECT_EQ(Adjust("a9", "c1", 0).status().code(), Code::kValidationFailed);
}

TEST_F(LedgerTest, LotsExpireAtTheEndOfTheirKstDay) {
  MakeCustomer("c1");
  now_us_ = Kst(2026, 3, 10, 12, 0);
  Grant("c1", 700, "a1");
  Micros expiry = Lots("c1", LotKind::kAvailable)[0].expires_at_us;
  EXPECT_EQ(expiry, Kst(2027, 3, 11));
  now_us_ = expiry - 1;
  EXPECT_EQ(Tx([&](Session& s) { return ExpireDueLots(s, "c1", Now()); }).value(), 0);
  now_us_ = expiry;
  EXPECT_EQ(Tx([&](Session& s) { return ExpireDueLots(s, "c1", Now()); }).value(), 700);
  EXPECT_EQ(Get("c1").available_points, 0);
  EXPECT_EQ(CheckAll(), "");
}

TEST_F(LedgerTest, ImmediateModeActivatesAtPlacement) {
  program_.pending_mode = PendingMode::kImmediate;
  MakeCustomer("c1");
  auto o = Order("o1", "c1", 10000);
  ASSERT_TRUE(o.ok());
  EXPECT_TRUE(o->order.earn_activated);
  EXPECT_EQ(Get("c1").available_points, 100);
  EXPECT_EQ(CheckAll(), "");
}

TEST_F(LedgerTest, DaysModeActivatesOnlyAfterThePendingPeriod) {
  program_.pending_mode = PendingMode::kDays;
  program_.pending_days = 7;
  MakeCustomer("c1");
  ASSERT_TRUE(Order("o1", "c1", 10000).ok());
  ASSERT_TRUE(Confirm("o1").ok());  // confirmation does not activate in this mode
  EXPECT_EQ(Get("c1").pending_points, 100);
  now_us_ += 7 * kDay - 1;
  EXPECT_FALSE(Tx([&](Session& s) { return ActivateIfMatured(s, "o1", Now()); }).value());
  now_us_ += 1;
  EXPECT_TRUE(Tx([&](Session& s) { return ActivateIfMatured(s, "o1", Now()); }).value());
  EXPECT_FALSE(Tx([&](Session& s) { return ActivateIfMatured(s, "o1", Now()); }).value());
  EXPECT_EQ(Get("c1").available_points, 100);
  EXPECT_EQ(CheckAll(), "");
}

TEST_F(LedgerTest, EveryChangeAppendsAnEventWithGaplessSequence) {
  MakeCustomer("c1");
  ASSERT_TRUE(Order("o1", "c1", 10000).ok());
  ASSERT_TRUE(Confirm("o1").ok());
  ASSERT_TRUE(RefundOf("o1", "r1", 5000).ok());
  auto events = Events("c1");
  std::vector<std::string> types;
  for (size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(events[i].seq, static_cast<int64_t>(i + 1));
    types.push_back(events[i].type);
  }
  EXPECT_EQ(types, (std::vector<std::string>{"customer.created", "order.placed", "points.activated",
                                             "order.confirmed", "order.refunded"}));
  EXPECT_EQ(Get("c1").event_seq, static_cast<int64_t>(events.size()));
}

TEST_F(LedgerTest, BadIdsAreRejectedWithTheFieldNamed) {
  MakeCustomer("c1");
  auto o = Order(std::string(65, 'x'), "c1", 100);
  EXPECT_EQ(o.status().code(), Code::kValidationFailed);
  EXPECT_EQ(o.status().field(), "order_id");
  auto bad = Order("o 1", "c1", 100);
  EXPECT_EQ(bad.status().field(), "order_id");
  auto zero = Order("o2", "c1", 0);
  EXPECT_EQ(zero.status().field(), "amount_won");
}

}  // namespace
}  // namespace loyalty
