# Figure 4: the l2 adversarial loss at radius eps sqrt(d) and its second-order approximation
# (Eq. 5 / Eq. 6) along mixup training, one panel per model.
# Columns (experiments/figures/fig4.cpp): 1 epoch, 2 clean loss, 3 approximation, 4 exact
# adversarial loss (linear: closed form; relu2: line-arrangement enumeration), 5 PGD (linear: a
# cross-check; relu2: the lower bound an attack reports); relu2 also 6 an interval upper bound
# (not plotted: loose), 7 kink-free fraction.
# Variables: files (space-separated CSVs, one per model), titles (model names), pngfile.
set terminal pngcairo size 1200,450 font ",10"
set output pngfile
set datafile separator ","
set key top right noenhanced
set offsets graph 0, 0, 0.3, 0
set xlabel "epoch"
set ylabel "loss (training set)"
n = words(files)
set multiplot layout 1, n
do for [k = 1:n] {
  if (word(titles, k) eq "linear") {
    set title "logistic regression (exact = closed form)" noenhanced
  } else {
    set title "two-layer ReLU net (exact = arrangement enumeration)" noenhanced
  }
  plot word(files, k) using 1:4 with lines lw 3 lc rgb "#1f77b4" title "adversarial (exact)", \
       ''            using 1:5 with lines lw 1 dt 3 lc rgb "#2ca02c" title "PGD (lower bound)", \
       ''            using 1:3 with lines lw 2 dt 2 lc rgb "#d62728" title "approximate (Eq. 5 / 6)", \
       ''            using 1:2 with lines lw 1 lc rgb "#7f7f7f" title "clean loss"
}
unset multiplot
