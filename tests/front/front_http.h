// Reading HTTP/1.1 answers incrementally, as bytes arrive on a non-blocking connection: enough
// of the protocol to know where one answer ends (Content-Length, chunked, or the close) and
// what the attack tool asserts on (status, Retry-After, Connection: close).
#pragma once

#include <string>
#include <string_view>

namespace front {

struct Reply {
  int status = 0;
  bool retry_after = false;  // a Retry-After header was present
  bool close = false;        // Connection: close, or HTTP/1.0 without keep-alive
};

// Requests the tool sends. Host is always "localhost": the servers under test ignore it.
std::string GetRequest(std::string_view path);
std::string OrderRequest(std::string_view api_key, std::string_view order_id,
                         std::string_view customer_id);
std::string PutCustomerRequest(std::string_view api_key, std::string_view customer_id);

class ReplyReader {
 public:
  enum class State { kIncomplete, kDone, kMalformed };

  // Appends bytes; kDone once one whole answer is in (then reply() holds it and the bytes
  // after it stay buffered for the next answer, see Next()).
  State Feed(std::string_view bytes);
  // The peer closed: an answer delimited by the close is complete now.
  State FinishAtEof();
  // Forgets the finished answer and parses what is buffered after it.
  State Next();

  const Reply& reply() const { return reply_; }
  // Bytes of the current answer seen so far (0: the peer has sent nothing of it).
  size_t bytes_seen() const { return seen_; }

 private:
  enum class Part { kHead, kLength, kChunkSize, kChunkData, kChunkEnd, kTrailer, kUntilEof, kEnd };
  State Parse();
  bool ParseHead(std::string_view head);
  State ParseChunked();

  std::string buf_;
  size_t pos_ = 0;  // parsed up to here
  size_t seen_ = 0;
  Part part_ = Part::kHead;
  size_t remaining_ = 0;  // body or chunk bytes still to come
  Reply reply_;
};

}  // namespace front
