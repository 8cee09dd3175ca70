// The client side of every https webhook delivery (messages and domain events): one NetSSL
// context, TLS 1.2 or later, the receiver's chain verified against the system CA store (plus an
// optional private CA file) and its name against the URL's host, loopback included. A failure of
// either check is refused, never accepted with a warning.
#pragma once

#include <Poco/Net/Context.h>

#include <string>

#include "core/status.h"

namespace loyalty {

// ca_file "" = the system store only. kValidationFailed (field webhook_url, or webhook_ca_file
// when one was given) when the context cannot be set up.
Result<Poco::Net::Context::Ptr> MakeTlsClientContext(const std::string& ca_file);

}  // namespace loyalty
