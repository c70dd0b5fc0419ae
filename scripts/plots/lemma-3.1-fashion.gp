# lemma-3.1-fashion: |L_mix(s) - L~_mix(s)| against the perturbation scale s (log-log) for each
# trained model, with its rounding floor (dotted: below it the difference is rounding) and its
# switch scale s* (dashed vertical: below it no hidden unit switches on any segment; none for
# softmax regression), and a slope-3 guide c s^3 through the first model's remainder at s = 1.
# Variables: csvfile (header: s, then <model>_remainder, <model>_floor, <model>_s_star per
# model), titles (model names in CSV order), pngfile.
set terminal pngcairo size 900,600 font ",10"
set output pngfile
set datafile separator ","
set key top left noenhanced
set logscale xy
set format x "10^{%L}"
set format y "10^{%L}"
set xlabel "perturbation scale s"
set ylabel "|L_mix(s) - L~_mix(s)|" noenhanced
set grid
set title "Lemma 3.1 on Fashion-MNIST: remainder of the quadratic approximation" noenhanced
n = words(titles)
colors = "#1f77b4 #d62728 #2ca02c #9467bd"
do for [k = 1:n] {
  stats csvfile using (column(3 * k + 1)) nooutput
  s_star = STATS_max
  if (s_star > 0) {
    set arrow k from s_star, graph 0 to s_star, graph 1 nohead dt 2 lc rgb word(colors, k)
  }
}
stats csvfile using 2 every ::1::1 nooutput
guide = STATS_max
plot for [k = 1:n] csvfile using 1:(column(3 * k - 1) > 0 ? column(3 * k - 1) : 1/0) \
       with linespoints pt 7 ps 0.6 lc rgb word(colors, k) title word(titles, k), \
     for [k = 1:n] csvfile using 1:(column(3 * k)) with lines dt 3 lc rgb word(colors, k) \
       title word(titles, k) . " rounding floor", \
     csvfile using 1:(guide * $1**3) with lines dt 4 lc rgb "#7f7f7f" title "slope 3 (guide)"
