// MysqlSession: coupons and coupon batches (the same semantics as sqlite_session_coupons.cpp).
#include <cstdio>
#include <utility>

#include "store/common.h"
#include "store/mysql/mysql_session.h"
#include "store/mysql/mysql_statements_coupons.h"

namespace loyalty::mysql {

namespace {

Coupon ReadCoupon(const sql::ResultSet& rs) {
  Coupon c;
  c.code = Text(rs, 1);
  c.template_code = Text(rs, 2);
  c.customer_id = OptionalText(rs, 3).value_or("");
  c.status = static_cast<CouponStatus>(Int(rs, 4));
  c.issued_at_us = Int(rs, 5);
  c.valid_from_us = Int(rs, 6);
  c.valid_until_us = Int(rs, 7);
  c.order_id = OptionalText(rs, 8).value_or("");
  c.discount_won = Int(rs, 9);
  c.redeemed_at_us = Int(rs, 10);
  c.dedupe_key = OptionalText(rs, 11).value_or("");
  c.batch_id = OptionalText(rs, 12).value_or("");
  c.reason = Text(rs, 13);
  c.issued_by = Text(rs, 14);
  c.expiring_notified = Bool(rs, 15);
  c.updated_at_us = Int(rs, 16);
  return c;
}

std::string JoinLines(const std::vector<std::string>& ids) {
  std::string out;
  for (const std::string& id : ids) {
    if (!out.empty()) out.push_back('\n');
    out += id;
  }
  return out;
}

CouponBatch ReadBatch(const sql::ResultSet& rs) {
  CouponBatch b;
  b.batch_id = Text(rs, 1);
  b.template_code = Text(rs, 2);
  const std::string ids = Text(rs, 3);
  for (size_t start = 0; start < ids.size();) {
    size_t nl = ids.find('\n', start);
    if (nl == std::string::npos) nl = ids.size();
    b.customer_ids.push_back(ids.substr(start, nl - start));
    start = nl + 1;
  }
  b.requested = Int(rs, 4);
  b.issued = Int(rs, 5);
  b.status = Text(rs, 6);
  b.reason = Text(rs, 7);
  b.issued_by = Text(rs, 8);
  b.request_hash = Text(rs, 9);
  b.created_at_us = Int(rs, 10);
  b.finished_at_us = Int(rs, 11);
  return b;
}

std::string ReadFirstText(const sql::ResultSet& rs) { return Text(rs, 1); }

}  // namespace

Status MysqlSession::InsertCoupon(const Coupon& c) {
  Status status = Run("insert coupon", true, [&] {
    Bind(Prepare(stmt::kInsertCoupon))
        .Text(c.code)
        .Text(c.template_code)
        .OptionalText(NullIfEmpty(c.customer_id))
        .Int(static_cast<int>(c.status))
        .Int(c.issued_at_us)
        .Int(c.valid_from_us)
        .Int(c.valid_until_us)
        .OptionalText(NullIfEmpty(c.order_id))
        .Int(c.discount_won)
        .Int(c.redeemed_at_us)
        .OptionalText(NullIfEmpty(c.dedupe_key))
        .OptionalText(NullIfEmpty(c.batch_id))
        .Text(c.reason)
        .Text(c.issued_by)
        .Bool(c.expiring_notified)
        .Int(c.updated_at_us)
        .Update();
    return Status::Ok();
  });
  if (c.dedupe_key.empty()) return status;
  // A duplicate code is kAlreadyExists (the caller draws another code). A duplicate dedupe key
  // this transaction looked up and did not find is a write conflict with another node issuing
  // the same coupon: Inserted() makes it kRetry, and the re-run finds that coupon.
  if (!status.ok() && status.message().find("coupons_dedupe_key") == std::string::npos) {
    return status;
  }
  return Inserted(std::move(status), "coupon_dedupe:" + c.dedupe_key);
}

Result<std::optional<Coupon>> MysqlSession::FindCoupon(const std::string& code) {
  // In a write transaction the row is locked: the job's expiry and a redemption or restore of
  // the same coupon never overwrite each other (SQLite has one writer).
  const char* sql = tx_ == Tx::kWrite ? stmt::kFindCouponForUpdate : stmt::kFindCoupon;
  return Run("find coupon", false, [&]() -> Result<std::optional<Coupon>> {
    std::unique_ptr<sql::ResultSet> rs = Bind(Prepare(sql)).Text(code).Query();
    return ReadFirst(*rs, &ReadCoupon);
  });
}

Result<std::optional<Coupon>> MysqlSession::FindCouponByDedupeKey(const std::string& dedupe_key) {
  return Looked(Run("find coupon by dedupe key", false, [&]() -> Result<std::optional<Coupon>> {
    std::unique_ptr<sql::ResultSet> rs =
        Bind(Prepare(stmt::kFindCouponByDedupeKey)).Text(dedupe_key).Query();
    return ReadFirst(*rs, &ReadCoupon);
  }), "coupon_dedupe:" + dedupe_key);
}

Result<bool> MysqlSession::RedeemCoupon(const std::string& code, const std::string& customer_id,
                                        const std::string& order_id, Won discount_won,
                                        Micros now_us) {
  return Run("redeem coupon", false, [&]() -> Result<bool> {
    // The connection counts matched rows: 1 when this call turned the active coupon redeemed.
    const int64_t matched = Bind(Prepare(stmt::kRedeemCoupon))
                                .Text(customer_id)
                                .Text(order_id)
                                .Int(discount_won)
                                .Int(now_us)
                                .Int(now_us)
                                .Text(code)
                                .Update();
    return matched == 1;
  });
}

Status MysqlSession::UpdateCoupon(const Coupon& c) {
  return Run("update coupon", false, [&] {
    const int64_t matched = Bind(Prepare(stmt::kUpdateCoupon))
                                .OptionalText(NullIfEmpty(c.customer_id))
                                .Int(static_cast<int>(c.status))
                                .Int(c.valid_from_us)
                                .Int(c.valid_until_us)
                                .OptionalText(NullIfEmpty(c.order_id))
                                .Int(c.discount_won)
                                .Int(c.redeemed_at_us)
                                .Text(c.reason)
                                .Text(c.issued_by)
                                .Bool(c.expiring_notified)
                                .Int(c.updated_at_us)
                                .Text(c.code)
                                .Update();
    return ExpectOne(matched, "coupon", c.code);
  });
}

Result<std::vector<Coupon>> MysqlSession::ListCoupons(const CouponQuery& q) {
  const char* sql = stmt::kListCouponsOfCustomer;
  const std::string* key = &q.customer_id;
  if (!q.order_id.empty()) {
    sql = stmt::kListCouponsOfOrder;
    key = &q.order_id;
  } else if (!q.batch_id.empty()) {
    sql = stmt::kListCouponsOfBatch;
    key = &q.batch_id;
  }
  const int status = q.status ? static_cast<int>(*q.status) : 0;
  return Run("list coupons", false, [&]() -> Result<std::vector<Coupon>> {
    std::unique_ptr<sql::ResultSet> rs = Bind(Prepare(sql))
                                             .Text(*key)
                                             .Int(status)
                                             .Int(status)
                                             .Text(q.after_code)
                                             .Int(PageLimit(q.limit))
                                             .Query();
    return ReadRows(*rs, &ReadCoupon);
  });
}

Result<int64_t> MysqlSession::CountRedeemedCoupons(const std::string& customer_id,
                                                   const std::string& template_code) {
  return Run("count redeemed coupons", false, [&]() -> Result<int64_t> {
    std::unique_ptr<sql::ResultSet> rs =
        Bind(Prepare(stmt::kCountRedeemedCoupons)).Text(customer_id).Text(template_code).Query();
    return rs->next() ? Int(*rs, 1) : int64_t{0};
  });
}

Result<std::vector<Coupon>> MysqlSession::ListActiveCouponsEndingBy(Micros until_before_us,
                                                                    const std::string& after_code,
                                                                    int limit) {
  return Run("list coupons ending", false, [&]() -> Result<std::vector<Coupon>> {
    std::unique_ptr<sql::ResultSet> rs = Bind(Prepare(stmt::kListActiveCouponsEndingBy))
                                             .Int(until_before_us)
                                             .Text(after_code)
                                             .Int(limit)
                                             .Query();
    return ReadRows(*rs, &ReadCoupon);
  });
}

Result<std::vector<std::string>> MysqlSession::CustomersBornInMonth(int month,
                                                                    const std::string& after_id,
                                                                    int limit) {
  char mm[8];
  std::snprintf(mm, sizeof mm, "%02d", month);
  return Run("list customers by birth month", false, [&]() -> Result<std::vector<std::string>> {
    std::unique_ptr<sql::ResultSet> rs = Bind(Prepare(stmt::kCustomersBornInMonth))
                                             .Text(mm)
                                             .Text(after_id)
                                             .Int(limit)
                                             .Query();
    return ReadRows(*rs, &ReadFirstText);
  });
}

Status MysqlSession::InsertCouponBatch(const CouponBatch& b) {
  return Inserted(Run("insert coupon batch", true, [&] {
    Bind(Prepare(stmt::kInsertCouponBatch))
        .Text(b.batch_id)
        .Text(b.template_code)
        .Text(JoinLines(b.customer_ids))
        .Int(b.requested)
        .Int(b.issued)
        .Text(b.status)
        .Text(b.reason)
        .Text(b.issued_by)
        .Text(b.request_hash)
        .Int(b.created_at_us)
        .Int(b.finished_at_us)
        .Update();
    return Status::Ok();
  }), "coupon_batch:" + b.batch_id);
}

Result<std::optional<CouponBatch>> MysqlSession::FindCouponBatch(const std::string& batch_id) {
  // Locked in a write transaction: one node at a time works on a batch (SQLite has one writer).
  const char* sql = tx_ == Tx::kWrite ? stmt::kFindCouponBatchForUpdate : stmt::kFindCouponBatch;
  return Looked(Run("find coupon batch", false, [&]() -> Result<std::optional<CouponBatch>> {
    std::unique_ptr<sql::ResultSet> rs = Bind(Prepare(sql)).Text(batch_id).Query();
    return ReadFirst(*rs, &ReadBatch);
  }), "coupon_batch:" + batch_id);
}

Status MysqlSession::UpdateCouponBatch(const CouponBatch& b) {
  return Run("update coupon batch", false, [&] {
    const int64_t matched = Bind(Prepare(stmt::kUpdateCouponBatch))
                                .Int(b.issued)
                                .Text(b.status)
                                .Int(b.finished_at_us)
                                .Text(b.batch_id)
                                .Update();
    return ExpectOne(matched, "coupon batch", b.batch_id);
  });
}

Result<std::vector<std::string>> MysqlSession::ListUnfinishedCouponBatches() {
  return Run("list unfinished coupon batches", false, [&]() -> Result<std::vector<std::string>> {
    std::unique_ptr<sql::ResultSet> rs = Bind(Prepare(stmt::kListUnfinishedCouponBatches)).Query();
    return ReadRows(*rs, &ReadFirstText);
  });
}

}  // namespace loyalty::mysql
