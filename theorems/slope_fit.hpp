#pragma once
// The order of a remainder: the least-squares slope of log |error| against log s, fitted on the
// smallest usable scales of a perturbation-scale experiment (Lemmas 3.1 and 3.3).

#include <cmath>
#include <cstddef>
#include <functional>
#include <vector>

#include <nlohmann/json.hpp>

namespace mixup {

struct SlopeFit {
  double slope = std::nan("");
  std::vector<double> s;  // the scales fitted on, in the order taken (smallest last given first)
  std::vector<double> error;  // their errors
  bool fitted() const { return !std::isnan(slope); }
};

// Fits on the `count` last entries of (s, error) (the smallest scales when s is descending);
// at least 3 points are needed, otherwise the fit is left unfitted (slope NaN).
SlopeFit fit_slope(const std::vector<double>& s, const std::vector<double>& error,
                   std::size_t count);

// A perturbation-scale experiment: the remainder |exact(s) - approx(s)| at s = 2^(-k / per_octave),
// k = 0 .. halvings * per_octave (descending s).  Points whose remainder is at most `floor` (the
// rounding floor of the exact side) are unusable.  The order is fitted on the `fit_points`
// smallest usable scales below s_star (where the loss is smooth along every segment), and on
// every usable scale above it (the behaviour changes along that range).
struct ScaleSweep {
  SlopeFit below;                                   // the smooth side
  SlopeFit above;                                   // the kinked side
  nlohmann::json points = nlohmann::json::array();  // every scale: s, exact, approx, error, usable
};
ScaleSweep sweep_remainder(const std::function<double(double)>& exact,
                           const std::function<double(double)>& approx, double s_star, double floor,
                           int halvings, int per_octave, std::size_t fit_points);

// {"slope": .. or null, "s": [..], "error": [..]}
nlohmann::json fit_json(const SlopeFit& fit);

}  // namespace mixup
