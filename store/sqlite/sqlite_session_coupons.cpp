// SqliteSession: coupons and coupon batches.
#include <sqlite3.h>

#include <cstdio>

#include "store/common.h"
#include "store/sqlite/sqlite_session.h"

namespace loyalty::sqlite {

namespace {

Coupon ReadCoupon(const Stmt& s) {
  Coupon c;
  c.code = s.Text(0);
  c.template_code = s.Text(1);
  c.customer_id = s.OptionalText(2).value_or("");
  c.status = static_cast<CouponStatus>(s.Int(3));
  c.issued_at_us = s.Int(4);
  c.valid_from_us = s.Int(5);
  c.valid_until_us = s.Int(6);
  c.order_id = s.OptionalText(7).value_or("");
  c.discount_won = s.Int(8);
  c.redeemed_at_us = s.Int(9);
  c.dedupe_key = s.OptionalText(10).value_or("");
  c.batch_id = s.OptionalText(11).value_or("");
  c.reason = s.Text(12);
  c.issued_by = s.Text(13);
  c.expiring_notified = s.Bool(14);
  c.updated_at_us = s.Int(15);
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

CouponBatch ReadBatch(const Stmt& s) {
  CouponBatch b;
  b.batch_id = s.Text(0);
  b.template_code = s.Text(1);
  std::string ids = s.Text(2);
  for (size_t start = 0; start < ids.size();) {
    size_t nl = ids.find('\n', start);
    if (nl == std::string::npos) nl = ids.size();
    b.customer_ids.push_back(ids.substr(start, nl - start));
    start = nl + 1;
  }
  b.requested = s.Int(3);
  b.issued = s.Int(4);
  b.status = s.Text(5);
  b.reason = s.Text(6);
  b.issued_by = s.Text(7);
  b.request_hash = s.Text(8);
  b.created_at_us = s.Int(9);
  b.finished_at_us = s.Int(10);
  return b;
}

std::string ReadText0(const Stmt& s) { return s.Text(0); }

}  // namespace

Status SqliteSession::InsertCoupon(const Coupon& c) {
  LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, Use(StmtId::kInsertCoupon));
  stmt.BindText(c.code);
  stmt.BindText(c.template_code);
  stmt.BindOptionalText(NullIfEmpty(c.customer_id));
  stmt.BindInt(static_cast<int>(c.status));
  stmt.BindInt(c.issued_at_us);
  stmt.BindInt(c.valid_from_us);
  stmt.BindInt(c.valid_until_us);
  stmt.BindOptionalText(NullIfEmpty(c.order_id));
  stmt.BindInt(c.discount_won);
  stmt.BindInt(c.redeemed_at_us);
  stmt.BindOptionalText(NullIfEmpty(c.dedupe_key));
  stmt.BindOptionalText(NullIfEmpty(c.batch_id));
  stmt.BindText(c.reason);
  stmt.BindText(c.issued_by);
  stmt.BindBool(c.expiring_notified);
  stmt.BindInt(c.updated_at_us);
  return stmt.RunInsert();
}

Result<std::optional<Coupon>> SqliteSession::FindCoupon(const std::string& code) {
  LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, Use(StmtId::kFindCoupon));
  stmt.BindText(code);
  return ReadOne(stmt, &ReadCoupon);
}

Result<std::optional<Coupon>> SqliteSession::FindCouponByDedupeKey(const std::string& dedupe_key) {
  LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, Use(StmtId::kFindCouponByDedupeKey));
  stmt.BindText(dedupe_key);
  return ReadOne(stmt, &ReadCoupon);
}

Result<bool> SqliteSession::RedeemCoupon(const std::string& code, const std::string& customer_id,
                                         const std::string& order_id, Won discount_won,
                                         Micros now_us) {
  LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, Use(StmtId::kRedeemCoupon));
  stmt.BindText(code);
  stmt.BindText(customer_id);
  stmt.BindText(order_id);
  stmt.BindInt(discount_won);
  stmt.BindInt(now_us);
  LOYALTY_RETURN_IF_ERROR(stmt.Run());
  return sqlite3_changes64(db_.get()) == 1;
}

Status SqliteSession::UpdateCoupon(const Coupon& c) {
  LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, Use(StmtId::kUpdateCoupon));
  stmt.BindText(c.code);
  stmt.BindOptionalText(NullIfEmpty(c.customer_id));
  stmt.BindInt(static_cast<int>(c.status));
  stmt.BindInt(c.valid_from_us);
  stmt.BindInt(c.valid_until_us);
  stmt.BindOptionalText(NullIfEmpty(c.order_id));
  stmt.BindInt(c.discount_won);
  stmt.BindInt(c.redeemed_at_us);
  stmt.BindText(c.reason);
  stmt.BindText(c.issued_by);
  stmt.BindBool(c.expiring_notified);
  stmt.BindInt(c.updated_at_us);
  LOYALTY_RETURN_IF_ERROR(stmt.Run());
  return ExpectOneChange("coupon", c.code);
}

Result<std::vector<Coupon>> SqliteSession::ListCoupons(const CouponQuery& q) {
  StmtId id = StmtId::kListCouponsOfCustomer;
  const std::string* key = &q.customer_id;
  if (!q.order_id.empty()) {
    id = StmtId::kListCouponsOfOrder;
    key = &q.order_id;
  } else if (!q.batch_id.empty()) {
    id = StmtId::kListCouponsOfBatch;
    key = &q.batch_id;
  }
  LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, Use(id));
  stmt.BindText(*key);
  stmt.BindInt(q.status ? static_cast<int>(*q.status) : 0);
  stmt.BindText(q.after_code);
  stmt.BindInt(PageLimit(q.limit));
  return ReadAll(stmt, &ReadCoupon);
}

Result<int64_t> SqliteSession::CountRedeemedCoupons(const std::string& customer_id,
                                                    const std::string& template_code) {
  LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, Use(StmtId::kCountRedeemedCoupons));
  stmt.BindText(customer_id);
  stmt.BindText(template_code);
  LOYALTY_ASSIGN_OR_RETURN(bool row, stmt.Step());
  return row ? stmt.Int(0) : int64_t{0};
}

Result<std::vector<Coupon>> SqliteSession::ListActiveCouponsEndingBy(Micros until_before_us,
                                                                     const std::string& after_code,
                                                                     int limit) {
  LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, Use(StmtId::kListActiveCouponsEndingBy));
  stmt.BindInt(until_before_us);
  stmt.BindText(after_code);
  stmt.BindInt(limit);
  return ReadAll(stmt, &ReadCoupon);
}

Result<std::vector<std::string>> SqliteSession::CustomersBornInMonth(int month,
                                                                     const std::string& after_id,
                                                                     int limit) {
  LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, Use(StmtId::kCustomersBornInMonth));
  char mm[8];
  std::snprintf(mm, sizeof mm, "%02d", month);
  stmt.BindText(mm);
  stmt.BindText(after_id);
  stmt.BindInt(limit);
  return ReadAll(stmt, &ReadText0);
}

Status SqliteSession::InsertCouponBatch(const CouponBatch& b) {
  LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, Use(StmtId::kInsertCouponBatch));
  stmt.BindText(b.batch_id);
  stmt.BindText(b.template_code);
  stmt.BindText(JoinLines(b.customer_ids));
  stmt.BindInt(b.requested);
  stmt.BindInt(b.issued);
  stmt.BindText(b.status);
  stmt.BindText(b.reason);
  stmt.BindText(b.issued_by);
  stmt.BindText(b.request_hash);
  stmt.BindInt(b.created_at_us);
  stmt.BindInt(b.finished_at_us);
  return stmt.RunInsert();
}

Result<std::optional<CouponBatch>> SqliteSession::FindCouponBatch(const std::string& batch_id) {
  LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, Use(StmtId::kFindCouponBatch));
  stmt.BindText(batch_id);
  return ReadOne(stmt, &ReadBatch);
}

Status SqliteSession::UpdateCouponBatch(const CouponBatch& b) {
  LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, Use(StmtId::kUpdateCouponBatch));
  stmt.BindText(b.batch_id);
  stmt.BindInt(b.issued);
  stmt.BindText(b.status);
  stmt.BindInt(b.finished_at_us);
  LOYALTY_RETURN_IF_ERROR(stmt.Run());
  return ExpectOneChange("coupon batch", b.batch_id);
}

Result<std::vector<std::string>> SqliteSession::ListUnfinishedCouponBatches() {
  LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, Use(StmtId::kListUnfinishedCouponBatches));
  return ReadAll(stmt, &ReadText0);
}

}  // namespace loyalty::sqlite
