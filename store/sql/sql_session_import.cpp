// SqlSession: `loyalty import`'s row ids and staged events (core/store.h ImportRecords).
#include <optional>
#include <string>
#include <vector>

#include "store/sql/sql_session.h"
#include "store/sql/statements_import.h"

namespace loyalty::sql {

namespace {

// LOYALTY_SQL_IMPORT_ROW_COLUMNS.
ImportRow ReadImportRow(const Statement& s) {
  ImportRow r;
  r.kind = s.Text(0);
  r.row_id = s.Text(1);
  r.hash = s.Text(2);
  r.import_id = s.Text(3);
  r.line = s.Int(4);
  r.imported_at_us = s.Int(5);
  return r;
}

// LOYALTY_SQL_IMPORT_EVENT_COLUMNS.
ImportEvent ReadImportEvent(const Statement& s) {
  ImportEvent e;
  e.import_id = s.Text(0);
  e.at_us = s.Int(1);
  e.seq = s.Int(2);
  e.kind = static_cast<ImportEventKind>(s.Int(3));
  e.order_id = s.Text(4);
  e.customer_id = s.Text(5);
  e.line = s.Int(6);
  e.amount_won = s.Int(7);
  e.shipping_won = s.Int(8);
  e.points = s.Int(9);
  e.hash = s.Text(10);
  return e;
}

}  // namespace

Result<std::optional<ImportRow>> SqlSession::FindImportRow(const std::string& kind,
                                                           const std::string& row_id) {
  return QueryOne(
      stmt::kFindImportRow, Variant::kPlain,
      [&](Statement& s) {
        s.BindText(kind);
        s.BindText(row_id);
      },
      &ReadImportRow);
}

Status SqlSession::InsertImportRow(const ImportRow& r) {
  return Execute(stmt::kInsertImportRow,
                 [&](Statement& s) {
                   s.BindText(r.kind);
                   s.BindText(r.row_id);
                   s.BindText(r.hash);
                   s.BindText(r.import_id);
                   s.BindInt(r.line);
                   s.BindInt(r.imported_at_us);
                 })
      .status();
}

Status SqlSession::InsertImportEvent(const ImportEvent& e) {
  return Execute(stmt::kInsertImportEvent,
                 [&](Statement& s) {
                   s.BindText(e.import_id);
                   s.BindInt(e.at_us);
                   s.BindInt(e.seq);
                   s.BindInt(static_cast<int64_t>(e.kind));
                   s.BindText(e.order_id);
                   s.BindText(e.customer_id);
                   s.BindInt(e.line);
                   s.BindInt(e.amount_won);
                   s.BindInt(e.shipping_won);
                   s.BindInt(e.points);
                   s.BindText(e.hash);
                 })
      .status();
}

Result<std::optional<ImportEvent>> SqlSession::FindImportEvent(const std::string& import_id,
                                                               const std::string& order_id,
                                                               ImportEventKind kind) {
  return QueryOne(
      stmt::kFindImportEvent, Variant::kPlain,
      [&](Statement& s) {
        s.BindText(import_id);
        s.BindText(order_id);
        s.BindInt(static_cast<int64_t>(kind));
      },
      &ReadImportEvent);
}

Result<std::vector<ImportEvent>> SqlSession::ListImportEvents(const std::string& import_id,
                                                              Micros after_at_us, int64_t after_seq,
                                                              int limit) {
  return QueryRows(
      stmt::kListImportEvents,
      [&](Statement& s) {
        s.BindText(import_id);
        s.BindInt(after_at_us);
        s.BindInt(after_at_us);
        s.BindInt(after_seq);
        s.BindInt(PageLimit(limit));
      },
      &ReadImportEvent);
}

Status SqlSession::DeleteImportEvents(const std::string& import_id) {
  return Execute(stmt::kDeleteImportEvents, [&](Statement& s) { s.BindText(import_id); }).status();
}

}  // namespace loyalty::sql
