# Figure 3: top row, R = min_i |cos(grad f(x_i), x_i)| per epoch (log scale) for ERM and sampled
# mixup; bottom row, histograms of the R_i before training and after the last epoch.
# Variables: curves (CSV: epoch, then <model>_erm, <model>_mixup per model), histograms (CSV:
# sample, then <model>_first, <model>_erm_last, <model>_mixup_last per model), titles (model
# names, in CSV order), pngfile.
set terminal pngcairo size 1500,800 font ",10"
set output pngfile
set datafile separator ","
set key top left noenhanced
n = words(titles)
set multiplot layout 2, n
set logscale y
set format y "10^{%L}"
set xlabel "epoch"
set ylabel "R = min_i R_i"
do for [k = 1:n] {
  set title word(titles, k) noenhanced
  plot curves using 1:(column(2 * k)) with lines lw 2 lc rgb "#1f77b4" title "ERM", \
       ''     using 1:(column(2 * k + 1)) with lines lw 2 lc rgb "#d62728" title "mixup"
}
unset logscale y
set format y "%g"
set xlabel "R_i = |cos(grad f(x_i), x_i)|"
set ylabel "count"
set xrange [0:1]
set style fill transparent solid 0.35 noborder
width = 0.05
bin(x) = width * floor(x / width) + width / 2
set key top right
do for [k = 1:n] {
  set title word(titles, k) . ": R_i first / last epoch" noenhanced
  plot histograms using (bin(column(3 * k - 1))):(1.0) smooth frequency with boxes lc rgb "#7f7f7f" title "before training", \
       ''         using (bin(column(3 * k))):(1.0) smooth frequency with boxes lc rgb "#1f77b4" title "ERM, last epoch", \
       ''         using (bin(column(3 * k + 1))):(1.0) smooth frequency with boxes lc rgb "#d62728" title "mixup, last epoch"
}
unset multiplot
