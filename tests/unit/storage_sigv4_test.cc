// SigV4 signing against the worked examples of the S3 documentation
// ("Signature Calculations for the Authorization Header", examples with the
// documentation's example credentials, 24 May 2013, us-east-1) and the
// signing-key example of the AWS General Reference.
#include <doctest/doctest.h>

#include "../../src/storage/sigv4.h"
#include "gptvault/crypto/crypto.h"

using namespace gptvault;
using namespace gptvault::storage;

namespace {

constexpr char kAccessKey[] = "AKIAIOSFODNN7EXAMPLE";
constexpr char kSecretKey[] = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
constexpr char kDate[] = "20130524T000000Z";

crypto::SecretBytes Secret(std::string_view s) { return crypto::SecretBytes::Copy(AsBytes(s)); }

sigv4::Scope DocScope() {
  sigv4::Scope scope;
  scope.date = "20130524";
  scope.region = "us-east-1";
  return scope;
}

std::string Sign(const sigv4::Request& request) {
  return sigv4::Authorization(kAccessKey, Secret(kSecretKey), kDate, DocScope(), request);
}

std::string AuthorizationWith(std::string_view signed_headers, std::string_view signature) {
  return std::string(
             "AWS4-HMAC-SHA256 "
             "Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=") +
         std::string(signed_headers) + ",Signature=" + std::string(signature);
}

// GET /test.txt with Range: bytes=0-9.
sigv4::Request GetObjectExample() {
  sigv4::Request r;
  r.method = "GET";
  r.canonical_uri = "/test.txt";
  r.headers = {{"Host", "examplebucket.s3.amazonaws.com"},
               {"Range", "bytes=0-9"},
               {"x-amz-content-sha256", std::string(sigv4::kEmptyPayloadHash)},
               {"x-amz-date", kDate}};
  r.payload_hash = sigv4::kEmptyPayloadHash;
  return r;
}

}  // namespace

TEST_SUITE("storage.sigv4") {
  TEST_CASE("the GET object example has the documented canonical request") {
    std::string signed_headers;
    const std::string canonical = sigv4::CanonicalRequest(GetObjectExample(), &signed_headers);
    CHECK(canonical ==
          "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n"
          "x-amz-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n"
          "x-amz-date:20130524T000000Z\n\nhost;range;x-amz-content-sha256;x-amz-date\n"
          "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(signed_headers == "host;range;x-amz-content-sha256;x-amz-date");
  }

  TEST_CASE("the GET object example has the documented string to sign and signature") {
    const std::string canonical = sigv4::CanonicalRequest(GetObjectExample(), nullptr);
    const std::string to_sign = sigv4::StringToSign(kDate, DocScope(), canonical);
    CHECK(to_sign ==
          "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
          "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
    CHECK(sigv4::Signature(sigv4::SigningKey(Secret(kSecretKey), DocScope()), to_sign) ==
          "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
    CHECK(Sign(GetObjectExample()) ==
          AuthorizationWith("host;range;x-amz-content-sha256;x-amz-date",
                            "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"));
  }

  TEST_CASE("the PUT object example signs an encoded key, a hashed body and extra headers") {
    const std::string body = "Welcome to Amazon S3.";
    const std::string hash = sigv4::HexSha256(AsBytes(body));
    CHECK(hash == "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
    sigv4::Request r;
    r.method = "PUT";
    r.canonical_uri = "/" + sigv4::UriEncode("test$file.text", true);
    CHECK(r.canonical_uri == "/test%24file.text");
    r.headers = {{"Date", "Fri, 24 May 2013 00:00:00 GMT"},
                 {"Host", "examplebucket.s3.amazonaws.com"},
                 {"x-amz-date", kDate},
                 {"x-amz-storage-class", "REDUCED_REDUNDANCY"},
                 {"x-amz-content-sha256", hash}};
    r.payload_hash = hash;
    const std::string canonical = sigv4::CanonicalRequest(r, nullptr);
    CHECK(sigv4::StringToSign(kDate, DocScope(), canonical) ==
          "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
          "9e0e90d9c76de8fa5b200d8c849cd5b8dc7a3be3951ddb7f6a76b4158342019d");
    CHECK(Sign(r) ==
          AuthorizationWith("date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class",
                            "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"));
  }

  TEST_CASE("the GET bucket lifecycle example signs a query parameter without a value") {
    sigv4::Request r;
    r.method = "GET";
    r.canonical_uri = "/";
    r.query = {{"lifecycle", ""}};
    r.headers = {{"Host", "examplebucket.s3.amazonaws.com"},
                 {"x-amz-date", kDate},
                 {"x-amz-content-sha256", std::string(sigv4::kEmptyPayloadHash)}};
    r.payload_hash = sigv4::kEmptyPayloadHash;
    CHECK(sigv4::CanonicalQueryString(r.query) == "lifecycle=");
    CHECK(Sign(r) ==
          AuthorizationWith("host;x-amz-content-sha256;x-amz-date",
                            "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"));
  }

  TEST_CASE("the list objects example sorts its query parameters") {
    sigv4::Request r;
    r.method = "GET";
    r.canonical_uri = "/";
    r.query = {{"prefix", "J"}, {"max-keys", "2"}};
    r.headers = {{"Host", "examplebucket.s3.amazonaws.com"},
                 {"x-amz-date", kDate},
                 {"x-amz-content-sha256", std::string(sigv4::kEmptyPayloadHash)}};
    r.payload_hash = sigv4::kEmptyPayloadHash;
    CHECK(sigv4::CanonicalQueryString(r.query) == "max-keys=2&prefix=J");
    const std::string canonical = sigv4::CanonicalRequest(r, nullptr);
    CHECK(sigv4::StringToSign(kDate, DocScope(), canonical) ==
          "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
          "df57d21db20da04d7fa30298dd4488ba3a2b47ca3a489c74750e0f1e7df1b9b7");
    CHECK(Sign(r) ==
          AuthorizationWith("host;x-amz-content-sha256;x-amz-date",
                            "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"));
  }

  TEST_CASE("the signing key matches the General Reference's derivation example") {
    sigv4::Scope scope;
    scope.date = "20120215";
    scope.region = "us-east-1";
    scope.service = "iam";
    const crypto::SecretBytes key =
        sigv4::SigningKey(Secret("wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"), scope);
    CHECK(ToHex(key.view()) == "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d");
  }

  TEST_CASE("a different secret key gives a different signature") {
    const std::string good = Sign(GetObjectExample());
    const std::string other = sigv4::Authorization(kAccessKey, Secret("not-the-secret"), kDate,
                                                   DocScope(), GetObjectExample());
    CHECK(good != other);
    CHECK(other.find("not-the-secret") == std::string::npos);
  }

  TEST_CASE("URI encoding keeps only unreserved characters, and slashes in paths") {
    CHECK(sigv4::UriEncode("AZaz09-._~", false) == "AZaz09-._~");
    CHECK(sigv4::UriEncode("a b+c=d&e/f", false) == "a%20b%2Bc%3Dd%26e%2Ff");
    CHECK(sigv4::UriEncode("data/3f/3f9a", true) == "data/3f/3f9a");
    CHECK(sigv4::UriEncode("data/3f/3f9a", false) == "data%2F3f%2F3f9a");
    CHECK(sigv4::UriEncode("\xc3\xa9*", true) == "%C3%A9%2A");
  }

  TEST_CASE("a continuation token with base64 characters is encoded in the query") {
    CHECK(sigv4::CanonicalQueryString(
              {{"list-type", "2"},
               {"continuation-token", "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM="},
               {"prefix", "vault/data/"}}) ==
          "continuation-token=1ueGcxLPRx1Tr%2FXYExHnhbYLgveDs2J%2Fwm36Hy4vbOwM%3D&list-type=2&"
          "prefix=vault%2Fdata%2F");
  }

  TEST_CASE("header names are lower-cased, values trimmed and inner spaces collapsed") {
    sigv4::Request r;
    r.method = "GET";
    r.canonical_uri = "/";
    r.headers = {{"X-Amz-Meta-B", "  two   words  "}, {"Host", "h"}, {"x-amz-meta-a", "1"}};
    r.payload_hash = sigv4::kUnsignedPayload;
    std::string names;
    CHECK(sigv4::CanonicalRequest(r, &names) ==
          "GET\n/\n\nhost:h\nx-amz-meta-a:1\nx-amz-meta-b:two words\n\n"
          "host;x-amz-meta-a;x-amz-meta-b\nUNSIGNED-PAYLOAD");
    CHECK(names == "host;x-amz-meta-a;x-amz-meta-b");
  }

  TEST_CASE("x-amz-date is ISO 8601 basic format in UTC") {
    CHECK(sigv4::AmzDate(1369353600) == "20130524T000000Z");
    CHECK(sigv4::AmzDate(0) == "19700101T000000Z");
  }
}
