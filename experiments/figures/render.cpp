#include <cstdlib>
#include <filesystem>
#include <iomanip>
#include <sstream>

#include "core/errors.hpp"
#include "experiments/figures/fig1_fashion.hpp"
#include "experiments/figures/fig3.hpp"
#include "experiments/figures/fig4.hpp"
#include "experiments/figures/figures.hpp"
#include "experiments/figures/lemma_3_1_fashion.hpp"
#include "experiments/io/json_output.hpp"

namespace mixup::figures {
namespace {

// gnuplot string literal: single quotes, with ' doubled.
std::string gnuplot_string(const std::string& s) {
  std::string out = "'";
  for (const char c : s) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (const char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

}  // namespace

void render_png(const std::string& script,
                const std::vector<std::pair<std::string, std::string>>& inputs,
                const std::string& png) {
  const std::string script_path =
      std::string(MIXUP_SOURCE_DIR) + "/scripts/plots/" + script + ".gp";
  if (!std::filesystem::exists(script_path)) {
    throw InputError(script_path + ": plot script missing");
  }
  if (std::system("command -v gnuplot >/dev/null 2>&1") != 0) {
    throw InputError(
        "gnuplot is not installed: run `bash scripts/setup.sh` (installs gnuplot-nox)");
  }
  std::string assignments;
  for (const auto& [name, path] : inputs) assignments += name + "=" + gnuplot_string(path) + "; ";
  const std::string temporary = png + ".tmp.png";
  assignments += "pngfile=" + gnuplot_string(temporary);
  const std::string command = "gnuplot -e " + shell_quote(assignments) + " " +
                              shell_quote(script_path) + " 2>" + shell_quote(png + ".log");
  if (std::system(command.c_str()) != 0) {
    throw InputError(png + ": gnuplot failed on " + script_path + " (see " + png + ".log)");
  }
  std::filesystem::remove(png + ".log");
  std::filesystem::rename(temporary, png);  // atomic within the folder
}

void write_csv(const std::string& path, const std::vector<std::string>& header,
               const std::vector<std::vector<double>>& rows) {
  std::ostringstream text;
  for (std::size_t k = 0; k < header.size(); ++k) text << (k ? "," : "") << header[k];
  text << "\n" << std::setprecision(17);
  for (const auto& row : rows) {
    for (std::size_t k = 0; k < row.size(); ++k) text << (k ? "," : "") << row[k];
    text << "\n";
  }
  io::write_file_atomically(path, text.str());
}

std::string fixed_text(double x, int digits) {
  std::ostringstream text;
  text << std::fixed << std::setprecision(digits) << x;
  return text.str();
}

std::string number_text(double x) {
  std::ostringstream text;
  text << x;
  return text.str();
}

void register_figures() {
  static const bool once = [] {
    attach_runner("fig2", run_fig2, fig2_schema());
    attach_runner("fig3", run_fig3, fig3_schema());
    attach_runner("fig4", run_fig4, fig4_schema());
    attach_runner("fig1a-fashion", run_fig1a_fashion, fig1a_fashion_schema());
    attach_runner("fig1b-fashion", run_fig1b_fashion, fig1b_fashion_schema());
    attach_runner("lemma-3.1-fashion", run_lemma_3_1_fashion, lemma_3_1_fashion_schema());
    return true;
  }();
  (void)once;
}

}  // namespace mixup::figures
