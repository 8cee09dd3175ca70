// SqliteSession: messages (the transactional outbox) and the lifecycle triggers' customer
// activity.
#include <sqlite3.h>

#include <string>

#include "store/common.h"
#include "store/sqlite/sqlite_session.h"

namespace loyalty::sqlite {

namespace {

Message ReadMessage(const Stmt& s) {
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

CustomerActivity ReadActivity(const Stmt& s) {
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

}  // namespace

Result<int64_t> SqliteSession::InsertMessage(const Message& m) {
  LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, Use(StmtId::kInsertMessage));
  stmt.BindText(m.customer_id);
  stmt.BindText(m.type);
  stmt.BindInt(static_cast<int>(m.category));
  stmt.BindText(m.template_code);
  stmt.BindText(m.variables_json);
  stmt.BindText(m.text);
  stmt.BindText(m.sms_text);
  stmt.BindOptionalText(NullIfEmpty(m.dedupe_key));
  stmt.BindInt(static_cast<int>(m.status));
  stmt.BindText(m.status_reason);
  stmt.BindInt(m.created_at_us);
  stmt.BindInt(m.not_before_us);
  stmt.BindInt(m.attempts);
  stmt.BindText(m.last_error);
  stmt.BindInt(m.lease_until_us);
  stmt.BindText(m.lease_owner);
  stmt.BindInt(m.delivered_at_us);
  stmt.BindInt(m.updated_at_us);
  LOYALTY_RETURN_IF_ERROR(stmt.RunInsert());
  return static_cast<int64_t>(sqlite3_last_insert_rowid(db_.get()));
}

Result<std::optional<Message>> SqliteSession::FindMessage(int64_t message_id) {
  LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, Use(StmtId::kFindMessage));
  stmt.BindInt(message_id);
  return ReadOne(stmt, &ReadMessage);
}

Result<std::optional<Message>> SqliteSession::FindMessageByDedupeKey(
    const std::string& dedupe_key) {
  LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, Use(StmtId::kFindMessageByDedupeKey));
  stmt.BindText(dedupe_key);
  return ReadOne(stmt, &ReadMessage);
}

Status SqliteSession::UpdateMessage(const Message& m) {
  LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, Use(StmtId::kUpdateMessage));
  stmt.BindInt(m.message_id);
  stmt.BindInt(static_cast<int>(m.status));
  stmt.BindText(m.status_reason);
  stmt.BindInt(m.not_before_us);
  stmt.BindInt(m.attempts);
  stmt.BindText(m.last_error);
  stmt.BindInt(m.lease_until_us);
  stmt.BindText(m.lease_owner);
  stmt.BindInt(m.delivered_at_us);
  stmt.BindInt(m.updated_at_us);
  LOYALTY_RETURN_IF_ERROR(stmt.Run());
  return ExpectOneChange("message", std::to_string(m.message_id));
}

Result<std::vector<Message>> SqliteSession::ListMessages(const MessageQuery& q) {
  StmtId id = StmtId::kListMessages;
  if (!q.customer_id.empty()) {
    id = StmtId::kListMessagesOfCustomer;
  } else if (q.status.has_value()) {
    id = StmtId::kListMessagesOfStatus;
  }
  LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, Use(id));
  if (!q.customer_id.empty()) stmt.BindText(q.customer_id);
  stmt.BindInt(q.after_message_id);
  stmt.BindInt(q.status ? static_cast<int>(*q.status) : 0);
  stmt.BindText(q.type);
  stmt.BindInt(PageLimit(q.limit));
  return ReadAll(stmt, &ReadMessage);
}

Result<std::vector<Message>> SqliteSession::ListDeliverableMessages(Micros now_us, int limit) {
  LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, Use(StmtId::kListDeliverableMessages));
  stmt.BindInt(now_us);
  stmt.BindInt(PageLimit(limit));
  return ReadAll(stmt, &ReadMessage);
}

Result<bool> SqliteSession::LeaseMessage(int64_t message_id, Micros now_us, Micros lease_until_us,
                                         const std::string& owner) {
  LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, Use(StmtId::kLeaseMessage));
  stmt.BindInt(message_id);
  stmt.BindInt(now_us);
  stmt.BindInt(lease_until_us);
  stmt.BindText(owner);
  LOYALTY_RETURN_IF_ERROR(stmt.Run());
  return sqlite3_changes64(db_.get()) == 1;
}

Result<int64_t> SqliteSession::CountMessagesSince(const std::string& customer_id,
                                                  const std::string& type, Micros since_us) {
  const StmtId id = type.empty() ? StmtId::kCountMessagesSince : StmtId::kCountMessagesSinceOfType;
  LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, Use(id));
  stmt.BindText(customer_id);
  stmt.BindInt(since_us);
  if (!type.empty()) stmt.BindText(type);
  LOYALTY_ASSIGN_OR_RETURN(bool row, stmt.Step());
  return row ? stmt.Int(0) : int64_t{0};
}

Result<int64_t> SqliteSession::RequeueMessages(int64_t after_message_id, int64_t up_to_message_id,
                                               Micros now_us) {
  LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, Use(StmtId::kRequeueMessages));
  stmt.BindInt(after_message_id);
  stmt.BindInt(up_to_message_id);
  stmt.BindInt(now_us);
  LOYALTY_RETURN_IF_ERROR(stmt.Run());
  return static_cast<int64_t>(sqlite3_changes64(db_.get()));
}

Result<std::vector<CustomerActivity>> SqliteSession::ListCustomerActivity(
    const std::string& after_id, int limit, int shard, int shards) {
  LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, Use(StmtId::kListCustomerActivity));
  stmt.BindText(after_id);
  stmt.BindInt(limit <= 0 ? kDefaultPageSize : limit);  // the job pages by thousands
  stmt.BindInt(shard);
  stmt.BindInt(shards);
  return ReadAll(stmt, &ReadActivity);
}

Result<std::optional<CustomerActivity>> SqliteSession::FindCustomerActivity(
    const std::string& customer_id) {
  LOYALTY_ASSIGN_OR_RETURN(Stmt stmt, Use(StmtId::kFindCustomerActivity));
  stmt.BindText(customer_id);
  LOYALTY_ASSIGN_OR_RETURN(std::vector<CustomerActivity> rows, ReadAll(stmt, &ReadActivity));
  if (rows.empty()) return std::optional<CustomerActivity>();
  return std::optional<CustomerActivity>(std::move(rows.front()));
}

}  // namespace loyalty::sqlite
