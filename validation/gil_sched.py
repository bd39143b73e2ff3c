"""Who takes the GIL after a drop request, seen from the kernel: reads `perf script` output of a gil_probe.py run.

Usage:
  perf record -a -o P.data -e sched:sched_switch -e sched:sched_waking -e syscalls:sys_enter_futex \\
      -e syscalls:sys_exit_futex -- .venv/bin/python validation/gil_probe.py 2 worksleep 5 150
  perf script -i P.data > P.txt
  python3 validation/gil_sched.py P.txt [IO_TID]
IO_TID is the sleeping (or fetching) thread's id; without it, the Python thread with the fewest futex calls
among the three busiest. Prints one JSON line.

How it reads the futex calls (CPython 3.11 Python/ceval_gil.h on glibc 2.36): `take_gil`'s timed wait is a
FUTEX_WAIT_BITSET (op 0x89) on one of the two `__g_signals` words of `gil->cond` (the two most used such
words, 4 bytes apart); `gil->mutex` follows the condition variable (+8 from the first word), `switch_cond`'s
`__g_signals` are +0x58 and +0x5c. A forced drop is a FUTEX_WAKE (op 0x81) on `gil->cond` (drop_gil's
COND_SIGNAL) followed by the dropper's untimed wait (op 0x189) on `switch_cond`; its requester is the last
other thread whose timed wait on `gil->cond` returned ETIMEDOUT within 300 us before; the thread that took
the GIL is the one that wakes the dropper (take_gil's COND_SIGNAL(switch_cond)).

Figures: `requests` by the I/O thread and by the spinning threads, and the share the requester took
(`requester_took`); for the I/O thread's requests, split by whether its timed wait ran on the core the
holder ran on (`same_core`: the timer that ends the wait fires there, the woken thread is queued there and
preempts the holder, `preempted_holder`) or not (`other_core`); `woken_on_releasers_core`: the share of the
I/O thread's voluntary releases whose woken waiter ran next on the I/O thread's own core;
`dropper_on_takers_core`: the share of take_gil's switch_cond wake-ups (the dropper, woken by the thread that
took the GIL) after which the dropper ran next on the taker's own core, for the I/O thread and for the spinning
threads as takers; `io_lost_request_taker_woke_before`: of the I/O thread's requests another thread
took, how many times that thread had been woken in the 300 us before the signal (its own timed wait over,
but not yet run, so its futex entry was still queued ahead of the requester's new one).
`spinner_requests`: the spinning threads' requests by where the requester's timed wait ran against the
holder's core (`same_core`, `other_core`) and whether the I/O thread was asleep in take_gil's wait at the
signal (`io_asleep`, `io_not_asleep`), each `n` and who took the GIL: the requester, the I/O thread, another.

`placement` (issue 8): where a woken Python thread of the probe runs next against the core it last ran on
(`prev_cpu`), over every sched_waking of those threads but the droppers' (counted apart, below), with a 2-core machine's "other" core: `waker_on_prev`
(woken by a probe thread running on that core), `waker_on_other`, `timer` (woken from an interrupt or a
non-probe thread: the futex timeout's hrtimer, the socket); each `n`, `ran_on_prev` (the share that ran next
on `prev_cpu`) and `wait_us` (median, from the wake-up to running), for `prev_busy_other_idle` (the previous
core busy, the other idle: the case an idle-core search would move) and `all`; and `dropper_by_prev_core`:
take_gil's switch_cond wake-ups split by whether the dropper last ran on the taker's core, with the share that
ran next on the taker's core and the wait. Where a thread runs is read from the sched_switch that next puts it
on a core: sched_waking's `target_cpu` is the core the thread last ran on, not where it goes, since the
tracepoint fires in try_to_wake_up() before select_task_rq() (kernel/sched/core.c; it was added to see the
waker's context, commit fbd705a0c618).
"""
import bisect
import collections
import json
import re
import sys

LINE = re.compile(r"^\s*(\S+)\s+(\d+)\s+\[(\d+)\]\s+([\d.]+):\s+(\S+):\s*(.*)$")
ETIMEDOUT = "0xffffffffffffff92"


def read(path):
    events = []  # (time us, tid, cpu, event, text)
    with open(path) as f:
        for line in f:
            m = LINE.match(line)
            if m:
                _, tid, cpu, t, name, rest = m.groups()
                events.append((float(t) * 1e6, tid, int(cpu), name.split(":")[-1], rest))
    return events


def next_run(events, i, tid):
    """(cpu, time) of the first sched_switch after event i that puts thread `tid` on a core, or None."""
    for e in events[i + 1:i + 20000]:
        if e[3] == "sched_switch" and f"next_pid={tid} " in e[4] + " ":
            return e[2], e[0]
    return None


def futex(rest):
    return rest.split("uaddr: ")[1].split(",")[0], rest.split("op: ")[1].split(",")[0]


def main():
    events = read(sys.argv[1])
    timed = collections.Counter(futex(e[4])[0] for e in events if e[3] == "sys_enter_futex" and futex(e[4])[1] == "0x00000089")
    words = sorted(int(a, 16) for a, _ in timed.most_common(2))
    if len(words) < 2 or words[1] - words[0] != 4:
        sys.exit(f"{sys.argv[1]}: no pair of timed-wait futex words 4 bytes apart (gil->cond); is it a gil_probe.py run?")
    at = lambda offset: "0x%x" % (words[0] + offset)
    cond, switch_cond = (at(0), at(4)), (at(0x58), at(0x5C))
    if len(sys.argv) > 2:
        io = sys.argv[2]
    else:
        calls = collections.Counter(e[1] for e in events if e[3] == "sys_enter_futex")
        io = min((tid for tid, _ in calls.most_common(3)), key=lambda tid: calls[tid])

    entered, timeouts, signals = {}, [], []
    io_asleep = []  # the I/O thread's timed waits on gil->cond, (entered, returned)
    io_entered = None
    for i, (t, tid, cpu, name, rest) in enumerate(events):
        if name == "sys_enter_futex":
            entered[tid] = futex(rest)
            if tid == io:
                io_entered = t
            if entered[tid][0] in cond and entered[tid][1] == "0x00000081":
                signals.append(i)
        elif name == "sys_exit_futex" and entered.get(tid, ("", ""))[0] in cond and entered[tid][1] == "0x00000089":
            if rest.strip() == ETIMEDOUT:
                timeouts.append((t, tid, i))
            if tid == io:
                io_asleep.append((io_entered, t))
    asleep_from = [a for a, _ in io_asleep]

    def forced(i):
        t, holder = events[i][0], events[i][1]
        for j in range(i + 1, min(i + 400, len(events))):
            if events[j][0] - t > 200:
                return False
            if events[j][1] == holder and events[j][3] == "sys_enter_futex" and futex(events[j][4])[0] in switch_cond:
                return True
        return False

    took = collections.Counter()
    spinner_requests = collections.Counter()
    woken_here = collections.Counter()
    # The dropper woken from switch_cond by the thread that took the GIL: did it run next on the taker's core?
    dropper_here = collections.Counter()
    for i, (t, tid, cpu, name, rest) in enumerate(events):
        if name == "sys_enter_futex" and futex(rest)[0] in switch_cond and futex(rest)[1] == "0x00000081":
            waking = next((e for e in events[i + 1:i + 10] if e[1] == tid and e[3] == "sched_waking"), None)
            ran = waking and next_run(events, i, waking[4].split(" pid=")[1].split()[0])
            if ran:
                dropper_here[("io" if tid == io else "spinners", ran[0] == cpu)] += 1
    for i in signals:
        t, holder, cpu = events[i][0], events[i][1], events[i][2]
        if not forced(i):
            if holder == io:
                waking = next((e for e in events[i + 1:i + 20] if e[1] == io and e[3] == "sched_waking"), None)
                ran = waking and next_run(events, i, waking[4].split(" pid=")[1].split()[0])
                if ran:
                    woken_here[ran[0] == cpu] += 1
            continue
        requests = [(tt, tid, k) for tt, tid, k in timeouts if tid != holder and t - 300 < tt < t]
        if not requests:
            continue
        t_request, requester, k = requests[-1]
        taker = next((e[1] for e in events[i + 1:i + 3000] if e[3] == "sched_waking" and f"pid={holder} " in e[4]), None)
        if taker is None:
            continue
        who = "io" if requester == io else "spinners"
        if who == "io" and taker != requester:
            # Was the taker's own timed wait over too (woken within 300 us before the signal, not by the
            # signal) but it had not run yet, so its futex entry was still queued and took the signal?
            took[("io", "lost", "taker_woke_before")] += any(
                e[3] == "sched_waking" and f"pid={taker} " in e[4] for e in events[k - 200:i] if e[0] > t - 300)
        if who == "io":
            # The core its timed wait ran on: where it entered the wait that timed out.
            wait = max(j for j in range(max(0, k - 20000), k) if events[j][1] == io and events[j][3] == "sys_enter_futex")
            where = "same_core" if events[wait][2] == cpu else "other_core"
            preempted = any(e[3] == "sched_switch" and f"prev_pid={holder} " in e[4] and "prev_state=R" in e[4]
                            and f"next_pid={io} " in e[4] for e in events[k - 50:k + 1])
            took[(who, where, "taken" if taker == requester else "lost")] += 1
            took[(who, where, "preempted_holder")] += preempted
        took[(who, "all", "taken" if taker == requester else "lost")] += 1
        if who == "spinners":
            k_io = bisect.bisect_right(asleep_from, t) - 1
            asleep = "io_asleep" if k_io >= 0 and io_asleep[k_io][1] > t else "io_not_asleep"
            side = "same_core" if events[k][2] == cpu else "other_core"
            spinner_requests[(side, asleep, "requester" if taker == requester else "io" if taker == io else "other")] += 1

    def share(who, where):
        n = took[(who, where, "taken")] + took[(who, where, "lost")]
        return {"requests": n, "requester_took": round(took[(who, where, "taken")] / n, 2) if n else None}

    result = {"io_thread": io, "io": share("io", "all"), "spinners": share("spinners", "all"),
              "io_same_core": dict(share("io", "same_core"), preempted_holder=took[("io", "same_core", "preempted_holder")]),
              "io_other_core": share("io", "other_core"),
              "woken_on_releasers_core": round(woken_here[True] / sum(woken_here.values()), 2) if woken_here else None,
              "dropper_on_takers_core": {
                  who: round(dropper_here[(who, True)] / n, 2) if (n := dropper_here[(who, True)] + dropper_here[(who, False)]) else None
                  for who in ("io", "spinners")},
              "io_lost_request_taker_woke_before": took[("io", "lost", "taker_woke_before")],
              "spinner_requests": {f"{where}/{asleep}": {"n": n, **{who: round(spinner_requests[(where, asleep, who)] / n, 2)
                                                                   for who in ("requester", "io", "other")}}
                                   for where in ("same_core", "other_core") for asleep in ("io_asleep", "io_not_asleep")
                                   if (n := sum(spinner_requests[(where, asleep, w)] for w in ("requester", "io", "other")))}}
    result["placement"] = placement(events, {e[1] for e in events if e[3] == "sys_enter_futex"}, switch_cond)
    print(json.dumps(result))


def placement(events, probe, switch_cond):
    """Where the probe's woken threads ran next against their previous core (see the module doc)."""
    running, last_cpu = {}, {}
    counts, waits = collections.Counter(), collections.defaultdict(list)
    pending = {}  # woken thread -> (cases, time woken, the core that counts as "there")
    for i, (t, tid, cpu, name, rest) in enumerate(events):
        if name == "sched_switch":
            prev_pid, next_pid = rest.split("prev_pid=")[1].split()[0], rest.split("next_pid=")[1].split()[0]
            last_cpu[prev_pid] = cpu
            running[cpu] = next_pid
            if next_pid in pending:
                cases, woken_at, target = pending.pop(next_pid)
                for case in cases:
                    counts[case + (cpu == target,)] += 1
                    waits[case].append(t - woken_at)
        elif name == "sched_waking":
            woken = rest.split(" pid=")[1].split()[0]
            if woken not in probe or woken not in last_cpu:
                continue
            prev = last_cpu[woken]
            waker = "timer" if tid not in probe or tid == woken else "waker_on_prev" if cpu == prev else "waker_on_other"
            busy_idle = running.get(prev, "0") != "0" and running.get(1 - prev, "0") == "0"
            cases = [(waker, "all")] + ([(waker, "prev_busy_other_idle")] if busy_idle else [])
            if woken in pending and pending[woken][0][0][0] == "dropper":
                continue  # already counted as a dropper's wake-up
            pending[woken] = (cases, t, prev)
        elif name == "sys_enter_futex" and futex(rest)[0] in switch_cond and futex(rest)[1] == "0x00000081":
            waking = next((e for e in events[i + 1:i + 10] if e[1] == tid and e[3] == "sched_waking"), None)
            if waking:
                dropper = waking[4].split(" pid=")[1].split()[0]
                where = "prev_is_takers_core" if last_cpu.get(dropper) == cpu else "prev_is_other"
                pending[dropper] = ([("dropper", where)], waking[0], cpu)

    def share(who, case):
        n = counts[(who, case, True)] + counts[(who, case, False)]
        key = "ran_on_prev" if who != "dropper" else "ran_on_takers_core"
        w = sorted(waits[(who, case)])
        return {"n": n, key: round(counts[(who, case, True)] / n, 3) if n else None,
                "wait_us": round(w[len(w) // 2], 1) if w else None}

    result = {who: {case: share(who, case) for case in ("all", "prev_busy_other_idle")}
              for who in ("waker_on_prev", "waker_on_other", "timer")}
    result["dropper_by_prev_core"] = {where: share("dropper", where) for where in ("prev_is_takers_core", "prev_is_other")}
    return result


if __name__ == "__main__":
    main()
