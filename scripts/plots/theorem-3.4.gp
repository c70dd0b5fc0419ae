# Theorem 3.4: Rademacher complexity of W_gamma (lower: ascent over the class; upper: the proof's
# relaxation, with 3 SE error bars) against the bound r sqrt(rank/n), the per-sample bound
# r sqrt(sum_i x_i^T Sigma^+ x_i)/n, the bound with the proof's sharper radius, and Remark 3.2's
# ridge bounds.  Left: against rank at the largest n; right: against n at the largest rank.
# Variables: csvfile (header: gamma,rank,n,lower_mean,lower_se,upper_mean,upper_se,bound,
# per_sample_bound_mean,exact_class_mean,ridge_mean,ridge_se,ridge_rigorous_bound,
# ridge_paper_bound,tight_relaxation_bound), pngfile; optional gamma_plot (default: the
# smallest gamma in the file).
set terminal pngcairo size 1300,520 font ",10"
set output pngfile
set datafile separator ","
set key bottom right noenhanced font ",8" opaque box
set grid
stats csvfile using 1 nooutput
if (!exists("gamma_plot")) gamma_plot = STATS_min
stats csvfile using 2 nooutput
rank_plot = STATS_max
rank_min = STATS_min
stats csvfile using 3 nooutput
n_plot = STATS_max
n_min = STATS_min
set logscale xy

# The rows of each panel, extracted with "with table if": x, then columns 4..15 of the file
# (lower_mean, lower_se, upper_mean, upper_se, bound, per_sample_bound_mean, exact_class_mean,
# ridge_mean, ridge_se, ridge_rigorous_bound, ridge_paper_bound, tight_relaxation_bound), so
# that lines join consecutive rows of one panel only.
set table $by_rank separator comma
plot csvfile using 2:4:5:6:7:8:9:10:11:12:13:14:15 with table if (column(1) == gamma_plot && column(3) == n_plot)
set table $by_n separator comma
plot csvfile using 3:4:5:6:7:8:9:10:11:12:13:14:15 with table if (column(1) == gamma_plot && column(2) == rank_plot)
unset table

set multiplot layout 1, 2 title sprintf("Theorem 3.4, gamma = %g", gamma_plot) noenhanced
set ylabel "Rademacher complexity"
set title sprintf("against rank (d fixed), n = %d", n_plot) noenhanced
set xlabel "rank(Sigma_X)" noenhanced
set xrange [rank_min / 1.3 : rank_plot * 1.3]
plot $by_rank using 1:4:(3*$5) with yerrorlines lw 2 pt 7 lc rgb "#d62728" title "upper (relaxation) +- 3 SE", \
     $by_rank using 1:2:(3*$3) with yerrorlines lw 2 pt 5 lc rgb "#1f77b4" title "lower (ascent over W_gamma) +- 3 SE", \
     $by_rank using 1:6 with lines lw 2 dt 1 lc rgb "black" title "bound r sqrt(rank/n)", \
     $by_rank using 1:7 with lines lw 1 dt 2 lc rgb "black" title "per-sample bound (mean over S)", \
     $by_rank using 1:13 with lines lw 2 dt 3 lc rgb "#2ca02c" title "bound with the proof's sharper radius", \
     $by_rank using 1:11 with lines lw 1 dt 4 lc rgb "#9467bd" title "ridge: sqrt(gamma tr(Sigma)/n)", \
     $by_rank using 1:12 with lines lw 1 dt 5 lc rgb "#8c564b" title "ridge, Remark 3.2: r sqrt(d/n)"
set title sprintf("against n, rank = %d", rank_plot) noenhanced
set xlabel "n"
set xrange [n_min / 1.3 : n_plot * 1.3]
plot $by_n using 1:4:(3*$5) with yerrorlines lw 2 pt 7 lc rgb "#d62728" title "upper (relaxation) +- 3 SE", \
     $by_n using 1:2:(3*$3) with yerrorlines lw 2 pt 5 lc rgb "#1f77b4" title "lower (ascent over W_gamma) +- 3 SE", \
     $by_n using 1:6 with lines lw 2 dt 1 lc rgb "black" title "bound r sqrt(rank/n)", \
     $by_n using 1:7 with lines lw 1 dt 2 lc rgb "black" title "per-sample bound (mean over S)", \
     $by_n using 1:13 with lines lw 2 dt 3 lc rgb "#2ca02c" title "bound with the proof's sharper radius", \
     $by_n using 1:11 with lines lw 1 dt 4 lc rgb "#9467bd" title "ridge: sqrt(gamma tr(Sigma)/n)", \
     $by_n using 1:12 with lines lw 1 dt 5 lc rgb "#8c564b" title "ridge, Remark 3.2: r sqrt(d/n)"
unset multiplot
