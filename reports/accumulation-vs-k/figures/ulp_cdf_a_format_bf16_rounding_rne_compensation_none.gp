# floatscope report figure: Largest ulp error per row for a_format=bf16, rounding=rne, compensation=none: CDF over all K and repeats
# Data: ulp_cdf_a_format_bf16_rounding_rne_compensation_none.dat (blocks separated by two blank lines; columns described there).
# Redraw after editing: cd figures && gnuplot ulp_cdf_a_format_bf16_rounding_rne_compensation_none.gp
set terminal svg size 900,600 dynamic noenhanced font "sans,12" background rgb "white"
set output 'ulp_cdf_a_format_bf16_rounding_rne_compensation_none.svg'
set title "Largest ulp error per row for a_format=bf16, rounding=rne, compensation=none: CDF over all K and repeats"
set grid
set logscale x 2
set xrange [2**-1:2**13]
set format x "2^%L"
set xtics 2**2
set xlabel "largest error of a row, in ulps of the output format (log scale; rows with 0 ulps not shown)"
set ylabel "fraction of rows (CDF)"
set yrange [0:1.02]
set key below left Left reverse maxcols 1
plot 'ulp_cdf_a_format_bf16_rounding_rne_compensation_none.dat' index 0 using 1:2 with steps lw 2 lc rgb "#1f77b4" pt 7 title "fp32/rne acc, order=sequential", \
     'ulp_cdf_a_format_bf16_rounding_rne_compensation_none.dat' index 1 using 1:2 with steps lw 2 lc rgb "#d62728" pt 5 title "fp16/rne acc, order=sequential", \
     'ulp_cdf_a_format_bf16_rounding_rne_compensation_none.dat' index 2 using 1:2 with steps lw 2 lc rgb "#2ca02c" pt 9 title "bf16/rne acc, order=sequential", \
     'ulp_cdf_a_format_bf16_rounding_rne_compensation_none.dat' index 3 using 1:2 with steps lw 2 lc rgb "#9467bd" pt 11 title "bf16/rne acc, order=pairwise", \
     'ulp_cdf_a_format_bf16_rounding_rne_compensation_none.dat' index 4 using 1:2 with steps lw 2 lc rgb "#ff7f0e" pt 13 title "bf16/rne acc, order=blocked:32"

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
  set terminal pngcairo size 900,600 noenhanced font "sans,11" background rgb "white"
} else {
  set terminal png size 900,600 noenhanced
}
set output 'ulp_cdf_a_format_bf16_rounding_rne_compensation_none.png'
replot
unset output
