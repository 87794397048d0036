# floatscope report figure: Largest ulp error per row for a_format=fp16: CDF over all K and repeats
# Data: ulp_cdf_a_format_fp16.dat (blocks separated by two blank lines; columns described there).
# Redraw after editing: cd figures && gnuplot ulp_cdf_a_format_fp16.gp
set terminal svg size 900,540 dynamic noenhanced font "sans,12" background rgb "white"
set output 'ulp_cdf_a_format_fp16.svg'
set title "Largest ulp error per row for a_format=fp16: CDF over all K and repeats"
set grid
set logscale x 2
set xrange [2**-2:2**10]
set format x "2^%L"
set xtics 2**1
set xlabel "largest error of a row, in ulps of the output format (log scale; rows with 0 ulps not shown)"
set ylabel "fraction of rows (CDF)"
set yrange [0:1.02]
set key below left Left reverse maxcols 1
plot 'ulp_cdf_a_format_fp16.dat' index 0 using 1:2 with steps lw 2 lc rgb "#1f77b4" pt 7 title "fp16/rne acc", \
     'ulp_cdf_a_format_fp16.dat' index 1 using 1:2 with steps lw 2 lc rgb "#d62728" pt 5 title "fp16/sr acc"

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
  set terminal pngcairo size 900,540 noenhanced font "sans,11" background rgb "white"
} else {
  set terminal png size 900,540 noenhanced
}
set output 'ulp_cdf_a_format_fp16.png'
replot
unset output
