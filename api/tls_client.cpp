#include "api/tls_client.h"

#include <Poco/Exception.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/Net/RejectCertificateHandler.h>

#include <mutex>

namespace loyalty {
namespace {

// OpenSSL's and NetSSL's process-wide set-up, done once for every worker (and every test) and
// never undone: uninitializeSSL would pull it from under another worker still connected.
void InitializeSslOnce() {
  static std::once_flag once;
  std::call_once(once, [] { Poco::Net::initializeSSL(); });
}

}  // namespace

// Certificates are checked by OpenSSL's chain verification and then by POCO's host name check;
// a failure of either is refused (the RejectCertificateHandler answers "do not ignore" where
// POCO would ask).
Result<Poco::Net::Context::Ptr> MakeTlsClientContext(const std::string& ca_file) {
  InitializeSslOnce();
  Poco::Net::Context::Params p;
  p.caLocation = ca_file;  // "" = none beyond the system store
  p.loadDefaultCAs = true;
  // STRICT, not RELAXED: under RELAXED POCO skips the host name check for loopback peers.
  p.verificationMode = Poco::Net::Context::VERIFY_STRICT;
  p.verificationDepth = 9;
  // No anonymous suites: a peer without a certificate would pass POCO's host name check.
  p.cipherList = "HIGH:!aNULL:!eNULL:!MD5:!RC4:@STRENGTH";
  try {
    Poco::Net::Context::Ptr ctx = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, p);
    ctx->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
    ctx->enableExtendedCertificateVerification(true);
    ctx->setInvalidCertificateHandler(new Poco::Net::RejectCertificateHandler(false));
    return ctx;
  } catch (const Poco::Exception& e) {
    return Status::Invalid(ca_file.empty() ? "webhook_url" : "webhook_ca_file",
                           "cannot set up TLS: " + e.displayText());
  }
}

}  // namespace loyalty
