# Shared by every xferlaw figure.  Run a figure's script in its folder:
#   gnuplot fig_a.gp                 -> fig_a.png
#   gnuplot -e "fmt='svg'" fig_a.gp  -> fig_a.svg
if (!exists("fmt")) fmt = 'png'
if (fmt eq 'svg') {
    set terminal svg size 860,560 dynamic enhanced font 'Helvetica,13' background rgb 'white'
    set output out.'.svg'
} else {
    set terminal pngcairo size 860,560 enhanced font 'Helvetica,11' background rgb 'white'
    set output out.'.png'
}
# Okabe-Ito, a palette that colour-blind readers can tell apart (yellow last: faint on white)
array C[8] = ["#0072B2", "#D55E00", "#009E73", "#E69F00", "#56B4E9", "#CC79A7", "#000000", "#F0E442"]
array PT[8] = [7, 5, 9, 13, 11, 15, 7, 5]
col(i) = C[(i) % 8 + 1]
ptype(i) = PT[(i) % 8 + 1]
set border lw 1.2
set grid lc rgb '#dddddd' lw 1
# the key sits outside the plotting area so it never covers a data point
set key outside right top vertical Left reverse noopaque box lc rgb '#aaaaaa' spacing 1.1
set format x '10^{%L}'
set mxtics 10
# a figure without usable data still renders, empty, saying so
if (!has_data) {
    set label 99 'no usable runs for this figure' at graph 0.5, 0.5 center font ',14'
    set xrange [1:10]; set yrange [0:1]; unset logscale
}
