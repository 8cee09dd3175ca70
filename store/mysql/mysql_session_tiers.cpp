// MysqlSession: qualifying spend, tier history and the daily job's queries.
#include "store/mysql/mysql_session.h"
#include "store/mysql/mysql_statements_tiers.h"

namespace loyalty::mysql {

namespace {

TierChange ReadTierChange(const sql::ResultSet& rs) {
  TierChange c;
  c.change_id = Int(rs, 1);
  c.customer_id = Text(rs, 2);
  c.from_tier = Text(rs, 3);
  c.to_tier = Text(rs, 4);
  c.kind = Text(rs, 5);
  c.reason = Text(rs, 6);
  c.window_start = static_cast<DateKey>(Int(rs, 7));
  c.window_end = static_cast<DateKey>(Int(rs, 8));
  c.qualifying_won = Int(rs, 9);
  c.threshold_won = Int(rs, 10);
  c.order_count = static_cast<int32_t>(Int(rs, 11));
  c.policy = Text(rs, 12);
  c.rule_version = Int(rs, 13);
  c.business_date = static_cast<DateKey>(Int(rs, 14));
  c.created_at_us = Int(rs, 15);
  return c;
}

TierStanding ReadStanding(const sql::ResultSet& rs) {
  TierStanding t;
  t.customer_id = Text(rs, 1);
  t.tier = Text(rs, 2);
  t.tier_since_us = Int(rs, 3);
  t.window_spend_won = Int(rs, 4);
  t.window_orders = static_cast<int32_t>(Int(rs, 5));
  t.available_points = Int(rs, 6);
  t.pending_points = Int(rs, 7);
  return t;
}

JobRun ReadJobRun(const sql::ResultSet& rs) {
  JobRun r;
  r.business_date = static_cast<DateKey>(Int(rs, 1));
  r.step = Text(rs, 2);
  r.shard = static_cast<int32_t>(Int(rs, 3));
  r.shards = static_cast<int32_t>(Int(rs, 4));
  r.status = Text(rs, 5);
  r.cursor = Text(rs, 6);
  r.summary_json = Text(rs, 7);
  r.started_at_us = Int(rs, 8);
  r.finished_at_us = Int(rs, 9);
  return r;
}

std::string ReadFirstText(const sql::ResultSet& rs) { return Text(rs, 1); }

}  // namespace

Status MysqlSession::InsertSpend(const SpendRecord& r) {
  return Run("insert spend record", true, [&] {
    Bind(Prepare(stmt::kInsertSpend))
        .Text(r.customer_id)
        .Text(r.order_id)
        .Int(r.date)
        .Int(r.amount_won)
        .Int(r.orders_delta)
        .Int(r.created_at_us)
        .Update();
    return Status::Ok();
  });
}

Result<SpendTotal> MysqlSession::SumSpend(const std::string& customer_id, DateKey from,
                                          DateKey to) {
  return Run("sum spend", false, [&]() -> Result<SpendTotal> {
    std::unique_ptr<sql::ResultSet> rs =
        Bind(Prepare(stmt::kSumSpend)).Text(customer_id).Int(from).Int(to).Query();
    SpendTotal t;
    if (rs->next()) {
      t.spend_won = Int(*rs, 1);
      t.orders = static_cast<int32_t>(Int(*rs, 2));
      t.earliest = static_cast<DateKey>(Int(*rs, 3));
    }
    return t;
  });
}

Result<int64_t> MysqlSession::InsertTierChange(const TierChange& c) {
  return Run("insert tier change", true, [&]() -> Result<int64_t> {
    return InsertReturningId(stmt::kInsertTierChange, "change_id", [&](Bind& b) {
      b.Text(c.customer_id)
          .Text(c.from_tier)
          .Text(c.to_tier)
          .Text(c.kind)
          .Text(c.reason)
          .Int(c.window_start)
          .Int(c.window_end)
          .Int(c.qualifying_won)
          .Int(c.threshold_won)
          .Int(c.order_count)
          .Text(c.policy)
          .Int(c.rule_version)
          .Int(c.business_date)
          .Int(c.created_at_us);
    });
  });
}

Result<std::vector<TierChange>> MysqlSession::ListTierChanges(const std::string& customer_id,
                                                              int limit) {
  return Run("list tier changes", false, [&]() -> Result<std::vector<TierChange>> {
    std::unique_ptr<sql::ResultSet> rs =
        Bind(Prepare(stmt::kListTierChanges)).Text(customer_id).Int(PageLimit(limit)).Query();
    return ReadRows(*rs, &ReadTierChange);
  });
}

Result<std::vector<std::string>> MysqlSession::OrdersAwaitingActivation(
    Micros placed_before_us, const std::string& after_order_id, int limit) {
  return Run("list orders awaiting activation", false,
             [&]() -> Result<std::vector<std::string>> {
               std::unique_ptr<sql::ResultSet> rs = Bind(Prepare(stmt::kOrdersAwaitingActivation))
                                                        .Text(after_order_id)
                                                        .Int(placed_before_us)
                                                        .Int(limit <= 0 ? kDefaultPageSize : limit)
                                                        .Query();
               return ReadRows(*rs, &ReadFirstText);
             });
}

Result<std::vector<std::string>> MysqlSession::CustomersWithDueLots(
    Micros due_before_us, const std::string& after_customer_id, int limit) {
  return Run("list customers with due lots", false, [&]() -> Result<std::vector<std::string>> {
    std::unique_ptr<sql::ResultSet> rs = Bind(Prepare(stmt::kCustomersWithDueLots))
                                             .Int(due_before_us)
                                             .Text(after_customer_id)
                                             .Int(limit <= 0 ? kDefaultPageSize : limit)
                                             .Query();
    return ReadRows(*rs, &ReadFirstText);
  });
}

Result<int64_t> MysqlSession::RecomputeWindowSpend(DateKey from, DateKey to, DateKey as_of,
                                                   int shard, int shards) {
  return Run("recompute window spend", false, [&]() -> Result<int64_t> {
    return Bind(Prepare(stmt::kRecomputeWindowSpend))
        .Int(from)
        .Int(to)
        .Int(as_of)
        .Int(shards)
        .Int(shards)
        .Int(shard)
        .Update();
  });
}

Result<int64_t> MysqlSession::CountCustomers() {
  return Run("count customers", false, [&]() -> Result<int64_t> {
    std::unique_ptr<sql::ResultSet> rs = Bind(Prepare(stmt::kCountCustomers)).Query();
    return rs->next() ? Int(*rs, 1) : int64_t{0};
  });
}

Result<std::vector<TierStanding>> MysqlSession::ListStandings(const std::string& after_id,
                                                              int limit, int shard, int shards) {
  return Run("list standings", false, [&]() -> Result<std::vector<TierStanding>> {
    std::unique_ptr<sql::ResultSet> rs = Bind(Prepare(stmt::kListStandings))
                                             .Text(after_id)
                                             .Int(shards)
                                             .Int(shards)
                                             .Int(shard)
                                             .Int(limit <= 0 ? kDefaultPageSize : limit)
                                             .Query();
    return ReadRows(*rs, &ReadStanding);
  });
}

Result<std::optional<JobRun>> MysqlSession::FindJobRun(DateKey date, const std::string& step,
                                                       int shard, int shards) {
  return Run("find job run", false, [&]() -> Result<std::optional<JobRun>> {
    std::unique_ptr<sql::ResultSet> rs =
        Bind(Prepare(stmt::kFindJobRun)).Int(date).Text(step).Int(shard).Int(shards).Query();
    return ReadFirst(*rs, &ReadJobRun);
  });
}

Status MysqlSession::UpsertJobRun(const JobRun& r) {
  return Run("save job run", false, [&] {
    Bind(Prepare(stmt::kUpsertJobRun))
        .Int(r.business_date)
        .Text(r.step)
        .Int(r.shard)
        .Int(r.shards)
        .Text(r.status)
        .Text(r.cursor)
        .Text(r.summary_json)
        .Int(r.started_at_us)
        .Int(r.finished_at_us)
        .Update();
    return Status::Ok();
  });
}

}  // namespace loyalty::mysql
