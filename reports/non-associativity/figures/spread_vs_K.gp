# floatscope report figure: Spread (solid) and number of distinct results (dashed) over random summation orders
# Data: spread_vs_K.dat (blocks separated by two blank lines; columns described there).
# Redraw after editing: cd figures && gnuplot spread_vs_K.gp
set terminal svg size 900,620 dynamic noenhanced font "sans,12" background rgb "white"
set output 'spread_vs_K.svg'
set title "Spread (solid) and number of distinct results (dashed) over random summation orders"
set grid
set logscale x 2
set logscale y 10
set xlabel "K (terms per dot product, log scale)"
set ylabel "spread over random orders (ulps, log scale)"
set y2label "distinct results (count)"
set y2tics
set ytics nomirror
set key below left Left reverse maxcols 1
plot 'spread_vs_K.dat' index 0 using 1:2 with linespoints lw 2 lc rgb "#1f77b4" pt 7 title "spread (ulps), acc_format=fp32", \
     '' index 0 using 1:3 axes x1y2 with linespoints lw 1 dt 2 lc rgb "#1f77b4" pt 7 title "distinct results, acc_format=fp32", \
     '' index 1 using 1:2 with linespoints lw 2 lc rgb "#d62728" pt 5 title "spread (ulps), acc_format=bf16", \
     '' index 1 using 1:3 axes x1y2 with linespoints lw 1 dt 2 lc rgb "#d62728" pt 5 title "distinct results, acc_format=bf16", \
     '' index 2 using 1:2 with linespoints lw 2 lc rgb "#2ca02c" pt 9 title "spread (ulps), acc_format=fp16", \
     '' index 2 using 1:3 axes x1y2 with linespoints lw 1 dt 2 lc rgb "#2ca02c" pt 9 title "distinct results, acc_format=fp16"

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
  set terminal pngcairo size 900,620 noenhanced font "sans,11" background rgb "white"
} else {
  set terminal png size 900,620 noenhanced
}
set output 'spread_vs_K.png'
replot
unset output
