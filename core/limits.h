// Every limit of the engine in one place, with the relations between them checked at compile
// time. A limit that an input can hit is enforced where the input is read (request parsing,
// programme validation) and refused with a clear error, never clamped silently.
#pragma once

#include <cstddef>
#include <cstdint>

namespace loyalty {

// --- time ---
inline constexpr int64_t kSecondUs = 1'000'000;
inline constexpr int64_t kMinuteUs = 60 * kSecondUs;
inline constexpr int64_t kHourUs = 60 * kMinuteUs;
inline constexpr int64_t kDayUs = 24 * kHourUs;

// --- numbers ---
// The largest integer a JSON number carries exactly in every client (IEEE 754 double).
inline constexpr int64_t kMaxJsonSafeInteger = (int64_t{1} << 53) - 1;
inline constexpr int64_t kMaxOrderAmountWon = 10'000'000'000;  // ₩10 billion per order
inline constexpr int64_t kMaxAdjustmentPoints = 100'000'000;   // one CS adjustment, either sign
// What a cs_agent may grant alone; above it the request needs a cs_supervisor or admin.
inline constexpr int64_t kCsAgentAdjustmentLimitPoints = 10'000;

// What one point is worth in the liability report (programme point_value_won, 1 to this).
inline constexpr int64_t kMaxPointValueWon = 10'000;

// --- text ---
inline constexpr size_t kMaxIdLength = 64;                 // customer_id, order_id, refund_id, ...
inline constexpr size_t kMaxKeyNameLength = kMaxIdLength;  // API key names
inline constexpr size_t kMaxReasonLength = 500;            // free-text note on an adjustment
inline constexpr size_t kMaxReasonCodeLength = 64;         // an adjustment's reason_code
inline constexpr size_t kMaxNameChars = 100;        // programme, tier, coupon and label names
inline constexpr size_t kMaxCodeChars = 32;         // tier and coupon template codes
inline constexpr size_t kMaxMessageChars = 1000;    // rendered message text, in code points
inline constexpr size_t kCouponRandomChars = 12;    // 12 * log2(31) = 59.4 bits per code
inline constexpr size_t kMaxCouponCodeLength = 40;  // prefix, dash and random part
inline constexpr size_t kMaxIdempotencyKeyLength = 255;
inline constexpr size_t kMaxRequestIdLength = 128;
inline constexpr size_t kMaxConsentChannelLength = 32;  // "web", "app", "sms", ... (VARCHAR(32))
// The programme's sender and opt-out (messaging.sender, messaging.opt_out) and a template's
// coupon_exemption, in characters.
inline constexpr size_t kMaxSenderNameChars = kMaxNameChars;
inline constexpr size_t kMaxSenderContactChars = 40;
inline constexpr size_t kMaxOptOutChars = 2 * kMaxNameChars;
inline constexpr size_t kMaxCouponExemptionChars = 200;

// --- pages and batches ---
inline constexpr int kMaxPageSize = 500;
inline constexpr int kDefaultPageSize = 50;
inline constexpr int kMaxCouponsPerOrder = 5;
inline constexpr int64_t kMaxCouponBatchCount = 1'000'000;  // one bulk issuance request
inline constexpr int64_t kCouponBatchChunk = 1000;          // coupons per executor command
inline constexpr int64_t kSyncCouponBatchLimit = 1000;  // at most this many: issued in the request
inline constexpr int64_t kMaxPullLimit = 500;           // messages per pull
inline constexpr int64_t kDefaultPullLimit = 100;
inline constexpr size_t kMaxAckIds = 500;               // message ids per ack
inline constexpr int kMaxAllocationRowsPerInsert = 16;  // store: rows per multi-row INSERT
// `loyalty export` (app/cmd_export.cpp): rows per keyset page (core/store.h ExportQueries).
inline constexpr int kMaxExportPageSize = 1000;

// The liability report (core/liability.h): months in one report (ten years).
inline constexpr int kMaxReportMonths = 120;

// --- leases (message delivery) ---
inline constexpr int64_t kMaxLeaseUs = kHourUs;  // a pulled message is held at most this long
inline constexpr int64_t kDefaultLeaseUs = 60 * kSecondUs;

// --- the programme in the database ---
// /readyz reads the version in force at most this often (a node serving an older version turns
// unready within this long of the newer one taking effect).
inline constexpr int64_t kProgramCheckIntervalUs = 5 * kSecondUs;

// --- HTTP ---
inline constexpr size_t kMaxBodyBytes = 64 * 1024;
inline constexpr size_t kMaxDrainBytes =
    1024 * 1024;  // an unread body drained to keep the connection
inline constexpr int64_t kIdempotencyTtlUs = 48 * kHourUs;
inline constexpr size_t kMaxJsonDepth = 16;        // request bodies
inline constexpr size_t kMaxStrictJsonDepth = 64;  // any JSON text (programme files)

// The HTTP front door (api/front_door.h).
inline constexpr size_t kMaxRequestHeadBytes = 16 * 1024;     // request line + headers; beyond: 431
inline constexpr size_t kMaxChunkLineBytes = 1024;            // a chunk-size line or trailer line
inline constexpr size_t kFrontReadBytesPerEvent = 64 * 1024;  // fairness between connections
inline constexpr int kMaxFrontConnections = 1'000'000;

// The daily job (jobs/daily_job.h). The lease is renewed after every batch (a batch takes
// seconds), so a crashed run blocks its date and shard for at most this long.
inline constexpr int64_t kJobLeaseUs = 2 * 60 * 1'000'000LL;
// How long /metrics reuses the job figures it read from the database.
inline constexpr int64_t kJobMetricsCacheUs = 5 * 1'000'000LL;
// `jobs daily` without --date: at most this many missed dates in one catch-up (a longer outage
// is caught up in several runs, or skipped with --skip-missed after a decision).
inline constexpr int kMaxCatchUpDates = 400;

// Domain-event webhooks (core/event_hooks.h, docs/webhooks.md).
inline constexpr int64_t kMaxEventSubscriptions = 100;  // active ones; each is polled
inline constexpr size_t kMaxWebhookUrlLength = 2048;
inline constexpr size_t kMaxSubscriptionDescriptionChars = 200;
inline constexpr size_t kEventHookSecretBytes = 24;  // whsec_ + base64 of these
// After a rotation the previous secret still signs (a second signature) this long.
inline constexpr int64_t kEventHookSecretGraceUs = 24 * kHourUs;
inline constexpr size_t kMaxEventHookErrorBytes = 500;  // last_error kept per subscription
inline constexpr int kEventHookDeadLettersShown = 20;   // newest ones in GET of a subscription

// The relations the code relies on.
static_assert(kDayUs == 86'400'000'000);
static_assert(kDefaultPageSize > 0 && kDefaultPageSize <= kMaxPageSize);
static_assert(kMaxOrderAmountWon <= kMaxJsonSafeInteger);
static_assert(kMaxAdjustmentPoints <= kMaxJsonSafeInteger);
static_assert(kCsAgentAdjustmentLimitPoints <= kMaxAdjustmentPoints);
static_assert(kCouponRandomChars < kMaxCouponCodeLength);
static_assert(kSyncCouponBatchLimit <= kMaxCouponBatchCount);
static_assert(kCouponBatchChunk <= kMaxCouponBatchCount);
static_assert(kDefaultPullLimit <= kMaxPullLimit && kMaxPullLimit <= kMaxPageSize);
static_assert(kMaxAckIds <= static_cast<size_t>(kMaxPageSize));
static_assert(kDefaultLeaseUs <= kMaxLeaseUs);
static_assert(kMaxIdLength < kMaxReasonLength);
static_assert(kMaxDrainBytes >= kMaxBodyBytes);
static_assert(kMaxChunkLineBytes < kMaxRequestHeadBytes);
static_assert(kMaxJsonDepth <= kMaxStrictJsonDepth);
static_assert(kMaxAllocationRowsPerInsert >= 1);
static_assert(kMaxExportPageSize >= kMaxPageSize);  // GET /v1/customers pages on the same query
static_assert(kMaxPointValueWon >= 1 && kMaxPointValueWon <= kMaxOrderAmountWon);
static_assert(kMaxReportMonths >= 1 && kMaxReportMonths <= 12 * 100);
static_assert(kMaxEventSubscriptions <= kMaxPageSize);  // one page lists them all
static_assert(kEventHookDeadLettersShown <= kMaxPageSize);

}  // namespace loyalty
