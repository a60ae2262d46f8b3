# (c) Data transferred against fine-tuning data, per model size, log-log, with the fitted
# power law D_T = k D_F^alpha N^beta; one panel per curriculum.
set logscale xy
set format y '10^{%L}'
set xlabel 'fine-tuning data D_F (tokens)'
set ylabel 'data transferred D_T (tokens)'
set key maxcols 4 font ',9'
n_rows = n_cur > 2 ? 2 : 1
n_cols = n_cur > 2 ? (n_cur + 1) / 2 : (n_cur > 0 ? n_cur : 1)
set multiplot layout n_rows, n_cols title 'D_T = k D_F^{α} N^{β}'
do for [c=0:(n_cur > 0 ? n_cur - 1 : 0)] {
    base = c * 2 * n_series
    line_dt = measured[c+1] ? 1 : 2
    set title (n_cur > 0 ? cur_label[c+1].': '.pfit[c+1] : '') font ',10'
    unset label 10
    if (n_cur > 0 && coincide[c+1]) {
        set label 10 'fitted lines of all N coincide (β ≈ 0)' at graph 0.03, graph 0.95 left font ',9' tc rgb '#555555'
    }
    plot for [i=0:n_series-1] dat index base+i using 1:2 with points pt ptype(i) ps 1.1 lc rgb seq(i) title 'N = '.series_txt[i+1], \
         for [i=0:n_series-1] dat index base+n_series+i using 1:2 with lines lw 1.6 dt line_dt lc rgb seq(i) notitle
}
unset multiplot
