// MysqlSession: messages (the transactional outbox) and the lifecycle triggers' customer
// activity (the same semantics as sqlite_session_messages.cpp).
#include <string>
#include <utility>

#include "store/common.h"
#include "store/mysql/mysql_session.h"
#include "store/mysql/mysql_statements_messages.h"

namespace loyalty::mysql {

namespace {

// The key under which Looked() / Inserted() remember a dedupe key this transaction did not find.
std::string DedupeLookupKey(const std::string& dedupe_key) {
  return "message_dedupe:" + dedupe_key;
}

Message ReadMessage(const sql::ResultSet& rs) {
  Message m;
  m.message_id = Int(rs, 1);
  m.customer_id = Text(rs, 2);
  m.type = Text(rs, 3);
  m.category = static_cast<MessageCategory>(Int(rs, 4));
  m.template_code = Text(rs, 5);
  m.variables_json = Text(rs, 6);
  m.text = Text(rs, 7);
  m.sms_text = Text(rs, 8);
  m.dedupe_key = OptionalText(rs, 9).value_or("");
  m.status = static_cast<MessageStatus>(Int(rs, 10));
  m.status_reason = Text(rs, 11);
  m.created_at_us = Int(rs, 12);
  m.not_before_us = Int(rs, 13);
  m.attempts = static_cast<int32_t>(Int(rs, 14));
  m.last_error = Text(rs, 15);
  m.lease_until_us = Int(rs, 16);
  m.lease_owner = Text(rs, 17);
  m.delivered_at_us = Int(rs, 18);
  m.updated_at_us = Int(rs, 19);
  return m;
}

CustomerActivity ReadActivity(const sql::ResultSet& rs) {
  CustomerActivity a;
  a.customer_id = Text(rs, 1);
  a.tier = Text(rs, 2);
  a.created_at_us = Int(rs, 3);
  a.orders = static_cast<int32_t>(Int(rs, 4));
  a.last_order_at_us = Int(rs, 5);
  a.last_order_id = Text(rs, 6);
  a.first_confirmed_at_us = Int(rs, 7);
  a.first_confirmed_order_id = Text(rs, 8);
  return a;
}

}  // namespace

Result<int64_t> MysqlSession::InsertMessage(const Message& m) {
  Result<int64_t> id = Run("insert message", true, [&]() -> Result<int64_t> {
    return InsertReturningId(stmt::kInsertMessage, "message_id", [&](Bind& b) {
      b.Text(m.customer_id)
          .Text(m.type)
          .Int(static_cast<int>(m.category))
          .Text(m.template_code)
          .Text(m.variables_json)
          .Text(m.text)
          .Text(m.sms_text)
          .OptionalText(NullIfEmpty(m.dedupe_key))
          .Int(static_cast<int>(m.status))
          .Text(m.status_reason)
          .Int(m.created_at_us)
          .Int(m.not_before_us)
          .Int(m.attempts)
          .Text(m.last_error)
          .Int(m.lease_until_us)
          .Text(m.lease_owner)
          .Int(m.delivered_at_us)
          .Int(m.updated_at_us);
    });
  });
  if (m.dedupe_key.empty()) return id;
  // A duplicate dedupe key is kAlreadyExists. One this transaction looked up and did not find is
  // a write conflict with another node writing the same message: Inserted() makes it kRetry, and
  // the re-run finds that message (as for coupons).
  Status status = Inserted(id.ok() ? Status::Ok() : id.status(), DedupeLookupKey(m.dedupe_key));
  if (!status.ok()) return status;
  return id;
}

Result<std::optional<Message>> MysqlSession::FindMessage(int64_t message_id) {
  // In a write transaction the row is locked (as SQLite's single writer has it): an ack, a
  // delivery failure and a cancellation of the same message never overwrite each other.
  const char* sql = tx_ == Tx::kWrite ? stmt::kFindMessageForUpdate : stmt::kFindMessage;
  return Run("find message", false, [&]() -> Result<std::optional<Message>> {
    std::unique_ptr<sql::ResultSet> rs = Bind(Prepare(sql)).Int(message_id).Query();
    return ReadFirst(*rs, &ReadMessage);
  });
}

Result<std::optional<Message>> MysqlSession::FindMessageByDedupeKey(const std::string& dedupe_key) {
  return Looked(Run("find message by dedupe key", false,
                    [&]() -> Result<std::optional<Message>> {
                      std::unique_ptr<sql::ResultSet> rs =
                          Bind(Prepare(stmt::kFindMessageByDedupeKey)).Text(dedupe_key).Query();
                      return ReadFirst(*rs, &ReadMessage);
                    }),
                DedupeLookupKey(dedupe_key));
}

Status MysqlSession::UpdateMessage(const Message& m) {
  return Run("update message", false, [&] {
    const int64_t matched = Bind(Prepare(stmt::kUpdateMessage))
                                .Int(static_cast<int>(m.status))
                                .Text(m.status_reason)
                                .Int(m.not_before_us)
                                .Int(m.attempts)
                                .Text(m.last_error)
                                .Int(m.lease_until_us)
                                .Text(m.lease_owner)
                                .Int(m.delivered_at_us)
                                .Int(m.updated_at_us)
                                .Int(m.message_id)
                                .Update();
    return ExpectOne(matched, "message", std::to_string(m.message_id));
  });
}

Result<std::vector<Message>> MysqlSession::ListMessages(const MessageQuery& q) {
  const int status = q.status ? static_cast<int>(*q.status) : 0;
  return Run("list messages", false, [&]() -> Result<std::vector<Message>> {
    std::unique_ptr<sql::ResultSet> rs;
    if (q.customer_id.empty() && q.status.has_value()) {
      rs = Bind(Prepare(stmt::kListMessagesOfStatus))
               .Int(status)
               .Int(q.after_message_id)
               .Text(q.type)
               .Text(q.type)
               .Int(PageLimit(q.limit))
               .Query();
    } else {
      sql::PreparedStatement& prepared =
          Prepare(q.customer_id.empty() ? stmt::kListMessages : stmt::kListMessagesOfCustomer);
      Bind bind(prepared);
      if (!q.customer_id.empty()) bind.Text(q.customer_id);
      rs = bind.Int(q.after_message_id)
               .Int(status)
               .Int(status)
               .Text(q.type)
               .Text(q.type)
               .Int(PageLimit(q.limit))
               .Query();
    }
    return ReadRows(*rs, &ReadMessage);
  });
}

Result<std::vector<Message>> MysqlSession::ListDeliverableMessages(Micros now_us, int limit) {
  return Run("list deliverable messages", false, [&]() -> Result<std::vector<Message>> {
    std::unique_ptr<sql::ResultSet> rs = Bind(Prepare(stmt::kListDeliverableMessages))
                                             .Int(now_us)
                                             .Int(now_us)
                                             .Int(PageLimit(limit))
                                             .Query();
    return ReadRows(*rs, &ReadMessage);
  });
}

Result<bool> MysqlSession::LeaseMessage(int64_t message_id, Micros now_us, Micros lease_until_us,
                                        const std::string& owner) {
  return Run("lease message", false, [&]() -> Result<bool> {
    // The connection counts matched rows: 1 when this call leased the message.
    const int64_t matched = Bind(Prepare(stmt::kLeaseMessage))
                                .Int(lease_until_us)
                                .Text(owner)
                                .Int(now_us)
                                .Int(message_id)
                                .Int(now_us)
                                .Update();
    return matched == 1;
  });
}

Result<int64_t> MysqlSession::CountMessagesSince(const std::string& customer_id,
                                                 const std::string& type, Micros since_us) {
  return Run("count messages", false, [&]() -> Result<int64_t> {
    Bind bind(Prepare(type.empty() ? stmt::kCountMessagesSince : stmt::kCountMessagesSinceOfType));
    bind.Text(customer_id).Int(since_us);
    if (!type.empty()) bind.Text(type);
    std::unique_ptr<sql::ResultSet> rs = bind.Query();
    return rs->next() ? Int(*rs, 1) : int64_t{0};
  });
}

Result<int64_t> MysqlSession::RequeueMessages(int64_t after_message_id, int64_t up_to_message_id,
                                              Micros now_us) {
  return Run("requeue messages", false, [&]() -> Result<int64_t> {
    return Bind(Prepare(stmt::kRequeueMessages))
        .Int(now_us)
        .Int(now_us)
        .Int(after_message_id)
        .Int(up_to_message_id)
        .Int(up_to_message_id)
        .Update();
  });
}

Result<std::vector<CustomerActivity>> MysqlSession::ListCustomerActivity(
    const std::string& after_id, int limit, int shard, int shards) {
  return Run("list customer activity", false, [&]() -> Result<std::vector<CustomerActivity>> {
    std::unique_ptr<sql::ResultSet> rs = Bind(Prepare(stmt::kListCustomerActivity))
                                             .Text(after_id)
                                             .Int(shards)
                                             .Int(shards)
                                             .Int(shard)
                                             .Int(limit <= 0 ? kDefaultPageSize : limit)
                                             .Query();
    return ReadRows(*rs, &ReadActivity);
  });
}

Result<std::optional<CustomerActivity>> MysqlSession::FindCustomerActivity(
    const std::string& customer_id) {
  return Run("find customer activity", false,
             [&]() -> Result<std::optional<CustomerActivity>> {
               std::unique_ptr<sql::ResultSet> rs =
                   Bind(Prepare(stmt::kFindCustomerActivity)).Text(customer_id).Query();
               std::vector<CustomerActivity> rows = ReadRows(*rs, &ReadActivity);
               if (rows.empty()) return std::optional<CustomerActivity>();
               return std::optional<CustomerActivity>(std::move(rows.front()));
             });
}

}  // namespace loyalty::mysql
