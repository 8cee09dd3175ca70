// SqlSession: messages (the transactional outbox).
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "store/common.h"
#include "store/sql/sql_session.h"
#include "store/sql/statements_messages.h"

namespace loyalty::sql {

namespace {

// The key under which Looked() / Inserted() remember a dedupe key this transaction did not find.
std::string DedupeLookupKey(const std::string& dedupe_key) {
  return "message_dedupe:" + dedupe_key;
}

// LOYALTY_SQL_MESSAGE_COLUMNS.
Message ReadMessage(const Statement& s) {
  Message m;
  m.message_id = s.Int(0);
  m.customer_id = s.Text(1);
  m.type = s.Text(2);
  m.category = static_cast<MessageCategory>(s.Int(3));
  m.template_code = s.Text(4);
  m.variables_json = s.Text(5);
  m.text = s.Text(6);
  m.sms_text = s.Text(7);
  m.dedupe_key = s.OptionalText(8).value_or("");
  m.status = static_cast<MessageStatus>(s.Int(9));
  m.status_reason = s.Text(10);
  m.created_at_us = s.Int(11);
  m.not_before_us = s.Int(12);
  m.attempts = static_cast<int32_t>(s.Int(13));
  m.last_error = s.Text(14);
  m.lease_until_us = s.Int(15);
  m.lease_owner = s.Text(16);
  m.delivered_at_us = s.Int(17);
  m.updated_at_us = s.Int(18);
  return m;
}

int64_t ReadInt0(const Statement& s) { return s.Int(0); }

}  // namespace

Result<int64_t> SqlSession::InsertMessage(const Message& m) {
  Result<int64_t> id = InsertReturningId(stmt::kInsertMessage, [&](Statement& s) {
    s.BindText(m.customer_id);
    s.BindText(m.type);
    s.BindInt(static_cast<int>(m.category));
    s.BindText(m.template_code);
    s.BindText(m.variables_json);
    s.BindText(m.text);
    s.BindText(m.sms_text);
    s.BindOptionalText(NullIfEmpty(m.dedupe_key));
    s.BindInt(static_cast<int>(m.status));
    s.BindText(m.status_reason);
    s.BindInt(m.created_at_us);
    s.BindInt(m.not_before_us);
    s.BindInt(m.attempts);
    s.BindText(m.last_error);
    s.BindInt(m.lease_until_us);
    s.BindText(m.lease_owner);
    s.BindInt(m.delivered_at_us);
    s.BindInt(m.updated_at_us);
  });
  if (m.dedupe_key.empty()) return id;
  // A duplicate dedupe key is kAlreadyExists. One this transaction looked up and did not find is
  // a write conflict with another node writing the same message: Inserted() makes it kRetry, and
  // the re-run finds that message (as for coupons). The key is the table's only unique one but
  // message_id, which the store assigns.
  Status status = Inserted(id.ok() ? Status::Ok() : id.status(), DedupeLookupKey(m.dedupe_key));
  if (!status.ok()) return status;
  return id;
}

Result<std::optional<Message>> SqlSession::FindMessage(int64_t message_id) {
  // In a write transaction the row is locked (as SQLite's single writer has it): an ack, a
  // delivery failure and a cancellation of the same message never overwrite each other.
  return QueryOne<Message>(
      stmt::kFindMessage, Variant::kForUpdate, [&](Statement& s) { s.BindInt(message_id); },
      &ReadMessage);
}

Result<std::optional<Message>> SqlSession::FindMessageByDedupeKey(const std::string& dedupe_key) {
  return Looked(QueryOne<Message>(
                    stmt::kFindMessageByDedupeKey, Variant::kPlain,
                    [&](Statement& s) { s.BindText(dedupe_key); }, &ReadMessage),
                DedupeLookupKey(dedupe_key));
}

Status SqlSession::UpdateMessage(const Message& m) {
  return ExecuteOne(
      stmt::kUpdateMessage,
      [&](Statement& s) {
        s.BindInt(static_cast<int>(m.status));
        s.BindText(m.status_reason);
        s.BindInt(m.not_before_us);
        s.BindInt(m.attempts);
        s.BindText(m.last_error);
        s.BindInt(m.lease_until_us);
        s.BindText(m.lease_owner);
        s.BindInt(m.delivered_at_us);
        s.BindInt(m.updated_at_us);
        s.BindInt(m.message_id);
      },
      "message", std::to_string(m.message_id));
}

Result<std::vector<Message>> SqlSession::ListMessages(const MessageQuery& q) {
  const int status = q.status ? static_cast<int>(*q.status) : 0;
  const int limit = PageLimit(q.limit);
  if (q.customer_id.empty() && q.status.has_value()) {
    return QueryRows<Message>(
        stmt::kListMessagesOfStatus,
        [&](Statement& s) {
          s.BindInt(status);
          s.BindInt(q.after_message_id);
          s.BindText(q.type);
          s.BindText(q.type);
          s.BindInt(limit);
        },
        &ReadMessage);
  }
  return QueryRows<Message>(
      q.customer_id.empty() ? stmt::kListMessages : stmt::kListMessagesOfCustomer,
      [&](Statement& s) {
        if (!q.customer_id.empty()) s.BindText(q.customer_id);
        s.BindInt(q.after_message_id);
        s.BindInt(status);
        s.BindInt(status);
        s.BindText(q.type);
        s.BindText(q.type);
        s.BindInt(limit);
      },
      &ReadMessage);
}

Result<std::vector<Message>> SqlSession::ListDeliverableMessages(Micros now_us, int limit) {
  return QueryRows<Message>(
      stmt::kListDeliverableMessages,
      [&](Statement& s) {
        s.BindInt(now_us);
        s.BindInt(now_us);
        s.BindInt(PageLimit(limit));
      },
      &ReadMessage);
}

Result<bool> SqlSession::LeaseMessage(int64_t message_id, Micros now_us, Micros lease_until_us,
                                      const std::string& owner) {
  // The driver counts matched rows: 1 when this call leased the message.
  const auto bind = [&](Statement& s) {
    s.BindInt(lease_until_us);
    s.BindText(owner);
    s.BindInt(now_us);
    s.BindInt(message_id);
    s.BindInt(now_us);
  };
  LOYALTY_ASSIGN_OR_RETURN(int64_t matched, Execute(stmt::kLeaseMessage, bind));
  return matched == 1;
}

Result<int64_t> SqlSession::CountMessagesSince(const std::string& customer_id,
                                               const std::string& type, Micros since_us) {
  const auto bind = [&](Statement& s) {
    s.BindText(customer_id);
    s.BindInt(since_us);
    if (!type.empty()) s.BindText(type);
  };
  const StmtDef& def = type.empty() ? stmt::kCountMessagesSince : stmt::kCountMessagesSinceOfType;
  LOYALTY_ASSIGN_OR_RETURN(std::optional<int64_t> count,
                           QueryOne<int64_t>(def, Variant::kPlain, bind, &ReadInt0));
  return count.value_or(0);
}

Result<int64_t> SqlSession::RequeueMessages(int64_t after_message_id, int64_t up_to_message_id,
                                            Micros now_us) {
  return Execute(stmt::kRequeueMessages, [&](Statement& s) {
    s.BindInt(now_us);
    s.BindInt(now_us);
    s.BindInt(after_message_id);
    s.BindInt(up_to_message_id);
    s.BindInt(up_to_message_id);
  });
}

Result<int64_t> SqlSession::SuppressPendingAdvertising(const std::string& customer_id,
                                                       const std::string& reason, Micros now_us) {
  return Execute(stmt::kSuppressPendingAdvertising, [&](Statement& s) {
    s.BindText(reason);
    s.BindInt(now_us);
    s.BindText(customer_id);
  });
}

}  // namespace loyalty::sql
