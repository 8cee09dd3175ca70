// The baseline for benchmarks: a trivial POCO HTTP handler ("ok" to every request) served with
// the same thread-pool sizing as `loyalty serve`, so that scripts/bench.sh can report the engine's
// figures beside what this machine does with no work at all, in the same run.
//   bench_hello [PORT] [THREADS]
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/ThreadPool.h>
#include <signal.h>

#include <cstdio>
#include <cstdlib>

namespace {

class Hello : public Poco::Net::HTTPRequestHandler {
 public:
  void handleRequest(Poco::Net::HTTPServerRequest& req,
                     Poco::Net::HTTPServerResponse& resp) override {
    req.stream().ignore(1 << 20);
    resp.setContentType("text/plain");
    resp.setContentLength(2);
    resp.send() << "ok";
  }
};

class Factory : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest&) override {
    return new Hello;
  }
};

}  // namespace

int main(int argc, char** argv) {
  int port = argc > 1 ? std::atoi(argv[1]) : 0;
  int threads = argc > 2 ? std::atoi(argv[2]) : 128;
  Poco::ThreadPool pool(16, threads);
  auto* params = new Poco::Net::HTTPServerParams;
  params->setKeepAlive(true);
  params->setMaxKeepAliveRequests(0);
  params->setMaxThreads(threads);
  params->setMaxQueued(256);
  Poco::Net::ServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", port));
  Poco::Net::HTTPServer server(new Factory, pool, socket, params);
  server.start();
  std::printf("listening on %d\n", socket.address().port());
  std::fflush(stdout);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  int sig = 0;
  sigwait(&set, &sig);
  server.stop();
  return 0;
}
