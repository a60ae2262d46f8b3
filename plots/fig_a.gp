# (a) Hernandez et al. Fig. 1: loss vs data for one model size.  From-scratch loss rises
# to the left; the fine-tuned run's loss (dotted level) is met by the scratch curve at D_E.
set logscale x
set xlabel 'training data D (tokens)'
set ylabel 'validation loss (nats/token)'
set title 'N = '.Nsize_txt.' parameters'.(arrow_cur ne '' ? ': arrows for the '.arrow_cur.' run at D_F = '.arrow_DF_txt : '')
set key maxcols 2
plot dat index 0 using 1:2 with points pt 7 ps 0.9 lc rgb SCRATCH title 'from scratch (measured)', \
     dat index 1 using 1:2 with lines lw 2 lc rgb SCRATCH title 'from scratch (interpolated)', \
     dat index 2 using 1:2 with lines lw 1.5 dt 2 lc rgb '#999999' title (misfit > 0.05 ? 'fitted L(N,D), where within 5%' : 'fitted L(N,D)'), \
     for [i=0:n_cur-1] dat index 3+i using 1:2 with points pt ptype(i+1) ps 1.1 lc rgb col(i) title 'fine-tuned '.cur_label[i+1].', at D_F'
