// Shared fixture for the API tests: a migrated SQLite store in a fresh temp directory, the demo
// programme, a FakeClock, an in-process ApiServer on a free port, one API key per role and a
// small keep-alive HTTP client over Poco::Net::HTTPClientSession.
#pragma once

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>
#include <gtest/gtest.h>
#include <spdlog/spdlog.h>
#include <stdlib.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "api/auth.h"
#include "api/server.h"
#include "app/program_codec.h"
#include "core/business_time.h"
#include "core/clock.h"
#include "store/sqlite/sqlite_store.h"

namespace loyalty::apitest {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpResult {
  int status = 0;
  std::string body;
  Poco::Net::HTTPResponse response;

  std::string Header(const std::string& name) const { return response.get(name, ""); }
  bool HasHeader(const std::string& name) const { return response.has(name); }
  std::string ContentType() const { return response.getContentType(); }
  Poco::JSON::Object::Ptr Json() const {
    Poco::JSON::Parser parser;
    return parser.parse(body).extract<Poco::JSON::Object::Ptr>();
  }
  std::string Str(const std::string& member) const { return Json()->getValue<std::string>(member); }
  int64_t Int(const std::string& member) const { return Json()->getValue<int64_t>(member); }
};

// One keep-alive connection.
class Client {
 public:
  explicit Client(int port) : session_("127.0.0.1", static_cast<Poco::UInt16>(port)) {
    session_.setKeepAlive(true);
    session_.setTimeout(Poco::Timespan(20, 0));
  }

  // body_set: send a body (with Content-Length) even when empty.
  HttpResult Send(const std::string& method, const std::string& path, const std::string& token,
                  const std::string& body = "", const Headers& headers = {}, bool chunked = false) {
    Poco::Net::HTTPRequest req(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
    if (!token.empty()) req.set("Authorization", "Bearer " + token);
    bool has_type = false;
    for (const auto& [name, value] : headers) {
      req.set(name, value);
      has_type = has_type || name == "Content-Type";
    }
    if (method == "POST" || method == "PUT" || !body.empty()) {
      if (!has_type) req.setContentType("application/json");
      if (chunked) {
        req.setChunkedTransferEncoding(true);
      } else {
        req.setContentLength(static_cast<std::streamsize>(body.size()));
      }
    }
    std::ostream& out = session_.sendRequest(req);
    out << body;
    HttpResult r;
    std::istream& in = session_.receiveResponse(r.response);
    Poco::StreamCopier::copyToString(in, r.body);
    r.status = static_cast<int>(r.response.getStatus());
    return r;
  }
  HttpResult Get(const std::string& path, const std::string& token) {
    return Send("GET", path, token);
  }
  HttpResult Post(const std::string& path, const std::string& token, const std::string& body,
                  const std::string& idempotency_key = "") {
    Headers h;
    if (!idempotency_key.empty()) h.emplace_back("Idempotency-Key", idempotency_key);
    return Send("POST", path, token, body, h);
  }
  HttpResult Put(const std::string& path, const std::string& token, const std::string& body,
                 const std::string& idempotency_key = "") {
    Headers h;
    if (!idempotency_key.empty()) h.emplace_back("Idempotency-Key", idempotency_key);
    return Send("PUT", path, token, body, h);
  }

 private:
  Poco::Net::HTTPClientSession session_;
};

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "loyalty-api-XXXXXX").string();
    char* p = mkdtemp(tmpl.data());
    if (p == nullptr) std::abort();
    path_ = p;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// 2026-03-02 10:00 KST.
inline Micros TestStart() {
  return StartOfDay(LocalDate{2026, 3, 2}, "Asia/Seoul") + 36'000'000'000;
}

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    spdlog::set_level(spdlog::level::warn);
    SqliteOptions so;
    so.synchronous_full = false;  // tests need no durability
    auto store = SqliteStore::Open(dir_.File("api.db"), so);
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    auto migrated = store_->Migrate();
    ASSERT_TRUE(migrated.ok()) << migrated.status().ToString();
    auto program = ParseProgramJson(DemoProgramJson());
    ASSERT_TRUE(program.ok()) << program.status().ToString();
    program_ = std::make_unique<Program>(std::move(program).value());
    auto session = store_->OpenSession();
    ASSERT_TRUE(session.ok());
    session_ = std::move(session).value();
    for (const std::string& role : KnownRoles()) {
      auto token = CreateApiKey(ApiRecordsOf(*session_), "test-" + role, role, clock_.NowMicros());
      ASSERT_TRUE(token.ok()) << token.status().ToString();
      tokens_[role] = *token;
    }
    ServerOptions opts;
    opts.port = 0;
    server_ = std::make_unique<ApiServer>(*store_, *program_, clock_, opts);
    Status st = server_->Start();
    ASSERT_TRUE(st.ok()) << st.ToString();
    client_ = std::make_unique<Client>(server_->port());
  }

  void TearDown() override {
    client_.reset();
    if (server_) server_->Stop();
  }

  const std::string& Token(const std::string& role) { return tokens_.at(role); }
  Client& client() { return *client_; }

  bool CustomerExists(const std::string& id) {
    auto c = session_->FindCustomer(id);
    EXPECT_TRUE(c.ok());
    return c.ok() && c->has_value();
  }
  bool OrderExists(const std::string& id) {
    auto o = session_->FindOrder(id);
    EXPECT_TRUE(o.ok());
    return o.ok() && o->has_value();
  }
  // Creates a customer through the API.
  void MakeCustomer(const std::string& id) {
    HttpResult r = client().Put("/v1/customers/" + id, Token("checkout"), "{}");
    ASSERT_EQ(r.status, 201) << r.body;
  }
  // Gives a customer available points through a supervisor adjustment.
  void GivePoints(const std::string& customer_id, int64_t points, const std::string& id) {
    HttpResult r =
        client().Post("/v1/customers/" + customer_id + "/adjustments", Token("cs_supervisor"),
                      R"({"adjustment_id":")" + id + R"(","points":)" + std::to_string(points) +
                          R"(,"reason_code":"goodwill"})");
    ASSERT_EQ(r.status, 201) << r.body;
  }

  TempDir dir_;
  std::unique_ptr<SqliteStore> store_;
  std::unique_ptr<Program> program_;
  FakeClock clock_{TestStart()};
  std::unique_ptr<Session> session_;
  std::map<std::string, std::string> tokens_;
  std::unique_ptr<ApiServer> server_;
  std::unique_ptr<Client> client_;
};

}  // namespace loyalty::apitest
