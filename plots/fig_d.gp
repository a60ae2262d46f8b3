# (d) Hernandez et al. Fig. 3: loss against model size at a fixed fine-tuning dataset
# size, from scratch (trained on D = D_F) and fine-tuned.
set logscale x
set xlabel 'non-embedding parameters N'
set ylabel 'validation loss (nats/token)'
set title 'Loss at D = D_F = '.DFsize_txt.' tokens: from scratch vs fine-tuned'
plot dat index 0 using 1:2 with linespoints pt 7 ps 1.1 lw 2 lc rgb SCRATCH title 'from scratch', \
     for [i=0:n_cur-1] dat index 1+i using 1:2 with linespoints pt ptype(i+1) ps 1.1 lw 2 lc rgb col(i) title 'fine-tuned '.cur_label[i+1]
