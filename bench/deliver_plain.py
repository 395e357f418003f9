"""Time N one-process deliveries of distinct plain reports; print a table."""
import os, statistics, sys, time
from benchlib import creation_us

vultures, src, work, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
home = os.path.join(work, "home")
conf = os.path.join(work, "vultures.conf")
with open(conf, "w") as f:
    f.write(f'address = "vultures@example.org"\nhome = "{home}"\n'
            f'rules = "{src}/rules"\ntemplates = "{src}/templates"\n'
            'limits { replies_per_sender_per_hour = 100000 }\n')

def report(i):
    return (f"From: Reporter {i} <rep{i}@example.net>\nTo: vultures@example.org\n"
            f"Subject: Vulnerability report {i}\nDate: Sun, 22 Nov 2026 10:00:00 +0900\n"
            f"Message-ID: <bench.{i}@example.net>\nMIME-Version: 1.0\n"
            "Content-Type: text/plain; charset=UTF-8\n\n"
            + "A remote code execution flaw in FooServer 2.1.\n" * 40).encode()

def peak_rss_mib(argv, stdin_bytes=None):
    """Peak RSS of one run, from GNU time (wait4 on a posix_spawn'd child
    would count the parent's pages shared before exec)."""
    import subprocess
    p = subprocess.run(["/usr/bin/time", "-f", "%M"] + argv, input=stdin_bytes or b"",
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=True)
    return int(p.stderr.decode().strip().splitlines()[-1]) / 1024.0

def run(argv, stdin_bytes=None):
    r, w = os.pipe()
    devnull = os.open(os.devnull, os.O_WRONLY)
    t0 = time.perf_counter()
    pid = os.posix_spawn(argv[0], argv, MTA_ENV,
                         file_actions=[(os.POSIX_SPAWN_DUP2, r, 0),
                                       (os.POSIX_SPAWN_DUP2, devnull, 1),
                                       (os.POSIX_SPAWN_CLOSE, w)])
    os.close(r)
    if stdin_bytes:
        os.write(w, stdin_bytes)
    os.close(w)
    _, status = os.waitpid(pid, 0)
    dt = (time.perf_counter() - t0) * 1000
    os.close(devnull)
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{argv} exited {os.waitstatus_to_exitcode(status)}")
    return dt

# An MTA's pipe transport runs the command with a minimal environment.
MTA_ENV = {"PATH": "/usr/bin:/bin"}
rows = []
def measure(what):
    """The rows take turns, one run each, so that a host that speeds up or
    slows down during the bench moves all of them alike."""
    times = [[] for _ in what]
    for i in range(n):
        for k, (name, make_argv, make_input) in enumerate(what):
            times[k].append(run(make_argv(i), make_input(i)))
    for k, (name, make_argv, make_input) in enumerate(what):
        t = sorted(times[k])
        rss = max(peak_rss_mib(make_argv(n + i), make_input(n + i)) for i in range(5))
        rows.append((name, statistics.median(t), t[int(len(t) * 0.9) - 1], rss))


create_cost = creation_us(os.path.join(work, "probe"))
nothing = lambda i: None
measure([("/bin/true", lambda i: ["/bin/true"], nothing),
         ("vultures --version (start only)", lambda i: [vultures, "--version"], nothing),
         ("vultures deliver, plain report + ack", lambda i: [vultures, "-c", conf, "deliver"], report)])
cases = len(os.listdir(os.path.join(home, "outbox", "new")))
fsyncs = yields = "-"
try:
    import subprocess
    out = subprocess.run(["strace", "-f", "-c", "-e", "trace=fsync,fdatasync,sched_yield", vultures, "-c", conf,
                          "deliver"], input=report(10**6), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE).stderr.decode()
    fsyncs = sum(int(l.split()[3]) for l in out.splitlines() if l.strip().endswith(("fsync", "fdatasync")))
    yields = sum(int(l.split()[3]) for l in out.splitlines() if l.strip().endswith("sched_yield"))
except (OSError, ValueError, IndexError):
    pass
print(f"{'what':40} {'median ms':>10} {'p90 ms':>8} {'peak RSS MiB':>13}")
for name, med, p90, rss in rows:
    print(f"{name:40} {med:10.2f} {p90:8.2f} {rss:13.1f}")
print(f"({n} runs each; {cases} acknowledgements written; fsync calls per deliver: {fsyncs};"
      f" sched_yield calls: {yields};"
      " target: deliver <= 6 ms median, <= 12 MiB RSS)")
print(f"(creating a file in the bench directory took {create_cost:.0f} us before the runs;"
      " a delivery creates two)")
