# floatscope report figure: Median relative error per setup (median over repeats only; grey = exactly 0)
# Data: heatmap_setup_vs_K.dat (blocks separated by two blank lines; columns described there).
# Redraw after editing: cd figures && gnuplot heatmap_setup_vs_K.gp
set terminal svg size 1160,1446 dynamic noenhanced font "sans,12" background rgb "white"
set output 'heatmap_setup_vs_K.svg'
set title "Median relative error per setup (median over repeats only; grey = exactly 0)"
set grid
set xtics ("64" 0, "128" 1, "256" 2)
set ytics ("fp32 inputs, fp32/rne acc, M=64, N=64, algorithm=classical, normal" 53, "fp32 inputs, fp32/rne acc, M=64, N=64, algorithm=strassen:1, normal" 52, "fp32 inputs, fp32/rne acc, M=64, N=64, algorithm=strassen:2, normal" 51, "fp32 inputs, fp32/rne acc, M=64, N=64, algorithm=classical, rowscaled:4" 50, "fp32 inputs, fp32/rne acc, M=64, N=64, algorithm=strassen:1, rowscaled:4" 49, "fp32 inputs, fp32/rne acc, M=64, N=64, algorithm=strassen:2, rowscaled:4" 48, "fp32 inputs, fp32/rne acc, M=128, N=128, algorithm=classical, normal" 47, "fp32 inputs, fp32/rne acc, M=128, N=128, algorithm=strassen:1, normal" 46, "fp32 inputs, fp32/rne acc, M=128, N=128, algorithm=strassen:2, normal" 45, "fp32 inputs, fp32/rne acc, M=128, N=128, algorithm=classical, rowscaled:4" 44, "fp32 inputs, fp32/rne acc, M=128, N=128, algorithm=strassen:1, rowscaled:4" 43, "fp32 inputs, fp32/rne acc, M=128, N=128, algorithm=strassen:2, rowscaled:4" 42, "fp32 inputs, fp32/rne acc, M=256, N=256, algorithm=classical, normal" 41, "fp32 inputs, fp32/rne acc, M=256, N=256, algorithm=strassen:1, normal" 40, "fp32 inputs, fp32/rne acc, M=256, N=256, algorithm=strassen:2, normal" 39, "fp32 inputs, fp32/rne acc, M=256, N=256, algorithm=classical, rowscaled:4" 38, "fp32 inputs, fp32/rne acc, M=256, N=256, algorithm=strassen:1, rowscaled:4" 37, "fp32 inputs, fp32/rne acc, M=256, N=256, algorithm=strassen:2, rowscaled:4" 36, "bf16 inputs, bf16/rne acc, M=64, N=64, algorithm=classical, normal" 35, "bf16 inputs, bf16/rne acc, M=64, N=64, algorithm=strassen:1, normal" 34, "bf16 inputs, bf16/rne acc, M=64, N=64, algorithm=strassen:2, normal" 33, "bf16 inputs, bf16/rne acc, M=64, N=64, algorithm=classical, rowscaled:4" 32, "bf16 inputs, bf16/rne acc, M=64, N=64, algorithm=strassen:1, rowscaled:4" 31, "bf16 inputs, bf16/rne acc, M=64, N=64, algorithm=strassen:2, rowscaled:4" 30, "bf16 inputs, bf16/rne acc, M=128, N=128, algorithm=classical, normal" 29, "bf16 inputs, bf16/rne acc, M=128, N=128, algorithm=strassen:1, normal" 28, "bf16 inputs, bf16/rne acc, M=128, N=128, algorithm=strassen:2, normal" 27, "bf16 inputs, bf16/rne acc, M=128, N=128, algorithm=classical, rowscaled:4" 26, "bf16 inputs, bf16/rne acc, M=128, N=128, algorithm=strassen:1, rowscaled:4" 25, "bf16 inputs, bf16/rne acc, M=128, N=128, algorithm=strassen:2, rowscaled:4" 24, "bf16 inputs, bf16/rne acc, M=256, N=256, algorithm=classical, normal" 23, "bf16 inputs, bf16/rne acc, M=256, N=256, algorithm=strassen:1, normal" 22, "bf16 inputs, bf16/rne acc, M=256, N=256, algorithm=strassen:2, normal" 21, "bf16 inputs, bf16/rne acc, M=256, N=256, algorithm=classical, rowscaled:4" 20, "bf16 inputs, bf16/rne acc, M=256, N=256, algorithm=strassen:1, rowscaled:4" 19, "bf16 inputs, bf16/rne acc, M=256, N=256, algorithm=strassen:2, rowscaled:4" 18, "fp16 inputs, fp16/rne acc, M=64, N=64, algorithm=classical, normal" 17, "fp16 inputs, fp16/rne acc, M=64, N=64, algorithm=strassen:1, normal" 16, "fp16 inputs, fp16/rne acc, M=64, N=64, algorithm=strassen:2, normal" 15, "fp16 inputs, fp16/rne acc, M=64, N=64, algorithm=classical, rowscaled:4" 14, "fp16 inputs, fp16/rne acc, M=64, N=64, algorithm=strassen:1, rowscaled:4" 13, "fp16 inputs, fp16/rne acc, M=64, N=64, algorithm=strassen:2, rowscaled:4" 12, "fp16 inputs, fp16/rne acc, M=128, N=128, algorithm=classical, normal" 11, "fp16 inputs, fp16/rne acc, M=128, N=128, algorithm=strassen:1, normal" 10, "fp16 inputs, fp16/rne acc, M=128, N=128, algorithm=strassen:2, normal" 9, "fp16 inputs, fp16/rne acc, M=128, N=128, algorithm=classical, rowscaled:4" 8, "fp16 inputs, fp16/rne acc, M=128, N=128, algorithm=strassen:1, rowscaled:4" 7, "fp16 inputs, fp16/rne acc, M=128, N=128, algorithm=strassen:2, rowscaled:4" 6, "fp16 inputs, fp16/rne acc, M=256, N=256, algorithm=classical, normal" 5, "fp16 inputs, fp16/rne acc, M=256, N=256, algorithm=strassen:1, normal" 4, "fp16 inputs, fp16/rne acc, M=256, N=256, algorithm=strassen:2, normal" 3, "fp16 inputs, fp16/rne acc, M=256, N=256, algorithm=classical, rowscaled:4" 2, "fp16 inputs, fp16/rne acc, M=256, N=256, algorithm=strassen:1, rowscaled:4" 1, "fp16 inputs, fp16/rne acc, M=256, N=256, algorithm=strassen:2, rowscaled:4" 0)
set xrange [-0.5:2.5]
set yrange [-0.5:53.5]
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
  set terminal pngcairo size 1160,1446 noenhanced font "sans,11" background rgb "white"
} else {
  set terminal png size 1160,1446 noenhanced
}
set output 'heatmap_setup_vs_K.png'
replot
unset output
