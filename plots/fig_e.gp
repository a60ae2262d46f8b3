# (e) Ossification: fine-tuned minus from-scratch loss at equal data, one panel per
# curriculum.  Below zero, pre-training helps; above zero (large D_F, small N), it hurts.
set logscale x
set xlabel 'D_F = from-scratch D (tokens)'
set ylabel 'L_{fine-tuned} - L_{scratch} (nats/token)'
set key maxcols 4 font ',9'
set arrow 1 from graph 0, first 0 to graph 1, first 0 nohead lw 1.5 lc rgb '#888888'
n_rows = n_cur > 2 ? 2 : 1
n_cols = n_cur > 2 ? (n_cur + 1) / 2 : (n_cur > 0 ? n_cur : 1)
set multiplot layout n_rows, n_cols title 'Ossification check: above 0, pre-training hurt'
do for [c=0:(n_cur > 0 ? n_cur - 1 : 0)] {
    base = c * n_series
    set title (n_cur > 0 ? cur_label[c+1] : '') font ',10'
    # points: every run (seeds apart); line: their mean at each D_F
    plot for [i=0:n_series-1] dat index base+i using 1:2 with points pt ptype(i) ps 1.1 lc rgb seq(i) title 'N = '.series_txt[i+1], \
         for [i=0:n_series-1] dat index base+i using 1:3 with lines lw 1.5 lc rgb seq(i) notitle
}
unset multiplot
