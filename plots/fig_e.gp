# (e) Ossification: fine-tuned minus from-scratch loss at equal data.  Below zero,
# pre-training helps; above zero (large D_F, small N), it hurts.
set logscale x
set xlabel 'fine-tuning data D_F = from-scratch data D (tokens)'
set ylabel 'L_{fine-tuned} - L_{scratch} (nats/token)'
set title 'Ossification check ('.cur_name.'): where pre-training stops helping'
set arrow from graph 0, first 0 to graph 1, first 0 nohead lw 1.5 lc rgb '#888888'
plot for [i=0:n_series-1] dat index i using 1:2 with linespoints pt ptype(i) ps 1.1 lw 1.5 lc rgb col(i) title sprintf('N = %.2g', series[i+1])
