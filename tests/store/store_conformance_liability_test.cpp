// SumEntriesByKind, what the liability report reads (core/liability.h): per kind, the positive
// and negative parts of both deltas, over [from, to) by created_at, on every engine.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "tests/store/store_fixture.h"

namespace loyalty::testing {
namespace {

using Lines = std::vector<std::string>;

std::string Render(const EntryKindSum& k) {
  return std::string(EntryKindName(k.kind)) + " n=" + std::to_string(k.entries) + " pending=+" +
         std::to_string(k.pending_in_points) + "/" + std::to_string(k.pending_out_points) +
         " available=+" + std::to_string(k.available_in_points) + "/" +
         std::to_string(k.available_out_points);
}

Lines RenderSums(const std::vector<EntryKindSum>& sums) {
  Lines lines;
  for (const EntryKindSum& k : sums) lines.push_back(Render(k));
  return lines;
}

Entry At(const std::string& customer_id, EntryKind kind, Points pending_delta,
         Points available_delta, Micros created_at_us) {
  Entry e = SampleEntry(customer_id, "");
  e.kind = kind;
  e.pending_delta = pending_delta;
  e.available_delta = available_delta;
  e.created_at_us = created_at_us;
  return e;
}

constexpr Micros kT = 1'790'000'000'000'000;  // some instant in 2026

TEST_P(StoreConformance, SumEntriesByKindSumsEachSignApartPerKindWithinTheRange) {
  AddCustomer("c-1");
  AddCustomer("c-2");
  ASSERT_OK(session_->InsertEntry(At("c-1", EntryKind::kEarn, 500, 0, kT)));  // at `from`: in
  ASSERT_OK(session_->InsertEntry(At("c-2", EntryKind::kEarn, 120, 0, kT + 10)));
  ASSERT_OK(session_->InsertEntry(At("c-1", EntryKind::kActivate, -500, 500, kT + 20)));
  ASSERT_OK(session_->InsertEntry(At("c-1", EntryKind::kRedeem, 0, -300, kT + 30)));
  ASSERT_OK(session_->InsertEntry(At("c-1", EntryKind::kAdjust, 0, 1000, kT + 40)));
  ASSERT_OK(session_->InsertEntry(At("c-2", EntryKind::kAdjust, 0, -70, kT + 50)));
  ASSERT_OK(session_->InsertEntry(At("c-2", EntryKind::kAdjust, 0, -5, kT + 51)));
  ASSERT_OK(session_->InsertEntry(At("c-2", EntryKind::kReverse, -20, 0, kT + 60)));
  ASSERT_OK(session_->InsertEntry(At("c-1", EntryKind::kReverse, 0, -40, kT + 61)));
  ASSERT_OK(session_->InsertEntry(At("c-1", EntryKind::kRestore, 0, 300, kT + 70)));
  ASSERT_OK(session_->InsertEntry(At("c-1", EntryKind::kExpire, 0, -260, kT + 99)));
  // At `to` and before `from`: outside the range.
  ASSERT_OK(session_->InsertEntry(At("c-1", EntryKind::kExpire, 0, -999, kT + 100)));
  ASSERT_OK(session_->InsertEntry(At("c-1", EntryKind::kEarn, 777, 0, kT - 1)));
  // An entry that only carries a reason (a clawback that took nothing) counts with zeros.
  ASSERT_OK(session_->InsertEntry(At("c-2", EntryKind::kReverse, 0, 0, kT + 62)));

  ASSERT_OK_AND_ASSIGN(std::vector<EntryKindSum> sums, session_->SumEntriesByKind(kT, kT + 100));
  EXPECT_EQ(RenderSums(sums), (Lines{
                                  "earn n=2 pending=+620/0 available=+0/0",
                                  "activate n=1 pending=+0/-500 available=+500/0",
                                  "redeem n=1 pending=+0/0 available=+0/-300",
                                  "expire n=1 pending=+0/0 available=+0/-260",
                                  "adjust n=3 pending=+0/0 available=+1000/-75",
                                  "reverse n=3 pending=+0/-20 available=+0/-40",
                                  "restore n=1 pending=+0/0 available=+300/0",
                              }));
}

TEST_P(StoreConformance, SumEntriesByKindOfAnEmptyRangeIsNoRowsAndOnlyKindsPresentAppear) {
  AddCustomer("c-1");
  ASSERT_OK(session_->InsertEntry(At("c-1", EntryKind::kAdjust, 0, 40, kT)));
  ASSERT_OK(session_->InsertEntry(At("c-1", EntryKind::kRedeem, 0, -40, kT + 1)));
  ASSERT_OK_AND_ASSIGN(std::vector<EntryKindSum> none, session_->SumEntriesByKind(0, kT));
  EXPECT_EQ(RenderSums(none), Lines{});
  ASSERT_OK_AND_ASSIGN(none, session_->SumEntriesByKind(kT + 2, kT + 1000));
  EXPECT_EQ(RenderSums(none), Lines{});
  ASSERT_OK_AND_ASSIGN(std::vector<EntryKindSum> one, session_->SumEntriesByKind(kT + 1, kT + 2));
  EXPECT_EQ(RenderSums(one), (Lines{"redeem n=1 pending=+0/0 available=+0/-40"}));
  // The whole ledger: from the smallest instant a Micros holds.
  ASSERT_OK_AND_ASSIGN(std::vector<EntryKindSum> all,
                       session_->SumEntriesByKind(INT64_MIN, INT64_MAX));
  EXPECT_EQ(RenderSums(all), (Lines{"redeem n=1 pending=+0/0 available=+0/-40",
                                    "adjust n=1 pending=+0/0 available=+40/0"}));
}

TEST_P(StoreConformance, SumEntriesByKindIsExactBeyondThirtyTwoBits) {
  AddCustomer("c-1");
  ASSERT_OK(session_->Begin());
  for (int i = 0; i < 30; ++i) {
    ASSERT_OK(
        session_->InsertEntry(At("c-1", EntryKind::kAdjust, 0, kMaxAdjustmentPoints, kT + i)));
    ASSERT_OK(
        session_->InsertEntry(At("c-1", EntryKind::kAdjust, 0, -kMaxAdjustmentPoints + 1, kT + i)));
  }
  ASSERT_OK(session_->Commit());
  ASSERT_OK_AND_ASSIGN(std::vector<EntryKindSum> sums, session_->SumEntriesByKind(kT, kT + 30));
  ASSERT_EQ(sums.size(), 1u);
  EXPECT_EQ(sums[0].entries, 60);
  EXPECT_EQ(sums[0].available_in_points, 30 * kMaxAdjustmentPoints);  // 3e9 > 2^31
  EXPECT_EQ(sums[0].available_out_points, -30 * (kMaxAdjustmentPoints - 1));
}

TEST_P(StoreConformance, SumEntriesByKindInAReadSnapshotSeesNoLaterEntry) {
  AddCustomer("c-1");
  ASSERT_OK(session_->InsertEntry(At("c-1", EntryKind::kAdjust, 0, 10, kT)));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Session> writer, store_->OpenSession());
  ASSERT_OK(session_->BeginRead());
  ASSERT_OK_AND_ASSIGN(std::vector<EntryKindSum> first, session_->SumEntriesByKind(0, kT + 10));
  ASSERT_OK(writer->InsertEntry(At("c-1", EntryKind::kAdjust, 0, 5, kT + 1)));
  ASSERT_OK_AND_ASSIGN(std::vector<EntryKindSum> again, session_->SumEntriesByKind(0, kT + 10));
  session_->EndRead();
  EXPECT_EQ(RenderSums(again), RenderSums(first));
  ASSERT_OK_AND_ASSIGN(std::vector<EntryKindSum> after, session_->SumEntriesByKind(0, kT + 10));
  EXPECT_EQ(RenderSums(after), (Lines{"adjust n=2 pending=+0/0 available=+15/0"}));
}

}  // namespace
}  // namespace loyalty::testing
