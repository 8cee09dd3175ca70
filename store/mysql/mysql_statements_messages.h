// Internal to store/mysql: the statements of messages (the outbox) and of the lifecycle
// triggers' customer activity. The same statements as store/sqlite (sqlite_statements.cpp).
#pragma once

namespace loyalty::mysql::stmt {

#define LOYALTY_MYSQL_MESSAGE_COLUMNS                                                          \
  "message_id, customer_id, type, category, template_code, variables_json, `text`, sms_text, " \
  "dedupe_key, status, status_reason, created_at_us, not_before_us, attempts, last_error, "    \
  "lease_until_us, lease_owner, delivered_at_us, updated_at_us"
// The newest order of customer c not cancelled, and its first confirmed one (the same ORDER BY
// in both lookups of each, so the instant and the id come from the same order).
#define LOYALTY_MYSQL_LAST_ORDER(column)                                                     \
  "(SELECT o." column " FROM orders o WHERE o.customer_id = c.customer_id AND o.status <> 3" \
  " ORDER BY o.placed_at_us DESC, o.order_id DESC LIMIT 1)"
#define LOYALTY_MYSQL_FIRST_CONFIRMED(column)                              \
  "(SELECT o." column " FROM orders o WHERE o.customer_id = c.customer_id" \
  " AND o.confirmed_at_us > 0 ORDER BY o.confirmed_at_us, o.order_id LIMIT 1)"

// Parameters: the columns after message_id, in order.
inline constexpr const char* kInsertMessage =
    "INSERT INTO messages (customer_id, type, category, template_code, variables_json, `text`,"
    " sms_text, dedupe_key, status, status_reason, created_at_us, not_before_us, attempts,"
    " last_error, lease_until_us, lease_owner, delivered_at_us, updated_at_us)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
inline constexpr const char* kFindMessage =
    "SELECT " LOYALTY_MYSQL_MESSAGE_COLUMNS " FROM messages WHERE message_id = ?";
inline constexpr const char* kFindMessageForUpdate =
    "SELECT " LOYALTY_MYSQL_MESSAGE_COLUMNS " FROM messages WHERE message_id = ? FOR UPDATE";
inline constexpr const char* kFindMessageByDedupeKey =
    "SELECT " LOYALTY_MYSQL_MESSAGE_COLUMNS " FROM messages WHERE dedupe_key = ?";
// Parameters: the columns in this order, then message_id.
inline constexpr const char* kUpdateMessage =
    "UPDATE messages SET status = ?, status_reason = ?, not_before_us = ?, attempts = ?,"
    " last_error = ?, lease_until_us = ?, lease_owner = ?, delivered_at_us = ?,"
    " updated_at_us = ? WHERE message_id = ?";
// Every customer. Parameters: after_message_id, status (0 = any), status, type ('' = any), type,
// limit.
inline constexpr const char* kListMessages =
    "SELECT " LOYALTY_MYSQL_MESSAGE_COLUMNS " FROM messages WHERE message_id > ?"
    " AND (? = 0 OR status = ?) AND (? = '' OR type = ?) ORDER BY message_id LIMIT ?";
// Every customer, one status. Parameters: status, after_message_id, type, type, limit.
inline constexpr const char* kListMessagesOfStatus =
    "SELECT " LOYALTY_MYSQL_MESSAGE_COLUMNS " FROM messages WHERE status = ? AND message_id > ?"
    " AND (? = '' OR type = ?) ORDER BY message_id LIMIT ?";
// One customer. Parameters: customer_id, then those of kListMessages.
inline constexpr const char* kListMessagesOfCustomer =
    "SELECT " LOYALTY_MYSQL_MESSAGE_COLUMNS " FROM messages WHERE customer_id = ?"
    " AND message_id > ? AND (? = 0 OR status = ?) AND (? = '' OR type = ?)"
    " ORDER BY message_id LIMIT ?";
// Pending, due, not leased, and the oldest pending message of its customer (head of line).
// Parameters: now, now, limit.
inline constexpr const char* kListDeliverableMessages =
    "SELECT " LOYALTY_MYSQL_MESSAGE_COLUMNS " FROM messages m WHERE m.status = 1"
    " AND m.not_before_us <= ? AND m.lease_until_us <= ? AND NOT EXISTS (SELECT 1 FROM messages p"
    " WHERE p.customer_id = m.customer_id AND p.status = 1 AND p.message_id < m.message_id)"
    " ORDER BY m.message_id LIMIT ?";
// THE guard against handing a message out twice: only an unleased pending message changes. A
// concurrent leaser waits on the row lock, then re-reads the committed row (leased: no match).
// Parameters: lease_until_us, lease_owner, updated_at_us, message_id, now.
inline constexpr const char* kLeaseMessage =
    "UPDATE messages SET lease_until_us = ?, lease_owner = ?, updated_at_us = ?"
    " WHERE message_id = ? AND status = 1 AND lease_until_us <= ?";
// Parameters: customer_id, since_us (and type).
inline constexpr const char* kCountMessagesSince =
    "SELECT COUNT(*) FROM messages WHERE customer_id = ? AND created_at_us >= ?"
    " AND status NOT IN (4, 5)";
inline constexpr const char* kCountMessagesSinceOfType =
    "SELECT COUNT(*) FROM messages WHERE customer_id = ? AND created_at_us >= ? AND type = ?"
    " AND status NOT IN (4, 5)";
// Parameters: now (not_before_us), now (updated_at_us), after_message_id, up_to (0 = no bound),
// up_to.
inline constexpr const char* kRequeueMessages =
    "UPDATE messages SET status = 1, attempts = 0, lease_until_us = 0, lease_owner = '',"
    " not_before_us = ?, last_error = '', updated_at_us = ? WHERE status IN (2, 3)"
    " AND message_id > ? AND (? = 0 OR message_id <= ?)";
#define LOYALTY_MYSQL_ACTIVITY_SELECT                                                          \
  "SELECT c.customer_id, c.tier, c.created_at_us, (SELECT COUNT(*) FROM orders o"             \
  " WHERE o.customer_id = c.customer_id AND o.status <> 3),"                                  \
  " COALESCE(" LOYALTY_MYSQL_LAST_ORDER("placed_at_us") ", 0),"                               \
  " COALESCE(" LOYALTY_MYSQL_LAST_ORDER("order_id") ", ''),"                                  \
  " COALESCE(" LOYALTY_MYSQL_FIRST_CONFIRMED("confirmed_at_us") ", 0),"                       \
  " COALESCE(" LOYALTY_MYSQL_FIRST_CONFIRMED("order_id") ", '')"
// Parameters: after_id, shards, shards, shard, limit.
inline constexpr const char* kListCustomerActivity =
    LOYALTY_MYSQL_ACTIVITY_SELECT
    " FROM customers c WHERE c.customer_id > ? AND (? = 1 OR MOD(CRC32(c.customer_id), ?) = ?)"
    " ORDER BY c.customer_id LIMIT ?";
// Parameters: customer_id.
inline constexpr const char* kFindCustomerActivity =
    LOYALTY_MYSQL_ACTIVITY_SELECT " FROM customers c WHERE c.customer_id = ?";
#undef LOYALTY_MYSQL_ACTIVITY_SELECT

}  // namespace loyalty::mysql::stmt
