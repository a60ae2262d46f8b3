# docs/fitting.md figure: planted problems reaching the known optimum, by number of starts.
# Data: build/tests/fit/test_fit_global curve > docs/fig/fit_starts.dat
# Run in docs/fig: gnuplot fit_starts.gp  -> fit_starts.svg
set terminal svg size 760,440 dynamic enhanced font 'Helvetica,13' background rgb 'white'
set output 'fit_starts.svg'
set title 'Planted problems reaching the known optimum (70 per family, 1% noise)'
set xlabel 'random starts (formula defaults: 64)'
set ylabel 'problems reaching the optimum (%)'
set logscale x 2
set xrange [0.8:320]
set yrange [0:102]
set grid lc rgb '#dddddd'
set key bottom right box lc rgb '#aaaaaa'
set arrow from 64, graph 0 to 64, graph 1 nohead dt 2 lc rgb '#888888'
plot 'fit_starts.dat' using 1:($2/0.7) with linespoints lw 2 pt 7 lc rgb '#0072B2' title 'saturating B/(Dl + D^{beta}) + E', \
     '' using 1:($3/0.7) with linespoints lw 2 pt 5 lc rgb '#D55E00' title 'offset E + A x^{-alpha}', \
     '' using 1:($4/0.7) with linespoints lw 2 pt 9 lc rgb '#009E73' title 'broken A x^{-a1} (1 + x/xb)^{a1 - a2}'
