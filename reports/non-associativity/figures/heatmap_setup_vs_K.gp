# floatscope report figure: Median relative error per setup (median over repeats only; grey = exactly 0)
# Data: heatmap_setup_vs_K.dat (blocks separated by two blank lines; columns described there).
# Redraw after editing: cd figures && gnuplot heatmap_setup_vs_K.gp
set terminal svg size 1490,750 dynamic noenhanced font "sans,12" background rgb "white"
set output 'heatmap_setup_vs_K.svg'
set title "Median relative error per setup (median over repeats only; grey = exactly 0)"
set grid
set xtics ("256" 0, "1000" 1, "4096" 2, "10000" 3, "65536" 4, "100000" 5)
set ytics ("fp32 inputs, fp32/rne acc, order=sequential, M=2, N=1, permutations=2000, block_fma=, constant:1" 24, "fp32 inputs, bf16/rne acc, order=sequential, M=2, N=1, permutations=2000, block_fma=, constant:1" 23, "fp32 inputs, fp16/rne acc, order=sequential, M=2, N=1, permutations=2000, block_fma=, constant:1" 22, "fp16 inputs, fp32/rne acc, order=sequential, M=16, N=16, permutations=0, block_fma=, normal" 21, "fp16 inputs, fp32/rne acc, order=reverse, M=16, N=16, permutations=0, block_fma=, normal" 20, "fp16 inputs, fp32/rne acc, order=pairwise, M=16, N=16, permutations=0, block_fma=, normal" 19, "fp16 inputs, fp32/rne acc, order=blocked:32, M=16, N=16, permutations=0, block_fma=, normal" 18, "fp16 inputs, fp32/rne acc, order=splitk:4, M=16, N=16, permutations=0, block_fma=, normal" 17, "fp16 inputs, fp32/rne acc, order=splitk:16, M=16, N=16, permutations=0, block_fma=, normal" 16, "fp16 inputs, bf16/rne acc, order=sequential, M=16, N=16, permutations=0, block_fma=, normal" 15, "fp16 inputs, bf16/rne acc, order=reverse, M=16, N=16, permutations=0, block_fma=, normal" 14, "fp16 inputs, bf16/rne acc, order=pairwise, M=16, N=16, permutations=0, block_fma=, normal" 13, "fp16 inputs, bf16/rne acc, order=blocked:32, M=16, N=16, permutations=0, block_fma=, normal" 12, "fp16 inputs, bf16/rne acc, order=splitk:4, M=16, N=16, permutations=0, block_fma=, normal" 11, "fp16 inputs, bf16/rne acc, order=splitk:16, M=16, N=16, permutations=0, block_fma=, normal" 10, "fp16 inputs, fp16/rne acc, order=sequential, M=16, N=16, permutations=0, block_fma=, normal" 9, "fp16 inputs, fp16/rne acc, order=reverse, M=16, N=16, permutations=0, block_fma=, normal" 8, "fp16 inputs, fp16/rne acc, order=pairwise, M=16, N=16, permutations=0, block_fma=, normal" 7, "fp16 inputs, fp16/rne acc, order=blocked:32, M=16, N=16, permutations=0, block_fma=, normal" 6, "fp16 inputs, fp16/rne acc, order=splitk:4, M=16, N=16, permutations=0, block_fma=, normal" 5, "fp16 inputs, fp16/rne acc, order=splitk:16, M=16, N=16, permutations=0, block_fma=, normal" 4, "fp16 inputs, fp32/rtz acc, order=sequential, M=16, N=16, permutations=0, block_fma=4,24, normal" 3, "fp16 inputs, fp32/rtz acc, order=sequential, M=16, N=16, permutations=0, block_fma=8,24, normal" 2, "fp16 inputs, fp32/rtz acc, order=sequential, M=16, N=16, permutations=0, block_fma=16,24, normal" 1, "fp16 inputs, fp32/rtz acc, order=sequential, M=16, N=16, permutations=0, block_fma=32,24, normal" 0)
set xrange [-0.5:5.5]
set yrange [-0.5:24.5]
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
  set terminal pngcairo size 1490,750 noenhanced font "sans,11" background rgb "white"
} else {
  set terminal png size 1490,750 noenhanced
}
set output 'heatmap_setup_vs_K.png'
replot
unset output
