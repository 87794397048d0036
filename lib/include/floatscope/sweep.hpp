// Sweeps: a grid of ExperimentSpecs, run in parallel into a durable, resumable results.csv.
//
// One schema (sweep_keys()) lists every key a sweep accepts, with its type, default and doc; the
// TOML reader (sweep_toml.hpp) and the command-line flags both go through it, so the two cannot
// drift. A config holds, per key, the list of values to sweep over; expand() turns it into points,
// one per (parameter combination, repeat), in a deterministic order. Each point is identified by a
// hash of the canonical text of its resolved parameters, so resume, shards and merge never depend
// on the order in which points ran or on how many threads ran them.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <stdexcept>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "floatscope/experiment.hpp"

namespace floatscope::sweep {

enum class ValueType { String, Int, UInt64, Double };
const char* type_name(ValueType t);

struct KeyInfo {
  std::string_view name;           // snake_case: the TOML key and the CSV column; flag --kebab-case
  ValueType type;
  std::string_view default_value;  // canonical text
  std::string_view doc;
  bool dimension;  // true: a parameter of each point (a CSV column); false: a sweep-wide setting
};

// Every key, in the order of the CSV columns and of grid expansion (first key outermost).
const std::vector<KeyInfo>& sweep_keys();
// Looks a key up by its snake_case or kebab-case name; nullptr when unknown.
const KeyInfo* find_key(std::string_view name);
std::string flag_name(std::string_view key);  // "a_format" -> "a-format"
std::string known_keys_text();                // "model, a_format, ..." for error messages

// Checks `text` as a value of `key` and returns its canonical text (integers in decimal, doubles
// in shortest round-trip form). Throws std::invalid_argument naming the key.
std::string canonical_value(const KeyInfo& key, std::string_view text);
// Splits a comma-separated flag value into its items (empty items are an error).
std::vector<std::string> split_list(std::string_view text, std::string_view key);

// The values of each key. Keys absent from a layer fall back to the layer below: grid -> base ->
// schema default. Each entry of `grids` is a sub-grid (TOML [[grid]] tables); the points are the
// union of their Cartesian products (one grid, the base, when there are none).
using KeyValues = std::map<std::string, std::vector<std::string>, std::less<>>;
struct SweepConfig {
  KeyValues base;
  std::vector<KeyValues> grids;

  // Validates and stores values (canonicalised) for a key in the base layer; `where` (file:line)
  // goes into error messages.
  void set(std::string_view key, const std::vector<std::string>& values, std::string_view where = {});
  // Sets a key everywhere: the base, and removes it from every sub-grid (command-line overrides).
  void override_everywhere(std::string_view key, const std::vector<std::string>& values);
  int repeats() const;
  std::string title() const;
  // Canonical text of the whole config; its hash is the sweep's fingerprint.
  std::string canonical_text() const;
};
// Validates one value list for a key into a layer (used by set and by the TOML reader).
void set_values(KeyValues& layer, std::string_view key, const std::vector<std::string>& values,
                std::string_view where = {});

struct Point {
  std::size_t index = 0;  // position in the full grid (shards take index mod n)
  std::string id;         // 16 hex digits: hash of `canonical`
  std::string canonical;  // "key=value" lines of every resolved parameter, repeat last
  std::vector<std::string> params;  // values of the dimension keys, then repeat (CSV order)
  ExperimentSpec spec;
};

// The point's parameters on one line ("key=value key=value ..."), for messages.
std::string describe(const Point& p);

// The full grid, in deterministic order; duplicate points (same id from two sub-grids) are kept once.
std::vector<Point> expand(const SweepConfig& config);
// The same points one at a time, without holding them all (for counting, checking, selecting a
// shard of a large grid); `index` as in expand().
void for_each_point(const SweepConfig& config, const std::function<void(Point&&)>& visit);
std::string fingerprint(const SweepConfig& config);
std::string hash_hex(std::string_view text);  // 64-bit FNV-1a, 16 hex digits

struct Shard {
  int index = 1, count = 1;  // 1 <= index <= count
  static Shard parse(std::string_view text);  // "i/n"; throws std::invalid_argument
  bool contains(std::size_t point_index) const {
    return static_cast<int>(point_index % static_cast<std::size_t>(count)) == index - 1;
  }
  std::string text() const { return std::to_string(index) + "/" + std::to_string(count); }
};
std::vector<Point> select_shard(const std::vector<Point>& points, const Shard& shard);

// A file whose contents are not what they must be (a malformed CSV record, rows of another sweep,
// a point twice): bad input, not a failed computation (the CLI exits with 2). The message names
// the file and, where there is one, the line.
struct CorruptFile : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

// ---- results.csv ----
// Parameter columns (dimension keys + repeat), point_id, metric columns, accumulator, output_hash,
// seconds. output_hash identifies the emulated C bit for bit (distinct-result counts).
const std::vector<std::string>& csv_columns();
std::size_t csv_column(std::string_view name);  // index; throws when unknown
std::string csv_quote(std::string_view field);
std::string csv_line(const std::vector<std::string>& fields);  // quoted, joined, '\n'-terminated
std::string format_double(double v);                            // shortest round-trip, nan, inf
std::vector<std::string> result_row(const Point& point, const ExperimentResult& result);

struct CsvTable {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  std::size_t complete_bytes = 0;  // length of the prefix holding the header and whole rows
  bool torn_tail = false;          // a last record without its newline (a crash mid-write)
};
// Parses RFC 4180 CSV; a last record without a terminating newline is dropped (torn_tail).
// Throws CorruptFile on a malformed complete record (naming the line).
CsvTable parse_csv(std::string_view text, std::string_view source);
CsvTable read_csv_file(const std::filesystem::path& path);

// ---- running ----
using Evaluator = std::function<ExperimentResult(const ExperimentSpec&)>;

struct RunOptions {
  int threads = 0;           // 0 = hardware concurrency
  bool progress = false;     // progress bar on stderr
  const std::atomic<bool>* stop = nullptr;  // set (e.g. by SIGINT): no new points start
};

struct RunSummary {
  std::size_t total = 0;    // points this run is responsible for
  std::size_t skipped = 0;  // already in results.csv
  std::size_t done = 0;     // finished by this run
  bool interrupted = false;
  std::string error;        // first failure (the point's parameters and the message); "" if none
  bool complete() const { return !interrupted && error.empty() && skipped + done == total; }
};

// Ids of the rows already in `csv` (which must have exactly csv_columns() as header), after
// cutting off a torn last line. Throws CorruptFile when a row's id is not in `allowed`, occurs
// twice, or the columns differ.
std::set<std::string> finished_ids(const std::filesystem::path& csv, const std::set<std::string>& allowed);

// results.csv opened for appending (created when absent). Each append_durably() is one write()
// then fsync(), so a crash leaves whole rows plus at most one torn tail, which finished_ids() cuts
// off on resume. Throws std::runtime_error naming the file when it cannot open, write or flush.
class DurableAppender {
 public:
  explicit DurableAppender(const std::filesystem::path& path);
  ~DurableAppender();
  DurableAppender(const DurableAppender&) = delete;
  DurableAppender& operator=(const DurableAppender&) = delete;
  void append_durably(const std::string& text);

 private:
  std::filesystem::path path_;
  int fd_ = -1;
};

// Runs the points not yet in `csv` (creating it with a header when absent), appending one row per
// point durably (write + fsync) as it finishes. Points run on a thread pool, each a pure function
// of its spec, so rows do not depend on the thread count. When every point is present at the end,
// the file is rewritten (atomically) in grid order.
RunSummary run_points(const std::vector<Point>& points, const std::filesystem::path& csv,
                      const Evaluator& evaluate, const RunOptions& options);

// Sorts rows by grid position and writes `csv` atomically (tmp + rename).
void write_sorted_csv(const std::filesystem::path& csv, const std::vector<Point>& order,
                      std::vector<std::vector<std::string>> rows);
void write_file_atomic(const std::filesystem::path& path, std::string_view contents);

}  // namespace floatscope::sweep
