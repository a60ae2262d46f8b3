# (c) Data transferred against fine-tuning data, per model size, log-log, with the fitted
# power law D_T = k D_F^alpha N^beta.
set logscale xy
set format y '10^{%L}'
set xlabel 'fine-tuning data D_F (tokens)'
set ylabel 'effective data transferred D_T (tokens)'
set title sprintf('D_T = k D_F^{α} N^{β} (%s): k = %.3g, α = %.3f, β = %.3f', cur_name, k, alpha, beta)
plot for [i=0:n_series-1] dat index i using 1:2 with points pt ptype(i) ps 1.1 lc rgb col(i) title sprintf('N = %.2g', series[i+1]), \
     for [i=0:n_series-1] dat index n_series+i using 1:2 with lines lw 1.8 lc rgb col(i) notitle
