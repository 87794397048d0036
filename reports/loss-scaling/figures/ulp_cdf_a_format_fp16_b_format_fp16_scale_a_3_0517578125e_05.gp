# floatscope report figure: Largest ulp error per row for a_format=fp16, b_format=fp16, scale_a=3.0517578125e-05: CDF over all K and repeats
# Data: ulp_cdf_a_format_fp16_b_format_fp16_scale_a_3_0517578125e_05.dat (blocks separated by two blank lines; columns described there).
# Redraw after editing: cd figures && gnuplot ulp_cdf_a_format_fp16_b_format_fp16_scale_a_3_0517578125e_05.gp
set terminal svg size 900,520 dynamic noenhanced font "sans,12" background rgb "white"
set output 'ulp_cdf_a_format_fp16_b_format_fp16_scale_a_3_0517578125e_05.svg'
set title "Largest ulp error per row for a_format=fp16, b_format=fp16, scale_a=3.0517578125e-05: CDF over all K and repeats"
set grid
set xlabel "largest error of a row, in ulps of the output format"
set ylabel "fraction of rows (CDF)"
set yrange [0:1.02]
set key below left Left reverse maxcols 1
plot 'ulp_cdf_a_format_fp16_b_format_fp16_scale_a_3_0517578125e_05.dat' index 0 using 1:2 with steps lw 2 lc rgb "#1f77b4" pt 7 title "all"

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
  set terminal pngcairo size 900,520 noenhanced font "sans,11" background rgb "white"
} else {
  set terminal png size 900,520 noenhanced
}
set output 'ulp_cdf_a_format_fp16_b_format_fp16_scale_a_3_0517578125e_05.png'
replot
unset output
