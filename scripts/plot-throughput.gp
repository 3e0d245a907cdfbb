# Bar chart of unlock throughput (docs/benchmarks.md), from the TSV that
# tests/bench/report.py writes. Usage:
#   gnuplot -e "data='in.tsv'; out='out.png'" scripts/plot-throughput.gp
set terminal pngcairo size 1000,520 font "DejaVu Sans,10"
set output out
set title "Unlock throughput, one core (higher is better)"
set ylabel "GB/s"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set xtics rotate by -30 nomirror
set grid ytics
set key top right
set datafile separator "\t"
plot data using 2:xtic(1) title "256 KiB" linecolor rgb "#4477aa", \
     ''   using 3 title "64 MiB" linecolor rgb "#ee6677"
