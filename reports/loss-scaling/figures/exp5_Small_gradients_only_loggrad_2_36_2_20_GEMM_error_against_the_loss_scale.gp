# floatscope report figure: Small gradients only (loggrad 2^-36..2^-20): GEMM error against the loss scale
# Data: exp5_Small_gradients_only_loggrad_2_36_2_20_GEMM_error_against_the_loss_scale.dat (blocks separated by two blank lines; columns described there).
# Redraw after editing: cd figures && gnuplot exp5_Small_gradients_only_loggrad_2_36_2_20_GEMM_error_against_the_loss_scale.gp
set terminal svg size 900,580 dynamic noenhanced font "sans,12" background rgb "white"
set output 'exp5_Small_gradients_only_loggrad_2_36_2_20_GEMM_error_against_the_loss_scale.svg'
set title "Small gradients only (loggrad 2^-36..2^-20): GEMM error against the loss scale"
set grid
set logscale y 10
set format y "%.0e"
set xlabel "log2 of the loss scale S"
set ylabel "normwise relative error vs exact product of the unquantised inputs"
set key below left Left reverse maxcols 1
plot 'exp5_Small_gradients_only_loggrad_2_36_2_20_GEMM_error_against_the_loss_scale.dat' index 0 using 1:2 with linespoints lw 2 dt 1 lc rgb "#1f77b4" pt 7 title "a_format=fp16", \
     '' index 1 using 1:2 with linespoints lw 2 dt 1 lc rgb "#d62728" pt 5 title "a_format=bf16", \
     '' index 2 using 1:2 with linespoints lw 2 dt 1 lc rgb "#2ca02c" pt 9 title "a_format=e5m2", \
     '' index 3 using 1:2 with linespoints lw 2 dt 1 lc rgb "#9467bd" pt 11 title "a_format=e4m3"

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
  set terminal pngcairo size 900,580 noenhanced font "sans,11" background rgb "white"
} else {
  set terminal png size 900,580 noenhanced
}
set output 'exp5_Small_gradients_only_loggrad_2_36_2_20_GEMM_error_against_the_loss_scale.png'
replot
unset output
