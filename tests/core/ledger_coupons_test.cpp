// Coupons in the ledger: issuance, checkout (quote and order), refunds and cancellation, rule
// based issuance and its reruns, the daily steps, concurrent redemption.
#include <atomic>
#include <thread>

#include "core/executor.h"
#include "tests/core/coupon_test_util.h"

namespace loyalty::testing {
namespace {

class LedgerCouponsTest : public LedgerFixture {
 protected:
  void SetUp() override {
    LedgerFixture::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;  // no store: nothing to set up
    program_ = CouponProgram();
    random_ = &random_source_;
    MakeCustomer("c1");
    MakeCustomer("c2");
  }

  Coupon Issue(const std::string& customer_id, const std::string& tmpl) {
    IssueCouponRequest r;
    r.customer_id = customer_id;
    r.template_code = tmpl;
    r.reason = "test";
    auto w = Tx([&](Session& s) { return IssueCoupon(s, r, Now()); });
    EXPECT_TRUE(w.ok()) << w.status().ToString();
    return w.ok() ? w->coupon : Coupon{};
  }

  Result<OrderWrite> OrderWith(const std::string& order_id, const std::string& customer_id,
                               Won amount_won, std::vector<std::string> codes, Points redeem = 0) {
    OrderRequest r;
    r.order_id = order_id;
    r.customer_id = customer_id;
    r.amount_won = amount_won;
    r.points_to_redeem = redeem;
    r.coupon_codes = std::move(codes);
    r.request_hash = order_id;
    return Tx([&](Session& s) { return CreateOrder(s, r, Now()); });
  }

  Result<Quote> QuoteWith(const std::string& customer_id, Won amount_won,
                          std::vector<std::string> codes, Points redeem = 0) {
    QuoteRequest q;
    q.customer_id = customer_id;
    q.amount_won = amount_won;
    q.points_to_redeem = redeem;
    q.coupon_codes = std::move(codes);
    return QuoteOrder(*session_, q, Now());
  }

  Coupon Find(const std::string& code) {
    auto c = session_->FindCoupon(code);
    EXPECT_TRUE(c.ok() && c->has_value());
    return c.ok() && c->has_value() ? **c : Coupon{};
  }

  std::vector<std::string> EventTypes(const std::string& customer_id) {
    EventQuery q;
    q.customer_id = customer_id;
    q.limit = kMaxPageSize;
    auto events = session_->ListEvents(q);
    std::vector<std::string> out;
    for (const Event& e : events.value()) out.push_back(e.type);
    return out;
  }

  int Count(const std::vector<std::string>& v, const std::string& s) {
    return static_cast<int>(std::count(v.begin(), v.end(), s));
  }

  SeededRandom random_source_{42};
};

TEST_F(LedgerCouponsTest, AnOrderRedeemsACouponAndEarnsOnWhatIsLeft) {
  Coupon c = Issue("c1", "WELCOME");
  EXPECT_EQ(c.code.rfind("WELCOME-", 0), 0u);
  COUPON_ASSERT_OK_AND_ASSIGN(OrderWrite w, OrderWith("o1", "c1", 50000, {c.code}));
  EXPECT_EQ(w.order.coupon_discount_won, 3000);
  EXPECT_EQ(w.order.paid_won, 47000);
  EXPECT_EQ(w.order.earn_points, 470);  // 1% of 47,000: the earn basis is net of the coupon
  EXPECT_EQ(w.order.qualifying_won, 47000);
  EXPECT_EQ(w.order.coupon_codes, std::vector<std::string>{c.code});
  Coupon after = Find(c.code);
  EXPECT_EQ(after.status, CouponStatus::kRedeemed);
  EXPECT_EQ(after.order_id, "o1");
  EXPECT_EQ(after.discount_won, 3000);
  EXPECT_EQ(Count(EventTypes("c1"), "coupon.redeemed"), 1);
}

TEST_F(LedgerCouponsTest, ACodeTypedInLowerCaseWithGroupsIsAccepted) {
  Coupon c = Issue("c1", "EXTRA");
  std::string typed = c.code.substr(0, 5) + "-" + c.code.substr(5);
  for (char& ch : typed) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  COUPON_EXPECT_OK(OrderWith("o1", "c1", 10000, {typed}));
}

TEST_F(LedgerCouponsTest, ACouponIsUsedOnce) {
  Coupon c = Issue("c1", "EXTRA");
  COUPON_EXPECT_OK(OrderWith("o1", "c1", 10000, {c.code}));
  COUPON_EXPECT_CODE(OrderWith("o2", "c1", 10000, {c.code}), Code::kCouponAlreadyRedeemed);
  EXPECT_FALSE(session_->FindOrder("o2")->has_value());  // nothing of o2 was written
}

TEST_F(LedgerCouponsTest, AnotherCustomersCouponIsRefused) {
  Coupon c = Issue("c1", "EXTRA");
  COUPON_EXPECT_CODE(OrderWith("o1", "c2", 10000, {c.code}), Code::kCouponNotOwned);
}

TEST_F(LedgerCouponsTest, TheMinimumOrderExactlyMetIsEnough) {
  Coupon c = Issue("c1", "WELCOME");
  COUPON_EXPECT_CODE(OrderWith("o1", "c1", 19999, {c.code}), Code::kCouponMinOrderNotMet);
  COUPON_EXPECT_OK(OrderWith("o2", "c1", 20000, {c.code}));
}

TEST_F(LedgerCouponsTest, TheQuoteGivesTheDiscountOrThePreciseReason) {
  Coupon c = Issue("c1", "SILVER_UP");
  COUPON_ASSERT_OK_AND_ASSIGN(Quote q, QuoteWith("c1", 123456, {c.code}));
  EXPECT_TRUE(q.coupon_status.ok());
  EXPECT_EQ(q.coupon_discount_won, 10000);  // 12,345 capped at 10,000
  EXPECT_EQ(q.paid_won, 113456);
  COUPON_ASSERT_OK_AND_ASSIGN(Quote q2, QuoteWith("c2", 50000, {c.code}));
  EXPECT_EQ(q2.coupon_status.code(), Code::kCouponNotOwned);
  EXPECT_EQ(q2.coupon_discount_won, 0);
  EXPECT_EQ(q2.paid_won, 50000);
  std::string typo = c.code;
  typo[3] = typo[3] == 'A' ? 'B' : 'A';
  COUPON_ASSERT_OK_AND_ASSIGN(Quote q3, QuoteWith("c1", 50000, {typo}));
  EXPECT_EQ(q3.coupon_status.code(), Code::kCouponCodeInvalid);
  std::string never = "22222222222" + std::string("2");
  never.push_back(CouponCheckChar(never));
  COUPON_ASSERT_OK_AND_ASSIGN(Quote q4, QuoteWith("c1", 50000, {never}));
  EXPECT_EQ(q4.coupon_status.code(), Code::kCouponNotFound);
  now_us_ = Kst(2026, 4, 10);  // issued 10 March for 30 days: ended at 00:00 KST 9 April
  COUPON_ASSERT_OK_AND_ASSIGN(Quote q5, QuoteWith("c1", 50000, {c.code}));
  EXPECT_EQ(q5.coupon_status.code(), Code::kCouponExpired);
}

TEST_F(LedgerCouponsTest, AFixedDateCouponIsNotYetValidBeforeItsFirstKstDay) {
  CouponTemplate spring = FixedTemplate("SPRING", 2000, 0);
  spring.valid_days = 0;
  spring.valid_from = "2026-04-01";
  spring.valid_until = "2026-04-30";
  program_.coupons.templates.push_back(spring);
  Coupon c = Issue("c1", "SPRING");
  now_us_ = Kst(2026, 3, 31, 23, 59);
  COUPON_EXPECT_CODE(OrderWith("o1", "c1", 10000, {c.code}), Code::kCouponNotYetValid);
  now_us_ = Kst(2026, 4, 1);
  COUPON_EXPECT_OK(OrderWith("o2", "c1", 10000, {c.code}));
}

TEST_F(LedgerCouponsTest, OnlyStackableCouponsCombine) {
  Coupon a = Issue("c1", "BDAY");
  Coupon b = Issue("c1", "EXTRA");
  Coupon w = Issue("c1", "WELCOME");
  COUPON_EXPECT_CODE(OrderWith("o1", "c1", 50000, {a.code, w.code}), Code::kCouponNotStackable);
  COUPON_ASSERT_OK_AND_ASSIGN(OrderWrite ok, OrderWith("o2", "c1", 50000, {a.code, b.code}));
  EXPECT_EQ(ok.order.coupon_discount_won, 6000);
  EXPECT_EQ(Find(w.code).status, CouponStatus::kActive);
}

TEST_F(LedgerCouponsTest, ThePerCustomerLimitCountsRedemptions) {
  Coupon first = Issue("c1", "WELCOME");
  Coupon second = Issue("c1", "WELCOME");
  COUPON_EXPECT_OK(OrderWith("o1", "c1", 30000, {first.code}));
  COUPON_EXPECT_CODE(OrderWith("o2", "c1", 30000, {second.code}), Code::kCouponLimitReached);
}

TEST_F(LedgerCouponsTest, PointsApplyToWhatTheCouponLeaves) {
  COUPON_EXPECT_OK(Adjust("a1", "c1", 100000));
  Coupon c = Issue("c1", "SILVER_UP");
  // 10% of 50,000 = 5,000 off; points may pay the 45,000 left, not more.
  COUPON_EXPECT_CODE(OrderWith("o1", "c1", 50000, {c.code}, 45001), Code::kRedeemLimitExceeded);
  COUPON_ASSERT_OK_AND_ASSIGN(OrderWrite w, OrderWith("o2", "c1", 50000, {c.code}, 45000));
  EXPECT_EQ(w.order.paid_won, 0);
  EXPECT_EQ(w.order.earn_points, 0);
}

TEST_F(LedgerCouponsTest, PointsThenCouponTakesThePercentOfWhatPointsLeave) {
  program_.coupons.application_order = CouponApplicationOrder::kPointsThenCoupon;
  COUPON_EXPECT_OK(Adjust("a1", "c1", 100000));
  Coupon c = Issue("c1", "SILVER_UP");
  COUPON_ASSERT_OK_AND_ASSIGN(OrderWrite w, OrderWith("o1", "c1", 50000, {c.code}, 20000));
  EXPECT_EQ(w.order.coupon_discount_won, 3000);  // 10% of 30,000
  EXPECT_EQ(w.order.paid_won, 27000);
}

TEST_F(LedgerCouponsTest, CancellingTheOrderGivesTheCouponBackWhileValid) {
  Coupon c = Issue("c1", "EXTRA");
  COUPON_EXPECT_OK(OrderWith("o1", "c1", 10000, {c.code}));
  COUPON_ASSERT_OK_AND_ASSIGN(RefundWrite r, RefundOf("o1", "cancel", 0, true));
  EXPECT_EQ(r.refund.cash_refund_won, 9000);  // what was paid in cash
  Coupon back = Find(c.code);
  EXPECT_EQ(back.status, CouponStatus::kActive);
  EXPECT_TRUE(back.order_id.empty());
  EXPECT_EQ(Count(EventTypes("c1"), "coupon.restored"), 1);
  COUPON_EXPECT_OK(OrderWith("o2", "c1", 10000, {c.code}));  // usable again
}

TEST_F(LedgerCouponsTest, ACouponPastItsEndStaysUsedAfterCancel) {
  Coupon c = Issue("c1", "EXTRA");
  COUPON_EXPECT_OK(OrderWith("o1", "c1", 10000, {c.code}));
  now_us_ = Kst(2026, 5, 1);
  COUPON_EXPECT_OK(RefundOf("o1", "cancel", 0, true));
  EXPECT_EQ(Find(c.code).status, CouponStatus::kRedeemed);
}

TEST_F(LedgerCouponsTest, TheNeverPolicyKeepsTheCouponUsed) {
  program_.coupons.templates[3].restore_on_cancel = CouponRestorePolicy::kNever;  // EXTRA
  Coupon c = Issue("c1", "EXTRA");
  COUPON_EXPECT_OK(OrderWith("o1", "c1", 10000, {c.code}));
  COUPON_EXPECT_OK(RefundOf("o1", "cancel", 0, true));
  EXPECT_EQ(Find(c.code).status, CouponStatus::kRedeemed);
}

TEST_F(LedgerCouponsTest, PartialRefundsShareTheDiscountInProportion) {
  Coupon c = Issue("c1", "SILVER_UP");
  COUPON_EXPECT_OK(OrderWith("o1", "c1", 30000, {c.code}));  // 3,000 off, 27,000 paid
  COUPON_ASSERT_OK_AND_ASSIGN(RefundWrite r1, RefundOf("o1", "r1", 10000));
  EXPECT_EQ(r1.refund.cash_refund_won, 9000);
  EXPECT_EQ(r1.order.qualifying_won, 18000);
  COUPON_ASSERT_OK_AND_ASSIGN(RefundWrite r2, RefundOf("o1", "r2", 0, true));
  EXPECT_EQ(r2.refund.cash_refund_won, 18000);  // 27,000 paid back in all
  EXPECT_EQ(r2.order.qualifying_won, 0);
  EXPECT_EQ(CheckAll(), "");
}

TEST_F(LedgerCouponsTest, APromotionIssuesTheTiersCouponOnceAndAReplayIssuesNothing) {
  program_.tiering.counts_at = SpendMoment::kPlacement;
  COUPON_EXPECT_OK(Order("o1", "c1", 300000));  // reaches SILVER at once
  EXPECT_EQ(Get("c1").tier, "SILVER");
  CouponQuery q;
  q.customer_id = "c1";
  auto coupons = session_->ListCoupons(q);
  ASSERT_EQ(coupons->size(), 1u);
  EXPECT_EQ(coupons->front().template_code, "SILVER_UP");
  EXPECT_EQ(coupons->front().reason, "tier_promotion");
  // The job's rerun of the same upgrade path (same dedupe key) issues nothing.
  IssueCouponRequest again;
  again.customer_id = "c1";
  again.template_code = "SILVER_UP";
  again.dedupe_key = coupons->front().dedupe_key;
  COUPON_ASSERT_OK_AND_ASSIGN(CouponIssue replay,
                              Tx([&](Session& s) { return IssueCoupon(s, again, Now()); }));
  EXPECT_TRUE(replay.replayed);
  EXPECT_EQ(session_->ListCoupons(q)->size(), 1u);
}

TEST_F(LedgerCouponsTest, TheBirthdayCouponIsIssuedOncePerYear) {
  CustomerInput in;
  in.customer_id = "c1";
  in.birth_date = std::optional<std::string>("1990-03-22");
  COUPON_EXPECT_OK(Tx([&](Session& s) { return UpsertCustomer(s, in, Now()); }));
  const LocalDate march{2026, 3, 10};
  COUPON_ASSERT_OK_AND_ASSIGN(
      bool first, Tx([&](Session& s) { return IssueBirthdayCoupon(s, "c1", march, Now()); }));
  COUPON_ASSERT_OK_AND_ASSIGN(bool rerun, Tx([&](Session& s) {
                                return IssueBirthdayCoupon(s, "c1", LocalDate{2026, 3, 11}, Now());
                              }));
  COUPON_ASSERT_OK_AND_ASSIGN(
      bool april, Tx([&](Session& s) { return IssueBirthdayCoupon(s, "c2", march, Now()); }));
  EXPECT_TRUE(first);
  EXPECT_FALSE(rerun);
  EXPECT_FALSE(april);  // c2 has no birth date
  EXPECT_EQ(Count(EventTypes("c1"), "coupon.issued"), 1);
}

TEST_F(LedgerCouponsTest, TheJobWarnsOnceThenExpires) {
  Coupon c = Issue("c1", "EXTRA");  // ends 00:00 KST 9 April
  auto step = [&](Micros at) {
    return Tx([&](Session& s) { return ExpireOrWarnCoupon(s, c.code, At(at)); });
  };
  COUPON_ASSERT_OK_AND_ASSIGN(bool early, step(Kst(2026, 4, 1)));
  COUPON_ASSERT_OK_AND_ASSIGN(bool warned, step(Kst(2026, 4, 6)));
  COUPON_ASSERT_OK_AND_ASSIGN(bool again, step(Kst(2026, 4, 7)));
  COUPON_ASSERT_OK_AND_ASSIGN(bool expired, step(Kst(2026, 4, 9)));
  COUPON_ASSERT_OK_AND_ASSIGN(bool rerun, step(Kst(2026, 4, 9)));
  EXPECT_FALSE(early);
  EXPECT_TRUE(warned);
  EXPECT_FALSE(again);
  EXPECT_TRUE(expired);
  EXPECT_FALSE(rerun);
  std::vector<std::string> types = EventTypes("c1");
  EXPECT_EQ(Count(types, "coupon.expiring_soon"), 1);
  EXPECT_EQ(Count(types, "coupon.expired"), 1);
  EXPECT_EQ(Find(c.code).status, CouponStatus::kExpired);
}

TEST_F(LedgerCouponsTest, TheListShowsAnEndedCouponAsExpiredBeforeTheJob) {
  Coupon used = Issue("c1", "EXTRA");
  Issue("c1", "BDAY");
  COUPON_EXPECT_OK(OrderWith("o1", "c1", 10000, {used.code}));
  now_us_ = Kst(2026, 5, 1);
  auto list = [&](std::optional<CouponStatus> st) {
    return ListCustomerCoupons(*session_, "c1", st, "", 50, Now()).value().size();
  };
  EXPECT_EQ(list(std::nullopt), 2u);
  EXPECT_EQ(list(CouponStatus::kRedeemed), 1u);
  EXPECT_EQ(list(CouponStatus::kExpired), 1u);
  EXPECT_EQ(list(CouponStatus::kActive), 0u);
}

TEST_F(LedgerCouponsTest, ABatchOfUnassignedCodesIsUniqueAndARerunIssuesNothing) {
  CouponBatch b;
  b.batch_id = "b1";
  b.template_code = "EXTRA";
  b.requested = 5000;
  b.status = "pending";
  COUPON_EXPECT_OK(Tx([&](Session& s) -> Result<int64_t> {
    LOYALTY_RETURN_IF_ERROR(s.InsertCouponBatch(b));
    return ProcessCouponBatch(s, "b1", 3000, Now());
  }));
  COUPON_ASSERT_OK_AND_ASSIGN(
      int64_t rest, Tx([&](Session& s) { return ProcessCouponBatch(s, "b1", 3000, Now()); }));
  COUPON_ASSERT_OK_AND_ASSIGN(
      int64_t none, Tx([&](Session& s) { return ProcessCouponBatch(s, "b1", 3000, Now()); }));
  EXPECT_EQ(rest, 2000);
  EXPECT_EQ(none, 0);
  std::set<std::string> codes;
  CouponQuery q;
  q.batch_id = "b1";
  q.limit = kMaxPageSize;
  for (;;) {
    auto page = session_->ListCoupons(q).value();
    for (const Coupon& c : page) codes.insert(c.code);
    if (static_cast<int>(page.size()) < q.limit) break;
    q.after_code = page.back().code;
  }
  EXPECT_EQ(codes.size(), 5000u);  // unique by the primary key, all of them listed
  EXPECT_EQ(session_->FindCouponBatch("b1")->value().status, "done");
}

TEST_F(LedgerCouponsTest, UnderConcurrentOrdersExactlyOneRedeemsACampaignCode) {
  IssueCouponRequest r;
  r.template_code = "EXTRA";  // unassigned: any customer may try it
  COUPON_ASSERT_OK_AND_ASSIGN(CouponIssue issue,
                              Tx([&](Session& s) { return IssueCoupon(s, r, Now()); }));
  constexpr int kThreads = 16;
  for (int i = 0; i < kThreads; ++i) MakeCustomer("k" + std::to_string(i));
  std::vector<std::unique_ptr<Session>> writers;
  writers.push_back(store_->OpenSession().value());
  writers.push_back(store_->OpenSession().value());
  CommandExecutor executor(std::move(writers), ExecutorOptions{});
  std::atomic<int> ok{0}, redeemed{0}, other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      OrderRequest o;
      o.order_id = "race-" + std::to_string(i);
      o.customer_id = "k" + std::to_string(i);
      o.amount_won = 10000;
      o.coupon_codes = {issue.coupon.code};
      o.request_hash = o.order_id;
      const Ctx ctx = Now();
      Status st = executor.Submit([&](Session& s) { return CreateOrder(s, o, ctx).status(); });
      if (st.ok()) {
        ++ok;
      } else if (st.code() == Code::kCouponAlreadyRedeemed) {
        ++redeemed;
      } else {
        ++other;
        ADD_FAILURE() << st.ToString();
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(redeemed.load(), kThreads - 1);
  EXPECT_EQ(other.load(), 0);
}

}  // namespace
}  // namespace loyalty::testing
