#include "theorems/slope_fit.hpp"

namespace mixup {

SlopeFit fit_slope(const std::vector<double>& s, const std::vector<double>& error,
                   std::size_t count) {
  SlopeFit fit;
  for (std::size_t k = s.size(); k-- > 0 && fit.s.size() < count;) {
    fit.s.push_back(s[k]);
    fit.error.push_back(error[k]);
  }
  if (fit.s.size() < 3) return fit;
  double mx = 0.0;
  double my = 0.0;
  for (std::size_t k = 0; k < fit.s.size(); ++k) {
    mx += std::log(fit.s[k]);
    my += std::log(fit.error[k]);
  }
  mx /= static_cast<double>(fit.s.size());
  my /= static_cast<double>(fit.s.size());
  double sxy = 0.0;
  double sxx = 0.0;
  for (std::size_t k = 0; k < fit.s.size(); ++k) {
    const double dx = std::log(fit.s[k]) - mx;
    sxy += dx * (std::log(fit.error[k]) - my);
    sxx += dx * dx;
  }
  fit.slope = sxy / sxx;
  return fit;
}

ScaleSweep sweep_remainder(const std::function<double(double)>& exact,
                           const std::function<double(double)>& approx, double s_star, double floor,
                           int halvings, int per_octave, std::size_t fit_points) {
  ScaleSweep sweep;
  sweep.points = nlohmann::json::array();
  std::vector<double> below_s, below_e, above_s, above_e;  // usable points on each side of s*
  for (int k = 0; k <= halvings * per_octave; ++k) {
    const double s = std::exp2(-static_cast<double>(k) / per_octave);
    const double exact_value = exact(s);
    const double approx_value = approx(s);
    const double error = std::abs(exact_value - approx_value);
    const bool usable = error > floor;
    sweep.points.push_back({{"s", s},
                            {"exact", exact_value},
                            {"approx", approx_value},
                            {"error", error},
                            {"usable", usable}});
    if (!usable) continue;
    // Descending s: the usable points on each side stay in order of decreasing s.
    if (s < s_star) {
      below_s.push_back(s);
      below_e.push_back(error);
    } else {
      above_s.push_back(s);
      above_e.push_back(error);
    }
  }
  sweep.below = fit_slope(below_s, below_e, fit_points);
  sweep.above = fit_slope(above_s, above_e, above_s.size());
  return sweep;
}

nlohmann::json fit_json(const SlopeFit& fit) {
  return {{"slope", fit.fitted() ? nlohmann::json(fit.slope) : nlohmann::json(nullptr)},
          {"s", fit.s},
          {"error", fit.error}};
}

}  // namespace mixup
