# (b) Hernandez et al. Fig. 2: fraction of the effective data that came from transfer,
# D_T/D_E, against model size, one series per fine-tuning dataset size D_F.
set logscale x
set xlabel 'non-embedding parameters N'
if (use_logit) {
    set ylabel 'logit(D_T / D_E) = log(D_T / D_F)'
} else {
    set ylabel 'fraction of effective data from transfer, D_T / D_E'
    set yrange [0:1.02]
}
set title 'Fraction of effective data from transfer ('.cur_name.')'.(has_fit ? ', lines: fitted law' : ', law not fitted')
plot for [i=0:n_series-1] dat index i using 1:(use_logit ? log($2/(1-$2)) : $2) with points pt ptype(i) ps 1.1 lc rgb col(i) title sprintf('D_F = %.2g', series[i+1]), \
     for [i=0:n_series-1] dat index n_series+i using 1:(use_logit ? log($2/(1-$2)) : $2) with lines lw 1.8 lc rgb col(i) notitle
