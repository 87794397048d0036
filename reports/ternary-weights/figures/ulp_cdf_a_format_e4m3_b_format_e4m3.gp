# floatscope report figure: Largest ulp error per row for a_format=e4m3, b_format=e4m3: CDF over all K and repeats
# Data: ulp_cdf_a_format_e4m3_b_format_e4m3.dat (blocks separated by two blank lines; columns described there).
# Redraw after editing: cd figures && gnuplot ulp_cdf_a_format_e4m3_b_format_e4m3.gp
set terminal svg size 900,540 dynamic noenhanced font "sans,12" background rgb "white"
set output 'ulp_cdf_a_format_e4m3_b_format_e4m3.svg'
set title "Largest ulp error per row for a_format=e4m3, b_format=e4m3: CDF over all K and repeats"
set grid
set logscale x 2
set xrange [2**26:2**38]
set format x "2^%L"
set xtics 2**1
set xlabel "largest error of a row, in ulps of the output format (log scale; rows with 0 ulps not shown)"
set ylabel "fraction of rows (CDF)"
set yrange [0:1.02]
set key below left Left reverse maxcols 1
plot 'ulp_cdf_a_format_e4m3_b_format_e4m3.dat' index 0 using 1:2 with steps lw 2 lc rgb "#1f77b4" pt 7 title "fp32/rne acc, scheme=fp8-tensor, reference_of=original", \
     'ulp_cdf_a_format_e4m3_b_format_e4m3.dat' index 1 using 1:2 with steps lw 2 lc rgb "#d62728" pt 5 title "fp32/rne acc, scheme=fp8-row, reference_of=original"

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
  set terminal pngcairo size 900,540 noenhanced font "sans,11" background rgb "white"
} else {
  set terminal png size 900,540 noenhanced
}
set output 'ulp_cdf_a_format_e4m3_b_format_e4m3.png'
replot
unset output
