#pragma once
// Runs the mixup-verify binary as a user would and captures what it prints.

#include <string>
#include <vector>

namespace mixup::testing {

struct CliResult {
  int status = -1;
  std::string out;
  std::string err;
};

// Runs `mixup-verify args...` with extra environment assignments ("OMP_NUM_THREADS=2").
CliResult run_cli(const std::vector<std::string>& args, const std::vector<std::string>& env = {});

// A fresh empty folder under the system's temporary directory.
std::string make_temp_dir(const std::string& tag);

std::string read_text_file(const std::string& path);
void write_text_file(const std::string& path, const std::string& text);

// Number of lines in s (a final line without '\n' counts).
int count_lines(const std::string& s);

}  // namespace mixup::testing
