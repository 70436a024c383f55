// The S3 backend. Each Backend call is one or a few S3 requests, signed with
// SigV4 (sigv4.h), sent over one kept-alive libcurl handle (http_client.h)
// and retried with exponential backoff when S3 throttles, fails (5xx) or the
// network breaks. Errors read "S3 PUT data/ab/... failed: 403
// SignatureDoesNotMatch (...)": the vault-relative name, the HTTP status, the
// S3 error code and, where we know one, what to do about it.

#include "gptvault/storage/s3_backend.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <random>
#include <string_view>
#include <thread>
#include <utility>

#include "gptvault/storage/file_names.h"
#include "http_client.h"
#include "s3_xml.h"
#include "sigv4.h"

namespace gptvault::storage {

namespace {

constexpr int kMaxAttemptsLimit = 10;

Status CheckPrefix(const std::string& prefix) {
  if (prefix.empty()) return Status::Ok();
  if (prefix.front() == '/' || prefix.find('\\') != std::string::npos ||
      prefix.find('\0') != std::string::npos) {
    return Status::InvalidArgument("invalid storage prefix \"" + prefix + "\"");
  }
  return Status::Ok();
}

// An environment variable, or nullptr when unset or empty.
const char* Env(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? v : nullptr;
}

bool IsDnsCompatibleBucket(const std::string& b) {
  if (b.size() < 3 || b.size() > 63) return false;
  for (char c : b) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return b.front() != '-' && b.back() != '-';
}

// Server-supplied text put into a one-line message: printable ASCII only,
// and not much of it.
std::string Printable(std::string_view s, size_t max = 80) {
  std::string out;
  for (char c : s.substr(0, max)) out.push_back(c >= 0x20 && c < 0x7f ? c : '?');
  return out;
}

std::string ReasonPhrase(long status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 409:
      return "Conflict";
    case 412:
      return "Precondition Failed";
    case 416:
      return "Range Not Satisfiable";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "";
  }
}

// Error codes S3 (and its imitators) use for "slow down" and "try again".
bool IsRetriableCode(const std::string& code) {
  return code == "SlowDown" || code == "Throttling" || code == "ThrottlingException" ||
         code == "RequestThrottled" || code == "TooManyRequests" ||
         code == "RequestLimitExceeded" || code == "RequestTimeout" || code == "InternalError" ||
         code == "ServiceUnavailable" || code == "ConditionalRequestConflict";
}

bool IsRetriableResponse(const HttpResponse& r) {
  if (r.status == 429 || r.status == 500 || r.status == 502 || r.status == 503 || r.status == 504) {
    return true;
  }
  if (r.status >= 400 && !r.body.empty()) {
    return IsRetriableCode(s3xml::ParseError(AsChars(r.body)).code);
  }
  return false;
}

// "bytes 10-19/200" -> 10; nothing when it is not that form.
std::optional<uint64_t> ContentRangeStart(const std::string* header) {
  if (header == nullptr) return std::nullopt;
  std::string_view v = *header;
  if (!v.starts_with("bytes ")) return std::nullopt;
  v.remove_prefix(6);
  uint64_t n = 0;
  size_t i = 0;
  for (; i < v.size() && v[i] >= '0' && v[i] <= '9' && i < 20; ++i) n = n * 10 + (v[i] - '0');
  if (i == 0 || i >= v.size() || v[i] != '-') return std::nullopt;
  return n;
}

std::optional<uint64_t> ParseLength(const std::string* header) {
  if (header == nullptr || header->empty() || header->size() > 19) return std::nullopt;
  uint64_t n = 0;
  for (char c : *header) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + static_cast<uint64_t>(c - '0');
  }
  return n;
}

Result<int> IntFromEnv(const char* name, int def, int lo, int hi) {
  const char* v = Env(name);
  if (v == nullptr) return def;
  char* end = nullptr;
  const long n = std::strtol(v, &end, 10);
  if (*end != '\0' || n < lo || n > hi) {
    return Status::InvalidArgument(std::string(name) + " must be a whole number from " +
                                   std::to_string(lo) + " to " + std::to_string(hi));
  }
  return static_cast<int>(n);
}

class S3Backend final : public Backend {
 public:
  S3Backend(S3Config config, std::unique_ptr<HttpClient> http, std::string host, std::string origin,
            std::string bucket_path)
      : config_(std::move(config)),
        http_(std::move(http)),
        host_(std::move(host)),
        origin_(std::move(origin)),
        bucket_path_(std::move(bucket_path)),
        key_prefix_(config_.prefix.empty() ? "" : config_.prefix + "/"),
        rng_(std::random_device{}()) {}

  // Put-if-absent. S3 PUT replaces, so: HEAD first (kAlreadyExists when the
  // name is taken), then PUT with If-None-Match: *, which S3 honours since
  // 2024 and answers with 412 when another writer got there in between.
  // Servers that ignore the header (s3rver, older MinIO and Ceph) leave a
  // window between HEAD and PUT in which a concurrent writer of the very same
  // name can be overwritten. Names are content hashes, so both writers store
  // the same bytes, except for `config` and key files, which only `init`
  // writes; we accept that race rather than refuse such servers.
  Status Put(const std::string& name, ByteView data) override {
    GV_RETURN_IF_ERROR(CheckStorageName(name));
    Call head = ObjectCall("HEAD", name);
    GV_ASSIGN_OR_RETURN(Reply found, Perform(head));
    if (found.response.status == 200) return AlreadyExists(name);
    if (found.response.status != 404) return Failure(head, found);

    Call put = ObjectCall("PUT", name);
    put.body = data;
    // Signed, so the server rejects a body damaged on the way (the cost,
    // ~40 ms per 16 MiB pack, is small next to the upload).
    put.payload_hash = sigv4::HexSha256(data);
    return PutObject(put, data);
  }

  Result<Bytes> Get(const std::string& name) override {
    GV_RETURN_IF_ERROR(CheckStorageName(name));
    Call get = ObjectCall("GET", name);
    GV_ASSIGN_OR_RETURN(Reply r, Perform(get));
    if (r.response.status == 200) return std::move(r.response.body);
    if (IsNoSuchKey(r.response)) return NotFound(name);
    return Failure(get, r);
  }

  Result<Bytes> GetRange(const std::string& name, uint64_t offset, uint64_t length) override {
    GV_RETURN_IF_ERROR(CheckStorageName(name));
    if (length == 0) return EmptyRange(name, offset);
    if (offset > UINT64_MAX - length) {
      return Status::InvalidArgument("invalid range of " + name + ": offset " +
                                     std::to_string(offset) + " + length " +
                                     std::to_string(length));
    }
    Call get = ObjectCall("GET", name);
    get.headers.emplace_back(
        "range", "bytes=" + std::to_string(offset) + "-" + std::to_string(offset + length - 1));
    GV_ASSIGN_OR_RETURN(Reply r, Perform(get));
    Bytes& body = r.response.body;
    if (r.response.status == 206) {
      // A server may send more than asked (s3rver does for "bytes=0-0"), but
      // it must start where we asked.
      auto start = ContentRangeStart(r.response.Header("content-range"));
      if (start && *start != offset) {
        return Status::Corruption("S3 GET " + name + ": the server sent bytes from offset " +
                                  std::to_string(*start) + " instead of " + std::to_string(offset));
      }
      if (body.size() < length) {
        return TooShort(name, offset, length, std::to_string(body.size()) + " bytes");
      }
      body.resize(static_cast<size_t>(length));
      return std::move(body);
    }
    if (r.response.status == 200) {  // the server ignored the Range header
      if (body.size() < offset + length) {
        return TooShort(name, offset, length,
                        "a file of " + std::to_string(body.size()) + " bytes");
      }
      return Bytes(body.begin() + static_cast<ptrdiff_t>(offset),
                   body.begin() + static_cast<ptrdiff_t>(offset + length));
    }
    if (r.response.status == 416) return TooShort(name, offset, length, "a shorter file");
    if (IsNoSuchKey(r.response)) return NotFound(name);
    return Failure(get, r);
  }

  // ListObjectsV2, page by page. Keys are relative to the vault prefix;
  // temporary names (".tmp-...", which other tools syncing a local vault to
  // the bucket may leave) are skipped as the local backend skips them.
  Result<std::vector<FileInfo>> List(const std::string& prefix) override {
    GV_RETURN_IF_ERROR(CheckPrefix(prefix));
    std::vector<FileInfo> out;
    std::string token;
    while (true) {
      Call list;
      list.verb = "LIST";
      list.method = "GET";
      list.name = prefix.empty() ? std::string("(all)") : prefix;
      list.bucket_level = true;
      list.query = {{"list-type", "2"}, {"prefix", key_prefix_ + prefix}};
      if (config_.list_page_size != 1000) {
        list.query.emplace_back("max-keys", std::to_string(config_.list_page_size));
      }
      if (!token.empty()) list.query.emplace_back("continuation-token", token);
      GV_ASSIGN_OR_RETURN(Reply r, Perform(list));
      if (r.response.status != 200) return Failure(list, r);
      auto page = s3xml::ParseListObjectsV2(AsChars(r.response.body));
      if (!page.ok()) return page.status().WithContext("S3 LIST " + list.name);
      for (s3xml::ListedObject& obj : page->objects) {
        if (!obj.key.starts_with(key_prefix_)) continue;
        std::string rel = obj.key.substr(key_prefix_.size());
        if (!rel.starts_with(prefix) || rel.starts_with(kTempPrefix) ||
            rel.find("/" + std::string(kTempPrefix)) != std::string::npos) {
          continue;
        }
        out.push_back({std::move(rel), obj.size, obj.last_modified});
      }
      if (!page->truncated) break;
      if (page->next_continuation_token == token) {
        return Status::Corruption("S3 LIST " + list.name + ": the listing does not advance");
      }
      token = std::move(page->next_continuation_token);
    }
    return out;
  }

  Status Delete(const std::string& name) override {
    GV_RETURN_IF_ERROR(CheckStorageName(name));
    Call del = ObjectCall("DELETE", name);
    GV_ASSIGN_OR_RETURN(Reply r, Perform(del));
    const long s = r.response.status;
    if (s == 200 || s == 204 || IsNoSuchKey(r.response)) return Status::Ok();
    return Failure(del, r);
  }

  std::string Describe() const override {
    return "s3://" + config_.bucket + (config_.prefix.empty() ? "" : "/" + config_.prefix);
  }

 private:
  struct Call {
    std::string verb;    // for messages: GET, PUT, LIST, ...
    std::string method;  // HTTP method
    std::string name;    // vault-relative, for messages
    std::string key;     // the object key
    bool bucket_level = false;
    std::vector<std::pair<std::string, std::string>> query;
    std::vector<std::pair<std::string, std::string>> headers;  // extra, all signed
    ByteView body;
    std::string payload_hash = std::string(sigv4::kEmptyPayloadHash);
  };

  struct Reply {
    HttpResponse response;
    // An earlier attempt failed in a way that leaves open whether the server
    // acted on it (a broken connection, a 5xx).
    bool earlier_attempt_may_have_succeeded = false;
    int attempts = 0;
  };

  Call ObjectCall(const char* method, const std::string& name) const {
    Call c;
    c.verb = method;
    c.method = method;
    c.name = name;
    c.key = key_prefix_ + name;
    return c;
  }

  Status PutObject(Call& put, ByteView data) {
    const bool conditional = conditional_put_;
    if (conditional) put.headers.emplace_back("if-none-match", "*");
    GV_ASSIGN_OR_RETURN(Reply r, Perform(put));
    const long s = r.response.status;
    if (s == 200 || s == 201 || s == 204) return Status::Ok();
    if (s == 412 && conditional) {
      // A retry of a PUT whose first attempt did land finds "its own"
      // object: that is success, not a name taken by someone else.
      if (r.earlier_attempt_may_have_succeeded && SameContent(put.name, data)) {
        return Status::Ok();
      }
      return AlreadyExists(put.name);
    }
    if (conditional && RejectsConditionalPut(r.response)) {
      // The server does not do conditional writes: the HEAD that Put did is
      // all the protection there is (see Put), from now on.
      conditional_put_ = false;
      put.headers.pop_back();
      return PutObject(put, data);
    }
    return Failure(put, r);
  }

  static bool RejectsConditionalPut(const HttpResponse& r) {
    if (r.status == 501) return true;
    if (r.status != 400) return false;
    const std::string code = s3xml::ParseError(AsChars(r.body)).code;
    return code == "NotImplemented" || code == "InvalidArgument" || code == "InvalidRequest";
  }

  bool SameContent(const std::string& name, ByteView data) {
    auto stored = Get(name);
    return stored.ok() && stored->size() == data.size() &&
           std::equal(stored->begin(), stored->end(), data.begin());
  }

  Result<Bytes> EmptyRange(const std::string& name, uint64_t offset) {
    Call head = ObjectCall("HEAD", name);
    GV_ASSIGN_OR_RETURN(Reply r, Perform(head));
    if (r.response.status == 404) return NotFound(name);
    if (r.response.status != 200) return Failure(head, r);
    auto size = ParseLength(r.response.Header("content-length"));
    if (!size) return Status::IOError("S3 HEAD " + name + ": no Content-Length in the reply");
    if (offset > *size)
      return TooShort(name, offset, 0, "a file of " + std::to_string(*size) + " bytes");
    return Bytes();
  }

  // A 404 that means "no such object", not "no such bucket" (HEAD replies
  // have no body to tell them apart; a missing bucket then shows up on the
  // next request that has one).
  static bool IsNoSuchKey(const HttpResponse& r) {
    if (r.status != 404) return false;
    return s3xml::ParseError(AsChars(r.body)).code != "NoSuchBucket";
  }

  // Signs and sends `call`, retrying as the class comment says. Returns the
  // final response whatever its status, or the transport failure.
  Result<Reply> Perform(const Call& call) {
    Reply reply;
    for (int attempt = 1;; ++attempt) {
      reply.attempts = attempt;
      HttpRequest request = Sign(call);
      bool retriable = false;
      Status sent = http_->Send(request, &reply.response, &retriable);
      if (sent.ok()) {
        if (attempt >= config_.max_attempts || !IsRetriableResponse(reply.response)) {
          return reply;
        }
      } else if (!retriable || attempt >= config_.max_attempts) {
        std::string msg = "S3 " + call.verb + " " + call.name + " failed: " + sent.message();
        if (attempt > 1) msg += " (gave up after " + std::to_string(attempt) + " attempts)";
        return Status::IOError(msg);
      }
      reply.earlier_attempt_may_have_succeeded = true;
      std::this_thread::sleep_for(std::chrono::milliseconds(Backoff(attempt)));
    }
  }

  // Exponential backoff with jitter: half the exponential delay plus a
  // random part of the other half, so clients that failed together do not
  // retry together.
  int Backoff(int attempt) {
    int64_t delay = config_.initial_backoff_ms;
    for (int i = 1; i < attempt && delay < config_.max_backoff_ms; ++i) delay *= 2;
    delay = std::min<int64_t>(delay, config_.max_backoff_ms);
    std::uniform_int_distribution<int64_t> jitter(0, delay / 2);
    return static_cast<int>(delay - delay / 2 + jitter(rng_));
  }

  HttpRequest Sign(const Call& call) const {
    const std::string amz_date = sigv4::AmzDate(std::time(nullptr));
    sigv4::Request req;
    req.method = call.method;
    if (call.bucket_level) {
      req.canonical_uri = bucket_path_.empty() ? "/" : bucket_path_;
    } else {
      req.canonical_uri = bucket_path_ + "/" + sigv4::UriEncode(call.key, /*keep_slash=*/true);
    }
    req.query = call.query;
    req.headers = {
        {"host", host_}, {"x-amz-date", amz_date}, {"x-amz-content-sha256", call.payload_hash}};
    if (!config_.session_token.empty()) {
      req.headers.emplace_back("x-amz-security-token", std::string(config_.session_token.chars()));
    }
    req.headers.insert(req.headers.end(), call.headers.begin(), call.headers.end());
    req.payload_hash = call.payload_hash;

    sigv4::Scope scope;
    scope.date = amz_date.substr(0, 8);
    scope.region = config_.region;

    HttpRequest http;
    http.method = call.method;
    http.url = origin_ + req.canonical_uri;
    if (!req.query.empty()) http.url += "?" + sigv4::CanonicalQueryString(req.query);
    http.headers = req.headers;
    http.headers.emplace_back("authorization",
                              sigv4::Authorization(config_.access_key_id, config_.secret_access_key,
                                                   amz_date, scope, req));
    http.body = call.body;
    return http;
  }

  // The one-line error for an unexpected reply.
  Status Failure(const Call& call, const Reply& reply) const {
    const HttpResponse& r = reply.response;
    const s3xml::ErrorInfo error = s3xml::ParseError(AsChars(r.body));
    const std::string code = Printable(error.code, 60);
    std::string msg = "S3 " + call.verb + " " + call.name + " failed: " + std::to_string(r.status);
    if (!code.empty()) {
      msg += " " + code;
    } else if (!ReasonPhrase(r.status).empty()) {
      msg += " " + ReasonPhrase(r.status);
    }
    const std::string* bucket_region = r.Header("x-amz-bucket-region");
    if (bucket_region != nullptr && *bucket_region != config_.region) {
      msg += " (the bucket is in region " + Printable(*bucket_region, 40) +
             ": set AWS_REGION=" + Printable(*bucket_region, 40) + ")";
    } else if (code == "SignatureDoesNotMatch") {
      msg += " (the signature does not match: check AWS_SECRET_ACCESS_KEY)";
    } else if (code == "InvalidAccessKeyId") {
      msg += " (unknown access key: check AWS_ACCESS_KEY_ID)";
    } else if (code == "ExpiredToken" || code == "TokenRefreshRequired") {
      msg += " (the temporary credentials have expired: renew AWS_SESSION_TOKEN)";
    } else if (code == "InvalidToken") {
      msg += " (check AWS_SESSION_TOKEN)";
    } else if (code == "NoSuchBucket") {
      msg += " (there is no bucket named " + config_.bucket + ")";
    } else if (code == "RequestTimeTooSkewed") {
      msg += " (this computer's clock is wrong)";
    } else if (r.status == 403) {
      msg += " (check the credentials and that they may access " + Describe() + ")";
    } else if (r.status == 301 || code == "PermanentRedirect") {
      msg += " (the bucket is in another region: set AWS_REGION)";
    }
    if (reply.attempts > 1)
      msg += " (gave up after " + std::to_string(reply.attempts) + " attempts)";
    return Status::IOError(msg);
  }

  Status AlreadyExists(const std::string& name) const {
    return Status::AlreadyExists(Describe() + "/" + name + " already exists");
  }
  Status NotFound(const std::string& name) const {
    return Status::NotFound(Describe() + "/" + name + " not found");
  }
  Status TooShort(const std::string& name, uint64_t offset, uint64_t length,
                  const std::string& got) const {
    return Status::Corruption(Describe() + "/" + name + " is too short: wanted " +
                              std::to_string(length) + " bytes at offset " +
                              std::to_string(offset) + ", got " + got);
  }

  S3Config config_;
  std::unique_ptr<HttpClient> http_;
  std::string host_;         // the Host header
  std::string origin_;       // scheme://host
  std::string bucket_path_;  // "" (virtual-hosted) or "[/endpoint-path]/bucket"
  std::string key_prefix_;   // "" or "prefix/"
  bool conditional_put_ = true;
  std::mt19937_64 rng_;
};

}  // namespace

Status ParseS3Url(const std::string& url, S3Config* config) {
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument("invalid S3 location \"" + url + "\": " + why);
  };
  constexpr std::string_view kScheme = "s3://";
  if (!std::string_view(url).starts_with(kScheme)) return bad("it must start with s3://");
  std::string_view rest = std::string_view(url).substr(kScheme.size());
  const size_t slash = rest.find('/');
  std::string bucket(rest.substr(0, slash));
  if (bucket.empty()) return bad("no bucket name");
  for (char c : bucket) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '.' || c == '_';
    if (!ok) return bad("the bucket name may only have letters, digits, '-', '.' and '_'");
  }
  if (bucket.size() > 255) return bad("the bucket name is too long");
  // The prefix: empty components (a trailing or doubled slash) are dropped;
  // "." and ".." would mean something else to every other S3 tool.
  std::string prefix;
  if (slash != std::string_view::npos) {
    std::string_view p = rest.substr(slash + 1);
    size_t start = 0;
    while (start <= p.size()) {
      size_t end = p.find('/', start);
      if (end == std::string_view::npos) end = p.size();
      std::string_view part = p.substr(start, end - start);
      if (part == "." || part == "..") return bad("the prefix has a . or .. component");
      if (part.find('\0') != std::string_view::npos || part.find('\\') != std::string_view::npos) {
        return bad("the prefix has a NUL or a backslash");
      }
      if (!part.empty()) {
        if (!prefix.empty()) prefix.push_back('/');
        prefix.append(part);
      }
      start = end + 1;
    }
  }
  config->bucket = std::move(bucket);
  config->prefix = std::move(prefix);
  return Status::Ok();
}

Result<S3Config> S3ConfigFromEnvironment(const std::string& url) {
  S3Config config;
  GV_RETURN_IF_ERROR(ParseS3Url(url, &config));
  const char* key_id = Env("AWS_ACCESS_KEY_ID");
  const char* secret = Env("AWS_SECRET_ACCESS_KEY");
  if (key_id == nullptr || secret == nullptr) {
    std::string missing = key_id == nullptr && secret == nullptr
                              ? "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
                              : (key_id == nullptr ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY");
    return Status::InvalidArgument("the S3 vault " + url + " needs credentials: set " + missing);
  }
  config.access_key_id = key_id;
  config.secret_access_key = crypto::SecretBytes::Copy(AsBytes(secret));
  if (const char* token = Env("AWS_SESSION_TOKEN")) {
    config.session_token = crypto::SecretBytes::Copy(AsBytes(token));
  }
  if (const char* region = Env("AWS_REGION")) {
    config.region = region;
  } else if (const char* def = Env("AWS_DEFAULT_REGION")) {
    config.region = def;
  }
  if (const char* endpoint = Env("AWS_ENDPOINT_URL_S3")) {
    config.endpoint = endpoint;
  } else if (const char* any = Env("AWS_ENDPOINT_URL")) {
    config.endpoint = any;
  }
  GV_ASSIGN_OR_RETURN(config.max_attempts, IntFromEnv("GPTVAULT_S3_MAX_ATTEMPTS",
                                                      config.max_attempts, 1, kMaxAttemptsLimit));
  // For tests, which want several pages from a few objects.
  GV_ASSIGN_OR_RETURN(config.list_page_size,
                      IntFromEnv("GPTVAULT_S3_LIST_PAGE_SIZE", config.list_page_size, 1, 1000));
  return config;
}

Result<std::unique_ptr<Backend>> NewS3Backend(S3Config config) {
  const bool region_ok =
      !config.region.empty() && std::all_of(config.region.begin(), config.region.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
      });
  if (!region_ok) return Status::InvalidArgument("invalid AWS region \"" + config.region + "\"");
  if (config.access_key_id.empty() || config.secret_access_key.empty()) {
    return Status::InvalidArgument("the S3 vault needs an access key id and a secret access key");
  }
  if (config.max_attempts < 1) config.max_attempts = 1;
  std::string host, origin, bucket_path;
  if (config.endpoint.empty()) {
    // Dotted bucket names do not match the *.s3 wildcard certificate.
    const std::string aws = "s3." + config.region + ".amazonaws.com";
    if (IsDnsCompatibleBucket(config.bucket)) {
      host = config.bucket + "." + aws;
    } else {
      host = aws;
      bucket_path = "/" + sigv4::UriEncode(config.bucket, false);
    }
    origin = "https://" + host;
  } else {
    std::string_view e = config.endpoint;
    const size_t scheme_end = e.find("://");
    const std::string_view scheme = e.substr(0, scheme_end);
    if (scheme_end == std::string_view::npos || (scheme != "http" && scheme != "https")) {
      return Status::InvalidArgument("invalid AWS_ENDPOINT_URL \"" + config.endpoint +
                                     "\": it must start with http:// or https://");
    }
    std::string_view rest = e.substr(scheme_end + 3);
    const size_t path_start = rest.find('/');
    host = std::string(rest.substr(0, path_start));
    std::string path(path_start == std::string_view::npos ? "" : rest.substr(path_start));
    while (!path.empty() && path.back() == '/') path.pop_back();
    if (host.empty() || host.find('@') != std::string::npos ||
        rest.find_first_of("?#") != std::string_view::npos) {
      return Status::InvalidArgument("invalid AWS_ENDPOINT_URL \"" + config.endpoint +
                                     "\": expected scheme://host[:port][/path]");
    }
    origin = std::string(scheme) + "://" + host;
    bucket_path = path + "/" + sigv4::UriEncode(config.bucket, false);
  }
  GV_ASSIGN_OR_RETURN(auto http, HttpClient::Create());
  return std::unique_ptr<Backend>(new S3Backend(std::move(config), std::move(http), std::move(host),
                                                std::move(origin), std::move(bucket_path)));
}

Result<std::unique_ptr<Backend>> NewS3Backend(const std::string& url) {
  GV_ASSIGN_OR_RETURN(S3Config config, S3ConfigFromEnvironment(url));
  return NewS3Backend(std::move(config));
}

}  // namespace gptvault::storage
