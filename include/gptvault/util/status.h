// Status and Result<T>: errors as values across module boundaries, in the
// spirit of leveldb. A Status is OK or carries a code and a one-line message
// written for the user ("CRC mismatch in member conversations.json"), never a
// secret.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace gptvault {

class [[nodiscard]] Status {
 public:
  enum class Code {
    kOk = 0,
    kNotFound,         // the thing asked for does not exist
    kCorruption,       // stored or supplied data is damaged or inconsistent
    kAuthFailed,       // wrong passphrase, or a ciphertext failed to authenticate
    kIOError,          // the operating system or a backend refused
    kInvalidArgument,  // bad input from the user (a broken archive, a bad id)
    kAlreadyExists,    // refusing to overwrite
    kNotSupported,     // a newer format, an unknown algorithm
    // Codes a caller acts on (the command line maps each to its own exit
    // code, docs in README "Exit codes"):
    kNoVault,          // there is no vault at the location given
    kLocked,           // another writer holds the vault's lock
    kWrongPassphrase,  // no key file opens with the passphrase given
    kRefused,          // an input archive failed verification and was not added
    kCancelled,        // the user interrupted; nothing of the step was committed
  };

  Status() = default;
  static Status Ok() { return Status(); }
  static Status NotFound(std::string msg) { return Status(Code::kNotFound, std::move(msg)); }
  static Status Corruption(std::string msg) { return Status(Code::kCorruption, std::move(msg)); }
  static Status AuthFailed(std::string msg) { return Status(Code::kAuthFailed, std::move(msg)); }
  static Status IOError(std::string msg) { return Status(Code::kIOError, std::move(msg)); }
  static Status InvalidArgument(std::string msg) {
    return Status(Code::kInvalidArgument, std::move(msg));
  }
  static Status AlreadyExists(std::string msg) {
    return Status(Code::kAlreadyExists, std::move(msg));
  }
  static Status NotSupported(std::string msg) {
    return Status(Code::kNotSupported, std::move(msg));
  }
  static Status NoVault(std::string msg) { return Status(Code::kNoVault, std::move(msg)); }
  static Status Locked(std::string msg) { return Status(Code::kLocked, std::move(msg)); }
  static Status WrongPassphrase(std::string msg) {
    return Status(Code::kWrongPassphrase, std::move(msg));
  }
  static Status Refused(std::string msg) { return Status(Code::kRefused, std::move(msg)); }
  static Status Cancelled(std::string msg) { return Status(Code::kCancelled, std::move(msg)); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  bool IsNotFound() const { return code_ == Code::kNotFound; }

  // Returns a copy whose message is prefixed with `context: `.
  Status WithContext(const std::string& context) const {
    if (ok()) return *this;
    return Status(code_, context + ": " + message_);
  }

 private:
  Status(Code code, std::string msg) : code_(code), message_(std::move(msg)) {}
  Code code_ = Code::kOk;
  std::string message_;
};

// A value or the Status that explains why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(v_).ok() && "a Result needs a value or an error");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  // REQUIRES: ok()
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace gptvault

// Early-return helpers. GV_RETURN_IF_ERROR(expr) for a Status;
// GV_ASSIGN_OR_RETURN(lhs, expr) for a Result<T>.
#define GV_RETURN_IF_ERROR(expr)             \
  do {                                       \
    ::gptvault::Status gv_status_ = (expr);  \
    if (!gv_status_.ok()) return gv_status_; \
  } while (0)

#define GV_CONCAT_INNER_(a, b) a##b
#define GV_CONCAT_(a, b) GV_CONCAT_INNER_(a, b)
#define GV_ASSIGN_OR_RETURN(lhs, expr) \
  GV_ASSIGN_OR_RETURN_IMPL_(GV_CONCAT_(gv_result_, __LINE__), lhs, expr)
#define GV_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                              \
  if (!tmp.ok()) return tmp.status();             \
  lhs = std::move(tmp).value()
