// Conformance: coupons and coupon batches (every store must redeem conditionally).
#include <string>
#include <vector>

#include "tests/store/store_fixture.h"

namespace loyalty::testing {
namespace {

Coupon SampleCoupon(const std::string& code, const std::string& customer_id) {
  Coupon c;
  c.code = code;
  c.template_code = "WELCOME";
  c.customer_id = customer_id;
  c.status = CouponStatus::kActive;
  c.issued_at_us = 1'700'000'000'000'000;
  c.valid_from_us = 1'700'000'000'000'000;
  c.valid_until_us = 1'702'000'000'000'000;
  c.reason = "test";
  c.issued_by = "admin:test";
  c.updated_at_us = 1'700'000'000'000'000;
  return c;
}

std::vector<std::string> Codes(const std::vector<Coupon>& coupons) {
  std::vector<std::string> out;
  for (const Coupon& c : coupons) out.push_back(c.code);
  return out;
}

TEST_P(StoreConformance, CouponRoundTripsWithNullableFields) {
  AddCustomer("c-1");
  Coupon owned = SampleCoupon("A-1", "c-1");
  owned.dedupe_key = "birthday:c-1:2026";
  Coupon campaign = SampleCoupon("B-1", "");
  campaign.batch_id = "batch-1";
  ASSERT_OK(session_->InsertCoupon(owned));
  ASSERT_OK(session_->InsertCoupon(campaign));
  ASSERT_OK_AND_ASSIGN(std::optional<Coupon> found, session_->FindCoupon("B-1"));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->customer_id, "");
  EXPECT_EQ(found->dedupe_key, "");
  EXPECT_EQ(found->batch_id, "batch-1");
  EXPECT_EQ(found->valid_until_us, campaign.valid_until_us);
  ASSERT_OK_AND_ASSIGN(found, session_->FindCouponByDedupeKey("birthday:c-1:2026"));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->code, "A-1");
  EXPECT_EQ(found->issued_by, "admin:test");
}

TEST_P(StoreConformance, CodesAndDedupeKeysAreUniqueButEmptyKeysAreNot) {
  AddCustomer("c-1");
  Coupon a = SampleCoupon("A-1", "c-1");
  a.dedupe_key = "k";
  ASSERT_OK(session_->InsertCoupon(a));
  EXPECT_CODE(session_->InsertCoupon(SampleCoupon("A-1", "c-1")), Code::kAlreadyExists);
  Coupon b = SampleCoupon("A-2", "c-1");
  b.dedupe_key = "k";
  EXPECT_CODE(session_->InsertCoupon(b), Code::kAlreadyExists);
  ASSERT_OK(session_->InsertCoupon(SampleCoupon("A-3", "c-1")));  // no key
  ASSERT_OK(session_->InsertCoupon(SampleCoupon("A-4", "c-1")));  // no key either
}

TEST_P(StoreConformance, RedemptionIsConditionalOnTheCouponBeingActive) {
  AddCustomer("c-1");
  AddCustomer("c-2");
  ASSERT_OK(session_->InsertCoupon(SampleCoupon("B-1", "")));
  ASSERT_OK_AND_ASSIGN(bool first, session_->RedeemCoupon("B-1", "c-1", "o-1", 3000, 5));
  ASSERT_OK_AND_ASSIGN(bool second, session_->RedeemCoupon("B-1", "c-2", "o-2", 3000, 6));
  EXPECT_TRUE(first);
  EXPECT_FALSE(second);
  ASSERT_OK_AND_ASSIGN(std::optional<Coupon> c, session_->FindCoupon("B-1"));
  EXPECT_EQ(c->status, CouponStatus::kRedeemed);
  EXPECT_EQ(c->customer_id, "c-1");
  EXPECT_EQ(c->order_id, "o-1");
  EXPECT_EQ(c->discount_won, 3000);
  ASSERT_OK_AND_ASSIGN(int64_t used, session_->CountRedeemedCoupons("c-1", "WELCOME"));
  EXPECT_EQ(used, 1);
  // Restored: active again, and redeemable again.
  c->status = CouponStatus::kActive;
  c->order_id.clear();
  ASSERT_OK(session_->UpdateCoupon(*c));
  ASSERT_OK_AND_ASSIGN(bool again, session_->RedeemCoupon("B-1", "c-1", "o-3", 3000, 7));
  EXPECT_TRUE(again);
  EXPECT_CODE(session_->UpdateCoupon(SampleCoupon("nope", "")), Code::kNotFound);
}

TEST_P(StoreConformance, CouponsListByCustomerOrderBatchAndEnd) {
  AddCustomer("c-1");
  for (const char* code : {"C-3", "C-1", "C-2"}) {
    ASSERT_OK(session_->InsertCoupon(SampleCoupon(code, "c-1")));
  }
  Coupon ending = SampleCoupon("C-0", "c-1");
  ending.valid_until_us = 1'701'000'000'000'000;
  ASSERT_OK(session_->InsertCoupon(ending));
  for (const char* code : {"Z-9", "Z-1", "Z-5"}) {
    Coupon c = SampleCoupon(code, "");
    c.batch_id = "batch-1";
    ASSERT_OK(session_->InsertCoupon(c));
  }
  ASSERT_OK_AND_ASSIGN(bool r, session_->RedeemCoupon("C-2", "c-1", "o-1", 100, 9));
  EXPECT_TRUE(r);
  CouponQuery q;
  q.customer_id = "c-1";
  ASSERT_OK_AND_ASSIGN(std::vector<Coupon> all, session_->ListCoupons(q));
  EXPECT_EQ(Codes(all), (std::vector<std::string>{"C-0", "C-1", "C-2", "C-3"}));
  q.status = CouponStatus::kActive;
  q.after_code = "C-0";
  ASSERT_OK_AND_ASSIGN(std::vector<Coupon> active, session_->ListCoupons(q));
  EXPECT_EQ(Codes(active), (std::vector<std::string>{"C-1", "C-3"}));
  CouponQuery by_order;
  by_order.order_id = "o-1";
  ASSERT_OK_AND_ASSIGN(std::vector<Coupon> of_order, session_->ListCoupons(by_order));
  EXPECT_EQ(Codes(of_order), (std::vector<std::string>{"C-2"}));
  CouponQuery by_batch;  // in issue order
  by_batch.batch_id = "batch-1";
  ASSERT_OK_AND_ASSIGN(std::vector<Coupon> batch, session_->ListCoupons(by_batch));
  EXPECT_EQ(Codes(batch), (std::vector<std::string>{"Z-9", "Z-1", "Z-5"}));
  by_batch.after_code = "Z-1";
  ASSERT_OK_AND_ASSIGN(batch, session_->ListCoupons(by_batch));
  EXPECT_EQ(Codes(batch), (std::vector<std::string>{"Z-5"}));
  ASSERT_OK_AND_ASSIGN(std::vector<Coupon> due,
                       session_->ListActiveCouponsEndingBy(1'701'000'000'000'000, "", 10));
  EXPECT_EQ(Codes(due), (std::vector<std::string>{"C-0"}));
}

TEST_P(StoreConformance, CustomersAreFoundByBirthMonth) {
  for (const auto& [id, born] : std::vector<std::pair<std::string, std::string>>{
           {"c-1", "1990-03-22"}, {"c-2", "1985-04-01"}, {"c-3", "2001-03-01"}, {"c-4", ""}}) {
    Customer c = SampleCustomer(id);
    c.birth_date = born.empty() ? std::nullopt : std::optional<std::string>(born);
    ASSERT_OK(session_->InsertCustomer(c));
  }
  ASSERT_OK_AND_ASSIGN(std::vector<std::string> march, session_->CustomersBornInMonth(3, "", 10));
  EXPECT_EQ(march, (std::vector<std::string>{"c-1", "c-3"}));
  ASSERT_OK_AND_ASSIGN(march, session_->CustomersBornInMonth(3, "c-1", 10));
  EXPECT_EQ(march, (std::vector<std::string>{"c-3"}));
}

TEST_P(StoreConformance, CouponBatchesRoundTripAndListUntilDone) {
  CouponBatch b;
  b.batch_id = "b-1";
  b.template_code = "WELCOME";
  b.customer_ids = {"c-1", "c-2"};
  b.requested = 2;
  b.status = "pending";
  b.reason = "spring";
  b.issued_by = "admin:test";
  b.request_hash = "h";
  b.created_at_us = 5;
  ASSERT_OK(session_->InsertCouponBatch(b));
  EXPECT_CODE(session_->InsertCouponBatch(b), Code::kAlreadyExists);
  ASSERT_OK_AND_ASSIGN(std::vector<std::string> open, session_->ListUnfinishedCouponBatches());
  EXPECT_EQ(open, std::vector<std::string>{"b-1"});
  b.issued = 2;
  b.status = "done";
  b.finished_at_us = 9;
  ASSERT_OK(session_->UpdateCouponBatch(b));
  ASSERT_OK_AND_ASSIGN(std::optional<CouponBatch> found, session_->FindCouponBatch("b-1"));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->customer_ids, b.customer_ids);
  EXPECT_EQ(found->issued, 2);
  EXPECT_EQ(found->status, "done");
  EXPECT_EQ(found->finished_at_us, 9);
  ASSERT_OK_AND_ASSIGN(open, session_->ListUnfinishedCouponBatches());
  EXPECT_TRUE(open.empty());
}

}  // namespace
}  // namespace loyalty::testing
