// SqlSession: qualifying spend, tier history and the daily job's queries.
#include <cstdio>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "store/sql/sql_session.h"
#include "store/sql/statements_tiers.h"

namespace loyalty::sql {

namespace {

// LOYALTY_SQL_TIER_CHANGE_COLUMNS.
TierChange ReadTierChange(const Statement& s) {
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

// LOYALTY_SQL_STANDING_COLUMNS.
TierStanding ReadStanding(const Statement& s) {
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

// LOYALTY_SQL_ACTIVITY_SELECT.
CustomerActivity ReadActivity(const Statement& s) {
  CustomerActivity a;
  a.customer_id = s.Text(0);
  a.tier = s.Text(1);
  a.created_at_us = s.Int(2);
  a.orders = static_cast<int32_t>(s.Int(3));
  a.last_order_at_us = s.Int(4);
  a.last_order_id = s.Text(5);
  a.first_confirmed_at_us = s.Int(6);
  a.first_confirmed_order_id = s.Text(7);
  return a;
}

// LOYALTY_SQL_JOB_RUN_COLUMNS.
JobRun ReadJobRun(const Statement& s) {
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

// LOYALTY_SQL_JOB_LEASE_COLUMNS.
JobLease ReadJobLease(const Statement& s) {
  JobLease l;
  l.business_date = static_cast<DateKey>(s.Int(0));
  l.shard = static_cast<int32_t>(s.Int(1));
  l.shards = static_cast<int32_t>(s.Int(2));
  l.holder = s.Text(3);
  l.acquired_at_us = s.Int(4);
  l.expires_at_us = s.Int(5);
  return l;
}

SpendTotal ReadSpendTotal(const Statement& s) {
  SpendTotal t;
  t.spend_won = s.Int(0);
  t.orders = static_cast<int32_t>(s.Int(1));
  t.earliest = static_cast<DateKey>(s.Int(2));
  return t;
}

std::string ReadText0(const Statement& s) { return s.Text(0); }
int64_t ReadInt0(const Statement& s) { return s.Int(0); }

// The daily job's pages: <= 0 means kDefaultPageSize, and no cap at kMaxPageSize. The job pages
// by thousands (batch_size) and takes a page shorter than it asked for as the last one.
int JobPageLimit(int limit) { return limit <= 0 ? kDefaultPageSize : limit; }

// The shard filter `(? = 1 OR CRC32(customer_id) % ? = ?)`.
void BindShard(Statement& s, int shard, int shards) {
  s.BindInt(shards);
  s.BindInt(shards);
  s.BindInt(shard);
}

}  // namespace

Status SqlSession::InsertSpend(const SpendRecord& r) {
  return Execute(stmt::kInsertSpend,
                 [&](Statement& s) {
                   s.BindText(r.customer_id);
                   s.BindText(r.order_id);
                   s.BindInt(r.date);
                   s.BindInt(r.amount_won);
                   s.BindInt(r.orders_delta);
                   s.BindInt(r.created_at_us);
                 })
      .status();
}

Result<SpendTotal> SqlSession::SumSpend(const std::string& customer_id, DateKey from, DateKey to) {
  const auto bind = [&](Statement& s) {
    s.BindText(customer_id);
    s.BindInt(from);
    s.BindInt(to);
  };
  LOYALTY_ASSIGN_OR_RETURN(
      std::optional<SpendTotal> total,
      QueryOne<SpendTotal>(stmt::kSumSpend, Variant::kPlain, bind, &ReadSpendTotal));
  return total.value_or(SpendTotal{});
}

Result<int64_t> SqlSession::InsertTierChange(const TierChange& c) {
  return InsertReturningId(stmt::kInsertTierChange, [&](Statement& s) {
    s.BindText(c.customer_id);
    s.BindText(c.from_tier);
    s.BindText(c.to_tier);
    s.BindText(c.kind);
    s.BindText(c.reason);
    s.BindInt(c.window_start);
    s.BindInt(c.window_end);
    s.BindInt(c.qualifying_won);
    s.BindInt(c.threshold_won);
    s.BindInt(c.order_count);
    s.BindText(c.policy);
    s.BindInt(c.rule_version);
    s.BindInt(c.business_date);
    s.BindInt(c.created_at_us);
  });
}

Result<std::vector<TierChange>> SqlSession::ListTierChanges(const std::string& customer_id,
                                                            int limit) {
  return QueryRows<TierChange>(
      stmt::kListTierChanges,
      [&](Statement& s) {
        s.BindText(customer_id);
        s.BindInt(PageLimit(limit));
      },
      &ReadTierChange);
}

Result<std::vector<std::string>> SqlSession::CustomersDueForReconfirm(
    Micros confirmed_at_or_before_us, const std::string& after_id, int limit) {
  return QueryRows<std::string>(
      stmt::kCustomersDueForReconfirm,
      [&](Statement& s) {
        s.BindInt(confirmed_at_or_before_us);
        s.BindText(after_id);
        s.BindInt(JobPageLimit(limit));
      },
      &ReadText0);
}

Result<std::vector<std::string>> SqlSession::OrdersAwaitingActivation(
    Micros placed_before_us, const std::string& after_order_id, int limit) {
  return QueryRows<std::string>(
      stmt::kOrdersAwaitingActivation,
      [&](Statement& s) {
        s.BindInt(placed_before_us);
        s.BindText(after_order_id);
        s.BindInt(JobPageLimit(limit));
      },
      &ReadText0);
}

Result<std::vector<std::string>> SqlSession::CustomersWithDueLots(
    Micros due_before_us, const std::string& after_customer_id, int limit) {
  return QueryRows<std::string>(
      stmt::kCustomersWithDueLots,
      [&](Statement& s) {
        s.BindInt(due_before_us);
        s.BindText(after_customer_id);
        s.BindInt(JobPageLimit(limit));
      },
      &ReadText0);
}

Result<int64_t> SqlSession::RecomputeWindowSpend(DateKey from, DateKey to, DateKey as_of, int shard,
                                                 int shards) {
  return Execute(stmt::kRecomputeWindowSpend, [&](Statement& s) {
    s.BindInt(from);
    s.BindInt(to);
    s.BindInt(as_of);
    BindShard(s, shard, shards);
  });
}

Result<int64_t> SqlSession::CountCustomers() {
  const auto bind = [](Statement&) {};
  LOYALTY_ASSIGN_OR_RETURN(
      std::optional<int64_t> count,
      QueryOne<int64_t>(stmt::kCountCustomers, Variant::kPlain, bind, &ReadInt0));
  return count.value_or(0);
}

Result<std::vector<TierStanding>> SqlSession::ListStandings(const std::string& after_id, int limit,
                                                            int shard, int shards) {
  return QueryRows<TierStanding>(
      stmt::kListStandings,
      [&](Statement& s) {
        s.BindText(after_id);
        BindShard(s, shard, shards);
        s.BindInt(JobPageLimit(limit));
      },
      &ReadStanding);
}

Result<std::vector<std::string>> SqlSession::CustomersBornInMonth(int month,
                                                                  const std::string& after_id,
                                                                  int limit) {
  char mm[8];
  std::snprintf(mm, sizeof mm, "%02d", month);
  return QueryRows<std::string>(
      stmt::kCustomersBornInMonth,
      [&](Statement& s) {
        s.BindText(mm);
        s.BindText(after_id);
        s.BindInt(JobPageLimit(limit));
      },
      &ReadText0);
}

Result<std::vector<CustomerActivity>> SqlSession::ListCustomerActivity(const std::string& after_id,
                                                                       int limit, int shard,
                                                                       int shards) {
  return QueryRows<CustomerActivity>(
      stmt::kListCustomerActivity,
      [&](Statement& s) {
        s.BindText(after_id);
        BindShard(s, shard, shards);
        s.BindInt(JobPageLimit(limit));
      },
      &ReadActivity);
}

Result<std::optional<CustomerActivity>> SqlSession::FindCustomerActivity(
    const std::string& customer_id) {
  return QueryOne<CustomerActivity>(
      stmt::kFindCustomerActivity, Variant::kPlain, [&](Statement& s) { s.BindText(customer_id); },
      &ReadActivity);
}

Result<std::optional<JobRun>> SqlSession::FindJobRun(DateKey date, const std::string& step,
                                                     int shard, int shards) {
  return QueryOne<JobRun>(
      stmt::kFindJobRun, Variant::kPlain,
      [&](Statement& s) {
        s.BindInt(date);
        s.BindText(step);
        s.BindInt(shard);
        s.BindInt(shards);
      },
      &ReadJobRun);
}

Status SqlSession::UpsertJobRun(const JobRun& r) {
  return Execute(stmt::kUpsertJobRun,
                 [&](Statement& s) {
                   s.BindInt(r.business_date);
                   s.BindText(r.step);
                   s.BindInt(r.shard);
                   s.BindInt(r.shards);
                   s.BindText(r.status);
                   s.BindText(r.cursor);
                   s.BindText(r.summary_json);
                   s.BindInt(r.started_at_us);
                   s.BindInt(r.finished_at_us);
                 })
      .status();
}

Result<std::vector<JobRun>> SqlSession::ListJobRunsOfStep(const std::string& step) {
  return QueryRows<JobRun>(
      stmt::kListJobRunsOfStep, [&](Statement& s) { s.BindText(step); }, &ReadJobRun);
}

Result<std::vector<JobRun>> SqlSession::ListJobRunsOfDate(DateKey date, int shard, int shards) {
  return QueryRows<JobRun>(
      stmt::kListJobRunsOfDate,
      [&](Statement& s) {
        s.BindInt(date);
        s.BindInt(shard);
        s.BindInt(shards);
      },
      &ReadJobRun);
}

Result<JobLease> SqlSession::AcquireJobLease(const JobLease& l, Micros now_us) {
  // Insert when absent, then the conditional update decides (the row is there either way), then
  // read back who holds it: comparing the holder is exact where the engines' "rows matched"
  // counts differ (MySQL reports changed rows, not matched ones).
  LOYALTY_RETURN_IF_ERROR(Execute(stmt::kInsertJobLease, [&](Statement& s) {
                            s.BindInt(l.business_date);
                            s.BindInt(l.shard);
                            s.BindInt(l.shards);
                            s.BindText(l.holder);
                            s.BindInt(l.acquired_at_us);
                            s.BindInt(l.expires_at_us);
                          }).status());
  LOYALTY_RETURN_IF_ERROR(Execute(stmt::kTakeJobLease, [&](Statement& s) {
                            s.BindText(l.holder);
                            s.BindInt(l.acquired_at_us);
                            s.BindText(l.holder);
                            s.BindInt(l.expires_at_us);
                            s.BindInt(l.business_date);
                            s.BindInt(l.shard);
                            s.BindInt(l.shards);
                            s.BindText(l.holder);
                            s.BindInt(now_us);
                          }).status());
  LOYALTY_ASSIGN_OR_RETURN(std::optional<JobLease> now, QueryOne<JobLease>(
                                                            stmt::kFindJobLease, Variant::kPlain,
                                                            [&](Statement& s) {
                                                              s.BindInt(l.business_date);
                                                              s.BindInt(l.shard);
                                                              s.BindInt(l.shards);
                                                            },
                                                            &ReadJobLease));
  if (!now) return Status(Code::kUnavailable, "job lease vanished while being taken");
  return *now;
}

Status SqlSession::ReleaseJobLease(const JobLease& l) {
  return Execute(stmt::kReleaseJobLease,
                 [&](Statement& s) {
                   s.BindInt(l.business_date);
                   s.BindInt(l.shard);
                   s.BindInt(l.shards);
                   s.BindText(l.holder);
                 })
      .status();
}

Result<std::vector<JobLease>> SqlSession::ListJobLeases() {
  return QueryRows<JobLease>(
      stmt::kListJobLeases, [](Statement&) {}, &ReadJobLease);
}

}  // namespace loyalty::sql
