# floatscope report figure: Distribution of the maximum ulp error per row
# Data: ulp_cdf.dat (blocks separated by two blank lines; columns described there).
# Redraw after editing: cd figures && gnuplot ulp_cdf.gp
set terminal svg size 900,560 dynamic noenhanced font "sans,12" background rgb "white"
set output 'ulp_cdf.svg'
set title "Distribution of the maximum ulp error per row"
set grid
set logscale x 2
set xlabel "largest error of a row, in ulps of the output format (log scale; rows with 0 ulps not shown)"
set ylabel "fraction of rows (CDF)"
set yrange [0:1.02]
set key below left Left reverse maxcols 1
plot 'ulp_cdf.dat' index 0 using 1:2 with steps lw 2 lc rgb "#1f77b4" pt 7 title "acc_format=fp32, compensation=none", \
     '' index 1 using 1:2 with steps lw 2 lc rgb "#d62728" pt 5 title "acc_format=bf16, compensation=none", \
     '' index 2 using 1:2 with steps lw 2 lc rgb "#2ca02c" pt 9 title "acc_format=fp32, compensation=kahan"

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
  set terminal pngcairo size 900,560 noenhanced font "sans,11" background rgb "white"
} else {
  set terminal png size 900,560 noenhanced
}
set output 'ulp_cdf.png'
replot
unset output
