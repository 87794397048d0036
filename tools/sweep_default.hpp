// The built-in default sweep config (TOML text).
#pragma once

namespace floatscope::cli {
const char* default_sweep_toml();
}
