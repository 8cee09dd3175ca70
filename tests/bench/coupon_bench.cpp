// Benchmark of coupons (not a test; run by hand, see docs/coupons.md "Benchmarks"):
//   coupon_bench gen    DB COUNT            COUNT unassigned codes of one batch, generated from
//                                           getrandom and stored, 100,000 per transaction (the
//                                           same ProcessCouponBatch the API's worker runs)
// Environment: COUPON_BENCH_CHUNK (coupons per transaction), COUPON_BENCH_CACHE_MIB (page cache).
//   coupon_bench redeem DB ORDERS THREADS   ORDERS orders each redeeming its customer's coupon,
//                                           from THREADS threads through the CommandExecutor
// Each mode prints its wall time and rate.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "api/crypto.h"
#include "app/program_codec.h"
#include "core/executor.h"
#include "core/ledger.h"
#include "store/sqlite/sqlite_store.h"

namespace loyalty {
namespace {

double Now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

int Fail(const Status& st) {
  std::fprintf(stderr, "error: %s\n", st.ToString().c_str());
  return 1;
}

Result<std::unique_ptr<SqliteStore>> OpenStore(const std::string& path) {
  SqliteOptions opts;
  if (const char* mib = std::getenv("COUPON_BENCH_CACHE_MIB")) opts.cache_mib = std::atoi(mib);
  LOYALTY_ASSIGN_OR_RETURN(std::unique_ptr<SqliteStore> store, SqliteStore::Open(path, opts));
  LOYALTY_ASSIGN_OR_RETURN(int applied, store->Migrate());
  (void)applied;
  return store;
}

int Gen(const std::string& path, int64_t count, const Program& program) {
  auto store = OpenStore(path);
  if (!store.ok()) return Fail(store.status());
  auto session = (*store)->OpenSession();
  if (!session.ok()) return Fail(session.status());
  Session& s = **session;
  const Ctx ctx{program, 1'780'000'000'000'000, Actor{"bench", "system"},
                &SystemRandom::Instance()};
  CouponBatch b;
  b.batch_id = "bench-" + std::to_string(static_cast<int64_t>(Now() * 1000));
  b.template_code = "WELCOME";
  b.requested = count;
  b.status = "pending";
  const double t0 = Now();
  Status st = s.Begin();
  if (st.ok()) st = s.InsertCouponBatch(b);
  if (st.ok()) st = s.Commit();
  if (!st.ok()) return Fail(st);
  // Coupons per transaction (COUPON_BENCH_CHUNK, default 100,000; the API's worker uses 1,000
  // so that orders interleave).
  const char* chunk_env = std::getenv("COUPON_BENCH_CHUNK");
  const int64_t chunk = chunk_env != nullptr ? std::atoll(chunk_env) : 100000;
  int64_t issued = 0;
  while (issued < count) {
    if (Status b1 = s.Begin(); !b1.ok()) return Fail(b1);
    auto n = ProcessCouponBatch(s, b.batch_id, chunk, ctx);
    if (!n.ok()) {
      s.Rollback();
      return Fail(n.status());
    }
    if (Status c = s.Commit(); !c.ok()) return Fail(c);
    issued += *n;
  }
  const double secs = Now() - t0;
  std::printf("generated and stored %lld codes in %.2f s (%.0f codes/s)\n",
              static_cast<long long>(issued), secs, static_cast<double>(issued) / secs);
  return 0;
}

int Redeem(const std::string& path, int orders, int threads, const Program& program) {
  auto store = OpenStore(path);
  if (!store.ok()) return Fail(store.status());
  auto session = (*store)->OpenSession();
  if (!session.ok()) return Fail(session.status());
  Session& s = **session;
  const std::string run = std::to_string(static_cast<int64_t>(Now() * 1000));
  const Ctx setup{program, 1'780'000'000'000'000, Actor{"bench", "system"},
                  &SystemRandom::Instance()};
  std::vector<std::string> codes(static_cast<size_t>(orders));
  if (Status st = s.Begin(); !st.ok()) return Fail(st);
  for (int i = 0; i < orders; ++i) {
    CustomerInput in;
    in.customer_id = "bench-" + run + "-" + std::to_string(i);
    auto c = UpsertCustomer(s, in, setup);
    if (!c.ok()) return Fail(c.status());
    IssueCouponRequest r;
    r.customer_id = in.customer_id;
    r.template_code = "SILVER_UP";
    auto issue = IssueCoupon(s, r, setup);
    if (!issue.ok()) return Fail(issue.status());
    codes[static_cast<size_t>(i)] = issue->coupon.code;
  }
  if (Status st = s.Commit(); !st.ok()) return Fail(st);

  std::vector<std::unique_ptr<Session>> writers;
  auto w = (*store)->OpenSession();
  if (!w.ok()) return Fail(w.status());
  writers.push_back(std::move(*w));
  CommandExecutor executor(std::move(writers), ExecutorOptions{});
  // COUPON_BENCH_NO_COUPON=1: the same orders without their coupons (the baseline).
  const bool with_coupons = std::getenv("COUPON_BENCH_NO_COUPON") == nullptr;
  std::atomic<int> next{0}, failed{0};
  const double t0 = Now();
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (int i = next++; i < orders; i = next++) {
        OrderRequest o;
        o.order_id = "bench-" + run + "-o" + std::to_string(i);
        o.customer_id = "bench-" + run + "-" + std::to_string(i);
        o.amount_won = 55000;
        if (with_coupons) o.coupon_codes = {codes[static_cast<size_t>(i)]};
        o.request_hash = o.order_id;
        const Ctx ctx{program, 1'780'000'000'000'000, Actor{"bench", "checkout"}, nullptr};
        Status st = executor.Submit([&](Session& ws) { return CreateOrder(ws, o, ctx).status(); });
        if (!st.ok()) ++failed;
      }
    });
  }
  for (std::thread& t : pool) t.join();
  const double secs = Now() - t0;
  std::printf("%d %s orders from %d threads in %.2f s (%.0f orders/s), %d failed\n", orders,
              with_coupons ? "coupon" : "plain", threads, secs, orders / secs, failed.load());
  return failed.load() == 0 ? 0 : 1;
}

}  // namespace
}  // namespace loyalty

int main(int argc, char** argv) {
  using namespace loyalty;
  auto program = ParseProgramJson(DemoProgramJson());
  if (!program.ok()) return Fail(program.status());
  const std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "gen" && argc == 4) return Gen(argv[2], std::atoll(argv[3]), *program);
  if (mode == "redeem" && argc == 5) {
    return Redeem(argv[2], std::atoi(argv[3]), std::atoi(argv[4]), *program);
  }
  std::fprintf(stderr,
               "usage: coupon_bench gen DB COUNT | coupon_bench redeem DB ORDERS THREADS\n");
  return 2;
}
