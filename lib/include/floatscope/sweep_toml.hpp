// Reading a sweep config from TOML (header-only: the library itself does not link toml++; the
// program and the tests do). Top-level keys are the schema's keys (sweep_keys()); a value or an
// array of values (= sweep over them); optional [[grid]] tables each add a sub-grid whose keys
// override the top level. Every error names the file, line and key.
#pragma once

#include <toml++/toml.h>

#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include "floatscope/sweep.hpp"

namespace floatscope::sweep {

namespace toml_detail {

inline std::string where(std::string_view source, const toml::source_region& r) {
  return std::string(source) + ":" + std::to_string(r.begin.line);
}

inline const char* toml_type(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string: return "string";
    case toml::node_type::integer: return "integer";
    case toml::node_type::floating_point: return "float";
    case toml::node_type::boolean: return "boolean";
    case toml::node_type::array: return "array";
    case toml::node_type::table: return "table";
    default: return "date/time";
  }
}

inline std::string scalar_text(const KeyInfo& key, const toml::node& n, std::string_view source) {
  auto wrong = [&]() -> std::string {
    throw std::invalid_argument(where(source, n.source()) + ": key '" + std::string(key.name) +
                                "': expected " + type_name(key.type) + " (or an array of them), got " +
                                toml_type(n));
  };
  switch (key.type) {
    case ValueType::String:
      if (!n.is_string()) return wrong();
      return std::string(n.as_string()->get());
    case ValueType::Int:
    case ValueType::UInt64:
      if (!n.is_integer()) return wrong();
      return std::to_string(n.as_integer()->get());
    case ValueType::Double:
      if (n.is_integer()) return std::to_string(n.as_integer()->get());
      if (!n.is_floating_point()) return wrong();
      return format_double(n.as_floating_point()->get());
  }
  return wrong();
}

inline void read_layer(const toml::table& table, KeyValues& layer, bool top, std::string_view source) {
  for (auto&& [k, v] : table) {
    const std::string name(k.str());
    const std::string at = where(source, k.source());
    // Tables the sweep does not run: [[grid]] (read below), [reduced] (read_reduced_overrides) and
    // [report] (the experiment report's claims and figures, read and checked by the program).
    if (top && (name == "grid" || name == "reduced" || name == "report")) continue;
    const KeyInfo* info = find_key(name);
    if (!info || info->name != name)
      throw std::invalid_argument(at + ": unknown key '" + name + "'" +
                                  (info ? "; did you mean '" + std::string(info->name) + "'?" : "") +
                                  " (known keys: " + known_keys_text() + ")");
    if (!top && !info->dimension)
      throw std::invalid_argument(at + ": key '" + name + "' belongs at the top level, not in [[grid]]");
    std::vector<std::string> values;
    if (const auto* arr = v.as_array()) {
      for (const auto& item : *arr) values.push_back(scalar_text(*info, item, source));
    } else {
      values.push_back(scalar_text(*info, v, source));
    }
    set_values(layer, name, values, at);
  }
}

}  // namespace toml_detail

namespace toml_detail {
inline toml::table parse_or_throw(std::string_view text, std::string_view source) {
  try {
    return toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    throw std::invalid_argument(where(source, e.source()) + ": TOML syntax error: " + std::string(e.description()));
  }
}
}  // namespace toml_detail

// Parses TOML text; `source` (a file name) goes into error messages. Throws std::invalid_argument.
inline SweepConfig parse_sweep_toml(std::string_view text, std::string_view source) {
  const toml::table root = toml_detail::parse_or_throw(text, source);
  SweepConfig config;
  toml_detail::read_layer(root, config.base, true, source);
  if (const toml::node* g = root.get("grid")) {
    const auto* arr = g->as_array();
    if (!arr || !arr->is_array_of_tables())
      throw std::invalid_argument(toml_detail::where(source, g->source()) +
                                  ": 'grid' must be an array of tables ([[grid]])");
    for (const auto& t : *arr) {
      KeyValues layer;
      toml_detail::read_layer(*t.as_table(), layer, false, source);
      config.grids.push_back(std::move(layer));
    }
  }
  return config;
}

inline std::string read_config_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::invalid_argument("cannot read config file '" + path + "'");
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline SweepConfig read_sweep_toml_file(const std::string& path) {
  return parse_sweep_toml(read_config_text(path), path);
}

// The [reduced] table of an experiment config: sweep keys whose values replace the config's
// everywhere (SweepConfig::override_everywhere) for the quick version of the experiment
// (`floatscope sweep CONFIG --reduced`). Empty when the config has none. Validated like the top
// level; keys in order of the schema.
inline KeyValues read_reduced_overrides(std::string_view text, std::string_view source) {
  const toml::table root = toml_detail::parse_or_throw(text, source);
  KeyValues layer;
  if (const toml::node* r = root.get("reduced")) {
    const auto* table = r->as_table();
    if (!table) throw std::invalid_argument(toml_detail::where(source, r->source()) + ": 'reduced' must be a table");
    for (auto&& [k, v] : *table)
      if (v.is_table() || v.is_array_of_tables())
        throw std::invalid_argument(toml_detail::where(source, k.source()) + ": [reduced] holds sweep keys, not '" +
                                    std::string(k.str()) + "'");
    SweepConfig probe;
    toml_detail::read_layer(*table, probe.base, true, source);
    layer = probe.base;
  }
  return layer;
}

}  // namespace floatscope::sweep
