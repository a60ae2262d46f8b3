# (a) Hernandez et al. Fig. 1: loss vs data for one model size.  From-scratch loss rises
# to the left; the fine-tuned run's loss (dashed level) is met by the scratch curve at D_E.
set logscale x
set xlabel 'training data D (tokens)'
set ylabel 'validation loss (nats/token)'
set title sprintf('Effective data transferred, N = %.3g parameters', Nsize)
plot dat index 0 using 1:2 with points pt 7 ps 0.9 lc rgb C[1] title 'from scratch (measured)', \
     dat index 1 using 1:2 with lines lw 2 lc rgb C[1] title 'from scratch (interpolated)', \
     dat index 2 using 1:2 with lines lw 1.5 dt 2 lc rgb '#555555' title 'fitted L(N,D)', \
     for [i=0:n_cur-1] dat index 3+i using 1:2 with points pt ptype(i+1) ps 1.1 lc rgb col(i+1) title 'fine-tuned, '.word(cur_names, i+1).' (loss vs D_F)'
