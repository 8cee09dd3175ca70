// Internal to store/sql: the statements of messages, the transactional outbox
// (sql_session_messages.cpp). Parameters are positional `?`, bound in the order they appear
// (store/sql/driver.h).
#pragma once

#include "store/sql/driver.h"

namespace loyalty::sql::stmt {

// Column list, in the order the session's row reader expects it.
#define LOYALTY_SQL_MESSAGE_COLUMNS                                                            \
  "message_id, customer_id, type, category, template_code, variables_json, `text`, sms_text, " \
  "dedupe_key, status, status_reason, created_at_us, not_before_us, attempts, last_error, "    \
  "lease_until_us, lease_owner, delivered_at_us, updated_at_us"

// Parameters: the columns after message_id, in order.
inline constexpr StmtDef kInsertMessage{
    .what = "insert message",
    .sql =
        "INSERT INTO messages (customer_id, type, category, template_code, variables_json,"
        " `text`, sms_text, dedupe_key, status, status_reason, created_at_us, not_before_us,"
        " attempts, last_error, lease_until_us, lease_owner, delivered_at_us, updated_at_us)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    .key_column = "message_id"};
// Read with Variant::kForUpdate in a write transaction. Parameters: message_id.
inline constexpr StmtDef kFindMessage{
    .what = "find message",
    .sql = "SELECT " LOYALTY_SQL_MESSAGE_COLUMNS " FROM messages WHERE message_id = ?"};
// Parameters: dedupe_key.
inline constexpr StmtDef kFindMessageByDedupeKey{
    .what = "find message by dedupe key",
    .sql = "SELECT " LOYALTY_SQL_MESSAGE_COLUMNS " FROM messages WHERE dedupe_key = ?"};
// Parameters: the columns in this order, then message_id.
inline constexpr StmtDef kUpdateMessage{
    .what = "update message",
    .sql =
        "UPDATE messages SET status = ?, status_reason = ?, not_before_us = ?, attempts = ?,"
        " last_error = ?, lease_until_us = ?, lease_owner = ?, delivered_at_us = ?,"
        " updated_at_us = ? WHERE message_id = ?"};
// Every customer. Parameters: after_message_id, status (0 = any), status, type ('' = any), type,
// limit.
inline constexpr StmtDef kListMessages{
    .what = "list messages",
    .sql = "SELECT " LOYALTY_SQL_MESSAGE_COLUMNS
           " FROM messages WHERE message_id > ?"
           " AND (? = 0 OR status = ?) AND (? = '' OR type = ?) ORDER BY message_id LIMIT ?"};
// Every customer, one status (led by the equality its index serves). Parameters: status,
// after_message_id, type, type, limit.
inline constexpr StmtDef kListMessagesOfStatus{
    .what = "list messages",
    .sql = "SELECT " LOYALTY_SQL_MESSAGE_COLUMNS
           " FROM messages WHERE status = ?"
           " AND message_id > ? AND (? = '' OR type = ?) ORDER BY message_id LIMIT ?"};
// One customer. Parameters: customer_id, then those of kListMessages.
inline constexpr StmtDef kListMessagesOfCustomer{
    .what = "list messages",
    .sql = "SELECT " LOYALTY_SQL_MESSAGE_COLUMNS
           " FROM messages WHERE customer_id = ?"
           " AND message_id > ? AND (? = 0 OR status = ?) AND (? = '' OR type = ?)"
           " ORDER BY message_id LIMIT ?"};
// Pending, due, not leased, and the oldest pending message of its customer (head of line).
// Parameters: now, now, limit.
inline constexpr StmtDef kListDeliverableMessages{
    .what = "list deliverable messages",
    .sql = "SELECT " LOYALTY_SQL_MESSAGE_COLUMNS
           " FROM messages m WHERE m.status = 1"
           " AND m.not_before_us <= ? AND m.lease_until_us <= ?"
           " AND NOT EXISTS (SELECT 1 FROM messages p WHERE p.customer_id = m.customer_id"
           " AND p.status = 1 AND p.message_id < m.message_id) ORDER BY m.message_id LIMIT ?"};
// THE guard against handing a message out twice: only an unleased pending message changes. A
// concurrent leaser waits on the row lock (MySQL), then re-reads the committed row (leased: no
// match). Parameters: lease_until_us, lease_owner, updated_at_us, message_id, now.
inline constexpr StmtDef kLeaseMessage{
    .what = "lease message",
    .sql =
        "UPDATE messages SET lease_until_us = ?, lease_owner = ?, updated_at_us = ?"
        " WHERE message_id = ? AND status = 1 AND lease_until_us <= ?"};
// The frequency caps: not suppressed (4) nor cancelled (5). Parameters: customer_id, since_us.
inline constexpr StmtDef kCountMessagesSince{
    .what = "count messages",
    .sql =
        "SELECT COUNT(*) FROM messages WHERE customer_id = ? AND created_at_us >= ?"
        " AND status NOT IN (4, 5)"};
// Parameters: customer_id, since_us, type.
inline constexpr StmtDef kCountMessagesSinceOfType{
    .what = "count messages",
    .sql =
        "SELECT COUNT(*) FROM messages WHERE customer_id = ? AND created_at_us >= ?"
        " AND type = ? AND status NOT IN (4, 5)"};
// Delivered (2) or dead-letter (3) back to pending. Parameters: now (not_before_us), now
// (updated_at_us), after_message_id, up_to (0 = no bound), up_to.
inline constexpr StmtDef kRequeueMessages{
    .what = "requeue messages",
    .sql =
        "UPDATE messages SET status = 1, attempts = 0, lease_until_us = 0, lease_owner = '',"
        " not_before_us = ?, last_error = '', updated_at_us = ? WHERE status IN (2, 3)"
        " AND message_id > ? AND (? = 0 OR message_id <= ?)"};
// Opt-out: a customer's pending (1) advertising (2) messages, leased or not, to suppressed (4)
// (messages_by_customer_status). Parameters: status_reason, updated_at_us, customer_id.
inline constexpr StmtDef kSuppressPendingAdvertising{
    .what = "suppress pending advertising messages",
    .sql =
        "UPDATE messages SET status = 4, status_reason = ?, updated_at_us = ?"
        " WHERE customer_id = ? AND status = 1 AND category = 2"};

}  // namespace loyalty::sql::stmt
