# floatscope report figure: Median relative error per setup (median over repeats only; grey = exactly 0)
# Data: heatmap_setup_vs_K.dat (blocks separated by two blank lines; columns described there).
# Redraw after editing: cd figures && gnuplot heatmap_setup_vs_K.gp
set terminal svg size 1600,1206 dynamic noenhanced font "sans,12" background rgb "white"
set output 'heatmap_setup_vs_K.svg'
set title "Median relative error per setup (median over repeats only; grey = exactly 0)"
set grid
set xtics ("16" 0, "64" 1, "256" 2, "1024" 3, "4096" 4, "16384" 5, "65536" 6)
set ytics ("fp32 inputs, fp32/rne acc, order=sequential, compensation=none, normal" 43, "fp32 inputs, fp32/rne acc, order=sequential, compensation=none, uniform01" 42, "fp32 inputs, fp16/rne acc, order=sequential, compensation=none, normal" 41, "fp32 inputs, fp16/rne acc, order=sequential, compensation=none, uniform01" 40, "fp32 inputs, bf16/rne acc, order=sequential, compensation=none, normal" 39, "fp32 inputs, bf16/rne acc, order=sequential, compensation=none, uniform01" 38, "fp16 inputs, fp32/rne acc, order=sequential, compensation=none, normal" 37, "fp16 inputs, fp32/rne acc, order=sequential, compensation=none, uniform01" 36, "fp16 inputs, fp16/rne acc, order=sequential, compensation=none, normal" 35, "fp16 inputs, fp16/rne acc, order=sequential, compensation=none, uniform01" 34, "fp16 inputs, bf16/rne acc, order=sequential, compensation=none, normal" 33, "fp16 inputs, bf16/rne acc, order=sequential, compensation=none, uniform01" 32, "bf16 inputs, fp32/rne acc, order=sequential, compensation=none, normal" 31, "bf16 inputs, fp32/rne acc, order=sequential, compensation=none, uniform01" 30, "bf16 inputs, fp16/rne acc, order=sequential, compensation=none, normal" 29, "bf16 inputs, fp16/rne acc, order=sequential, compensation=none, uniform01" 28, "bf16 inputs, bf16/rne acc, order=sequential, compensation=none, normal" 27, "bf16 inputs, bf16/rne acc, order=sequential, compensation=none, uniform01" 26, "e4m3 inputs, fp32/rne acc, order=sequential, compensation=none, normal" 25, "e4m3 inputs, fp32/rne acc, order=sequential, compensation=none, uniform01" 24, "e4m3 inputs, fp16/rne acc, order=sequential, compensation=none, normal" 23, "e4m3 inputs, fp16/rne acc, order=sequential, compensation=none, uniform01" 22, "e4m3 inputs, bf16/rne acc, order=sequential, compensation=none, normal" 21, "e4m3 inputs, bf16/rne acc, order=sequential, compensation=none, uniform01" 20, "fp16 inputs, fp16/sr acc, order=sequential, compensation=none, normal" 19, "fp16 inputs, fp16/sr acc, order=sequential, compensation=none, uniform01" 18, "bf16 inputs, bf16/sr acc, order=sequential, compensation=none, normal" 17, "bf16 inputs, bf16/sr acc, order=sequential, compensation=none, uniform01" 16, "fp16 inputs, fp16/rne acc, order=pairwise, compensation=none, normal" 15, "fp16 inputs, fp16/rne acc, order=pairwise, compensation=none, uniform01" 14, "fp16 inputs, fp16/rne acc, order=blocked:32, compensation=none, normal" 13, "fp16 inputs, fp16/rne acc, order=blocked:32, compensation=none, uniform01" 12, "bf16 inputs, bf16/rne acc, order=pairwise, compensation=none, normal" 11, "bf16 inputs, bf16/rne acc, order=pairwise, compensation=none, uniform01" 10, "bf16 inputs, bf16/rne acc, order=blocked:32, compensation=none, normal" 9, "bf16 inputs, bf16/rne acc, order=blocked:32, compensation=none, uniform01" 8, "fp16 inputs, fp16/rne acc, order=sequential, compensation=kahan, normal" 7, "fp16 inputs, fp16/rne acc, order=sequential, compensation=kahan, uniform01" 6, "fp16 inputs, bf16/rne acc, order=sequential, compensation=kahan, normal" 5, "fp16 inputs, bf16/rne acc, order=sequential, compensation=kahan, uniform01" 4, "bf16 inputs, fp16/rne acc, order=sequential, compensation=kahan, normal" 3, "bf16 inputs, fp16/rne acc, order=sequential, compensation=kahan, uniform01" 2, "bf16 inputs, bf16/rne acc, order=sequential, compensation=kahan, normal" 1, "bf16 inputs, bf16/rne acc, order=sequential, compensation=kahan, uniform01" 0)
set xrange [-0.5:6.5]
set yrange [-0.5:43.5]
set lmargin 70
set xlabel "K"
unset grid
set cblabel "log10(median relative error)"
set palette rgbformulae 33,13,10
plot 'heatmap_setup_vs_K.dat' index 0 using 1:2:(0.5):(0.5):3 with boxxyerror fs solid 1.0 noborder lc palette notitle, \
     '' index 1 using 1:2:(0.5):(0.5) with boxxyerror fs solid 1.0 noborder lc rgb "#d9d9d9" notitle, \
     '' index 0 using 1:2:(sprintf("%.1e", 10**$3)) with labels font ",8" notitle, \
     '' index 1 using 1:2:("0 (exact)") with labels font ",8" notitle

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
  set terminal pngcairo size 1600,1206 noenhanced font "sans,11" background rgb "white"
} else {
  set terminal png size 1600,1206 noenhanced
}
set output 'heatmap_setup_vs_K.png'
replot
unset output
