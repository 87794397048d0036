// Subcommand registry of the floatscope program. Each cmd_*.cpp file registers itself with a
// static Registrar, so adding a subcommand means adding one file.
#pragma once

#include <CLI/CLI.hpp>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace floatscope::cli {

// Exit codes (a contract: scripts rely on them).
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // the work itself failed (I/O, numerical event, ...)
inline constexpr int kExitUsage = 2;    // bad command line, unknown name, bad config or input
inline constexpr int kExitNoDevice = 3; // a GPU backend or probe-gpu found no CUDA device

// Thrown for bad input a user can fix; main prints "floatscope: <what>" and exits with kExitUsage.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Writes a whole file, or throws std::runtime_error naming it and why (a directory in the way, a
// full disk): a command never says "wrote X" when X was not written.
inline void write_text_file(const std::filesystem::path& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error("cannot write " + path.string() + ": " + std::strerror(errno));
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  out.close();
  if (!out) throw std::runtime_error("cannot write " + path.string() + ": " + std::strerror(errno));
}

// Integer options parsed strictly: decimal digits only (leading zeros are decimal, "020" is 20,
// never octal), no wrap-around ("-1" or 2^64 for an unsigned value is an error, not 2^64-1), and
// within [lo, hi]. A bad value is a usage error (exit 2) naming the flag.
template <class T>
CLI::Option* add_strict_int(CLI::App& app, const std::string& name, T& target, const std::string& doc,
                            long long lo, unsigned long long hi) {
  const std::string flag = name.substr(0, name.find(','));
  return app
      .add_option_function<std::string>(
          name,
          [&target, flag, lo, hi](const std::string& text) {
            std::string_view t = text;
            const bool neg = !t.empty() && t.front() == '-';
            std::string_view digits = neg ? t.substr(1) : t;
            const bool ok_digits = !digits.empty() && digits.size() <= 40 &&
                                   digits.find_first_not_of("0123456789") == std::string_view::npos;
            unsigned long long mag = 0;
            bool overflow = false;
            if (ok_digits)
              for (char c : digits) {
                const unsigned d = static_cast<unsigned>(c - '0');
                if (mag > (~0ULL - d) / 10) overflow = true;
                else mag = mag * 10 + d;
              }
            const std::string range = "an integer from " + std::to_string(lo) + " to " + std::to_string(hi);
            if (!ok_digits) throw CLI::ValidationError(flag, "'" + text + "' is not " + range);
            const bool in_range =
                !overflow && (neg ? (lo < 0 && mag <= static_cast<unsigned long long>(-(lo + 1)) + 1)
                                  : (mag <= hi && (lo <= 0 || mag >= static_cast<unsigned long long>(lo))));
            if (!in_range) throw CLI::ValidationError(flag, "'" + text + "' is out of range: expected " + range);
            if (neg) target = static_cast<T>(-static_cast<long long>(mag - 1) - 1);
            else target = static_cast<T>(mag);
          },
          doc)
      ->type_name("INT");
}

struct Command {
  std::string name;
  int order;  // position in --help
  // Adds the subcommand to the app; the returned function runs it (after parsing) and gives the
  // exit code.
  std::function<std::function<int()>(CLI::App&)> setup;
};

std::vector<Command>& registry();

struct Registrar {
  Registrar(std::string name, int order, std::function<std::function<int()>(CLI::App&)> setup) {
    registry().push_back({std::move(name), order, std::move(setup)});
  }
};

}  // namespace floatscope::cli
