"""Time encrypted+signed reports through deliver; count gpg processes."""
import os, statistics, subprocess, sys, time
from benchlib import creation_us

vultures, src, work, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
world, home = os.path.join(work, "world"), os.path.join(work, "home")
rgnupg = os.path.join(home, "gnupg")
for d in (world, rgnupg):
    os.makedirs(d, mode=0o700, exist_ok=True)

def gpg(home_dir, args, data=b""):
    return subprocess.run(["gpg", "--homedir", home_dir, "--batch", "--quiet", "--no-tty",
                           "--pinentry-mode", "loopback", "--passphrase", "", "--trust-model", "always"] + args,
                          input=data, capture_output=True, check=True).stdout

def fpr(uid):
    out = gpg(world, ["--with-colons", "--list-keys", uid]).decode()
    return [l.split(":")[9] for l in out.splitlines() if l.startswith("fpr")][0]

gpg(world, ["--quick-gen-key", "robot <vultures@example.org>", "future-default", "default", "never"])
gpg(world, ["--quick-gen-key", "reporter <rep@example.net>", "future-default", "default", "never"])
robot, rep = fpr("vultures@example.org"), fpr("rep@example.net")
subprocess.run(["gpg", "--homedir", rgnupg, "--batch", "--quiet", "--import"],
               input=gpg(world, ["--export-secret-keys", robot]) + gpg(world, ["--export", rep]), check=True,
               capture_output=True)
conf = os.path.join(work, "vultures.conf")
with open(conf, "w") as f:
    f.write(f'address = "vultures@example.org"\nhome = "{home}"\nrobot_key = "{robot}"\n'
            f'gnupg_home = "{rgnupg}"\nrules = "{src}/rules"\ntemplates = "{src}/templates"\n'
            'limits { replies_per_sender_per_hour = 100000 }\n')
env = dict(os.environ, GNUPGHOME=world)
body = "A remote code execution flaw in FooServer 2.1.\n" * 40

def message(i):
    return subprocess.run(["python3", os.path.join(src, "t", "pgpmail.py"), "--mode", "combined",
                           "--message-id", f"bench.{i}@example.net", "--from", "rep@example.net",
                           "--subject", "...", "--protected-subject", f"report {i}", "--signer", rep,
                           "--recipient", robot, "--body", body], env=env, capture_output=True,
                          check=True).stdout

print("preparing %d messages ..." % (n + 2), file=sys.stderr)
msgs = [message(i) for i in range(n + 2)]

def timed(argv, data, environ=None):
    t = time.perf_counter()
    p = subprocess.run(argv, input=data, capture_output=True, env=environ)
    dt = (time.perf_counter() - t) * 1000
    if p.returncode != 0:
        sys.exit("%s exited %d: %s" % (argv[0], p.returncode, p.stderr.decode(errors="replace")[:300]))
    return dt


# ext4 without a journal (as on the machines this was written on) skips
# every inode freed in the last minute, one by one, when it makes a file:
# right after a build, a test run, or the gpg runs that made the messages
# above (each takes a lock file), each file a delivery creates costs ten
# times more. Wait for that to pass, as on a mail host doing only its job.
# SETTLE=0 skips the wait; the table shows the cost of a file creation.
settle = int(os.environ.get("SETTLE", "60"))
if settle > 0:
    print("waiting %d s for recently freed inodes to age (SETTLE=0 to skip) ..." % settle, file=sys.stderr)
    os.sync()
    time.sleep(settle)
create_cost = creation_us(os.path.join(work, "probe"))
# Warm the agent once, as a running robot would have it.
timed([vultures, "-c", conf, "deliver"], msgs[0])
# gpg processes for one message.
trace = os.path.join(work, "trace")
subprocess.run(["strace", "-f", "-e", "trace=execve", "-o", trace, vultures, "-c", conf, "deliver"],
               input=msgs[n + 1], capture_output=True)
execs = [l for l in open(trace) if "execve(" in l and "ENOENT" not in l and "resumed" not in l]
gpgs = sum(1 for l in execs if '"/usr/bin/gpg' in l or '["gpg"' in l)
# The gpg command-line floor: decrypt this report, encrypt+sign an ack.
import email
ct = email.message_from_bytes(msgs[1]).get_payload()[1].get_payload(decode=True)
ack = ("We have received your report.\n" * 12).encode()
# The two rows take turns, so that a host changing speed moves them alike.
floor, times = [], []
for i in range(n):
    times.append(timed([vultures, "-c", conf, "deliver"], msgs[i + 1]))
    t = time.perf_counter()
    gpg(rgnupg, ["--decrypt"], ct)
    gpg(rgnupg, ["--armor", "--encrypt", "--sign", "--local-user", robot, "--recipient", rep,
                 "--recipient", robot], ack)
    floor.append((time.perf_counter() - t) * 1000)
floor.sort()
times.sort()
print(f"{'what':52} {'median ms':>10} {'p90 ms':>8}")
print(f"{'gpg --decrypt + gpg --encrypt --sign (CLI floor)':52} {statistics.median(floor):10.2f} {floor[int(len(floor)*0.9)-1]:8.2f}")
print(f"{'vultures deliver, encrypted report + encrypted ack':52} {statistics.median(times):10.2f} {times[int(len(times)*0.9)-1]:8.2f}")
print(f"(gpg processes spawned for one message: {gpgs}, programs started in all: {len(execs) - 1}; "
      f"{n} runs; target: deliver <= 20 ms median)")
print(f"(creating a file in the bench directory took {create_cost:.0f} us before the runs)")
subprocess.run(["gpgconf", "--kill", "all"], env=dict(os.environ, GNUPGHOME=rgnupg))
