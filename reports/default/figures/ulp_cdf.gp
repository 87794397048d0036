# floatscope report figure: Distribution of the maximum ulp error per row
# Data: ulp_cdf.dat (blocks separated by two blank lines; columns described there).
# Redraw after editing: cd figures && gnuplot ulp_cdf.gp
set terminal svg size 900,720 dynamic noenhanced font "sans,12" background rgb "white"
set output 'ulp_cdf.svg'
set title "Distribution of the maximum ulp error per row"
set grid
set logscale x 2
set xlabel "largest error of a row, in ulps of the output format (log scale; rows with 0 ulps not shown)"
set ylabel "fraction of rows (CDF)"
set yrange [0:1.02]
set key below left Left reverse maxcols 1
plot 'ulp_cdf.dat' index 0 using 1:2 with steps lw 2 lc rgb "#1f77b4" pt 7 title "model=custom, a_format=fp32, acc_format=fp32", \
     '' index 1 using 1:2 with steps lw 2 lc rgb "#d62728" pt 5 title "model=custom, a_format=fp16, acc_format=fp32", \
     '' index 2 using 1:2 with steps lw 2 lc rgb "#2ca02c" pt 9 title "model=custom, a_format=fp16, acc_format=fp16", \
     '' index 3 using 1:2 with steps lw 2 lc rgb "#9467bd" pt 11 title "model=custom, a_format=bf16, acc_format=fp32", \
     '' index 4 using 1:2 with steps lw 2 lc rgb "#ff7f0e" pt 13 title "model=custom, a_format=bf16, acc_format=bf16", \
     '' index 5 using 1:2 with steps lw 2 lc rgb "#17becf" pt 15 title "model=custom, a_format=e4m3, acc_format=fp32", \
     '' index 6 using 1:2 with steps lw 2 lc rgb "#8c564b" pt 7 title "model=h100-tf32, a_format=tf32, acc_format=fp32", \
     '' index 7 using 1:2 with steps lw 2 lc rgb "#e377c2" pt 5 title "model=h100-fp16, a_format=fp16, acc_format=fp32", \
     '' index 8 using 1:2 with steps lw 2 lc rgb "#7f7f7f" pt 9 title "model=h100-bf16, a_format=bf16, acc_format=fp32", \
     '' index 9 using 1:2 with steps lw 2 lc rgb "#bcbd22" pt 11 title "model=h100-fp8, a_format=e4m3, acc_format=fp32", \
     '' index 10 using 1:2 with steps lw 2 lc rgb "#000000" pt 13 title "model=h100-fp8-promote128, a_format=e4m3, acc_format=fp32"

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
  set terminal pngcairo size 900,720 noenhanced font "sans,11" background rgb "white"
} else {
  set terminal png size 900,720 noenhanced
}
set output 'ulp_cdf.png'
replot
unset output
