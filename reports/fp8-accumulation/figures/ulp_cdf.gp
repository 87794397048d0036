# floatscope report figure: Largest ulp error per row: CDF over all K and repeats
# Data: ulp_cdf.dat (blocks separated by two blank lines; columns described there).
# Redraw after editing: cd figures && gnuplot ulp_cdf.gp
set terminal svg size 900,620 dynamic noenhanced font "sans,12" background rgb "white"
set output 'ulp_cdf.svg'
set title "Largest ulp error per row: CDF over all K and repeats"
set grid
set logscale x 2
set xrange [2**-1:2**29]
set format x "2^%L"
set xtics 2**3
set xlabel "largest error of a row, in ulps of the output format (log scale; rows with 0 ulps not shown)"
set ylabel "fraction of rows (CDF)"
set yrange [0:1.02]
set key below left Left reverse maxcols 1
plot 'ulp_cdf.dat' index 0 using 1:2 with steps lw 2 lc rgb "#1f77b4" pt 7 title "h100-fp8 (e8m13/rtz), promote=-1", \
     'ulp_cdf.dat' index 1 using 1:2 with steps lw 2 lc rgb "#d62728" pt 5 title "h100-fp8 (e8m13/rtz), promote=32", \
     'ulp_cdf.dat' index 2 using 1:2 with steps lw 2 lc rgb "#2ca02c" pt 9 title "h100-fp8 (e8m13/rtz), promote=64", \
     'ulp_cdf.dat' index 3 using 1:2 with steps lw 2 lc rgb "#9467bd" pt 11 title "h100-fp8 (e8m13/rtz), promote=128", \
     'ulp_cdf.dat' index 4 using 1:2 with steps lw 2 lc rgb "#ff7f0e" pt 13 title "h100-fp8 (e8m13/rtz), promote=256", \
     'ulp_cdf.dat' index 5 using 1:2 with steps lw 2 lc rgb "#17becf" pt 15 title "fp32/rne acc, promote=-1"

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
  set terminal pngcairo size 900,620 noenhanced font "sans,11" background rgb "white"
} else {
  set terminal png size 900,620 noenhanced
}
set output 'ulp_cdf.png'
replot
unset output
