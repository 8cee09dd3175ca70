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

// An enabled trigger rendering `template_code`; the type's parameters are set by the caller.
inline TriggerSettings On(const std::string& template_code) {
  TriggerSettings t;
  t.enabled = true;
  t.template_code = template_code;
  return t;
}

}  // namespace loyalty::testing
