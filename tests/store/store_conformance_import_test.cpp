// Conformance: `loyalty import`'s records (core/store.h ImportRecords): row ids unique per kind
// with their values, staged events unique per run, order and kind, listed in time order with the
// file's order breaking ties, and removed per run.
#include <optional>
#include <string>
#include <vector>

#include "tests/store/store_fixture.h"

namespace loyalty::testing {
namespace {

ImportEvent Event(const std::string& run, Micros at, int64_t seq, ImportEventKind kind,
                  const std::string& order) {
  ImportEvent e;
  e.import_id = run;
  e.at_us = at;
  e.seq = seq;
  e.kind = kind;
  e.order_id = order;
  e.customer_id = "c-" + order;
  e.line = seq / 4;
  e.amount_won = 1000 + seq;
  e.shipping_won = 3000;
  e.points = 7;
  e.hash = "order_id=" + order + "\n";
  return e;
}

std::string Keys(const std::vector<ImportEvent>& events) {
  std::string s;
  for (const ImportEvent& e : events) {
    s += e.order_id + "/" + std::to_string(static_cast<int>(e.kind)) + " ";
  }
  return s;
}

TEST_P(StoreConformance, ImportRowsAreUniquePerKindAndKeepTheirValues) {
  ASSERT_OK(session_->Begin());
  ImportRow r{"customer", "c1", "customer_id=c1\ntier=GOLD\n", "imp_1", 2, 1000};
  ASSERT_OK(session_->InsertImportRow(r));
  EXPECT_CODE(session_->InsertImportRow(r), Code::kAlreadyExists);
  ASSERT_OK(session_->InsertImportRow({"order", "c1", "x", "imp_1", 3, 1000}));  // other kind
  ASSERT_OK(session_->Commit());
  ASSERT_OK_AND_ASSIGN(std::optional<ImportRow> got, session_->FindImportRow("customer", "c1"));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->hash, r.hash);
  EXPECT_EQ(got->import_id, "imp_1");
  EXPECT_EQ(got->line, 2);
  EXPECT_EQ(got->imported_at_us, 1000);
  ASSERT_OK_AND_ASSIGN(std::optional<ImportRow> none, session_->FindImportRow("customer", "c2"));
  EXPECT_FALSE(none.has_value());
}

TEST_P(StoreConformance, ImportEventsListInTimeOrderAndArePerRun) {
  ASSERT_OK(session_->Begin());
  ASSERT_OK(session_->InsertImportEvent(Event("imp_1", 500, 12, ImportEventKind::kPlaced, "b")));
  ASSERT_OK(session_->InsertImportEvent(Event("imp_1", 100, 8, ImportEventKind::kPlaced, "a")));
  ASSERT_OK(session_->InsertImportEvent(Event("imp_1", 500, 9, ImportEventKind::kConfirmed, "a")));
  ASSERT_OK(session_->InsertImportEvent(Event("imp_2", 50, 8, ImportEventKind::kPlaced, "a")));
  EXPECT_CODE(session_->InsertImportEvent(Event("imp_1", 900, 40, ImportEventKind::kPlaced, "a")),
              Code::kAlreadyExists);
  ASSERT_OK(session_->Commit());
  ASSERT_OK_AND_ASSIGN(std::vector<ImportEvent> all,
                       session_->ListImportEvents("imp_1", -1, -1, 10));
  EXPECT_EQ(Keys(all), "a/1 a/2 b/1 ");  // at 100, then at 500 by seq 9 before 12
  EXPECT_EQ(all[2].amount_won, 1012);
  EXPECT_EQ(all[2].shipping_won, 3000);
  EXPECT_EQ(all[2].points, 7);
  EXPECT_EQ(all[2].customer_id, "c-b");
  EXPECT_EQ(all[2].line, 3);
  EXPECT_EQ(all[2].hash, "order_id=b\n");
  ASSERT_OK_AND_ASSIGN(std::vector<ImportEvent> after,
                       session_->ListImportEvents("imp_1", 500, 9, 10));
  EXPECT_EQ(Keys(after), "b/1 ");
  ASSERT_OK_AND_ASSIGN(std::vector<ImportEvent> page,
                       session_->ListImportEvents("imp_1", -1, -1, 1));
  EXPECT_EQ(Keys(page), "a/1 ");
  ASSERT_OK_AND_ASSIGN(std::optional<ImportEvent> found,
                       session_->FindImportEvent("imp_1", "a", ImportEventKind::kConfirmed));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->at_us, 500);
  ASSERT_OK(session_->Begin());
  ASSERT_OK(session_->DeleteImportEvents("imp_1"));
  ASSERT_OK(session_->Commit());
  ASSERT_OK_AND_ASSIGN(std::vector<ImportEvent> gone,
                       session_->ListImportEvents("imp_1", -1, -1, 10));
  EXPECT_TRUE(gone.empty());
  ASSERT_OK_AND_ASSIGN(std::vector<ImportEvent> other,
                       session_->ListImportEvents("imp_2", -1, -1, 10));
  EXPECT_EQ(Keys(other), "a/1 ");
}

}  // namespace
}  // namespace loyalty::testing
