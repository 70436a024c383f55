#include "http_client.h"

#include <curl/curl.h>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <new>

#include "gptvault/crypto/secret.h"

namespace gptvault::storage {

namespace {

// curl_global_init is not thread-safe and must run once per process before
// any handle exists; the first client to be created does it.
CURLcode GlobalInit() {
  static std::once_flag once;
  static CURLcode result = CURLE_OK;
  std::call_once(once, [] { result = curl_global_init(CURL_GLOBAL_DEFAULT); });
  return result;
}

struct Upload {
  ByteView data;
  size_t pos = 0;
};

size_t ReadBody(char* buffer, size_t size, size_t nitems, void* userdata) {
  auto* up = static_cast<Upload*>(userdata);
  const size_t n = std::min(size * nitems, up->data.size() - up->pos);
  if (n > 0) std::memcpy(buffer, up->data.data() + up->pos, n);
  up->pos += n;
  return n;
}

// libcurl rewinds the body when it must send it again (a redirect, or a
// connection that turned out dead).
int SeekBody(void* userdata, curl_off_t offset, int origin) {
  auto* up = static_cast<Upload*>(userdata);
  if (origin != SEEK_SET || offset < 0 || static_cast<uint64_t>(offset) > up->data.size()) {
    return CURL_SEEKFUNC_FAIL;
  }
  up->pos = static_cast<size_t>(offset);
  return CURL_SEEKFUNC_OK;
}

struct Sink {
  HttpResponse* response;
  bool out_of_memory = false;
};

size_t WriteBody(char* data, size_t size, size_t nmemb, void* userdata) {
  auto* sink = static_cast<Sink*>(userdata);
  const size_t n = size * nmemb;
  try {
    sink->response->body.insert(sink->response->body.end(), reinterpret_cast<uint8_t*>(data),
                                reinterpret_cast<uint8_t*>(data) + n);
  } catch (const std::bad_alloc&) {
    sink->out_of_memory = true;
    return 0;  // makes libcurl abort with CURLE_WRITE_ERROR
  }
  return n;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() &&
         (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

size_t WriteHeader(char* data, size_t size, size_t nitems, void* userdata) {
  auto* sink = static_cast<Sink*>(userdata);
  const size_t n = size * nitems;
  std::string_view line(data, n);
  try {
    // Each status line starts a response: an interim "100 Continue" is
    // followed by the real one, whose headers are the ones that count.
    if (line.starts_with("HTTP/")) {
      sink->response->headers.clear();
      return n;
    }
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) return n;
    std::string name(Trim(line.substr(0, colon)));
    for (char& c : name) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    sink->response->headers.emplace_back(std::move(name),
                                         std::string(Trim(line.substr(colon + 1))));
  } catch (const std::bad_alloc&) {
    sink->out_of_memory = true;
    return 0;
  }
  return n;
}

// Failures that may well pass: the network, the server going away, a
// timeout. Not: a malformed URL, a certificate that does not verify, our own
// callbacks giving up.
bool IsRetriable(CURLcode code) {
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_SEND_FAIL_REWIND:
      return true;
    default:
      return false;
  }
}

// Frees a header list after wiping it: one of the headers may carry a
// session token.
struct SlistDeleter {
  void operator()(curl_slist* list) const {
    for (curl_slist* p = list; p != nullptr; p = p->next)
      crypto::Wipe(p->data, std::strlen(p->data));
    curl_slist_free_all(list);
  }
};

}  // namespace

const std::string* HttpResponse::Header(std::string_view name) const {
  for (const auto& [n, v] : headers) {
    if (n == name) return &v;
  }
  return nullptr;
}

Result<std::unique_ptr<HttpClient>> HttpClient::Create(HttpTimeouts timeouts) {
  if (CURLcode rc = GlobalInit(); rc != CURLE_OK) {
    return Status::IOError(std::string("cannot initialise libcurl: ") + curl_easy_strerror(rc));
  }
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return Status::IOError("cannot initialise libcurl");
  return std::unique_ptr<HttpClient>(new HttpClient(curl, timeouts));
}

HttpClient::~HttpClient() { curl_easy_cleanup(static_cast<CURL*>(curl_)); }

Status HttpClient::Send(const HttpRequest& request, HttpResponse* response, bool* retriable) {
  CURL* curl = static_cast<CURL*>(curl_);
  *retriable = false;
  response->status = 0;
  response->headers.clear();
  response->body.clear();

  // Reset forgets the previous request's options but keeps the connection
  // cache, so the next request to the same host reuses the connection.
  curl_easy_reset(curl);
  char error[CURL_ERROR_SIZE] = {0};
  Sink sink{response};
  Upload upload{request.body, 0};
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  // The path is signed as given; libcurl must not "normalise" it.
  curl_easy_setopt(curl, CURLOPT_PATH_AS_IS, 1L);
#if LIBCURL_VERSION_NUM >= 0x075500  // 7.85
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
#else
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS, static_cast<long>(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, timeouts_.connect_timeout_s);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, timeouts_.low_speed_bytes);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, timeouts_.low_speed_time_s);
  curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "gptvault");
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, WriteBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, WriteHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &sink);

  if (request.method == "GET") {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  } else if (request.method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (request.method == "PUT") {
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, ReadBody);
    curl_easy_setopt(curl, CURLOPT_READDATA, &upload);
    curl_easy_setopt(curl, CURLOPT_SEEKFUNCTION, SeekBody);
    curl_easy_setopt(curl, CURLOPT_SEEKDATA, &upload);
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  } else {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }

  std::unique_ptr<curl_slist, SlistDeleter> headers;
  for (const auto& [name, value] : request.headers) {
    std::string line = name + ": " + value;
    curl_slist* appended = curl_slist_append(headers.get(), line.c_str());
    crypto::Wipe(line.data(), line.size());
    if (appended == nullptr) return Status::IOError("out of memory");
    headers.release();
    headers.reset(appended);
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());

  const CURLcode rc = curl_easy_perform(curl);
  // The options point at locals; drop them before returning.
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);
  if (rc != CURLE_OK) {
    if (sink.out_of_memory) return Status::IOError("out of memory");
    *retriable = IsRetriable(rc);
    return Status::IOError(error[0] != '\0' ? std::string(error) : curl_easy_strerror(rc));
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &response->status);
  return Status::Ok();
}

}  // namespace gptvault::storage
