// Builders for the messaging settings of test programmes (core, jobs and API tests).
#pragma once

#include <string>

#include "core/program.h"

namespace loyalty::testing {

inline MessageTemplate Tmpl(const std::string& code, const std::string& type,
                            const std::string& text,
                            MessageCategory category = MessageCategory::kInformational,
                            const std::string& sms = "") {
  MessageTemplate t;
  t.code = code;
  t.type = type;
  t.category = category;
  t.text = text;
  t.sms_text = sms;
  return t;
}

// The sender and free opt-out of test programmes with advertising templates (an advertising
// text names both: ValidateMessaging).
inline constexpr const char kTestSenderName[] = "테스트샵";
inline constexpr const char kTestSenderContact[] = "02-000-0000";
inline constexpr const char kTestOptOut[] = "무료수신거부 080-000-0000";

inline void SetTestSender(MessagingSettings& m) {
  m.sender_name = kTestSenderName;
  m.sender_contact = kTestSenderContact;
  m.opt_out = kTestOptOut;
}

// An advertising template text around `body`: the (광고) mark first, then the sender and opt-out.
inline std::string AdText(const std::string& body) {
  return "(광고) " + body + " #{sender} #{opt_out}";
}
// AdText(body) rendered with the test sender.
inline std::string AdRendered(const std::string& body) {
  return "(광고) " + body + " " + kTestSenderName + " " + kTestSenderContact + " " + kTestOptOut;
}

// An enabled trigger rendering `template_code`; the type's parameters are set by the caller.
inline TriggerSettings On(const std::string& template_code) {
  TriggerSettings t;
  t.enabled = true;
  t.template_code = template_code;
  return t;
}

}  // namespace loyalty::testing
