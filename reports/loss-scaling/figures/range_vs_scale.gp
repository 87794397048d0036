# floatscope report figure: Underflow (solid) and overflow (dashed) fraction against the input scale
# Data: range_vs_scale.dat (blocks separated by two blank lines; columns described there).
# Redraw after editing: cd figures && gnuplot range_vs_scale.gp
set terminal svg size 900,740 dynamic noenhanced font "sans,12" background rgb "white"
set output 'range_vs_scale.svg'
set title "Underflow (solid) and overflow (dashed) fraction against the input scale"
set grid
set logscale x 2
set xlabel "input scale (scale_a x scale_b, log scale)"
set ylabel "fraction of events (products/partial sums that under- or overflowed)"
set yrange [0:1.02]
set key below left Left reverse maxcols 1
plot 'range_vs_scale.dat' index 0 using 1:2 with linespoints lw 2 lc rgb "#1f77b4" pt 7 title "underflow: a_format=fp16, b_format=fp16, dist=loggrad", \
     '' index 0 using 1:3 with linespoints lw 2 dt 2 lc rgb "#1f77b4" pt 7 title "overflow: a_format=fp16, b_format=fp16, dist=loggrad", \
     '' index 1 using 1:2 with linespoints lw 2 lc rgb "#d62728" pt 5 title "underflow: a_format=fp16, b_format=fp16, dist=loggrad:-36:-20", \
     '' index 1 using 1:3 with linespoints lw 2 dt 2 lc rgb "#d62728" pt 5 title "overflow: a_format=fp16, b_format=fp16, dist=loggrad:-36:-20", \
     '' index 2 using 1:2 with linespoints lw 2 lc rgb "#2ca02c" pt 9 title "underflow: a_format=bf16, b_format=bf16, dist=loggrad", \
     '' index 2 using 1:3 with linespoints lw 2 dt 2 lc rgb "#2ca02c" pt 9 title "overflow: a_format=bf16, b_format=bf16, dist=loggrad", \
     '' index 3 using 1:2 with linespoints lw 2 lc rgb "#9467bd" pt 11 title "underflow: a_format=bf16, b_format=bf16, dist=loggrad:-36:-20", \
     '' index 3 using 1:3 with linespoints lw 2 dt 2 lc rgb "#9467bd" pt 11 title "overflow: a_format=bf16, b_format=bf16, dist=loggrad:-36:-20", \
     '' index 4 using 1:2 with linespoints lw 2 lc rgb "#ff7f0e" pt 13 title "underflow: a_format=e5m2, b_format=e4m3, dist=loggrad", \
     '' index 4 using 1:3 with linespoints lw 2 dt 2 lc rgb "#ff7f0e" pt 13 title "overflow: a_format=e5m2, b_format=e4m3, dist=loggrad", \
     '' index 5 using 1:2 with linespoints lw 2 lc rgb "#17becf" pt 15 title "underflow: a_format=e5m2, b_format=e4m3, dist=loggrad:-36:-20", \
     '' index 5 using 1:3 with linespoints lw 2 dt 2 lc rgb "#17becf" pt 15 title "overflow: a_format=e5m2, b_format=e4m3, dist=loggrad:-36:-20"

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
  set terminal pngcairo size 900,740 noenhanced font "sans,11" background rgb "white"
} else {
  set terminal png size 900,740 noenhanced
}
set output 'range_vs_scale.png'
replot
unset output
