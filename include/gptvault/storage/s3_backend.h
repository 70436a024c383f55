// The S3 backend: a vault under a prefix of an S3 bucket (AWS, or any
// server speaking the S3 API: MinIO, Ceph, R2, ...), over libcurl with AWS
// Signature Version 4.
//
// Configuration comes from the standard AWS environment variables:
//   AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY  required
//   AWS_SESSION_TOKEN                         temporary credentials
//   AWS_REGION or AWS_DEFAULT_REGION          default us-east-1
//   AWS_ENDPOINT_URL_S3 or AWS_ENDPOINT_URL   another server, e.g. http://127.0.0.1:9000;
//                                             addressed path-style (endpoint/bucket/key)
// Without an endpoint, requests go to https://<bucket>.s3.<region>.amazonaws.com
// (virtual-hosted style; path-style when the bucket name has dots, which
// wildcard certificates do not cover).
//   GPTVAULT_S3_MAX_ATTEMPTS                  attempts per request, 1-10 (default 6)
//   GPTVAULT_S3_LIST_PAGE_SIZE                keys per listing page, 1-1000 (tests use 1)
//
// The secret access key lives in SecretBytes and never leaves it: requests
// carry only signatures, from a signing key also kept in SecretBytes. The
// session token is sent as a header, so each request copies it into ordinary
// memory (libcurl's header list is wiped after use); it is short-lived.
// Neither ever appears in an error message.
//
// The backend holds one connection and is not thread-safe: one thread at a
// time, as the Backend contract allows.
#pragma once

#include <memory>
#include <string>

#include "gptvault/crypto/secret.h"
#include "gptvault/storage/backend.h"
#include "gptvault/util/status.h"

namespace gptvault::storage {

struct S3Config {
  std::string bucket;
  std::string prefix;  // "" or "a/b", no leading or trailing slash
  std::string region = "us-east-1";
  // "" for AWS itself; else scheme://host[:port][/path], no trailing slash.
  std::string endpoint;
  std::string access_key_id;
  crypto::SecretBytes secret_access_key;
  crypto::SecretBytes session_token;  // empty unless temporary credentials

  // Retries of throttled, failed (5xx) and broken requests: up to
  // `max_attempts` in all, waiting about initial_backoff_ms, then twice as
  // long each time (with random jitter), at most max_backoff_ms.
  int max_attempts = 6;
  int initial_backoff_ms = 200;
  int max_backoff_ms = 10000;
  // Keys per ListObjectsV2 page; S3 never returns more than 1000.
  int list_page_size = 1000;
};

// Splits "s3://bucket/some/prefix" into `config->bucket` and
// `config->prefix`. kInvalidArgument, naming the problem, when it is not one.
Status ParseS3Url(const std::string& url, S3Config* config);

// The configuration for `url` from the environment variables above.
// kInvalidArgument with one line saying what is missing; never echoes a
// secret.
Result<S3Config> S3ConfigFromEnvironment(const std::string& url);

Result<std::unique_ptr<Backend>> NewS3Backend(S3Config config);

// NewS3Backend(S3ConfigFromEnvironment(url)).
Result<std::unique_ptr<Backend>> NewS3Backend(const std::string& url);

}  // namespace gptvault::storage
