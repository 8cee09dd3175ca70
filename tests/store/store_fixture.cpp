#include "tests/store/store_fixture.h"

#include <stdlib.h>

#include <filesystem>
#include <sstream>
#include <system_error>

namespace loyalty::testing {

namespace {

std::string Optional(const std::optional<std::string>& value) {
  return value.has_value() ? *value : "<null>";
}

}  // namespace

std::string Render(const Customer& c) {
  std::ostringstream os;
  os << "customer " << c.customer_id << " birth=" << Optional(c.birth_date)
     << " marketing=" << c.marketing_consent << " night=" << c.night_consent << " tier=" << c.tier
     << " available=" << c.available_points << " pending=" << c.pending_points
     << " seq=" << c.event_seq << " created=" << c.created_at_us << " updated=" << c.updated_at_us
     << " consent_confirmed=" << c.consent_confirmed_at_us
     << " consent_channel=" << c.consent_channel;
  return os.str();
}

std::string Render(const Lot& lot) {
  std::ostringstream os;
  os << "lot " << lot.lot_id << " customer=" << lot.customer_id
     << " kind=" << static_cast<int>(lot.kind) << " order=" << lot.order_id
     << " source=" << lot.source_entry_id << " initial=" << lot.initial_points
     << " remaining=" << lot.remaining_points << " created=" << lot.created_at_us
     << " expires=" << lot.expires_at_us << " expired=" << lot.expired;
  return os.str();
}

std::string Render(const Entry& e) {
  std::ostringstream os;
  os << "entry " << e.entry_id << " customer=" << e.customer_id
     << " kind=" << static_cast<int>(e.kind) << " pending=" << e.pending_delta
     << " available=" << e.available_delta << " order=" << e.order_id << " ref=" << e.ref_id
     << " reason=" << e.reason << " actor=" << e.actor << " created=" << e.created_at_us
     << " allocations=[";
  for (const Allocation& a : e.allocations) os << " " << a.lot_id << ":" << a.points;
  os << " ]";
  return os.str();
}

std::string Render(const Order& o) {
  std::ostringstream os;
  os << "order " << o.order_id << " customer=" << o.customer_id << " amount=" << o.amount_won
     << " shipping=" << o.shipping_won << " redeemed=" << o.points_redeemed
     << " paid=" << o.paid_won << " rate=" << o.earn_rate_bp << " rule=" << o.rule_version
     << " tier=" << o.tier_at_order << " earn=" << o.earn_points
     << " requested=" << o.clawback_requested_points << " clawed=" << o.earn_clawed_points
     << " restored=" << o.restored_points << " restored_expired=" << o.restored_expired_points
     << " shortfall=" << o.shortfall_points << " refunded=" << o.refunded_won
     << " qualifying=" << o.qualifying_won << " status=" << static_cast<int>(o.status)
     << " activated=" << o.earn_activated << " placed=" << o.placed_at_us
     << " confirmed=" << o.confirmed_at_us << " cancelled=" << o.cancelled_at_us
     << " hash=" << o.request_hash << " coupon=" << o.coupon_discount_won << " codes=";
  for (const std::string& c : o.coupon_codes) os << c << ",";
  return os.str();
}

std::string Render(const Refund& r) {
  std::ostringstream os;
  os << "refund " << r.order_id << "/" << r.refund_id << " amount=" << r.amount_won
     << " requested=" << r.clawback_requested_points << " clawed=" << r.clawed_points
     << " restored=" << r.restored_points << " restored_expired=" << r.restored_expired_points
     << " shortfall=" << r.shortfall_points << " deduction=" << r.deduction_won
     << " cash=" << r.cash_refund_won << " cancel=" << r.cancel << " hash=" << r.request_hash
     << " created=" << r.created_at_us;
  return os.str();
}

std::string Render(const Adjustment& a) {
  std::ostringstream os;
  os << "adjustment " << a.adjustment_id << " customer=" << a.customer_id << " points=" << a.points
     << " reason=" << a.reason_code << " note=" << a.note << " actor=" << a.actor_role << ":"
     << a.actor_name << " entry=" << a.entry_id << " hash=" << a.request_hash
     << " created=" << a.created_at_us;
  return os.str();
}

std::string Render(const Event& e) {
  std::ostringstream os;
  os << "event " << e.event_id << " customer=" << e.customer_id << " seq=" << e.seq
     << " type=" << e.type << " payload=" << e.payload_json << " created=" << e.created_at_us;
  return os.str();
}

std::string Render(const IdempotencyRecord& r) {
  std::ostringstream os;
  os << "idempotency " << r.scope_key << " hash=" << r.request_hash << " status=" << r.status_code
     << " body=" << r.response_body << " created=" << r.created_at_us
     << " expires=" << r.expires_at_us;
  return os.str();
}

std::string Render(const ApiKey& k) {
  std::ostringstream os;
  os << "api_key " << k.name << " role=" << k.role << " hash=" << k.key_hash
     << " created=" << k.created_at_us << " revoked=" << k.revoked_at_us;
  return os.str();
}

Customer SampleCustomer(const std::string& customer_id) {
  Customer c;
  c.customer_id = customer_id;
  c.birth_date = "1990-03-15";
  c.marketing_consent = true;
  c.night_consent = false;
  c.tier = "silver";
  c.available_points = 1200;
  c.pending_points = 300;
  c.event_seq = 7;
  c.created_at_us = 1'700'000'000'000'000;
  c.updated_at_us = 1'700'000'000'000'001;
  c.consent_confirmed_at_us = 1'699'000'000'000'000;
  c.consent_channel = "web";
  return c;
}

Lot SampleLot(const std::string& customer_id, LotKind kind, Points remaining_points,
              Micros expires_at_us) {
  Lot lot;
  lot.customer_id = customer_id;
  lot.kind = kind;
  lot.order_id = "order-1";
  lot.source_entry_id = 0;
  lot.initial_points = remaining_points;
  lot.remaining_points = remaining_points;
  lot.created_at_us = 1'700'000'000'000'000;
  lot.expires_at_us = expires_at_us;
  lot.expired = false;
  return lot;
}

Entry SampleEntry(const std::string& customer_id, const std::string& order_id) {
  Entry e;
  e.customer_id = customer_id;
  e.kind = EntryKind::kRedeem;
  e.pending_delta = 0;
  e.available_delta = -150;
  e.order_id = order_id;
  e.ref_id = "ref-1";
  e.reason = "order_redeem";
  e.actor = "shop:web";
  e.created_at_us = 1'700'000'000'000'500;
  return e;
}

Order SampleOrder(const std::string& order_id, const std::string& customer_id) {
  Order o;
  o.order_id = order_id;
  o.customer_id = customer_id;
  o.amount_won = 39'000;
  o.shipping_won = 3'000;
  o.points_redeemed = 1'000;
  o.paid_won = 38'000;
  o.earn_rate_bp = 100;
  o.rule_version = 3;
  o.tier_at_order = "gold";
  o.earn_points = 380;
  o.earn_clawed_points = 0;
  o.restored_points = 0;
  o.shortfall_points = 0;
  o.refunded_won = 0;
  o.qualifying_won = 38'000;
  o.status = OrderStatus::kPlaced;
  o.earn_activated = false;
  o.placed_at_us = 1'700'000'000'000'000;
  o.request_hash = "hash-" + order_id;
  o.coupon_discount_won = 2'000;
  o.coupon_codes = {"WELCOME-7K3M9XQ2RT4HC", "22222222222Z2"};
  return o;
}

Refund SampleRefund(const std::string& order_id, const std::string& refund_id,
                    Micros created_at_us) {
  Refund r;
  r.order_id = order_id;
  r.refund_id = refund_id;
  r.amount_won = 9'000;
  r.clawback_requested_points = 110;
  r.clawed_points = 90;
  r.restored_points = 230;
  r.restored_expired_points = 7;
  r.shortfall_points = 10;
  r.deduction_won = 10;
  r.cash_refund_won = 8'760;
  r.cancel = false;
  r.request_hash = "hash-" + refund_id;
  r.created_at_us = created_at_us;
  return r;
}

Adjustment SampleAdjustment(const std::string& adjustment_id, const std::string& customer_id) {
  Adjustment a;
  a.adjustment_id = adjustment_id;
  a.customer_id = customer_id;
  a.points = -500;
  a.reason_code = "goodwill_reversal";
  a.note = "duplicate compensation";
  a.actor_name = "cs-kim";
  a.actor_role = "cs";
  a.entry_id = 42;
  a.request_hash = "hash-" + adjustment_id;
  a.created_at_us = 1'700'000'000'000'900;
  return a;
}

Event SampleEvent(const std::string& customer_id, int64_t seq) {
  Event e;
  e.customer_id = customer_id;
  e.seq = seq;
  e.type = "points.earned";
  e.payload_json = R"({"points":380})";
  e.created_at_us = 1'700'000'000'000'000 + seq;
  return e;
}

IdempotencyRecord SampleIdempotency(const std::string& scope_key, Micros expires_at_us) {
  IdempotencyRecord r;
  r.scope_key = scope_key;
  r.request_hash = "hash-" + scope_key;
  r.status_code = 201;
  r.response_body = R"({"ok":true})";
  r.created_at_us = 1'700'000'000'000'000;
  r.expires_at_us = expires_at_us;
  return r;
}

ApiKey SampleApiKey(const std::string& name, const std::string& key_hash) {
  ApiKey k;
  k.name = name;
  k.role = "shop";
  k.key_hash = key_hash;
  k.created_at_us = 1'700'000'000'000'000;
  return k;
}

std::vector<int64_t> LotIds(const std::vector<Lot>& lots) {
  std::vector<int64_t> ids;
  for (const Lot& lot : lots) ids.push_back(lot.lot_id);
  return ids;
}

std::vector<int64_t> EntryIds(const std::vector<Entry>& entries) {
  std::vector<int64_t> ids;
  for (const Entry& e : entries) ids.push_back(e.entry_id);
  return ids;
}

std::vector<int64_t> EventIds(const std::vector<Event>& events) {
  std::vector<int64_t> ids;
  for (const Event& e : events) ids.push_back(e.event_id);
  return ids;
}

TempDir::TempDir() {
  std::error_code error;
  const std::filesystem::path base = std::filesystem::temp_directory_path(error);
  std::string templ = (error ? std::filesystem::path("/tmp") : base) / "loyalty_store_XXXXXX";
  if (mkdtemp(templ.data()) != nullptr) path_ = templ;
}

TempDir::~TempDir() {
  if (path_.empty()) return;
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

void StoreConformance::SetUp() {
  if (!GetParam().skip_reason.empty()) GTEST_SKIP() << GetParam().skip_reason;
  ASSERT_FALSE(dir_.path().empty()) << "cannot make a temporary directory";
  ASSERT_OK_AND_ASSIGN(store_, OpenStore(dir_.path()));
  ASSERT_OK(store_->Migrate());
  ASSERT_OK_AND_ASSIGN(session_, store_->OpenSession());
}

void StoreConformance::TearDown() {
  session_.reset();
  store_.reset();
}

Result<std::unique_ptr<Store>> StoreConformance::OpenStore(const std::string& dir) {
  return GetParam().open(dir);
}

Result<std::unique_ptr<Store>> StoreConformance::OpenUnmigratedStore() {
  const std::string dir = dir_.path() + "/unmigrated";
  std::error_code error;
  std::filesystem::create_directory(dir, error);
  if (error) return Status(Code::kInternal, "cannot make " + dir + ": " + error.message());
  return OpenStore(dir);
}

void StoreConformance::Reopen() {
  session_.reset();
  store_.reset();
  ASSERT_OK_AND_ASSIGN(store_, OpenStore(dir_.path()));
  ASSERT_OK(store_->CheckSchema());
  ASSERT_OK_AND_ASSIGN(session_, store_->OpenSession());
}

void StoreConformance::AddCustomer(const std::string& customer_id) {
  ASSERT_OK(session_->InsertCustomer(SampleCustomer(customer_id)));
}

}  // namespace loyalty::testing
