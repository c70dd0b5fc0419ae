#include "tests/support/cli_runner.hpp"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <sys/wait.h>
#include <unistd.h>

namespace mixup::testing {
namespace {

// Single-quote for /bin/sh.
std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (const char c : s) {
    if (c == '\'') {
      q += "'\\''";
    } else {
      q += c;
    }
  }
  return q + "'";
}

}  // namespace

std::string make_temp_dir(const std::string& tag) {
  std::string pattern =
      (std::filesystem::temp_directory_path() / ("mixup-" + tag + "-XXXXXX")).string();
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  return pattern;
}

std::string read_text_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

void write_text_file(const std::string& path, const std::string& text) {
  std::ofstream file(path, std::ios::binary);
  file << text;
}

int count_lines(const std::string& s) {
  int lines = 0;
  for (const char c : s) lines += c == '\n';
  if (!s.empty() && s.back() != '\n') ++lines;
  return lines;
}

CliResult run_cli(const std::vector<std::string>& args, const std::vector<std::string>& env) {
  const std::string dir = make_temp_dir("cli");
  const std::string out_path = dir + "/stdout";
  const std::string err_path = dir + "/stderr";
  std::string command;
  for (const auto& assignment : env) command += assignment + " ";
  command += shell_quote(MIXUP_CLI_PATH);
  for (const auto& a : args) command += " " + shell_quote(a);
  command += " >" + shell_quote(out_path) + " 2>" + shell_quote(err_path) + " </dev/null";
  const int raw = std::system(command.c_str());
  CliResult result;
  result.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  result.out = read_text_file(out_path);
  result.err = read_text_file(err_path);
  std::filesystem::remove_all(dir);
  return result;
}

}  // namespace mixup::testing
