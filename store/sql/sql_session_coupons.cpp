// SqlSession: coupons and coupon batches.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "store/common.h"
#include "store/sql/sql_session.h"
#include "store/sql/statements_coupons.h"

namespace loyalty::sql {

namespace {

// The keys under which Looked() / Inserted() remember a lookup that found nothing.
std::string DedupeLookupKey(const std::string& dedupe_key) { return "coupon_dedupe:" + dedupe_key; }
std::string BatchLookupKey(const std::string& batch_id) { return "coupon_batch:" + batch_id; }

// LOYALTY_SQL_COUPON_COLUMNS.
Coupon ReadCoupon(const Statement& s) {
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

// A batch's customer ids are stored one a line.
std::string JoinLines(const std::vector<std::string>& ids) {
  std::string out;
  for (const std::string& id : ids) {
    if (!out.empty()) out.push_back('\n');
    out += id;
  }
  return out;
}

// LOYALTY_SQL_COUPON_BATCH_COLUMNS.
CouponBatch ReadBatch(const Statement& s) {
  CouponBatch b;
  b.batch_id = s.Text(0);
  b.template_code = s.Text(1);
  const std::string ids = s.Text(2);
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

std::string ReadText0(const Statement& s) { return s.Text(0); }
int64_t ReadInt0(const Statement& s) { return s.Int(0); }

}  // namespace

Status SqlSession::InsertCoupon(const Coupon& c) {
  Status status = Execute(stmt::kInsertCoupon, [&](Statement& s) {
                    s.BindText(c.code);
                    s.BindText(c.template_code);
                    s.BindOptionalText(NullIfEmpty(c.customer_id));
                    s.BindInt(static_cast<int>(c.status));
                    s.BindInt(c.issued_at_us);
                    s.BindInt(c.valid_from_us);
                    s.BindInt(c.valid_until_us);
                    s.BindOptionalText(NullIfEmpty(c.order_id));
                    s.BindInt(c.discount_won);
                    s.BindInt(c.redeemed_at_us);
                    s.BindOptionalText(NullIfEmpty(c.dedupe_key));
                    s.BindOptionalText(NullIfEmpty(c.batch_id));
                    s.BindText(c.reason);
                    s.BindText(c.issued_by);
                    s.BindBool(c.expiring_notified);
                    s.BindInt(c.updated_at_us);
                  }).status();
  if (c.dedupe_key.empty()) return status;
  // A duplicate code is kAlreadyExists (the caller draws another code). A duplicate dedupe key
  // this transaction looked up and did not find is a write conflict with another node issuing
  // the same coupon: Inserted() makes it kRetry, and the re-run finds that coupon. Which key was
  // taken is asked of the table rather than read from the engine's message (whose wording is
  // the driver's): the code, when a committed coupon has it.
  const std::string lookup_key = DedupeLookupKey(c.dedupe_key);
  if (status.code() == Code::kAlreadyExists && missing_.count(lookup_key) > 0) {
    const auto bind_code = [&](Statement& s) { s.BindText(c.code); };
    LOYALTY_ASSIGN_OR_RETURN(
        std::optional<Coupon> same_code,
        QueryOne<Coupon>(stmt::kFindCoupon, Variant::kPlain, bind_code, &ReadCoupon));
    if (same_code.has_value()) return status;
  }
  return Inserted(std::move(status), lookup_key);
}

Result<std::optional<Coupon>> SqlSession::FindCoupon(const std::string& code) {
  // In a write transaction the row is locked: the job's expiry and a redemption or restore of
  // the same coupon never overwrite each other (SQLite has one writer).
  return QueryOne<Coupon>(
      stmt::kFindCoupon, Variant::kForUpdate, [&](Statement& s) { s.BindText(code); }, &ReadCoupon);
}

Result<std::optional<Coupon>> SqlSession::FindCouponByDedupeKey(const std::string& dedupe_key) {
  return Looked(QueryOne<Coupon>(
                    stmt::kFindCouponByDedupeKey, Variant::kPlain,
                    [&](Statement& s) { s.BindText(dedupe_key); }, &ReadCoupon),
                DedupeLookupKey(dedupe_key));
}

Result<bool> SqlSession::RedeemCoupon(const std::string& code, const std::string& customer_id,
                                      const std::string& order_id, Won discount_won,
                                      Micros now_us) {
  // The driver counts matched rows: 1 when this call turned the active coupon redeemed.
  const auto bind = [&](Statement& s) {
    s.BindText(customer_id);
    s.BindText(order_id);
    s.BindInt(discount_won);
    s.BindInt(now_us);
    s.BindInt(now_us);
    s.BindText(code);
  };
  LOYALTY_ASSIGN_OR_RETURN(int64_t matched, Execute(stmt::kRedeemCoupon, bind));
  return matched == 1;
}

Status SqlSession::UpdateCoupon(const Coupon& c) {
  return ExecuteOne(
      stmt::kUpdateCoupon,
      [&](Statement& s) {
        s.BindOptionalText(NullIfEmpty(c.customer_id));
        s.BindInt(static_cast<int>(c.status));
        s.BindInt(c.valid_from_us);
        s.BindInt(c.valid_until_us);
        s.BindOptionalText(NullIfEmpty(c.order_id));
        s.BindInt(c.discount_won);
        s.BindInt(c.redeemed_at_us);
        s.BindText(c.reason);
        s.BindText(c.issued_by);
        s.BindBool(c.expiring_notified);
        s.BindInt(c.updated_at_us);
        s.BindText(c.code);
      },
      "coupon", c.code);
}

Result<std::vector<Coupon>> SqlSession::ListCoupons(const CouponQuery& q) {
  const StmtDef* def = &stmt::kListCouponsOfCustomer;
  const std::string* key = &q.customer_id;
  if (!q.order_id.empty()) {
    def = &stmt::kListCouponsOfOrder;
    key = &q.order_id;
  } else if (!q.batch_id.empty()) {
    def = &stmt::kListCouponsOfBatch;
    key = &q.batch_id;
  }
  const int status = q.status ? static_cast<int>(*q.status) : 0;
  return QueryRows<Coupon>(
      *def,
      [&](Statement& s) {
        s.BindText(*key);
        s.BindInt(status);
        s.BindInt(status);
        s.BindText(q.after_code);
        s.BindInt(PageLimit(q.limit));
      },
      &ReadCoupon);
}

Result<int64_t> SqlSession::CountRedeemedCoupons(const std::string& customer_id,
                                                 const std::string& template_code) {
  const auto bind = [&](Statement& s) {
    s.BindText(customer_id);
    s.BindText(template_code);
  };
  LOYALTY_ASSIGN_OR_RETURN(
      std::optional<int64_t> count,
      QueryOne<int64_t>(stmt::kCountRedeemedCoupons, Variant::kPlain, bind, &ReadInt0));
  return count.value_or(0);
}

Result<std::vector<Coupon>> SqlSession::ListActiveCouponsEndingBy(Micros until_before_us,
                                                                  const std::string& after_code,
                                                                  int limit) {
  // A page of the daily job: <= 0 means kDefaultPageSize, no cap (it pages by thousands and
  // takes a short page as the last one).
  return QueryRows<Coupon>(
      stmt::kListActiveCouponsEndingBy,
      [&](Statement& s) {
        s.BindInt(until_before_us);
        s.BindText(after_code);
        s.BindInt(limit <= 0 ? kDefaultPageSize : limit);
      },
      &ReadCoupon);
}

Status SqlSession::InsertCouponBatch(const CouponBatch& b) {
  Status status = Execute(stmt::kInsertCouponBatch, [&](Statement& s) {
                    s.BindText(b.batch_id);
                    s.BindText(b.template_code);
                    s.BindText(JoinLines(b.customer_ids));
                    s.BindInt(b.requested);
                    s.BindInt(b.issued);
                    s.BindText(b.status);
                    s.BindText(b.reason);
                    s.BindText(b.issued_by);
                    s.BindText(b.request_hash);
                    s.BindInt(b.created_at_us);
                    s.BindInt(b.finished_at_us);
                  }).status();
  return Inserted(std::move(status), BatchLookupKey(b.batch_id));
}

Result<std::optional<CouponBatch>> SqlSession::FindCouponBatch(const std::string& batch_id) {
  // Locked in a write transaction: one node at a time works on a batch (SQLite has one writer).
  return Looked(QueryOne<CouponBatch>(
                    stmt::kFindCouponBatch, Variant::kForUpdate,
                    [&](Statement& s) { s.BindText(batch_id); }, &ReadBatch),
                BatchLookupKey(batch_id));
}

Status SqlSession::UpdateCouponBatch(const CouponBatch& b) {
  return ExecuteOne(
      stmt::kUpdateCouponBatch,
      [&](Statement& s) {
        s.BindInt(b.issued);
        s.BindText(b.status);
        s.BindInt(b.finished_at_us);
        s.BindText(b.batch_id);
      },
      "coupon batch", b.batch_id);
}

Result<std::vector<std::string>> SqlSession::ListUnfinishedCouponBatches() {
  return QueryRows<std::string>(
      stmt::kListUnfinishedCouponBatches, [](Statement&) {}, &ReadText0);
}

}  // namespace loyalty::sql
