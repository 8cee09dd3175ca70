// Internal to store/sql: the statements of domain-event webhooks, subscriptions and dead letters
// (sql_session_hooks.cpp, migration 0010). Parameters are positional `?`, bound in the order
// they appear (store/sql/driver.h).
#pragma once

#include "store/sql/driver.h"

namespace loyalty::sql::stmt {

// Column list, in the order the session's row reader expects it.
#define LOYALTY_SQL_SUBSCRIPTION_COLUMNS                                                      \
  "subscription_id, url, event_types, description, status, secret, previous_secret,"          \
  " previous_secret_until_us, created_at_us, updated_at_us, disabled_at_us, cursor_event_id," \
  " attempts, next_attempt_at_us, last_error, last_attempt_at_us, delivered_count,"           \
  " dead_letter_count, state_version, lease_owner, lease_until_us"

// Parameters: the columns after subscription_id, in order.
inline constexpr StmtDef kInsertEventSubscription{
    .what = "insert event subscription",
    .sql =
        "INSERT INTO event_subscriptions (url, event_types, description, status, secret,"
        " previous_secret, previous_secret_until_us, created_at_us, updated_at_us,"
        " disabled_at_us, cursor_event_id, attempts, next_attempt_at_us, last_error,"
        " last_attempt_at_us, delivered_count, dead_letter_count, state_version, lease_owner,"
        " lease_until_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    .key_column = "subscription_id"};
// Parameters: subscription_id.
inline constexpr StmtDef kFindEventSubscription{
    .what = "find event subscription",
    .sql = "SELECT " LOYALTY_SQL_SUBSCRIPTION_COLUMNS
           " FROM event_subscriptions WHERE subscription_id = ?"};
// Parameters: after_id, limit.
inline constexpr StmtDef kListEventSubscriptions{
    .what = "list event subscriptions",
    .sql = "SELECT " LOYALTY_SQL_SUBSCRIPTION_COLUMNS
           " FROM event_subscriptions WHERE subscription_id > ? ORDER BY subscription_id LIMIT ?"};
inline constexpr StmtDef kCountActiveEventSubscriptions{
    .what = "count event subscriptions",
    .sql = "SELECT COUNT(*) FROM event_subscriptions WHERE status = 1"};
// Active (1), due, lease free (event_subscriptions_due). Parameters: now, now, limit.
inline constexpr StmtDef kListDueEventSubscriptions{
    .what = "list due event subscriptions",
    .sql =
        "SELECT subscription_id FROM event_subscriptions WHERE status = 1"
        " AND next_attempt_at_us <= ? AND lease_until_us <= ? ORDER BY subscription_id LIMIT ?"};
// Parameters: status, secret, previous_secret, previous_secret_until_us, disabled_at_us,
// updated_at_us, subscription_id.
inline constexpr StmtDef kUpdateEventSubscriptionSettings{
    .what = "update event subscription",
    .sql =
        "UPDATE event_subscriptions SET status = ?, secret = ?, previous_secret = ?,"
        " previous_secret_until_us = ?, disabled_at_us = ?, updated_at_us = ?"
        " WHERE subscription_id = ?"};
// THE guard against two nodes delivering one subscription: only a free lease (or the owner's
// own, a renewal) of an active subscription changes. A concurrent leaser waits on the row lock
// (MySQL), then re-evaluates the committed row (leased: no match). The caller reads the row
// back to learn who holds it. Parameters: owner, until, subscription_id, now, owner.
inline constexpr StmtDef kLeaseEventSubscription{
    .what = "lease event subscription",
    .sql =
        "UPDATE event_subscriptions SET lease_owner = ?, lease_until_us = ?"
        " WHERE subscription_id = ? AND status = 1 AND (lease_until_us <= ? OR lease_owner = ?)"};
// The lease holder's save of the delivery state, conditional on its lease being live and the
// state being the one it read (a replay in between bumps state_version). Parameters: cursor,
// attempts, next_attempt_at_us, last_error, last_attempt_at_us, delivered_count,
// dead_letter_count, subscription_id, owner, now, state_version.
inline constexpr StmtDef kSaveEventDelivery{
    .what = "save event delivery",
    .sql =
        "UPDATE event_subscriptions SET cursor_event_id = ?, attempts = ?, next_attempt_at_us = ?,"
        " last_error = ?, last_attempt_at_us = ?, delivered_count = ?, dead_letter_count = ?,"
        " state_version = state_version + 1 WHERE subscription_id = ? AND lease_owner = ?"
        " AND lease_until_us > ? AND state_version = ?"};
// Parameters: subscription_id, owner.
inline constexpr StmtDef kReleaseEventSubscription{
    .what = "release event subscription",
    .sql =
        "UPDATE event_subscriptions SET lease_owner = '', lease_until_us = 0"
        " WHERE subscription_id = ? AND lease_owner = ?"};
// Parameters: cursor, next_attempt_at_us, subscription_id.
inline constexpr StmtDef kReplayEventSubscription{
    .what = "replay event subscription",
    .sql =
        "UPDATE event_subscriptions SET cursor_event_id = ?, attempts = 0, next_attempt_at_us = ?,"
        " last_error = '', state_version = state_version + 1 WHERE subscription_id = ?"};

#define LOYALTY_SQL_DEAD_LETTER_COLUMNS                                                  \
  "dead_letter_id, subscription_id, event_id, customer_id, type, attempts, last_error, " \
  "created_at_us"
// Parameters: the columns after dead_letter_id, in order.
inline constexpr StmtDef kInsertEventDeadLetter{
    .what = "insert event dead letter",
    .sql =
        "INSERT INTO event_dead_letters (subscription_id, event_id, customer_id, type, attempts,"
        " last_error, created_at_us) VALUES (?, ?, ?, ?, ?, ?, ?)",
    .key_column = "dead_letter_id"};
// Newest first (event_dead_letters_by_subscription). Parameters: subscription_id, limit.
inline constexpr StmtDef kListEventDeadLetters{
    .what = "list event dead letters",
    .sql = "SELECT " LOYALTY_SQL_DEAD_LETTER_COLUMNS
           " FROM event_dead_letters WHERE subscription_id = ?"
           " ORDER BY dead_letter_id DESC LIMIT ?"};
inline constexpr StmtDef kLastEventId{.what = "last event id",
                                      .sql = "SELECT COALESCE(MAX(event_id), 0) FROM events"};

}  // namespace loyalty::sql::stmt
