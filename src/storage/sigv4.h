// AWS Signature Version 4 for S3 requests signed in the Authorization
// header: pure functions from a request description and credentials to the
// header values, with no I/O, so they can be checked against the worked
// examples of the S3 documentation.
//
// The algorithm, in short:
//   canonical request = method \n canonical URI \n canonical query \n
//                       canonical headers \n signed header names \n payload hash
//   string to sign    = "AWS4-HMAC-SHA256" \n amz-date \n scope \n hex(SHA256(canonical request))
//   signing key       = HMAC("AWS4" + secret, date) -> region -> service -> "aws4_request"
//   signature         = hex(HMAC(signing key, string to sign))
// where scope = date/region/service/aws4_request.
#pragma once

#include <ctime>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gptvault/crypto/secret.h"
#include "gptvault/util/bytes.h"

namespace gptvault::storage::sigv4 {

// x-amz-content-sha256 of a request without a body (SHA-256 of "").
inline constexpr std::string_view kEmptyPayloadHash =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
// x-amz-content-sha256 when the body is left out of the signature.
inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";

// SigV4's UriEncode: every byte except A-Z a-z 0-9 - . _ ~ becomes %XY with
// upper-case hex; '/' is kept as is when `keep_slash` (object key paths) and
// encoded otherwise (query names and values). S3 encodes paths once, never
// twice.
std::string UriEncode(std::string_view s, bool keep_slash);

// Lower-case hex SHA-256, the form payload hashes travel in.
std::string HexSha256(ByteView data);

// "20130524T000000Z" (ISO 8601 basic, UTC) for x-amz-date.
std::string AmzDate(std::time_t t);

struct Request {
  std::string method;         // "GET", "PUT", ...
  std::string canonical_uri;  // the path as sent, already UriEncoded ("/test%24file.text")
  // Query parameters as plain (not yet encoded) names and values; a
  // parameter without a value ("?lifecycle") has an empty value.
  std::vector<std::pair<std::string, std::string>> query;
  // Every header to sign (host and x-amz-* at least), names in any case.
  // Values are trimmed and inner runs of spaces collapsed when signed.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string payload_hash;  // HexSha256(body), kEmptyPayloadHash or kUnsignedPayload
};

struct Scope {
  std::string date;  // YYYYMMDD, the first 8 characters of the x-amz-date
  std::string region;
  std::string service = "s3";
};

// The query string exactly as it must be sent and signed: each name and value
// UriEncoded, pairs sorted by name then value, "name=value" joined by '&'.
std::string CanonicalQueryString(const std::vector<std::pair<std::string, std::string>>& query);

// The canonical request; `signed_headers` receives the ';'-joined sorted
// lower-case header names (the SignedHeaders field).
std::string CanonicalRequest(const Request& request, std::string* signed_headers);

std::string CredentialScope(const Scope& scope);

std::string StringToSign(std::string_view amz_date, const Scope& scope,
                         std::string_view canonical_request);

// The derived key; as secret as the secret access key for its day and region.
crypto::SecretBytes SigningKey(const crypto::SecretBytes& secret_access_key, const Scope& scope);

// Lower-case hex HMAC-SHA256 of the string to sign.
std::string Signature(const crypto::SecretBytes& signing_key, std::string_view string_to_sign);

// The whole Authorization header value for `request` sent at `amz_date`
// (which must also be among the signed headers as x-amz-date).
std::string Authorization(std::string_view access_key_id,
                          const crypto::SecretBytes& secret_access_key, std::string_view amz_date,
                          const Scope& scope, const Request& request);

}  // namespace gptvault::storage::sigv4
