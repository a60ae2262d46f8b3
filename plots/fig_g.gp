# (g) Residuals: log D_T against the log-linear fit (left) and log loss against the
# loss-space fit (right).  Structure here means the power law is the wrong shape.
set multiplot layout 1,2
set logscale x
set key outside top center horizontal
set arrow 1 from graph 0, first 0 to graph 1, first 0 nohead lw 1.5 lc rgb '#888888'
set xlabel 'non-embedding parameters N'
set ylabel 'log D_T - fit (log-linear)'
set title 'residuals in D_T space ('.cur_name.')'
plot for [e=0:1] dat index e using 1:2 with points pt ptype(e) ps 1 lc rgb col(e) title word('interp fit', e+1).' estimator'
set xlabel 'fine-tuning data D_F (tokens)'
set ylabel 'log L - fit (loss space)'
set title 'residuals in loss space ('.cur_name.')'
plot dat index 2 using 1:2 with points pt 7 ps 1 lc rgb col(2) title 'loss-space fit'
unset multiplot
