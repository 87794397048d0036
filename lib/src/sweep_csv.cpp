// results.csv: columns, quoting, parsing (tolerating a torn last line) and atomic rewrites.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <unordered_map>

#include "floatscope/sweep.hpp"

namespace floatscope::sweep {

const std::vector<std::string>& csv_columns() {
  static const std::vector<std::string> cols = [] {
    std::vector<std::string> c;
    for (const auto& k : sweep_keys())
      if (k.dimension) c.emplace_back(k.name);
    c.emplace_back("repeat");
    c.emplace_back("point_id");
    for (const auto& v : result_values(ExperimentResult{})) c.emplace_back(v.name);
    for (const char* m : {"accumulator", "output_hash", "seconds"}) c.emplace_back(m);
    return c;
  }();
  return cols;
}

std::size_t csv_column(std::string_view name) {
  const auto& c = csv_columns();
  auto it = std::find(c.begin(), c.end(), name);
  if (it == c.end()) throw std::logic_error("no CSV column " + std::string(name));
  return static_cast<std::size_t>(it - c.begin());
}

std::string csv_quote(std::string_view field) {
  bool needs = field.find_first_of(",\"\r\n") != std::string_view::npos ||
               (!field.empty() && (field.front() == ' ' || field.back() == ' '));
  if (!needs) return std::string(field);
  std::string s = "\"";
  for (char c : field) {
    if (c == '"') s += '"';
    s += c;
  }
  return s + "\"";
}

std::string csv_line(const std::vector<std::string>& fields) {
  std::string s;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    if (i) s += ',';
    s += csv_quote(fields[i]);
  }
  s += '\n';
  return s;
}

std::string format_double(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  auto [p, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, p);
}

namespace {
std::string output_hash(const std::vector<double>& c) {
  if (c.empty()) return "";
  std::string bytes(c.size() * sizeof(double), '\0');
  std::memcpy(bytes.data(), c.data(), bytes.size());
  return hash_hex(bytes);
}
std::string one_line(std::string s) {
  std::replace(s.begin(), s.end(), '\n', ' ');
  std::replace(s.begin(), s.end(), '\r', ' ');
  return s;
}
}  // namespace

std::vector<std::string> result_row(const Point& point, const ExperimentResult& r) {
  std::vector<std::string> row = point.params;
  // A named model fixes its accumulator: its acc_format cell shows the real one ("e8m13/rtz"),
  // not the unused parameter (the point id keeps the parameter, so resume and merge still match).
  if (!r.acc_format.empty() && !point.spec.model.empty() && point.spec.model != "custom")
    row[csv_column("acc_format")] = r.acc_format;
  // Likewise a block scheme fixes the element formats (bitnet-w1.58's ternary {-1, 0, 1}, mxfp4's
  // e2m1): the a_format/b_format cells show them, not "fp32" (the parameter's "not given").
  if (r.block_scaled) {
    row[csv_column("a_format")] = r.block_a_format;
    row[csv_column("b_format")] = r.block_b_format;
  }
  row.push_back(point.id);
  // Empty, not 0, where the backend could not count the events a value is made of.
  for (const auto& v : result_values(r)) row.push_back(v.counted ? format_double(v.value) : "");
  row.push_back(one_line(r.accumulator));
  row.push_back(output_hash(r.C));
  row.push_back(format_double(r.seconds));
  return row;
}

CsvTable parse_csv(std::string_view text, std::string_view source) {
  CsvTable t;
  std::vector<std::string> record;
  std::string field;
  bool in_quotes = false, quoted = false, record_open = false;
  std::size_t line = 1, record_line = 1;
  auto fail = [&](const std::string& why) {
    throw CorruptFile(std::string(source) + ":" + std::to_string(record_line) + ": " + why);
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (!record_open) {
      record_open = true;
      record_line = line;
    }
    if (in_quotes) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          in_quotes = false;
        }
      } else {
        if (c == '\n') ++line;
        field += c;
      }
      continue;
    }
    if (c == '"') {
      if (!field.empty() || quoted) fail("quote inside an unquoted field");
      in_quotes = quoted = true;
    } else if (c == ',') {
      record.push_back(std::move(field));
      field.clear();
      quoted = false;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r') {
        if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
        else if (i + 1 >= text.size()) break;  // torn between \r and \n
      }
      record.push_back(std::move(field));
      field.clear();
      quoted = false;
      if (t.header.empty()) {
        t.header = std::move(record);
      } else {
        if (record.size() != t.header.size())
          fail("expected " + std::to_string(t.header.size()) + " fields, found " + std::to_string(record.size()));
        t.rows.push_back(std::move(record));
      }
      record.clear();
      record_open = false;
      ++line;
      t.complete_bytes = i + 1;
    } else {
      if (quoted) fail("text after a closing quote");
      field += c;
    }
  }
  t.torn_tail = t.complete_bytes < text.size();
  return t;
}

CsvTable read_csv_file(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw CorruptFile(path.string() + " is a directory, not a CSV file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string() + ": " + std::strerror(errno));
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_csv(ss.str(), path.string());
}

namespace {
void fsync_dir(const std::filesystem::path& dir) {
  int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}
}  // namespace

void write_file_atomic(const std::filesystem::path& path, std::string_view contents) {
  auto tmp = path;
  tmp += ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) throw std::runtime_error("cannot write " + tmp.string() + ": " + std::strerror(errno));
  std::size_t off = 0;
  while (off < contents.size()) {
    auto n = ::write(fd, contents.data() + off, contents.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      ::close(fd);
      throw std::runtime_error("cannot write " + tmp.string() + ": " + std::strerror(e));
    }
    off += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0)
    throw std::runtime_error("cannot flush " + tmp.string() + ": " + std::strerror(errno));
  std::filesystem::rename(tmp, path);
  fsync_dir(path.parent_path());
}

void write_sorted_csv(const std::filesystem::path& csv, const std::vector<Point>& order,
                      std::vector<std::vector<std::string>> rows) {
  std::unordered_map<std::string, std::size_t> pos;
  for (const auto& p : order) pos.emplace(p.id, p.index);
  const std::size_t id_col = csv_column("point_id");
  auto key = [&](const std::vector<std::string>& r) {
    auto it = pos.find(r[id_col]);
    return it == pos.end() ? order.size() : it->second;
  };
  std::stable_sort(rows.begin(), rows.end(), [&](const auto& a, const auto& b) { return key(a) < key(b); });
  std::string text = csv_line(csv_columns());
  for (const auto& r : rows) text += csv_line(r);
  write_file_atomic(csv, text);
}

}  // namespace floatscope::sweep
