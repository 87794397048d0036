# floatscope report figure: Largest ulp error per row for a_format=fp16, rounding=rne, M=16, N=16, permutations=0, acc_format=fp32: CDF over all K and repeats
# Data: ulp_cdf_a_format_fp16_rounding_rne_M_16_N_16_permutations_0_acc_format_fp32.dat (blocks separated by two blank lines; columns described there).
# Redraw after editing: cd figures && gnuplot ulp_cdf_a_format_fp16_rounding_rne_M_16_N_16_permutations_0_acc_format_fp32.gp
set terminal svg size 900,620 dynamic noenhanced font "sans,12" background rgb "white"
set output 'ulp_cdf_a_format_fp16_rounding_rne_M_16_N_16_permutations_0_acc_format_fp32.svg'
set title "Largest ulp error per row for a_format=fp16, rounding=rne, M=16, N=16, permutations=0, acc_format=fp32: CDF over all K and repeats"
set grid
set logscale x 2
set xrange [2**6:2**13]
set format x "2^%L"
set xtics 2**1
set xlabel "largest error of a row, in ulps of the output format (log scale; rows with 0 ulps not shown)"
set ylabel "fraction of rows (CDF)"
set yrange [0:1.02]
set key below left Left reverse maxcols 1
plot 'ulp_cdf_a_format_fp16_rounding_rne_M_16_N_16_permutations_0_acc_format_fp32.dat' index 0 using 1:2 with steps lw 2 lc rgb "#1f77b4" pt 7 title "order=sequential, block_fma=", \
     'ulp_cdf_a_format_fp16_rounding_rne_M_16_N_16_permutations_0_acc_format_fp32.dat' index 1 using 1:2 with steps lw 2 lc rgb "#d62728" pt 5 title "order=reverse, block_fma=", \
     'ulp_cdf_a_format_fp16_rounding_rne_M_16_N_16_permutations_0_acc_format_fp32.dat' index 2 using 1:2 with steps lw 2 lc rgb "#2ca02c" pt 9 title "order=pairwise, block_fma=", \
     'ulp_cdf_a_format_fp16_rounding_rne_M_16_N_16_permutations_0_acc_format_fp32.dat' index 3 using 1:2 with steps lw 2 lc rgb "#9467bd" pt 11 title "order=blocked:32, block_fma=", \
     'ulp_cdf_a_format_fp16_rounding_rne_M_16_N_16_permutations_0_acc_format_fp32.dat' index 4 using 1:2 with steps lw 2 lc rgb "#ff7f0e" pt 13 title "order=splitk:4, block_fma=", \
     'ulp_cdf_a_format_fp16_rounding_rne_M_16_N_16_permutations_0_acc_format_fp32.dat' index 5 using 1:2 with steps lw 2 lc rgb "#17becf" pt 15 title "order=splitk:16, block_fma="

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
  set terminal pngcairo size 900,620 noenhanced font "sans,11" background rgb "white"
} else {
  set terminal png size 900,620 noenhanced
}
set output 'ulp_cdf_a_format_fp16_rounding_rne_M_16_N_16_permutations_0_acc_format_fp32.png'
replot
unset output
