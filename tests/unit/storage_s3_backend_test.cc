// The S3 backend's request logic against a scripted HTTP server on the
// loopback interface: put-if-absent with HEAD and If-None-Match, retries,
// ranges, pagination and error messages. (Signatures are checked against
// AWS's examples in storage_sigv4_test.cc, and by a real S3 imitation in
// tests/e2e/test_s3_backend.py.)
#include <arpa/inet.h>
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "../../src/storage/sigv4.h"
#include "gptvault/storage/s3_backend.h"

using namespace gptvault;
using namespace gptvault::storage;

namespace {

struct SeenRequest {
  std::string method;
  std::string target;                          // path and query, as sent
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;

  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

struct Reply {
  Reply(int s = 200, std::string b = "", std::vector<std::pair<std::string, std::string>> h = {})
      : status(s), body(std::move(b)), headers(std::move(h)) {}
  int status;  // -1: close the connection without replying
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

Reply Xml(int status, const std::string& code) {
  return {status,
          "<?xml version=\"1.0\"?><Error><Code>" + code + "</Code><Message>m</Message></Error>"};
}

// A one-connection-at-a-time HTTP/1.1 server on 127.0.0.1 that answers each
// request with what `handler` says and closes the connection after it.
class ScriptedServer {
 public:
  using Handler = std::function<Reply(const SeenRequest&)>;

  explicit ScriptedServer(Handler handler) : handler_(std::move(handler)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(listen_fd_ >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(listen_fd_, 16) == 0);
    socklen_t len = sizeof addr;
    REQUIRE(::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }

  ~ScriptedServer() {
    ::shutdown(listen_fd_, SHUT_RDWR);  // wakes the blocked accept()
    thread_.join();
    ::close(listen_fd_);
  }

  int port() const { return port_; }

  std::vector<SeenRequest> requests() {
    std::lock_guard lock(mu_);
    return seen_;
  }

 private:
  void Serve() {
    while (true) {
      int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) return;
      HandleConnection(fd);
      ::close(fd);
    }
  }

  static bool ReadMore(int fd, std::string& buf) {
    char chunk[65536];
    ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n <= 0) return false;
    buf.append(chunk, static_cast<size_t>(n));
    return true;
  }

  static void WriteAll(int fd, const std::string& s) {
    size_t off = 0;
    while (off < s.size()) {
      ssize_t n = ::write(fd, s.data() + off, s.size() - off);
      if (n <= 0) return;
      off += static_cast<size_t>(n);
    }
  }

  void HandleConnection(int fd) {
    std::string buf;
    size_t header_end;
    while ((header_end = buf.find("\r\n\r\n")) == std::string::npos) {
      if (!ReadMore(fd, buf)) return;
    }
    SeenRequest req;
    std::string head = buf.substr(0, header_end);
    size_t line_end = head.find("\r\n");
    std::string request_line = head.substr(0, line_end);
    size_t sp1 = request_line.find(' '), sp2 = request_line.rfind(' ');
    req.method = request_line.substr(0, sp1);
    req.target = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
    size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
    while (pos < head.size()) {
      size_t end = head.find("\r\n", pos);
      if (end == std::string::npos) end = head.size();
      std::string line = head.substr(pos, end - pos);
      size_t colon = line.find(':');
      if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        std::transform(name.begin(), name.end(), name.begin(), ::tolower);
        std::string value = line.substr(colon + 1);
        value.erase(0, value.find_first_not_of(' '));
        req.headers[name] = value;
      }
      pos = end + 2;
    }
    if (req.Header("expect") == "100-continue") WriteAll(fd, "HTTP/1.1 100 Continue\r\n\r\n");
    const size_t length =
        req.headers.count("content-length") ? std::stoul(req.Header("content-length")) : 0;
    buf.erase(0, header_end + 4);
    while (buf.size() < length) {
      if (!ReadMore(fd, buf)) return;
    }
    req.body = buf.substr(0, length);
    {
      std::lock_guard lock(mu_);
      seen_.push_back(req);
    }
    Reply reply = handler_(req);
    if (reply.status < 0) return;  // drop the connection
    std::string out = "HTTP/1.1 " + std::to_string(reply.status) + " X\r\n";
    for (const auto& [n, v] : reply.headers) out += n + ": " + v + "\r\n";
    bool has_length = std::any_of(reply.headers.begin(), reply.headers.end(),
                                  [](const auto& h) { return h.first == "Content-Length"; });
    if (!has_length) out += "Content-Length: " + std::to_string(reply.body.size()) + "\r\n";
    out += "Connection: close\r\n\r\n";
    if (req.method != "HEAD") out += reply.body;
    WriteAll(fd, out);
  }

  Handler handler_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::vector<SeenRequest> seen_;
};

constexpr char kSecret[] = "sEcReT/kEy+do-not-print";

std::unique_ptr<Backend> BackendFor(int port, int max_attempts = 3, bool token = false) {
  S3Config c;
  c.bucket = "bucket";
  c.prefix = "pre/fix";
  c.endpoint = "http://127.0.0.1:" + std::to_string(port);
  c.access_key_id = "AKID";
  c.secret_access_key = crypto::SecretBytes::Copy(AsBytes(kSecret));
  if (token) c.session_token = crypto::SecretBytes::Copy(AsBytes("the-token"));
  c.max_attempts = max_attempts;
  c.initial_backoff_ms = 1;
  c.max_backoff_ms = 4;
  auto b = NewS3Backend(std::move(c));
  REQUIRE(b.ok());
  return std::move(b).value();
}

// A port nothing listens on: bound, never listened to, then closed.
int UnusedPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

Bytes B(const std::string& s) { return Bytes(s.begin(), s.end()); }

}  // namespace

TEST_SUITE("storage.s3_backend") {
  TEST_CASE("put looks first with HEAD and leaves an existing name alone") {
    ScriptedServer server([](const SeenRequest&) { return Reply{200}; });
    auto backend = BackendFor(server.port());
    Status s = backend->Put("config", B("x"));
    CHECK(s.code() == Status::Code::kAlreadyExists);
    auto seen = server.requests();
    REQUIRE(seen.size() == 1);
    CHECK(seen[0].method == "HEAD");
    CHECK(seen[0].target == "/bucket/pre/fix/config");
  }

  TEST_CASE("put sends a conditional, signed PUT with the body's hash") {
    ScriptedServer server(
        [](const SeenRequest& r) { return Reply{r.method == "HEAD" ? 404 : 200}; });
    auto backend = BackendFor(server.port());
    REQUIRE(backend->Put("data/ab/abcd", B("hello")).ok());
    auto seen = server.requests();
    REQUIRE(seen.size() == 2);
    const SeenRequest& put = seen[1];
    CHECK(put.method == "PUT");
    CHECK(put.target == "/bucket/pre/fix/data/ab/abcd");
    CHECK(put.body == "hello");
    CHECK(put.Header("if-none-match") == "*");
    CHECK(put.Header("x-amz-content-sha256") == sigv4::HexSha256(AsBytes("hello")));
    CHECK(put.Header("host") == "127.0.0.1:" + std::to_string(server.port()));
    const std::string auth = put.Header("authorization");
    CHECK(auth.starts_with("AWS4-HMAC-SHA256 Credential=AKID/"));
    CHECK(auth.find("/us-east-1/s3/aws4_request,SignedHeaders=") != std::string::npos);
    CHECK(auth.find("if-none-match") != std::string::npos);
    CHECK(auth.find(kSecret) == std::string::npos);
  }

  TEST_CASE("a 412 from the conditional PUT means another writer took the name") {
    ScriptedServer server([](const SeenRequest& r) {
      return r.method == "HEAD" ? Reply{404} : Xml(412, "PreconditionFailed");
    });
    auto backend = BackendFor(server.port());
    Status s = backend->Put("keys/k1", B("x"));
    CHECK(s.code() == Status::Code::kAlreadyExists);
    CHECK(s.message() == "s3://bucket/pre/fix/keys/k1 already exists");
  }

  TEST_CASE("a server without conditional writes (501) gets plain PUTs from then on") {
    ScriptedServer server([](const SeenRequest& r) {
      if (r.method == "HEAD") return Reply{404};
      if (!r.Header("if-none-match").empty()) return Xml(501, "NotImplemented");
      return Reply{200};
    });
    auto backend = BackendFor(server.port());
    REQUIRE(backend->Put("a", B("1")).ok());
    REQUIRE(backend->Put("b", B("2")).ok());
    std::vector<std::string> trace;
    for (const SeenRequest& r : server.requests()) {
      trace.push_back(r.method + (r.Header("if-none-match").empty() ? "" : "?"));
    }
    CHECK(trace == std::vector<std::string>{"HEAD", "PUT?", "PUT", "HEAD", "PUT"});
  }

  TEST_CASE("a PUT retried after a lost reply that finds its own bytes succeeds") {
    int puts = 0;
    ScriptedServer server([&](const SeenRequest& r) {
      if (r.method == "HEAD") return Reply{404};
      if (r.method == "GET") return Reply{200, "payload"};
      return ++puts == 1 ? Reply{-1} : Xml(412, "PreconditionFailed");
    });
    auto backend = BackendFor(server.port());
    CHECK(backend->Put("snapshots/s1", B("payload")).ok());
  }

  TEST_CASE("throttling and server errors are retried until they pass") {
    int n = 0;
    ScriptedServer server([&](const SeenRequest&) {
      ++n;
      if (n == 1) return Xml(503, "SlowDown");
      if (n == 2) return Xml(400, "RequestTimeout");
      if (n == 3) return Reply{-1};
      return Reply{200, "body"};
    });
    auto backend = BackendFor(server.port(), /*max_attempts=*/4);
    auto got = backend->Get("config");
    REQUIRE(got.ok());
    CHECK(AsChars(*got) == "body");
    CHECK(server.requests().size() == 4);
  }

  TEST_CASE("retries stop after the last attempt with the status and S3 code in one line") {
    ScriptedServer server([](const SeenRequest&) { return Xml(500, "InternalError"); });
    auto backend = BackendFor(server.port(), /*max_attempts=*/3);
    auto got = backend->Get("index/ab");
    CHECK(got.status().code() == Status::Code::kIOError);
    CHECK(got.status().message() ==
          "S3 GET index/ab failed: 500 InternalError (gave up after 3 attempts)");
    CHECK(server.requests().size() == 3);
  }

  TEST_CASE("client errors are not retried and name the problem, never the secret") {
    ScriptedServer server([](const SeenRequest&) { return Xml(403, "SignatureDoesNotMatch"); });
    auto backend = BackendFor(server.port());
    auto got = backend->Get("config");
    const std::string& msg = got.status().message();
    CHECK(msg.starts_with("S3 GET config failed: 403 SignatureDoesNotMatch"));
    CHECK(msg.find("AWS_SECRET_ACCESS_KEY") != std::string::npos);
    CHECK(msg.find(kSecret) == std::string::npos);
    CHECK(msg.find('\n') == std::string::npos);
    CHECK(server.requests().size() == 1);
  }

  TEST_CASE("a missing object is kNotFound but a missing bucket is an error") {
    ScriptedServer server([](const SeenRequest& r) {
      return r.target.ends_with("/config") ? Xml(404, "NoSuchKey") : Xml(404, "NoSuchBucket");
    });
    auto backend = BackendFor(server.port());
    CHECK(backend->Get("config").status().IsNotFound());
    auto other = backend->Get("keys/x");
    CHECK(other.status().code() == Status::Code::kIOError);
    CHECK(other.status().message().find("no bucket named bucket") != std::string::npos);
  }

  TEST_CASE("a range read asks for an inclusive byte range and checks what comes back") {
    std::string mode;
    ScriptedServer server([&](const SeenRequest& r) {
      if (mode == "exact") return Reply{206, "0123456789", {{"Content-Range", "bytes 10-19/100"}}};
      if (mode == "short") return Reply{206, "01234", {{"Content-Range", "bytes 10-14/15"}}};
      if (mode == "long") return Reply{206, "0123456789AB", {{"Content-Range", "bytes 10-21/99"}}};
      if (mode == "ignored") return Reply{200, std::string(10, '-') + "0123456789" + "tail"};
      if (mode == "wrong-start")
        return Reply{206, "0123456789", {{"Content-Range", "bytes 0-9/99"}}};
      return Xml(416, "InvalidRange");
    });
    auto backend = BackendFor(server.port());
    for (const char* m : {"exact", "long", "ignored"}) {
      mode = m;
      auto got = backend->GetRange("data/p", 10, 10);
      REQUIRE_MESSAGE(got.ok(), m);
      CHECK_MESSAGE(AsChars(*got) == "0123456789", m);
    }
    CHECK(server.requests().back().Header("range") == "bytes=10-19");
    for (const char* m : {"short", "wrong-start", "unsatisfiable"}) {
      mode = m;
      CHECK_MESSAGE(
          backend->GetRange("data/p", 10, 10).status().code() == Status::Code::kCorruption, m);
    }
  }

  TEST_CASE("listing follows continuation tokens and returns names relative to the prefix") {
    ScriptedServer server([](const SeenRequest& r) {
      if (r.target.find("continuation-token=") == std::string::npos) {
        return Reply{200,
                     "<ListBucketResult><IsTruncated>true</IsTruncated>"
                     "<Contents><Key>pre/fix/data/a</Key><Size>1</Size></Contents>"
                     "<Contents><Key>pre/fix/data/.tmp-123</Key><Size>2</Size></Contents>"
                     "<NextContinuationToken>t/1+=</NextContinuationToken></ListBucketResult>"};
      }
      return Reply{200,
                   "<ListBucketResult><IsTruncated>false</IsTruncated>"
                   "<Contents><Key>pre/fix/data/b/c</Key><Size>3</Size></Contents>"
                   "<Contents><Key>pre/fix/data/b/.tmp-x</Key><Size>4</Size></Contents>"
                   "<Contents><Key>elsewhere/data/z</Key><Size>5</Size></Contents>"
                   "</ListBucketResult>"};
    });
    auto backend = BackendFor(server.port());
    auto files = backend->List("data/");
    REQUIRE(files.ok());
    REQUIRE(files->size() == 2);
    CHECK((*files)[0].name == "data/a");
    CHECK((*files)[0].size == 1);
    CHECK((*files)[1].name == "data/b/c");
    CHECK((*files)[1].size == 3);
    auto seen = server.requests();
    REQUIRE(seen.size() == 2);
    CHECK(seen[0].target == "/bucket?list-type=2&prefix=pre%2Ffix%2Fdata%2F");
    CHECK(seen[1].target ==
          "/bucket?continuation-token=t%2F1%2B%3D&list-type=2&prefix=pre%2Ffix%2Fdata%2F");
  }

  TEST_CASE("a listing that does not advance is corruption, not an endless loop") {
    ScriptedServer server([](const SeenRequest&) {
      return Reply{200,
                   "<ListBucketResult><IsTruncated>true</IsTruncated>"
                   "<NextContinuationToken>same</NextContinuationToken></ListBucketResult>"};
    });
    auto backend = BackendFor(server.port());
    CHECK(backend->List("").status().code() == Status::Code::kCorruption);
  }

  TEST_CASE("deleting an absent object is not an error") {
    ScriptedServer server([](const SeenRequest&) { return Xml(404, "NoSuchKey"); });
    auto backend = BackendFor(server.port());
    CHECK(backend->Delete("data/x").ok());
    CHECK(server.requests().at(0).method == "DELETE");
  }

  TEST_CASE("a session token travels as a signed x-amz-security-token") {
    ScriptedServer server([](const SeenRequest&) { return Reply{200, "x"}; });
    auto backend = BackendFor(server.port(), 3, /*token=*/true);
    REQUIRE(backend->Get("config").ok());
    const SeenRequest r = server.requests().at(0);
    CHECK(r.Header("x-amz-security-token") == "the-token");
    CHECK(r.Header("authorization").find("x-amz-security-token") != std::string::npos);
  }

  TEST_CASE("nothing listening fails quickly with one line") {
    auto backend = BackendFor(UnusedPort(), /*max_attempts=*/2);
    auto got = backend->Get("config");
    CHECK(got.status().code() == Status::Code::kIOError);
    CHECK(got.status().message().starts_with("S3 GET config failed: "));
    CHECK(got.status().message().find("gave up after 2 attempts") != std::string::npos);
  }

  TEST_CASE("invalid names are refused before any request") {
    ScriptedServer server([](const SeenRequest&) { return Reply{200}; });
    auto backend = BackendFor(server.port());
    CHECK(backend->Put("../x", B("1")).code() == Status::Code::kInvalidArgument);
    CHECK(backend->Get("/abs").status().code() == Status::Code::kInvalidArgument);
    CHECK(backend->Get("data/.tmp-1").status().code() == Status::Code::kInvalidArgument);
    CHECK(server.requests().empty());
  }
}
