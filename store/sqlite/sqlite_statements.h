// Internal to store/sqlite: every SQL statement a session runs, by id. Values always travel as
// bound parameters (?1, ?2, ... in the order the session binds them), never inside the text.
#pragma once

#include <cstddef>

namespace loyalty::sqlite {

enum class StmtId : int {
  // transactions
  kBegin,
  kBeginRead,
  kCommit,
  kRollback,
  kSavepoint,
  kRelease,
  kRollbackTo,
  kEntrySavepoint,
  kEntryRelease,
  kEntryRollbackTo,
  // customers
  kFindCustomer,
  kInsertCustomer,
  kUpdateCustomer,
  kListCustomers,
  // lots
  kFindLot,
  kFindLotsOfCustomer,
  kFindLotsOfCustomerKind,
  kFindLotsOfOrder,
  kInsertLot,
  kUpdateLot,
  // entries
  kInsertEntry,
  kInsertAllocation,
  kListEntriesOfOrder,
  kListEntriesOfCustomer,
  kListAllocations,
  // orders and refunds
  kFindOrder,
  kInsertOrder,
  kUpdateOrder,
  kFindRefund,
  kInsertRefund,
  kListRefunds,
  // adjustments
  kFindAdjustment,
  kInsertAdjustment,
  // events
  kAppendEvent,
  kListEvents,
  kListEventsOfCustomer,
  // idempotency
  kFindIdempotency,
  kInsertIdempotency,
  kPurgeIdempotency,
  // spend, tiers, daily job
  kInsertSpend,
  kSumSpend,
  kInsertTierChange,
  kListTierChanges,
  kOrdersAwaitingActivation,
  kCustomersWithDueLots,
  kRecomputeWindowSpend,
  kListStandings,
  kCountCustomers,
  kFindJobRun,
  kUpsertJobRun,
  // coupons
  kInsertCoupon,
  kFindCoupon,
  kFindCouponByDedupeKey,
  kRedeemCoupon,
  kUpdateCoupon,
  kListCouponsOfCustomer,
  kListCouponsOfOrder,
  kListCouponsOfBatch,
  kCountRedeemedCoupons,
  kListActiveCouponsEndingBy,
  kCustomersBornInMonth,
  kInsertCouponBatch,
  kFindCouponBatch,
  kUpdateCouponBatch,
  kListUnfinishedCouponBatches,
  // messages (the outbox) and the lifecycle triggers' customer activity
  kInsertMessage,
  kFindMessage,
  kFindMessageByDedupeKey,
  kUpdateMessage,
  kListMessages,
  kListMessagesOfStatus,
  kListMessagesOfCustomer,
  kListDeliverableMessages,
  kLeaseMessage,
  kCountMessagesSince,
  kCountMessagesSinceOfType,
  kRequeueMessages,
  kListCustomerActivity,
  kFindCustomerActivity,
  // api keys
  kInsertApiKey,
  kFindApiKeyByHash,
  kListApiKeys,
  kRevokeApiKey,

  kCount,  // not a statement
};

inline constexpr size_t kStmtCount = static_cast<size_t>(StmtId::kCount);

struct StmtDef {
  StmtId id;
  const char* name;  // for error messages: what was being done
  const char* sql;
};

const StmtDef& Def(StmtId id);

}  // namespace loyalty::sqlite
