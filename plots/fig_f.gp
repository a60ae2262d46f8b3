# (f) Curricula side by side: alpha and beta of D_T = k D_F^alpha N^beta with 95% intervals,
# one colour per estimator; Hernandez et al. found alpha 0.18 / 0.096, beta 0.38.
set multiplot layout 1,2 title 'Transfer exponents per curriculum (95% intervals)'
unset logscale
set format x '%g'
eval('set xtics '.xtics_spec)
set xrange [-0.6:n_cur-0.4]
set key below center horizontal maxcols 2 nobox
set ylabel 'α (exponent of D_F)'
set title 'α (dashed: Hernandez et al. 0.18 text, 0.096 text+code)'
set arrow 1 from graph 0, first 0.18 to graph 1, first 0.18 nohead dt 2 lc rgb '#888888'
set arrow 2 from graph 0, first 0.096 to graph 1, first 0.096 nohead dt 2 lc rgb '#888888'
plot for [e=0:n_est-1] dat index e using ($1 + 0.12*(e - (n_est-1)/2.0)):2:3:4 with yerrorbars pt ptype(e) ps 1.2 lw 1.5 lc rgb col(e) title word(est_names, e+1)
set ylabel 'β (exponent of N)'
set title 'β (dashed: Hernandez et al. 0.38)'
unset arrow
set arrow 3 from graph 0, first 0.38 to graph 1, first 0.38 nohead dt 2 lc rgb '#888888'
plot for [e=0:n_est-1] dat index e using ($1 + 0.12*(e - (n_est-1)/2.0)):5:6:7 with yerrorbars pt ptype(e) ps 1.2 lw 1.5 lc rgb col(e) title word(est_names, e+1)
unset multiplot
