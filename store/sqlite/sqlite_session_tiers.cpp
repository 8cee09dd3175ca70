// SqliteSession: qualifying spend, tier history and the daily job's queries.
#include <sqlite3.h>

#include "store/sqlite/sqlite_session.h"

namespace loyalty::sqlite {

namespace {

TierChange ReadTierChange(const Stmt& s) {
  TierChange c;
  c.change_id = s.Int(0);
  c.customer_id = s.Text(1);
  c.from_tier = s.Text(2);
  c.to_tier = s.Text(3);
  c.kind = s.Text(4);
  c.reason = s.Text(5);
  c.window_start = static_cast<DateKey>(s.Int(6));
  c.window_end = static_cast<DateKey>(s.Int(7));
  c.qualifying_won = s.Int(8);
  c.threshold_won = s.Int(9);
  c.order_count = static_cast<int32_t>(s.Int(10));
  c.policy = s.Text(11);
  c.rule_version = s.Int(12);
  c.business_date = static_cast<DateKey>(s.Int(13));
  c.created_at_us = s.Int(14);
  return c;
}

TierStanding ReadStanding(const Stmt& s) {
  TierStanding t;
  t.customer_id = s.Text(0);
  t.tier = s.Text(1);
  t.tier_since_us = s.Int(2);
  t.window_spend_won = s.Int(3);
  t.window_orders = static_cast<int32_t>(s.Int(4));
  t.available_points = s.Int(5);
  t.pending_points = s.Int(6);
  return t;
}

JobRun ReadJobRun(const Stmt& s) {
  JobRun r;
  r.business_date = static_cast<DateKey>(s.Int(0));
  r.step = s.Text(1);
  r.shard = static_cast<int32_t>(s.Int(2));
  r.shards = static_cast<int32_t>(s.Int(3));
  r.status = s.Text(4);
  r.cursor = s.Text(5);
  r.summary_json = s.Text(6);
  r.started_at_us = s.Int(7);
  r.finished_at_us = s.Int(8);
  return r;
}

std::string ReadText0(const Stmt& s) { return s.Text(0); }

}  // namespace

Status SqliteSession::InsertSpend(const SpendRecord& r) {
  LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, Use(StmtId::kInsertSpend));
  stmt.BindText(r.customer_id);
  stmt.BindText(r.order_id);
  stmt.BindInt(r.date);
  stmt.BindInt(r.amount_won);
  stmt.BindInt(r.orders_delta);
  stmt.BindInt(r.created_at_us);
  return stmt.RunInsert();
}

Result<SpendTotal> SqliteSession::SumSpend(const std::string& customer_id, DateKey from,
                                           DateKey to) {
  LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, Use(StmtId::kSumSpend));
  stmt.BindText(customer_id);
  stmt.BindInt(from);
  stmt.BindInt(to);
  LOYALTY_ASSIGN_OR_RETURN(bool row, stmt.Step());
  SpendTotal t;
  if (row) {
    t.spend_won = stmt.Int(0);
    t.orders = static_cast<int32_t>(stmt.Int(1));
    t.earliest = static_cast<DateKey>(stmt.Int(2));
  }
  return t;
}

Result<int64_t> SqliteSession::InsertTierChange(const TierChange& c) {
  LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, Use(StmtId::kInsertTierChange));
  stmt.BindText(c.customer_id);
  stmt.BindText(c.from_tier);
  stmt.BindText(c.to_tier);
  stmt.BindText(c.kind);
  stmt.BindText(c.reason);
  stmt.BindInt(c.window_start);
  stmt.BindInt(c.window_end);
  stmt.BindInt(c.qualifying_won);
  stmt.BindInt(c.threshold_won);
  stmt.BindInt(c.order_count);
  stmt.BindText(c.policy);
  stmt.BindInt(c.rule_version);
  stmt.BindInt(c.business_date);
  stmt.BindInt(c.created_at_us);
  LOYALTY_RETURN_IF_ERROR(stmt.RunInsert());
  return static_cast<int64_t>(sqlite3_last_insert_rowid(db_.get()));
}

Result<std::vector<TierChange>> SqliteSession::ListTierChanges(const std::string& customer_id,
                                                               int limit) {
  LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, Use(StmtId::kListTierChanges));
  stmt.BindText(customer_id);
  stmt.BindInt(PageLimit(limit));
  return ReadAll(stmt, &ReadTierChange);
}

Result<std::vector<std::string>> SqliteSession::OrdersAwaitingActivation(
    Micros placed_before_us, const std::string& after_order_id, int limit) {
  LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, Use(StmtId::kOrdersAwaitingActivation));
  stmt.BindInt(placed_before_us);
  stmt.BindText(after_order_id);
  stmt.BindInt(PageLimit(limit));
  return ReadAll(stmt, &ReadText0);
}

Result<std::vector<std::string>> SqliteSession::CustomersWithDueLots(
    Micros due_before_us, const std::string& after_customer_id, int limit) {
  LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, Use(StmtId::kCustomersWithDueLots));
  stmt.BindInt(due_before_us);
  stmt.BindText(after_customer_id);
  stmt.BindInt(PageLimit(limit));
  return ReadAll(stmt, &ReadText0);
}

Result<int64_t> SqliteSession::RecomputeWindowSpend(DateKey from, DateKey to, DateKey as_of,
                                                    int shard, int shards) {
  LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, Use(StmtId::kRecomputeWindowSpend));
  stmt.BindInt(from);
  stmt.BindInt(to);
  stmt.BindInt(as_of);
  stmt.BindInt(shard);
  stmt.BindInt(shards);
  LOYALTY_RETURN_IF_ERROR(stmt.Run());
  return static_cast<int64_t>(sqlite3_changes64(db_.get()));
}

Result<std::vector<TierStanding>> SqliteSession::ListStandings(const std::string& after_id,
                                                               int limit, int shard, int shards) {
  LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, Use(StmtId::kListStandings));
  stmt.BindText(after_id);
  stmt.BindInt(limit <= 0 ? kDefaultPageSize : limit);  // the job pages by thousands
  stmt.BindInt(shard);
  stmt.BindInt(shards);
  return ReadAll(stmt, &ReadStanding);
}

Result<int64_t> SqliteSession::CountCustomers() {
  LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, Use(StmtId::kCountCustomers));
  LOYALTY_ASSIGN_OR_RETURN(bool row, stmt.Step());
  return row ? stmt.Int(0) : int64_t{0};
}

Result<std::optional<JobRun>> SqliteSession::FindJobRun(DateKey date, const std::string& step,
                                                        int shard, int shards) {
  LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, Use(StmtId::kFindJobRun));
  stmt.BindInt(date);
  stmt.BindText(step);
  stmt.BindInt(shard);
  stmt.BindInt(shards);
  return ReadOne(stmt, &ReadJobRun);
}

Status SqliteSession::UpsertJobRun(const JobRun& r) {
  LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, Use(StmtId::kUpsertJobRun));
  stmt.BindInt(r.business_date);
  stmt.BindText(r.step);
  stmt.BindInt(r.shard);
  stmt.BindInt(r.shards);
  stmt.BindText(r.status);
  stmt.BindText(r.cursor);
  stmt.BindText(r.summary_json);
  stmt.BindInt(r.started_at_us);
  stmt.BindInt(r.finished_at_us);
  return stmt.Run();
}

}  // namespace loyalty::sqlite
