// Conformance: consent records (the customer's confirmation date and channel, the consent
// history), the reconfirmation step's lookup and the opt-out's suppression of pending
// advertising messages.
#include <optional>
#include <string>
#include <vector>

#include "tests/store/store_fixture.h"

namespace loyalty::testing {
namespace {

constexpr Micros kT0 = 1'700'000'000'000'000;

std::string RenderChange(const ConsentChange& c) {
  return "consent " + std::to_string(c.change_id) + " customer=" + c.customer_id +
         " marketing=" + std::to_string(c.marketing_consent) +
         " night=" + std::to_string(c.night_consent) + " channel=" + c.channel +
         " actor=" + c.actor + " created=" + std::to_string(c.created_at_us);
}

Message PendingMessage(const std::string& customer_id, const std::string& dedupe_key,
                       MessageCategory category) {
  Message m;
  m.customer_id = customer_id;
  m.type = category == MessageCategory::kAdvertising ? "winback" : "welcome";
  m.category = category;
  m.template_code = "T";
  m.variables_json = "{}";
  m.text = "(광고) 다시 만나요";
  m.dedupe_key = dedupe_key;
  m.status = MessageStatus::kPending;
  m.created_at_us = kT0;
  m.not_before_us = kT0;
  m.updated_at_us = kT0;
  return m;
}

TEST_P(StoreConformance, CustomerConsentFieldsRoundTrip) {
  Customer c = SampleCustomer("c-1");
  c.consent_confirmed_at_us = kT0 - 5;
  c.consent_channel = "sms_080";
  ASSERT_OK(session_->InsertCustomer(c));
  ASSERT_OK_AND_ASSIGN(std::optional<Customer> found, session_->FindCustomer("c-1"));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->consent_confirmed_at_us, kT0 - 5);
  EXPECT_EQ(found->consent_channel, "sms_080");
  EXPECT_EQ(Render(*found), Render(c));

  c.marketing_consent = false;
  c.consent_confirmed_at_us = 0;
  c.consent_channel = "api";
  ASSERT_OK(session_->UpdateCustomer(c));
  ASSERT_NO_FATAL_FAILURE(Reopen());
  ASSERT_OK_AND_ASSIGN(found, session_->FindCustomer("c-1"));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(Render(*found), Render(c));
  ASSERT_OK_AND_ASSIGN(std::vector<Customer> listed, session_->ListCustomers("", 10));
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(Render(listed[0]), Render(c));
}

TEST_P(StoreConformance, ConsentChangesListNewestFirst) {
  AddCustomer("c-1");
  AddCustomer("c-2");
  std::vector<ConsentChange> written;
  for (int i = 0; i < 3; ++i) {
    ConsentChange ch;
    ch.customer_id = "c-1";
    ch.marketing_consent = i % 2 == 0;
    ch.night_consent = i == 2;
    ch.channel = i == 0 ? "web" : "sms_080";
    ch.actor = "messaging:kakao-080";
    ch.created_at_us = kT0 + i;
    ASSERT_OK_AND_ASSIGN(ch.change_id, session_->InsertConsentChange(ch));
    if (!written.empty()) {
      EXPECT_GT(ch.change_id, written.back().change_id);
    }
    written.push_back(ch);
  }
  ConsentChange other;
  other.customer_id = "c-2";
  other.channel = "api";
  other.actor = "system";
  other.created_at_us = kT0;
  ASSERT_OK(session_->InsertConsentChange(other));

  ASSERT_NO_FATAL_FAILURE(Reopen());
  ASSERT_OK_AND_ASSIGN(std::vector<ConsentChange> listed, session_->ListConsentChanges("c-1", 10));
  ASSERT_EQ(listed.size(), 3u);
  EXPECT_EQ(RenderChange(listed[0]), RenderChange(written[2]));
  EXPECT_EQ(RenderChange(listed[1]), RenderChange(written[1]));
  EXPECT_EQ(RenderChange(listed[2]), RenderChange(written[0]));
  ASSERT_OK_AND_ASSIGN(listed, session_->ListConsentChanges("c-1", 1));
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].change_id, written[2].change_id);
  ASSERT_OK_AND_ASSIGN(listed, session_->ListConsentChanges("nobody", 10));
  EXPECT_TRUE(listed.empty());

  ConsentChange orphan = other;
  orphan.customer_id = "nobody";
  EXPECT_FALSE(session_->InsertConsentChange(orphan).ok());  // foreign key
}

TEST_P(StoreConformance, CustomersDueForReconfirmByConfirmationDate) {
  auto add = [&](const std::string& id, bool consent, Micros confirmed) {
    Customer c = SampleCustomer(id);
    c.marketing_consent = consent;
    c.consent_confirmed_at_us = confirmed;
    ASSERT_OK(session_->InsertCustomer(c));
  };
  add("a", true, kT0 - 10);   // due
  add("b", true, kT0);        // due: at the bound
  add("c", true, kT0 + 1);    // not yet
  add("d", false, kT0 - 10);  // no consent
  add("e", true, 0);          // never confirmed
  add("f", true, kT0 - 1);    // due
  ASSERT_OK_AND_ASSIGN(std::vector<std::string> ids,
                       session_->CustomersDueForReconfirm(kT0, "", 10));
  EXPECT_EQ(ids, (std::vector<std::string>{"a", "b", "f"}));
  ASSERT_OK_AND_ASSIGN(ids, session_->CustomersDueForReconfirm(kT0, "", 2));
  EXPECT_EQ(ids, (std::vector<std::string>{"a", "b"}));
  ASSERT_OK_AND_ASSIGN(ids, session_->CustomersDueForReconfirm(kT0, "b", 2));
  EXPECT_EQ(ids, (std::vector<std::string>{"f"}));
  ASSERT_OK_AND_ASSIGN(ids, session_->CustomersDueForReconfirm(kT0 - 11, "", 10));
  EXPECT_TRUE(ids.empty());
}

TEST_P(StoreConformance, SuppressPendingAdvertisingLeavesTheRest) {
  AddCustomer("c-1");
  AddCustomer("c-2");
  ASSERT_OK_AND_ASSIGN(int64_t ad1, session_->InsertMessage(PendingMessage(
                                        "c-1", "ad1", MessageCategory::kAdvertising)));
  Message leased = PendingMessage("c-1", "ad2", MessageCategory::kAdvertising);
  leased.lease_until_us = kT0 + 60'000'000;  // handed to a worker, not acknowledged yet
  leased.lease_owner = "webhook";
  ASSERT_OK_AND_ASSIGN(int64_t ad2, session_->InsertMessage(leased));
  Message delivered = PendingMessage("c-1", "ad3", MessageCategory::kAdvertising);
  delivered.status = MessageStatus::kDelivered;
  ASSERT_OK_AND_ASSIGN(int64_t ad3, session_->InsertMessage(delivered));
  ASSERT_OK_AND_ASSIGN(int64_t info, session_->InsertMessage(PendingMessage(
                                         "c-1", "info", MessageCategory::kInformational)));
  ASSERT_OK_AND_ASSIGN(int64_t other, session_->InsertMessage(PendingMessage(
                                          "c-2", "other", MessageCategory::kAdvertising)));

  ASSERT_OK_AND_ASSIGN(int64_t n,
                       session_->SuppressPendingAdvertising("c-1", "consent_withdrawn", kT0 + 7));
  EXPECT_EQ(n, 2);
  auto status_of = [&](int64_t id) {
    auto m = session_->FindMessage(id);
    EXPECT_TRUE(m.ok() && m->has_value());
    return m.ok() && m->has_value() ? **m : Message{};
  };
  for (int64_t id : {ad1, ad2}) {
    Message m = status_of(id);
    EXPECT_EQ(m.status, MessageStatus::kSuppressed) << id;
    EXPECT_EQ(m.status_reason, "consent_withdrawn");
    EXPECT_EQ(m.updated_at_us, kT0 + 7);
  }
  EXPECT_EQ(status_of(ad3).status, MessageStatus::kDelivered);
  EXPECT_EQ(status_of(info).status, MessageStatus::kPending);
  EXPECT_EQ(status_of(other).status, MessageStatus::kPending);
  ASSERT_OK_AND_ASSIGN(n, session_->SuppressPendingAdvertising("c-1", "consent_withdrawn", kT0));
  EXPECT_EQ(n, 0);
}

}  // namespace
}  // namespace loyalty::testing
