#!/usr/bin/env python3
"""summary.py [RESULTS] [--label SUBSTRING] [--last N] [--csv]

One row per line of results.txt ("LABEL <json>", written by run.sh); a broadcast --step run gives
one row per step. Field names are the load tool's JSON report (bench/ BenchMain):
  shape      chat: rooms x users @ rate msg/s; broadcast: subscribers @ rate msg/s
  deliv/exp  accounting.received / accounting.expected (expected = acks x users for chat,
             accepted publishes x subscribers for broadcast); '!' marks publishes not accepted
             or chat messages not acked (then expected shrinks and lost says nothing)
  lost       accounting.lost (= expected - received + duplicates)
  p50/p95/p99 latencyMs.*
  dlv/s      deliveriesPerSecond
  srvCores   server.serverCpuCores; dlv/core-s server.deliveriesPerServerCoreSecond
  toolCores  tool.cpuCores; lagP99 tool.loopLagP99Ms
  otherCores harness.otherCores (run.sh): CPU used by anything but server and tool during the
             tool's run, in cores; above ~0.1 the machine was shared and the figures are disturbed
  ok         the tool's own verdict (complete, in order, no failures)
idle runs print connections, failures and heap/RSS bytes per connection instead.
"""
import json
import os
import sys


def rows_of(label, rep):
    sc = rep.get("scenario", "?")
    if sc == "idle":
        srv = rep.get("server", {})
        conn = rep.get("connect", {})
        return [dict(label=label, scenario=sc,
                     shape=f"{rep.get('connections')}x{rep.get('subscriptions')}sub",
                     idle=f"ready {conn.get('ready')} failed {rep.get('problems', {}).get('failed')} "
                          f"{conn.get('perSecond')} conn/s heap/conn {srv.get('heapBytesPerConnection')} B "
                          f"rss/conn {srv.get('rssBytesPerConnection')} B",
                     ok=rep.get("ok"))]
    phases = rep.get("steps") if rep.get("steps") else [rep]
    out = []
    for ph in phases:
        acc = ph.get("accounting", {})
        lat = ph.get("latencyMs", {})
        srv = ph.get("server", {})
        tool = ph.get("tool", {})
        rate = ph.get("rate", rep.get("rate"))
        flag = ""
        if sc == "chat":
            shape = f"{rep.get('rooms')}x{rep.get('users')} @{fmt(rate)}"
            sent = acc.get("sent", 0)
            if acc.get("acks", 0) < sent:
                flag = f"! acked {acc.get('acks')}/{sent}"
        else:
            shape = f"{ph.get('subscribers', ph.get('connections'))} @{fmt(rate)}"
            pub = ph.get("publisher", {})
            if pub.get("accepted", 0) < pub.get("published", 0):
                flag = f"! accepted {pub.get('accepted')}/{pub.get('published')} {json.dumps(pub.get('statuses'))}"
        errors = acc.get("errors") or {}
        if errors:
            flag += " errors " + json.dumps(errors)
        problems = rep.get("problems", {})
        if problems.get("failed") or problems.get("dropped"):
            flag += f" failed {problems.get('failed')} dropped {problems.get('dropped')}"
        if acc.get("seqGaps") or acc.get("seqRepeats") or acc.get("duplicates"):
            flag += f" gaps {acc.get('seqGaps')} repeats {acc.get('seqRepeats')} dups {acc.get('duplicates')}"
        out.append(dict(label=label, scenario=sc, shape=shape,
                        delivered=f"{acc.get('received')}/{acc.get('expected')}",
                        lost=acc.get("lost"),
                        p50=lat.get("p50"), p95=lat.get("p95"), p99=lat.get("p99"),
                        dps=ph.get("deliveriesPerSecond"),
                        srv_cores=srv.get("serverCpuCores"),
                        per_core=srv.get("deliveriesPerServerCoreSecond"),
                        tool_cores=tool.get("cpuCores"), lag99=tool.get("loopLagP99Ms"),
                        other=rep.get("harness", {}).get("otherCores"),
                        ok=ph.get("ok"), note=flag.strip(),
                        date=rep.get("date", "")[:19]))
    return out


def fmt(v):
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return "-" if v is None else str(v)


COLS = [("label", "label", "<"), ("scenario", "scenario", "<"), ("shape", "shape", "<"),
        ("delivered", "deliv/exp", ">"), ("lost", "lost", ">"), ("p50", "p50ms", ">"), ("p95", "p95ms", ">"),
        ("p99", "p99ms", ">"), ("dps", "dlv/s", ">"), ("srv_cores", "srvCores", ">"),
        ("per_core", "dlv/core-s", ">"), ("tool_cores", "toolCores", ">"), ("lag99", "lagP99ms", ">"),
        ("other", "otherCores", ">"), ("ok", "ok", "<"), ("note", "note", "<")]


def main(argv):
    path = os.path.join(os.environ.get("BENCH_OUT", "/tmp/sobranie-bench"), "results.txt")
    label_filter = None
    last = None
    csv = False
    args = iter(argv)
    for a in args:
        if a == "--label":
            label_filter = next(args)
        elif a == "--last":
            last = int(next(args))
        elif a == "--csv":
            csv = True
        elif a in ("-h", "--help"):
            print(__doc__)
            return 0
        else:
            path = a
    rows = []
    try:
        lines = open(path, encoding="utf-8").read().splitlines()
    except FileNotFoundError:
        print(f"no {path} yet", file=sys.stderr)
        return 1
    if last:
        lines = lines[-last:]
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        label, _, js = line.partition(" ")
        if label_filter and label_filter not in label:
            continue
        try:
            rep = json.loads(js)
        except json.JSONDecodeError as e:
            print(f"{path}:{n}: not JSON ({e})", file=sys.stderr)
            continue
        rows.extend(rows_of(label, rep))
    main_rows = [r for r in rows if r["scenario"] != "idle"]
    idle_rows = [r for r in rows if r["scenario"] == "idle"]
    if csv:
        print(",".join(c[1] for c in COLS))
        for r in main_rows:
            print(",".join('"%s"' % fmt(r.get(c[0])) for c in COLS))
        return 0
    if main_rows:
        cells = [[fmt(r.get(k)) for k, _, _ in COLS] for r in main_rows]
        widths = [max(len(h), *(len(c[i]) for c in cells)) for i, (_, h, _) in enumerate(COLS)]
        widths[-1] = len(COLS[-1][1])  # the note is last: never pad it
        print("  ".join(f"{h:{a}{w}}" for (_, h, a), w in zip(COLS, widths)).rstrip())
        for c in cells:
            print("  ".join(f"{v:{a}{w}}" for v, (_, _, a), w in zip(c, COLS, widths)).rstrip())
    for r in idle_rows:
        print(f"{r['label']}  idle  {r['shape']}  {r['idle']}  ok={r['ok']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
