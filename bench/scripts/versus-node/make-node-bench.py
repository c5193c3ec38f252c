#!/usr/bin/env python3
"""Writes NODE_DIR/server-bench.mjs: the Node `ws` reference server.mjs, unchanged except for
one added HTTP route, POST /realtime/publish, as PROTOCOL.md specifies it for services
({channel, data} -> 200 {channel, seq, id}; token with roles ["service"]).

Why: the load tool's `broadcast` scenario publishes through that REST route, which the reference
does not have (it answers 404, so nothing is ever published). The route does exactly what the
reference's own WebSocket `message` path does: ++seq on the channel, serialize once, send the
same bytes to every subscriber (one object per frame). The chat path is untouched.
"""
import sys

if len(sys.argv) != 3:
    sys.exit("usage: make-node-bench.py NODE_DIR/server.mjs NODE_DIR/server-bench.mjs")
SRC, DST = sys.argv[1], sys.argv[2]
ANCHOR = "const server = http.createServer((req, res) => {\n"
ROUTE = r"""  // ---- added by bench/scripts/versus-node/make-node-bench.py: REST publish for services (PROTOCOL.md) ----
  if (req.method === 'POST' && req.url.split('?', 1)[0] === '/realtime/publish') {
    const reply = (status, obj) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(obj));
    };
    const auth = req.headers.authorization;
    const user = verifyToken(auth && auth.startsWith('Bearer ') ? auth.slice(7) : null);
    if (!user) return reply(401, { error: { code: 'unauthorized', message: 'invalid token' } });
    if (!user.roles.includes('service')) return reply(403, { error: { code: 'forbidden', message: 'service only' } });
    const chunks = [];
    let size = 0;
    req.on('data', (c) => { size += c.length; if (size <= MAX_FRAME_BYTES) chunks.push(c); });
    req.on('end', () => {
      if (size > MAX_FRAME_BYTES) return reply(413, { error: { code: 'too_large', message: 'body too large' } });
      let msg;
      try { msg = JSON.parse(Buffer.concat(chunks)); } catch { msg = null; }
      const channel = msg && typeof msg === 'object' ? msg.channel : undefined;
      if (typeof channel !== 'string' || !CHANNEL.test(channel) || !('data' in msg)) {
        return reply(400, { error: { code: 'bad_request', message: 'channel and data are required' } });
      }
      const ch = channelState(channel);
      const seq = ++ch.seq;
      const id = `${NODE_ID}-${++messageCounter}`;
      const ts = Date.now();
      // Serialize once, send the same bytes to every subscriber (as the `message` path does).
      const frame = Buffer.from(JSON.stringify({ type: 'message', channel, id, seq, from: `service:${user.userId}`, data: msg.data, ts }));
      for (const sub of ch.subscribers) sub.send(frame, { binary: false });
      reply(200, { channel, seq, id });
    });
    return;
  }
  // ---- end of the added route ----
"""

text = open(SRC, encoding="utf-8").read()
if text.count(ANCHOR) != 1:
    sys.exit(f"make-node-bench: anchor not found exactly once in {SRC}; server.mjs changed, update the patch")
open(DST, "w", encoding="utf-8").write(text.replace(ANCHOR, ANCHOR + ROUTE))
print(f"wrote {DST}")
