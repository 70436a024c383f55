#include "sigv4.h"

#include <algorithm>
#include <array>
#include <cstring>

#include "gptvault/crypto/crypto.h"

namespace gptvault::storage::sigv4 {

namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

bool IsUnreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// Trims the value and collapses each inner run of spaces and tabs to one
// space, as the canonical headers require.
std::string CanonicalHeaderValue(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  bool pending_space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t') {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(c);
  }
  return out;
}

std::string Hex(const std::array<uint8_t, 32>& digest) { return ToHex(digest); }

}  // namespace

std::string UriEncode(std::string_view s, bool keep_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size() + s.size() / 2);
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (IsUnreserved(c) || (keep_slash && c == '/')) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0x0f]);
    }
  }
  return out;
}

std::string HexSha256(ByteView data) { return Hex(crypto::Sha256(data)); }

std::string AmzDate(std::time_t t) {
  std::tm utc{};
  gmtime_r(&t, &utc);
  char buf[32];
  const size_t n = std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &utc);
  return std::string(buf, n);
}

std::string CanonicalQueryString(const std::vector<std::pair<std::string, std::string>>& query) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(query.size());
  for (const auto& [name, value] : query) {
    encoded.emplace_back(UriEncode(name, false), UriEncode(value, false));
  }
  // Sorted by the encoded names (byte order), as S3 compares them.
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [name, value] : encoded) {
    if (!out.empty()) out.push_back('&');
    out += name;
    out.push_back('=');
    out += value;
  }
  return out;
}

std::string CanonicalRequest(const Request& request, std::string* signed_headers) {
  // Lower-case names, sorted; repeated names have their values joined by ','.
  std::vector<std::pair<std::string, std::string>> headers;
  headers.reserve(request.headers.size());
  for (const auto& [name, value] : request.headers) {
    headers.emplace_back(Lower(CanonicalHeaderValue(name)), CanonicalHeaderValue(value));
  }
  std::stable_sort(headers.begin(), headers.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string canonical_headers;
  std::string names;
  for (size_t i = 0; i < headers.size(); ++i) {
    if (i > 0 && headers[i].first == headers[i - 1].first) {
      canonical_headers.pop_back();  // the '\n' of the previous value
      canonical_headers += "," + headers[i].second + "\n";
      continue;
    }
    canonical_headers += headers[i].first + ":" + headers[i].second + "\n";
    if (!names.empty()) names.push_back(';');
    names += headers[i].first;
  }
  if (signed_headers != nullptr) *signed_headers = names;

  std::string out;
  out.reserve(256 + canonical_headers.size());
  out += request.method + "\n";
  out += (request.canonical_uri.empty() ? "/" : request.canonical_uri) + "\n";
  out += CanonicalQueryString(request.query) + "\n";
  out += canonical_headers + "\n";
  out += names + "\n";
  out += request.payload_hash;
  return out;
}

std::string CredentialScope(const Scope& scope) {
  return scope.date + "/" + scope.region + "/" + scope.service + "/aws4_request";
}

std::string StringToSign(std::string_view amz_date, const Scope& scope,
                         std::string_view canonical_request) {
  std::string out(kAlgorithm);
  out += "\n";
  out += amz_date;
  out += "\n" + CredentialScope(scope) + "\n";
  out += HexSha256(AsBytes(canonical_request));
  return out;
}

crypto::SecretBytes SigningKey(const crypto::SecretBytes& secret_access_key, const Scope& scope) {
  crypto::SecretBytes seed(4 + secret_access_key.size());
  std::memcpy(seed.data(), "AWS4", 4);
  if (!secret_access_key.empty()) {
    std::memcpy(seed.data() + 4, secret_access_key.data(), secret_access_key.size());
  }
  // Each step's output is the next step's key; the intermediate keys live in
  // one locked buffer, overwritten step by step.
  crypto::SecretBytes key(32);
  auto step = [&](ByteView k, std::string_view data) {
    std::array<uint8_t, 32> mac = crypto::HmacSha256(k, AsBytes(data));
    std::memcpy(key.data(), mac.data(), mac.size());
    crypto::Wipe(mac.data(), mac.size());
  };
  step(seed.view(), scope.date);
  step(key.view(), scope.region);
  step(key.view(), scope.service);
  step(key.view(), "aws4_request");
  return key;
}

std::string Signature(const crypto::SecretBytes& signing_key, std::string_view string_to_sign) {
  return Hex(crypto::HmacSha256(signing_key.view(), AsBytes(string_to_sign)));
}

std::string Authorization(std::string_view access_key_id,
                          const crypto::SecretBytes& secret_access_key, std::string_view amz_date,
                          const Scope& scope, const Request& request) {
  std::string signed_headers;
  const std::string canonical = CanonicalRequest(request, &signed_headers);
  const crypto::SecretBytes key = SigningKey(secret_access_key, scope);
  std::string out(kAlgorithm);
  out += " Credential=";
  out += access_key_id;
  out += "/" + CredentialScope(scope);
  out += ",SignedHeaders=" + signed_headers;
  out += ",Signature=" + Signature(key, StringToSign(amz_date, scope, canonical));
  return out;
}

}  // namespace gptvault::storage::sigv4
