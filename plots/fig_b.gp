# (b) Hernandez et al. Fig. 2: fraction of the effective data that came from transfer,
# D_T/D_E, against model size, one series per fine-tuning dataset size D_F; one panel
# per curriculum.  Lines: the fitted law, dashed where the verdict found no law.
set logscale x
set xlabel 'non-embedding parameters N'
if (use_logit) {
    set ylabel 'logit(D_T / D_E) = log(D_T / D_F)'
} else {
    set ylabel 'D_T / D_E'
    set yrange [0:1.02]
}
set key maxcols 4 font ',9'
n_rows = n_cur > 2 ? 2 : 1
n_cols = n_cur > 2 ? (n_cur + 1) / 2 : (n_cur > 0 ? n_cur : 1)
set multiplot layout n_rows, n_cols title 'Fraction of effective data from transfer'
do for [c=0:(n_cur > 0 ? n_cur - 1 : 0)] {
    base = c * 2 * n_series
    line_dt = measured[c+1] ? 1 : 2
    set title (n_cur > 0 ? cur_label[c+1].': '.pfit[c+1] : '') font ',10'
    plot for [i=0:n_series-1] dat index base+i using 1:(use_logit ? log($2/(1-$2)) : $2) with points pt ptype(i) ps 1.1 lc rgb seq(i) title 'D_F = '.series_txt[i+1], \
         for [i=0:n_series-1] dat index base+n_series+i using 1:(use_logit ? log($2/(1-$2)) : $2) with lines lw 1.6 dt line_dt lc rgb seq(i) notitle
}
unset multiplot
