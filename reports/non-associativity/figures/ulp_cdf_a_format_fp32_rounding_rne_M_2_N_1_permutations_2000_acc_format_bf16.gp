# floatscope report figure: Largest ulp error per row for a_format=fp32, rounding=rne, M=2, N=1, permutations=2000, acc_format=bf16: CDF over all K and repeats
# Data: ulp_cdf_a_format_fp32_rounding_rne_M_2_N_1_permutations_2000_acc_format_bf16.dat (blocks separated by two blank lines; columns described there).
# Redraw after editing: cd figures && gnuplot ulp_cdf_a_format_fp32_rounding_rne_M_2_N_1_permutations_2000_acc_format_bf16.gp
set terminal svg size 900,520 dynamic noenhanced font "sans,12" background rgb "white"
set output 'ulp_cdf_a_format_fp32_rounding_rne_M_2_N_1_permutations_2000_acc_format_bf16.svg'
set title "Largest ulp error per row for a_format=fp32, rounding=rne, M=2, N=1, permutations=2000, acc_format=bf16: CDF over all K and repeats"
set grid
set logscale x 2
set xrange [2**3:2**10]
set format x "2^%L"
set xtics 2**1
set xlabel "largest error of a row, in ulps of the output format (log scale; rows with 0 ulps not shown)"
set ylabel "fraction of rows (CDF)"
set yrange [0:1.02]
set key below left Left reverse maxcols 1
plot 'ulp_cdf_a_format_fp32_rounding_rne_M_2_N_1_permutations_2000_acc_format_bf16.dat' index 0 using 1:2 with steps lw 2 lc rgb "#1f77b4" pt 7 title "order=sequential, block_fma="

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
  set terminal pngcairo size 900,520 noenhanced font "sans,11" background rgb "white"
} else {
  set terminal png size 900,520 noenhanced
}
set output 'ulp_cdf_a_format_fp32_rounding_rne_M_2_N_1_permutations_2000_acc_format_bf16.png'
replot
unset output
