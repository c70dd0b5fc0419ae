#pragma once
// Where the model stops being smooth along mixing segments.
//
// Lemma 3.1 assumes f twice differentiable.  For a ReLU net, f is smooth along the segment
// [x_i, x_i + s (x_j - x_i)] exactly when no unit of any layer switches on it.  The critical
// scale s* = min over ordered pairs (i != j) of the first switching time t > 0 along
// x_i + t (x_j - x_i): below s*, every perturbation segment of the s-scaled experiment is free of
// kinks.  Computed exactly: with the activation pattern of x_i frozen the net is linear in t, so
// every pre-activation is z + t dz (forward-mode), and the first sign change among them is the
// first switch.  A unit that sits exactly at 0 at x_i counts as switching at t = 0.

#include <Eigen/Core>

#include "core/data.hpp"
#include "core/models.hpp"

namespace mixup {

// The first t > 0 at which a unit switches along x + t v (+infinity if none does for t > 0,
// and for models without kinks).
double first_switch_time(const Model& model, const Eigen::VectorXd& x, const Eigen::VectorXd& v);

// s* = min over ordered pairs i != j of first_switch_time(x_i, x_j - x_i); +infinity for
// models without kinks.
double critical_perturbation_scale(const Model& model, const Eigen::MatrixXd& X);

}  // namespace mixup
