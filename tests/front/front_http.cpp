#include "tests/front/front_http.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

namespace front {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

std::string WithBody(std::string_view method, std::string_view path, std::string_view api_key,
                     const std::string& body) {
  std::string r;
  r.append(method).append(" ").append(path).append(" HTTP/1.1\r\nHost: localhost\r\n");
  r.append("Authorization: Bearer ").append(api_key).append("\r\n");
  r.append("Content-Type: application/json\r\nContent-Length: ");
  r.append(std::to_string(body.size())).append("\r\n\r\n").append(body);
  return r;
}

}  // namespace

std::string GetRequest(std::string_view path) {
  std::string r = "GET ";
  r.append(path).append(" HTTP/1.1\r\nHost: localhost\r\n\r\n");
  return r;
}

std::string OrderRequest(std::string_view api_key, std::string_view order_id,
                         std::string_view customer_id) {
  std::string body = "{\"order_id\":\"";
  body.append(order_id).append("\",\"customer_id\":\"").append(customer_id);
  body.append("\",\"amount_won\":10000}");
  return WithBody("POST", "/v1/orders", api_key, body);
}

std::string PutCustomerRequest(std::string_view api_key, std::string_view customer_id) {
  std::string path = "/v1/customers/";
  path.append(customer_id);
  return WithBody("PUT", path, api_key, "{}");
}

ReplyReader::State ReplyReader::Feed(std::string_view bytes) {
  buf_.append(bytes);
  seen_ += bytes.size();
  return Parse();
}

ReplyReader::State ReplyReader::FinishAtEof() {
  if (part_ == Part::kUntilEof) part_ = Part::kEnd;
  return part_ == Part::kEnd ? State::kDone : State::kIncomplete;
}

ReplyReader::State ReplyReader::Next() {
  buf_.erase(0, pos_);
  pos_ = 0;
  seen_ = buf_.size();
  part_ = Part::kHead;
  remaining_ = 0;
  reply_ = Reply{};
  return buf_.empty() ? State::kIncomplete : Parse();
}

ReplyReader::State ReplyReader::Parse() {
  if (part_ == Part::kHead) {
    const size_t end = buf_.find("\r\n\r\n", pos_);
    if (end == std::string::npos) return State::kIncomplete;
    if (!ParseHead(std::string_view(buf_).substr(pos_, end - pos_))) return State::kMalformed;
    pos_ = end + 4;
  }
  if (part_ == Part::kLength) {
    const size_t take = std::min(remaining_, buf_.size() - pos_);
    pos_ += take;
    remaining_ -= take;
    if (remaining_ == 0) part_ = Part::kEnd;
  }
  if (part_ == Part::kUntilEof) pos_ = buf_.size();
  if (part_ != Part::kEnd && part_ != Part::kUntilEof && part_ != Part::kLength) {
    const State s = ParseChunked();
    if (s == State::kMalformed) return s;
  }
  return part_ == Part::kEnd ? State::kDone : State::kIncomplete;
}

bool ReplyReader::ParseHead(std::string_view head) {
  // "HTTP/1.1 503 Service Unavailable"
  if (head.size() < 12 || head.substr(0, 5) != "HTTP/") return false;
  const bool http10 = head.substr(5, 3) == "1.0";
  reply_.status = std::atoi(std::string(head.substr(9, 3)).c_str());
  if (reply_.status < 100 || reply_.status > 599) return false;
  bool chunked = false;
  bool has_length = false;
  bool keep_alive = false;
  size_t length = 0;
  size_t line = head.find("\r\n");
  while (line != std::string_view::npos) {
    const size_t next = head.find("\r\n", line + 2);
    const std::string_view text = head.substr(
        line + 2, next == std::string_view::npos ? std::string_view::npos : next - line - 2);
    const size_t colon = text.find(':');
    if (colon != std::string_view::npos) {
      const std::string name = Lower(Trim(text.substr(0, colon)));
      const std::string value = Lower(Trim(text.substr(colon + 1)));
      if (name == "content-length") {
        has_length = true;
        length = static_cast<size_t>(std::strtoull(value.c_str(), nullptr, 10));
      } else if (name == "transfer-encoding") {
        chunked = value.find("chunked") != std::string::npos;
      } else if (name == "connection") {
        reply_.close = reply_.close || value.find("close") != std::string::npos;
        keep_alive = value.find("keep-alive") != std::string::npos;
      } else if (name == "retry-after") {
        reply_.retry_after = true;
      }
    }
    line = next;
  }
  if (http10 && !keep_alive) reply_.close = true;
  const bool no_body = reply_.status < 200 || reply_.status == 204 || reply_.status == 304;
  if (no_body) {
    part_ = Part::kEnd;
  } else if (chunked) {
    part_ = Part::kChunkSize;
  } else if (has_length) {
    remaining_ = length;
    part_ = length == 0 ? Part::kEnd : Part::kLength;
  } else {
    reply_.close = true;
    part_ = Part::kUntilEof;
  }
  return true;
}

ReplyReader::State ReplyReader::ParseChunked() {
  for (;;) {
    if (part_ == Part::kChunkData) {
      const size_t take = std::min(remaining_, buf_.size() - pos_);
      pos_ += take;
      remaining_ -= take;
      if (remaining_ > 0) return State::kIncomplete;
      part_ = Part::kChunkEnd;
    }
    const size_t eol = buf_.find("\r\n", pos_);
    if (eol == std::string::npos) return State::kIncomplete;
    const std::string line = buf_.substr(pos_, eol - pos_);
    pos_ = eol + 2;
    if (part_ == Part::kChunkEnd) {
      if (!line.empty()) return State::kMalformed;
      part_ = Part::kChunkSize;
    } else if (part_ == Part::kChunkSize) {
      char* end = nullptr;
      remaining_ = static_cast<size_t>(std::strtoull(line.c_str(), &end, 16));
      if (end == line.c_str()) return State::kMalformed;
      part_ = remaining_ == 0 ? Part::kTrailer : Part::kChunkData;
    } else if (part_ == Part::kTrailer) {
      if (line.empty()) {
        part_ = Part::kEnd;
        return State::kDone;
      }
    } else {
      return State::kIncomplete;
    }
  }
}

}  // namespace front
