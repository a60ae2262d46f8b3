# (g) Residuals: log D_T against the log-linear fits (left, one per estimator) and log loss
# against the loss-space fit (right), every curriculum.  Colour is the curriculum and the
# marker the method, as in figure f.  Structure here means the power law is the wrong shape.
set multiplot layout 1,2 title 'Residuals of the transfer fits'
set logscale x
set key maxcols 2 font ',9'
set arrow 1 from graph 0, first 0 to graph 1, first 0 nohead lw 1.5 lc rgb '#888888'
# method markers of figure f: circle interp, square fit, pentagon loss space
array MPT[3] = [7, 5, 15]
any_dt = 0; any_loss = 0
do for [k=0:(g_n > 0 ? g_n - 1 : 0)] { if (g_n > 0) { any_dt = any_dt || has_block[3*k+1] || has_block[3*k+2]; any_loss = any_loss || has_block[3*k+3] } }
set xlabel 'non-embedding parameters N'
set ylabel 'log D_T - fit (log-linear)'
set title 'D_T space: log-linear fits' font ',10'
if (!any_dt) {
    set label 98 'no fitted D_T' at graph 0.5, 0.5 center; set xrange [1:10]; set yrange [-1:1]
}
plot for [k=0:g_n-1] for [e=0:1] dat index 3*k+e using 1:2 with points pt MPT[e+1] ps 1 lc rgb col(g_col[k+1]) notitle, \
     for [k=0:g_n-1] NaN with points pt 7 ps 1 lc rgb col(g_col[k+1]) title g_label[k+1], \
     for [e=0:1] NaN with points pt MPT[e+1] ps 1 lc rgb '#333333' title word('interp fit', e+1).' estimator'
set xlabel 'fine-tuning data D_F (tokens)'
set ylabel 'log L - fit (loss space)'
set title 'loss space: L = L_{scratch}(N, D_F + D_T)' font ',10'
unset label 98
set xrange [*:*]; set yrange [*:*]
if (!any_loss) {
    set label 97 'no loss-space fit' at graph 0.5, 0.5 center; set xrange [1:10]; set yrange [-1:1]
}
plot for [k=0:g_n-1] dat index 3*k+2 using 1:2 with points pt MPT[3] ps 1 lc rgb col(g_col[k+1]) title g_label[k+1]
unset multiplot
