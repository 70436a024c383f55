// The S3 backend's pure parts: s3:// locations, configuration from the
// environment, and the XML of listings and errors. The requests themselves
// are tested end to end against a local S3 server (tests/e2e/test_s3_backend.py).
#include <doctest/doctest.h>
#include <stdlib.h>

#include <string>

#include "../../src/storage/s3_xml.h"
#include "gptvault/storage/s3_backend.h"

using namespace gptvault;
using namespace gptvault::storage;

namespace {

// Sets environment variables for one test and restores them afterwards.
class ScopedEnv {
 public:
  ScopedEnv(std::initializer_list<std::pair<const char*, const char*>> vars) {
    for (const auto& [name, value] : vars) {
      const char* old = ::getenv(name);
      saved_.push_back({name, old != nullptr, old != nullptr ? old : ""});
      if (value != nullptr) {
        ::setenv(name, value, 1);
      } else {
        ::unsetenv(name);
      }
    }
  }
  ~ScopedEnv() {
    for (const Saved& s : saved_) {
      if (s.was_set) {
        ::setenv(s.name, s.value.c_str(), 1);
      } else {
        ::unsetenv(s.name);
      }
    }
  }

 private:
  struct Saved {
    const char* name;
    bool was_set;
    std::string value;
  };
  std::vector<Saved> saved_;
};

ScopedEnv CleanAwsEnv(const char* key_id, const char* secret) {
  return ScopedEnv({{"AWS_ACCESS_KEY_ID", key_id},
                    {"AWS_SECRET_ACCESS_KEY", secret},
                    {"AWS_SESSION_TOKEN", nullptr},
                    {"AWS_REGION", nullptr},
                    {"AWS_DEFAULT_REGION", nullptr},
                    {"AWS_ENDPOINT_URL", nullptr},
                    {"AWS_ENDPOINT_URL_S3", nullptr},
                    {"GPTVAULT_S3_MAX_ATTEMPTS", nullptr},
                    {"GPTVAULT_S3_LIST_PAGE_SIZE", nullptr}});
}

}  // namespace

TEST_SUITE("storage.s3") {
  TEST_CASE("an s3 location splits into bucket and a normalised prefix") {
    S3Config c;
    REQUIRE(ParseS3Url("s3://my-bucket/some/prefix/", &c).ok());
    CHECK(c.bucket == "my-bucket");
    CHECK(c.prefix == "some/prefix");
    REQUIRE(ParseS3Url("s3://b//a//b", &c).ok());
    CHECK(c.prefix == "a/b");
    REQUIRE(ParseS3Url("s3://bucket", &c).ok());
    CHECK(c.bucket == "bucket");
    CHECK(c.prefix.empty());
  }

  TEST_CASE("an s3 location without a bucket or with dot components is refused") {
    S3Config c;
    CHECK(ParseS3Url("s3://", &c).code() == Status::Code::kInvalidArgument);
    CHECK(ParseS3Url("s3:///prefix", &c).code() == Status::Code::kInvalidArgument);
    CHECK(ParseS3Url("s3://b/a/../c", &c).code() == Status::Code::kInvalidArgument);
    CHECK(ParseS3Url("s3://b?x/a", &c).code() == Status::Code::kInvalidArgument);
    CHECK(ParseS3Url("http://b/a", &c).code() == Status::Code::kInvalidArgument);
  }

  TEST_CASE("missing credentials are named in one line that never shows the secret") {
    {
      auto env = CleanAwsEnv(nullptr, nullptr);
      auto r = NewS3Backend(std::string("s3://b/p"));
      REQUIRE(!r.ok());
      CHECK(r.status().code() == Status::Code::kInvalidArgument);
      CHECK(r.status().message().find("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY") !=
            std::string::npos);
      CHECK(r.status().message().find('\n') == std::string::npos);
    }
    {
      auto env = CleanAwsEnv("AKID", nullptr);
      auto r = NewS3Backend(std::string("s3://b/p"));
      REQUIRE(!r.ok());
      CHECK(r.status().message().find("set AWS_SECRET_ACCESS_KEY") != std::string::npos);
    }
    {
      auto env = CleanAwsEnv(nullptr, "very-secret-value");
      auto r = NewS3Backend(std::string("s3://b/p"));
      REQUIRE(!r.ok());
      CHECK(r.status().message().find("set AWS_ACCESS_KEY_ID") != std::string::npos);
      CHECK(r.status().message().find("very-secret-value") == std::string::npos);
    }
  }

  TEST_CASE("the environment gives region, endpoint and retry settings") {
    auto env = CleanAwsEnv("AKID", "secret");
    ScopedEnv more({{"AWS_DEFAULT_REGION", "eu-west-1"},
                    {"AWS_ENDPOINT_URL", "http://127.0.0.1:9000"},
                    {"GPTVAULT_S3_MAX_ATTEMPTS", "2"}});
    auto c = S3ConfigFromEnvironment("s3://b/p");
    REQUIRE(c.ok());
    CHECK(c->region == "eu-west-1");
    CHECK(c->endpoint == "http://127.0.0.1:9000");
    CHECK(c->max_attempts == 2);
    CHECK(c->access_key_id == "AKID");
    CHECK(c->secret_access_key.chars() == "secret");
    {
      ScopedEnv region({{"AWS_REGION", "ap-south-1"}});
      CHECK(S3ConfigFromEnvironment("s3://b/p")->region == "ap-south-1");
    }
    {
      ScopedEnv bad({{"GPTVAULT_S3_MAX_ATTEMPTS", "lots"}});
      CHECK(S3ConfigFromEnvironment("s3://b/p").status().code() == Status::Code::kInvalidArgument);
    }
  }

  TEST_CASE("the region defaults to us-east-1 and a backend describes itself by its url") {
    auto env = CleanAwsEnv("AKID", "secret");
    auto c = S3ConfigFromEnvironment("s3://bucket/a/b/");
    REQUIRE(c.ok());
    CHECK(c->region == "us-east-1");
    auto b = NewS3Backend(std::move(c).value());
    REQUIRE(b.ok());
    CHECK((*b)->Describe() == "s3://bucket/a/b");
  }

  TEST_CASE("an endpoint that is not http or https is refused") {
    auto env = CleanAwsEnv("AKID", "secret");
    ScopedEnv endpoint({{"AWS_ENDPOINT_URL", "ftp://example.org"}});
    auto b = NewS3Backend(std::string("s3://b/p"));
    CHECK(b.status().code() == Status::Code::kInvalidArgument);
  }

  TEST_CASE("OpenBackend gives the S3 backend for s3 locations") {
    auto env = CleanAwsEnv("AKID", "secret");
    auto b = OpenBackend("s3://bucket/vault");
    REQUIRE(b.ok());
    CHECK((*b)->Describe() == "s3://bucket/vault");
  }

  TEST_CASE("a listing page gives keys, sizes and the continuation token") {
    const char* xml = R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>bucket</Name><Prefix>v/</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys>
  <IsTruncated>true</IsTruncated>
  <Contents><Key>v/data/a&amp;b</Key><LastModified>2024-01-01T00:00:00.000Z</LastModified>
    <ETag>&quot;abc&quot;</ETag><Size>123</Size><StorageClass>STANDARD</StorageClass></Contents>
  <Contents>
    <Key><![CDATA[v/keys/<x>]]></Key>
    <Size>18446744073709551615</Size>
  </Contents>
  <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
</ListBucketResult>)";
    auto page = s3xml::ParseListObjectsV2(xml);
    REQUIRE(page.ok());
    REQUIRE(page->objects.size() == 2);
    CHECK(page->objects[0].key == "v/data/a&b");
    CHECK(page->objects[0].size == 123);
    CHECK(page->objects[1].key == "v/keys/<x>");
    CHECK(page->objects[1].size == UINT64_MAX);
    CHECK(page->truncated);
    CHECK(page->next_continuation_token == "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
  }

  TEST_CASE("an empty last listing page is not truncated") {
    auto page = s3xml::ParseListObjectsV2(
        "<ListBucketResult><KeyCount>0</KeyCount><IsTruncated>false</IsTruncated>"
        "</ListBucketResult>");
    REQUIRE(page.ok());
    CHECK(page->objects.empty());
    CHECK(!page->truncated);
  }

  TEST_CASE("a damaged listing is corruption, not a crash") {
    for (const char* xml :
         {"", "<html>nope</html>", "<ListBucketResult><Contents><Size>1</Size></Contents>",
          "<ListBucketResult><Contents><Key>k</Key><Size>-1</Size></Contents></ListBucketResult>",
          "<ListBucketResult><Contents><Key>k</Key><Size>99999999999999999999</Size></Contents>"
          "</ListBucketResult>",
          "<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>",
          "<ListBucketResult><IsTruncated>maybe</IsTruncated></ListBucketResult>"}) {
      auto page = s3xml::ParseListObjectsV2(xml);
      CHECK_MESSAGE(page.status().code() == Status::Code::kCorruption, xml);
    }
  }

  TEST_CASE("an error body gives its code and message, entities decoded") {
    auto e = s3xml::ParseError(
        "<?xml version=\"1.0\"?>\n<Error><Code>SignatureDoesNotMatch</Code>"
        "<Message>The request signature we calculated does not match &#x27;x&#39; &lt;y&gt;"
        "</Message><RequestId>1</RequestId></Error>");
    CHECK(e.code == "SignatureDoesNotMatch");
    CHECK(e.message == "The request signature we calculated does not match 'x' <y>");
    CHECK(s3xml::ParseError("not xml").code.empty());
    CHECK(s3xml::ParseError("").code.empty());
  }

  TEST_CASE("text decoding keeps unknown or broken references as they are") {
    CHECK(s3xml::DecodeText("a &unknown; b &amp c &#xZZ; &#0; &#233;") ==
          "a &unknown; b &amp c &#xZZ; &#0; \xc3\xa9");
    CHECK(s3xml::DecodeText("<![CDATA[&amp;]]>&amp;") == "&amp;&");
  }
}
