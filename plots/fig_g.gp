# (g) Residuals: log D_T against the log-linear fit (left) and log loss against the
# loss-space fit (right).  Structure here means the power law is the wrong shape.
set multiplot layout 1,2
set logscale x
set key outside top center horizontal
set arrow 1 from graph 0, first 0 to graph 1, first 0 nohead lw 1.5 lc rgb '#888888'
set xlabel 'non-embedding parameters N'
set ylabel 'log D_T - fit (log-linear)'
set title 'residuals in D_T space ('.cur_name.')'
if (!has_block[1] && !has_block[2]) {
    set label 98 'no fitted D_T' at graph 0.5, 0.5 center; set xrange [1:10]; set yrange [-1:1]
}
plot for [e=0:1] dat index e using 1:2 with points pt ptype(e) ps 1 lc rgb col(e) title word('interp fit', e+1).' estimator'
set xlabel 'fine-tuning data D_F (tokens)'
set ylabel 'log L - fit (loss space)'
set title 'residuals in loss space ('.cur_name.')'
unset label 98
set xrange [*:*]; set yrange [*:*]
if (!has_block[3]) {
    set label 97 'no loss-space fit' at graph 0.5, 0.5 center; set xrange [1:10]; set yrange [-1:1]
}
plot dat index 2 using 1:2 with points pt 7 ps 1 lc rgb col(2) title 'loss-space fit'
unset multiplot
