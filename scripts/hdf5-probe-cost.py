"""Cost of dlspec's HDF5 metadata probe (docs/reliability.md, "Isolating libhdf5").

Usage: python3 scripts/hdf5-probe-cost.py DLSPEC FILE...
Runs `DLSPEC --version` (process start alone) and `DLSPEC _probe-hdf5 ... FILE` 40 times each,
with the environment the parent gives the child; prints wall time (median, min, p90) and the
mean CPU time of the children.
"""
import subprocess, time, statistics, sys, resource
B = sys.argv[1]
env = {'OPENBLAS_NUM_THREADS': '1', 'SWIFT_BACKTRACE': 'enable=no', 'PATH': '/usr/bin:/bin'}
def bench(args, n=40):
    ts = []
    c0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    for _ in range(n):
        t = time.perf_counter()
        r = subprocess.run([B] + args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        ts.append((time.perf_counter() - t) * 1000)
    c1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (c1.ru_utime + c1.ru_stime - c0.ru_utime - c0.ru_stime) * 1000 / n
    ts.sort()
    return r.returncode, statistics.median(ts), ts[0], ts[int(n * 0.9)], cpu
for label, args in [('--version', ['--version'])] + [
    (f, ['_probe-hdf5', '--cpu-seconds', '2', '--memory-mb', '512', '--', f]) for f in sys.argv[2:]]:
    rc, med, lo, p90, cpu = bench(args)
    print(f'{label}: rc {rc}, wall median {med:.1f} ms, min {lo:.1f}, p90 {p90:.1f}; CPU {cpu:.1f} ms')
