// The messaging settings the API and webhook tests run with: a welcome (informational) on
// sign-up and a cart reminder (advertising) 30 minutes after a cart, no caps, one order
// threshold. Only the common slots, so the tests do not depend on the types' own slot names.
#pragma once

#include "core/messaging.h"
#include "tests/core/messaging_test_util.h"

namespace loyalty::apitest {

inline MessagingSettings TestMessaging() {
  MessagingSettings m;
  testing::SetTestSender(m);
  m.templates = {
      testing::Tmpl("HELLO", kMsgWelcome, "#{customer_id}님, 가입을 환영합니다!"),
      testing::Tmpl(
          "CART", kMsgCartReminder,
          testing::AdText("#{customer_id}님, 장바구니에 담아두신 상품이 기다리고 있어요."),
          MessageCategory::kAdvertising, testing::AdText("장바구니를 확인하세요"))};
  TriggerSettings reminder = testing::On("CART");
  reminder.minutes = 30;
  m.triggers = {{kMsgWelcome, testing::On("HELLO")}, {kMsgCartReminder, reminder}};
  m.order_thresholds = {{50000, "무료배송"}};
  m.daily_cap_per_customer = 0;
  return m;
}

}  // namespace loyalty::apitest
