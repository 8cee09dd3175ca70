// SqlSession: domain-event webhooks (EventHookRecords, core/event_hook_records.h).
#include <optional>
#include <string>
#include <vector>

#include "core/event_hooks.h"
#include "store/sql/sql_session.h"
#include "store/sql/statements_hooks.h"

namespace loyalty::sql {
namespace {

// LOYALTY_SQL_SUBSCRIPTION_COLUMNS.
EventSubscription ReadSubscription(const Statement& s) {
  EventSubscription e;
  e.subscription_id = s.Int(0);
  e.url = s.Text(1);
  e.event_types = SplitEventTypes(s.Text(2));
  e.description = s.Text(3);
  e.status = static_cast<SubscriptionStatus>(s.Int(4));
  e.secret = s.Text(5);
  e.previous_secret = s.Text(6);
  e.previous_secret_until_us = s.Int(7);
  e.created_at_us = s.Int(8);
  e.updated_at_us = s.Int(9);
  e.disabled_at_us = s.Int(10);
  EventDeliveryState& d = e.delivery;
  d.cursor_event_id = s.Int(11);
  d.attempts = static_cast<int32_t>(s.Int(12));
  d.next_attempt_at_us = s.Int(13);
  d.last_error = s.Text(14);
  d.last_attempt_at_us = s.Int(15);
  d.delivered_count = s.Int(16);
  d.dead_letter_count = s.Int(17);
  d.version = s.Int(18);
  e.lease_owner = s.Text(19);
  e.lease_until_us = s.Int(20);
  return e;
}

// LOYALTY_SQL_DEAD_LETTER_COLUMNS.
EventDeadLetter ReadDeadLetter(const Statement& s) {
  EventDeadLetter d;
  d.dead_letter_id = s.Int(0);
  d.subscription_id = s.Int(1);
  d.event_id = s.Int(2);
  d.customer_id = s.Text(3);
  d.type = s.Text(4);
  d.attempts = static_cast<int32_t>(s.Int(5));
  d.last_error = s.Text(6);
  d.created_at_us = s.Int(7);
  return d;
}

int64_t ReadInt0(const Statement& s) { return s.Int(0); }

}  // namespace

Result<int64_t> SqlSession::InsertEventSubscription(const EventSubscription& e) {
  return InsertReturningId(stmt::kInsertEventSubscription, [&](Statement& s) {
    s.BindText(e.url);
    s.BindText(JoinEventTypes(e.event_types));
    s.BindText(e.description);
    s.BindInt(static_cast<int>(e.status));
    s.BindText(e.secret);
    s.BindText(e.previous_secret);
    s.BindInt(e.previous_secret_until_us);
    s.BindInt(e.created_at_us);
    s.BindInt(e.updated_at_us);
    s.BindInt(e.disabled_at_us);
    s.BindInt(e.delivery.cursor_event_id);
    s.BindInt(e.delivery.attempts);
    s.BindInt(e.delivery.next_attempt_at_us);
    s.BindText(e.delivery.last_error);
    s.BindInt(e.delivery.last_attempt_at_us);
    s.BindInt(e.delivery.delivered_count);
    s.BindInt(e.delivery.dead_letter_count);
    s.BindInt(e.delivery.version);
    s.BindText("");
    s.BindInt(0);
  });
}

Result<std::optional<EventSubscription>> SqlSession::FindEventSubscription(int64_t id) {
  return QueryOne<EventSubscription>(
      stmt::kFindEventSubscription, Variant::kPlain, [&](Statement& s) { s.BindInt(id); },
      &ReadSubscription);
}

Result<std::vector<EventSubscription>> SqlSession::ListEventSubscriptions(int64_t after_id,
                                                                          int limit) {
  return QueryRows<EventSubscription>(
      stmt::kListEventSubscriptions,
      [&](Statement& s) {
        s.BindInt(after_id);
        s.BindInt(PageLimit(limit));
      },
      &ReadSubscription);
}

Result<int64_t> SqlSession::CountActiveEventSubscriptions() {
  LOYALTY_ASSIGN_OR_RETURN(
      std::optional<int64_t> count,
      QueryOne<int64_t>(
          stmt::kCountActiveEventSubscriptions, Variant::kPlain, [](Statement&) {}, &ReadInt0));
  return count.value_or(0);
}

Result<std::vector<int64_t>> SqlSession::ListDueEventSubscriptions(Micros now_us, int limit) {
  return QueryRows<int64_t>(
      stmt::kListDueEventSubscriptions,
      [&](Statement& s) {
        s.BindInt(now_us);
        s.BindInt(now_us);
        s.BindInt(PageLimit(limit));
      },
      &ReadInt0);
}

Status SqlSession::UpdateEventSubscriptionSettings(const EventSubscription& e) {
  return ExecuteOne(
      stmt::kUpdateEventSubscriptionSettings,
      [&](Statement& s) {
        s.BindInt(static_cast<int>(e.status));
        s.BindText(e.secret);
        s.BindText(e.previous_secret);
        s.BindInt(e.previous_secret_until_us);
        s.BindInt(e.disabled_at_us);
        s.BindInt(e.updated_at_us);
        s.BindInt(e.subscription_id);
      },
      "event subscription", std::to_string(e.subscription_id));
}

Result<bool> SqlSession::LeaseEventSubscription(int64_t id, const std::string& owner, Micros now_us,
                                                Micros until_us) {
  // The driver counts matched rows (MySQL: CLIENT_FOUND_ROWS), so a renewal to the same
  // instant still answers 1.
  LOYALTY_ASSIGN_OR_RETURN(int64_t matched,
                           Execute(stmt::kLeaseEventSubscription, [&](Statement& s) {
                             s.BindText(owner);
                             s.BindInt(until_us);
                             s.BindInt(id);
                             s.BindInt(now_us);
                             s.BindText(owner);
                           }));
  return matched == 1;
}

Result<bool> SqlSession::SaveEventDelivery(int64_t id, const std::string& owner,
                                           const EventDeliveryState& d, Micros now_us) {
  LOYALTY_ASSIGN_OR_RETURN(int64_t matched, Execute(stmt::kSaveEventDelivery, [&](Statement& s) {
                             s.BindInt(d.cursor_event_id);
                             s.BindInt(d.attempts);
                             s.BindInt(d.next_attempt_at_us);
                             s.BindText(d.last_error);
                             s.BindInt(d.last_attempt_at_us);
                             s.BindInt(d.delivered_count);
                             s.BindInt(d.dead_letter_count);
                             s.BindInt(id);
                             s.BindText(owner);
                             s.BindInt(now_us);
                             s.BindInt(d.version);
                           }));
  return matched == 1;
}

Status SqlSession::ReleaseEventSubscription(int64_t id, const std::string& owner) {
  return Execute(stmt::kReleaseEventSubscription,
                 [&](Statement& s) {
                   s.BindInt(id);
                   s.BindText(owner);
                 })
      .status();
}

Result<bool> SqlSession::ReplayEventSubscription(int64_t id, int64_t after_event_id,
                                                 Micros now_us) {
  LOYALTY_ASSIGN_OR_RETURN(int64_t matched,
                           Execute(stmt::kReplayEventSubscription, [&](Statement& s) {
                             s.BindInt(after_event_id);
                             s.BindInt(now_us);
                             s.BindInt(id);
                           }));
  return matched == 1;
}

Result<int64_t> SqlSession::InsertEventDeadLetter(const EventDeadLetter& d) {
  return InsertReturningId(stmt::kInsertEventDeadLetter, [&](Statement& s) {
    s.BindInt(d.subscription_id);
    s.BindInt(d.event_id);
    s.BindText(d.customer_id);
    s.BindText(d.type);
    s.BindInt(d.attempts);
    s.BindText(d.last_error);
    s.BindInt(d.created_at_us);
  });
}

Result<std::vector<EventDeadLetter>> SqlSession::ListEventDeadLetters(int64_t subscription_id,
                                                                      int limit) {
  return QueryRows<EventDeadLetter>(
      stmt::kListEventDeadLetters,
      [&](Statement& s) {
        s.BindInt(subscription_id);
        s.BindInt(PageLimit(limit));
      },
      &ReadDeadLetter);
}

Result<int64_t> SqlSession::LastEventId() {
  LOYALTY_ASSIGN_OR_RETURN(std::optional<int64_t> last,
                           QueryOne<int64_t>(
                               stmt::kLastEventId, Variant::kPlain, [](Statement&) {}, &ReadInt0));
  return last.value_or(0);
}

}  // namespace loyalty::sql
