# Shared by every xferlaw figure.  Run a figure's script in its folder:
#   gnuplot fig_a.gp                 -> fig_a.png
#   gnuplot -e "fmt='svg'" fig_a.gp  -> fig_a.svg
if (!exists("fmt")) fmt = 'png'
if (!exists("fig_w")) fig_w = 860
if (!exists("fig_h")) fig_h = 560
if (fmt eq 'svg') {
    set terminal svg size fig_w,fig_h dynamic enhanced font 'Helvetica,13' background rgb 'white'
    set output out.'.svg'
} else {
    set terminal pngcairo size fig_w,fig_h enhanced font 'Helvetica,11' background rgb 'white'
    set output out.'.png'
}
# A colour per meaning.  Curricula: Okabe-Ito (colour-blind safe), the faint yellow and
# orange left out.  From scratch: grey.  Annotations (the D_F, D_T, D_E arrows): purple,
# no series' colour.  Ordered series (one per D_F or N): a sequential viridis ramp, dark
# to light without its faint yellow end.
array C[6] = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9", "#000000"]
array PT[8] = [7, 5, 9, 13, 11, 15, 7, 5]
SCRATCH = '#555555'
ANNOT = '#6A1B9A'
array SEQ[7] = ["#440154", "#443983", "#31688E", "#21918C", "#35B779", "#7AB317", "#B8A200"]
array CRGB[6] = [0x0072B2, 0xD55E00, 0x009E73, 0xCC79A7, 0x56B4E9, 0x000000]
col(i) = C[(i) % 6 + 1]
rgbcol(i) = CRGB[(i) % 6 + 1]
ptype(i) = PT[(i) % 8 + 1]
seq(i) = SEQ[(n_series > 1 ? int(0.5 + (i) * 6.0 / (n_series - 1)) : 0) + 1]
set border lw 1.2
set grid lc rgb '#dddddd' lw 1
# the key sits under the plot: it never covers a point and never takes the plot's width
set key outside below center horizontal Left reverse noopaque nobox spacing 1.1
set format x '10^{%L}'
set mxtics 10
# a figure without usable data still renders, empty, saying so
if (!has_data) {
    set label 99 'no usable runs for this figure' at graph 0.5, 0.5 center font ',14'
    set xrange [1:10]; set yrange [0:1]; unset logscale
}
