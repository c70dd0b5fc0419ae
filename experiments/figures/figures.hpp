#pragma once
// Figure reproductions.  Each writes its data as CSV into the run's output folder and renders a
// PNG from it with gnuplot (scripts/plots/<figure>.gp): the CSV is the result, the PNG a view.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "theorems/registry.hpp"

namespace mixup::figures {

// Attaches every built figure to the registry (call once, before using the registry).
void register_figures();

// Renders scripts/plots/<script>.gp with gnuplot, passing each (name, path) pair as a gnuplot
// string variable; `png` is the output.  Throws InputError (naming the fix) when gnuplot is
// missing or fails.
void render_png(const std::string& script,
                const std::vector<std::pair<std::string, std::string>>& inputs,
                const std::string& png);

// Writes rows of numbers under a header, 17 significant digits, atomically.
void write_csv(const std::string& path, const std::vector<std::string>& header,
               const std::vector<std::vector<double>>& rows);

// x with `digits` digits after the point ("0.889"), and x as an ostream prints it ("0.075"):
// for summaries and notes.
std::string fixed_text(double x, int digits = 3);
std::string number_text(double x);

// Figure 2 (experiments/figures/fig2.cpp).
ConfigSchema fig2_schema();
ClaimReport run_fig2(const RunContext& context);

}  // namespace mixup::figures
