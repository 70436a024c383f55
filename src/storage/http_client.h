// A minimal HTTP/1.1 client over one libcurl easy handle, for the S3
// backend: one request at a time, whole bodies in memory, connections kept
// alive between requests. Not thread-safe: one client per thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gptvault/util/bytes.h"
#include "gptvault/util/status.h"

namespace gptvault::storage {

struct HttpRequest {
  std::string method;  // GET, HEAD, PUT or DELETE
  std::string url;     // already percent-encoded; sent exactly as given
  std::vector<std::pair<std::string, std::string>> headers;
  ByteView body;  // PUT only
};

struct HttpResponse {
  long status = 0;
  // Header names lower-cased, in arrival order (of the final response).
  std::vector<std::pair<std::string, std::string>> headers;
  Bytes body;

  // The first header named `name` (lower case), or nullptr.
  const std::string* Header(std::string_view name) const;
};

// How long a transfer may take: no total limit (a pack upload may be slow),
// but connecting must finish within `connect_timeout_s` and a transfer that
// moves fewer than `low_speed_bytes` per second for `low_speed_time_s`
// seconds is abandoned.
struct HttpTimeouts {
  long connect_timeout_s = 10;
  long low_speed_bytes = 1024;
  long low_speed_time_s = 60;
};

class HttpClient {
 public:
  // Fails only when libcurl cannot be initialised.
  static Result<std::unique_ptr<HttpClient>> Create(HttpTimeouts timeouts = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Performs `request`. Any HTTP status is a success here (the caller judges
  // it); a transport failure (no connection, timeout, broken transfer)
  // returns kIOError with libcurl's description, and sets `*retriable` when
  // trying again may help.
  Status Send(const HttpRequest& request, HttpResponse* response, bool* retriable);

 private:
  HttpClient(void* curl, HttpTimeouts timeouts) : curl_(curl), timeouts_(timeouts) {}
  void* curl_;  // CURL*
  HttpTimeouts timeouts_;
};

}  // namespace gptvault::storage
