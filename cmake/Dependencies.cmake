# Third-party libraries, each wrapped as a dep_* target so that a layer can
# only use what it links (libsodium: crypto; libzip, ISA-L: ingest; nlohmann/json:
# ingest, storage and vault metadata; CLI11: cli; libcurl: storage, for S3).
# All come from Debian.
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)

pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)
add_library(dep_sodium INTERFACE)
target_link_libraries(dep_sodium INTERFACE PkgConfig::SODIUM)

pkg_check_modules(LIBZIP REQUIRED IMPORTED_TARGET libzip)
add_library(dep_zip INTERFACE)
target_link_libraries(dep_zip INTERFACE PkgConfig::LIBZIP)

# ISA-L's igzip inflates deflated members (src/ingest/raw_inflater.cc):
# ~2.3x zlib's speed here, CRC-32 included; inflating was the largest cost of
# `add`. Debian's libisal-dev.
pkg_check_modules(ISAL REQUIRED IMPORTED_TARGET libisal)
add_library(dep_isal INTERFACE)
target_link_libraries(dep_isal INTERFACE PkgConfig::ISAL)

# zlib, libzip's own inflater (for members not deflated). Only the tests use
# it directly, to build archives with chosen CRCs.
pkg_check_modules(ZLIB_PC REQUIRED IMPORTED_TARGET zlib)
add_library(dep_zlib INTERFACE)
target_link_libraries(dep_zlib INTERFACE PkgConfig::ZLIB_PC)

pkg_check_modules(ZSTD REQUIRED IMPORTED_TARGET libzstd)
add_library(dep_zstd INTERFACE)
target_link_libraries(dep_zstd INTERFACE PkgConfig::ZSTD)

# libcurl (OpenSSL flavour) carries the S3 backend's HTTPS requests.
pkg_check_modules(CURL REQUIRED IMPORTED_TARGET libcurl)
add_library(dep_curl INTERFACE)
target_link_libraries(dep_curl INTERFACE PkgConfig::CURL)

find_package(nlohmann_json 3.10 REQUIRED)
add_library(dep_json INTERFACE)
target_link_libraries(dep_json INTERFACE nlohmann_json::nlohmann_json)

find_package(CLI11 REQUIRED)
add_library(dep_cli11 INTERFACE)
target_link_libraries(dep_cli11 INTERFACE CLI11::CLI11)

find_package(doctest REQUIRED)
