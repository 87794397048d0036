# floatscope report figure: Median relative error per setup (median over repeats only; grey = exactly 0)
# Data: heatmap_setup_vs_K.dat (blocks separated by two blank lines; columns described there).
# Redraw after editing: cd figures && gnuplot heatmap_setup_vs_K.gp
set terminal svg size 1245,678 dynamic noenhanced font "sans,12" background rgb "white"
set output 'heatmap_setup_vs_K.svg'
set title "Median relative error per setup (median over repeats only; grey = exactly 0)"
set grid
set xtics ("16" 0, "64" 1, "256" 2, "1024" 3, "4096" 4)
set ytics ("fp32 inputs, fp32/rne acc, uniform01" 21, "fp32 inputs, fp32/rne acc, normal" 20, "fp16 inputs, fp32/rne acc, uniform01" 19, "fp16 inputs, fp32/rne acc, normal" 18, "fp16 inputs, fp16/rne acc, uniform01" 17, "fp16 inputs, fp16/rne acc, normal" 16, "bf16 inputs, fp32/rne acc, uniform01" 15, "bf16 inputs, fp32/rne acc, normal" 14, "bf16 inputs, bf16/rne acc, uniform01" 13, "bf16 inputs, bf16/rne acc, normal" 12, "e4m3 inputs, fp32/rne acc, uniform01" 11, "e4m3 inputs, fp32/rne acc, normal" 10, "tf32 inputs, h100-tf32 (fp32/rtz), uniform01" 9, "tf32 inputs, h100-tf32 (fp32/rtz), normal" 8, "fp16 inputs, h100-fp16 (fp32/rtz), uniform01" 7, "fp16 inputs, h100-fp16 (fp32/rtz), normal" 6, "bf16 inputs, h100-bf16 (fp32/rtz), uniform01" 5, "bf16 inputs, h100-bf16 (fp32/rtz), normal" 4, "e4m3 inputs, h100-fp8 (e8m13/rtz), uniform01" 3, "e4m3 inputs, h100-fp8 (e8m13/rtz), normal" 2, "e4m3 inputs, h100-fp8-promote128 (e8m13/rtz), uniform01" 1, "e4m3 inputs, h100-fp8-promote128 (e8m13/rtz), normal" 0)
set xrange [-0.5:4.5]
set yrange [-0.5:21.5]
set lmargin 57
set xlabel "K"
unset grid
set cblabel "log10(median relative error)"
set palette rgbformulae 33,13,10
plot 'heatmap_setup_vs_K.dat' index 0 using 1:2:(0.5):(0.5):3 with boxxyerror fs solid 1.0 noborder lc palette notitle, \
     '' index 1 using 1:2:(0.5):(0.5) with boxxyerror fs solid 1.0 noborder lc rgb "#d9d9d9" notitle, \
     '' index 0 using 1:2:(sprintf("%.1e", 10**$3)) with labels font ",8" notitle, \
     '' index 1 using 1:2:("0 (exact)") with labels font ",8" notitle

if (strstrt(GPVAL_TERMINALS, "pngcairo") > 0) {
  set terminal pngcairo size 1245,678 noenhanced font "sans,11" background rgb "white"
} else {
  set terminal png size 1245,678 noenhanced
}
set output 'heatmap_setup_vs_K.png'
replot
unset output
