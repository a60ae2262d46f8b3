# (f) Curricula side by side: alpha and beta of D_T = k D_F^alpha N^beta with 95% intervals.
# Colour is the curriculum, the marker the method; a triangle marks a clipped interval end.  The axes follow the point estimates and
# the reference values; an interval running beyond them stops at a triangle.
set multiplot layout 1,2 title 'Transfer exponents per curriculum (95% intervals)'
unset logscale
set format x '%g'
set xrange [-0.6:n_cur-0.4]
set key maxcols 2 font ',9'
off(e) = 0.14 * (e - (n_est - 1) / 2.0)
# method markers: circle, square, diamond, pentagon (triangles are kept for the clip marks)
array MPT[4] = [7, 5, 13, 15]
set ylabel 'α (exponent of D_F)'
set title 'α (dashed: Hernandez et al. 0.18 text, 0.096 text+code)' font ',10'
set yrange [ylo_a:yhi_a]
set arrow 1 from graph 0, first 0.18 to graph 1, first 0.18 nohead dt 2 lc rgb '#888888'
set arrow 2 from graph 0, first 0.096 to graph 1, first 0.096 nohead dt 2 lc rgb '#888888'
set arrow 3 from graph 0, first 0 to graph 1, first 0 nohead lw 1 lc rgb '#bbbbbb'
plot for [e=0:n_est-1] dat index e using ($1 + off(e)):2:3:4:(rgbcol(int($1))) with yerrorbars pt MPT[e+1] ps 1.2 lw 1.5 lc rgb variable notitle, \
     for [e=0:n_est-1] dat index e using ($1 + off(e)):($5 > 0 ? $3 : NaN) with points pt 11 ps 1.3 lc rgb '#333333' notitle, \
     for [e=0:n_est-1] dat index e using ($1 + off(e)):($6 > 0 ? $4 : NaN) with points pt 9 ps 1.3 lc rgb '#333333' notitle, \
     for [e=0:n_est-1] NaN with points pt MPT[e+1] ps 1.2 lc rgb '#333333' title word(est_names, e+1)
set ylabel 'β (exponent of N)'
set title 'β (dashed: Hernandez et al. 0.38)' font ',10'
unset arrow
set yrange [ylo_b:yhi_b]
set arrow 4 from graph 0, first 0.38 to graph 1, first 0.38 nohead dt 2 lc rgb '#888888'
set arrow 5 from graph 0, first 0 to graph 1, first 0 nohead lw 1 lc rgb '#bbbbbb'
plot for [e=0:n_est-1] dat index e using ($1 + off(e)):7:8:9:(rgbcol(int($1))) with yerrorbars pt MPT[e+1] ps 1.2 lw 1.5 lc rgb variable notitle, \
     for [e=0:n_est-1] dat index e using ($1 + off(e)):($10 > 0 ? $8 : NaN) with points pt 11 ps 1.3 lc rgb '#333333' notitle, \
     for [e=0:n_est-1] dat index e using ($1 + off(e)):($11 > 0 ? $9 : NaN) with points pt 9 ps 1.3 lc rgb '#333333' notitle, \
     for [e=0:n_est-1] NaN with points pt MPT[e+1] ps 1.2 lc rgb '#333333' title word(est_names, e+1)
unset multiplot
