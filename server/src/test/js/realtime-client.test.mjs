// Tests of the browser client (gateway-verticle/src/main/resources/webroot/realtime-client.js)
// with Node's built-in runner. Run by ClientLibraryTest (mvn verify), or by hand:
//   CLIENT_JS=gateway-verticle/src/main/resources/webroot/realtime-client.js node --test server/src/test/js/
// The "fake" tests drive the client with scripted WebSocket/fetch/timers; the "server" tests run
// only when BASE_URL and JWT_SECRET name a real server (ClientLibraryTest starts one).
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

// Loaded from a .mjs copy so every Node version treats it as an ES module.
const source = resolve(process.env.CLIENT_JS || 'gateway-verticle/src/main/resources/webroot/realtime-client.js');
const dir = mkdtempSync(join(tmpdir(), 'realtime-client-'));
copyFileSync(source, join(dir, 'realtime-client.mjs'));
const rt = await import(pathToFileURL(join(dir, 'realtime-client.mjs')).href);
after(() => rmSync(dir, { recursive: true, force: true }));
const { createClient, backoffDelay, splitFrames, SseParser, Sequencer, DEFAULTS, RealtimeError } = rt;

const realSetTimeout = setTimeout;
const sleep = ms => new Promise(r => realSetTimeout(r, ms));

/** Polls `condition` until true; fails after `ms`. */
async function until(condition, ms = 3000, what = 'condition') {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (condition()) return;
    await sleep(5);
  }
  assert.fail('timed out waiting for ' + what);
}

// ---- pure logic -------------------------------------------------------------------------------

describe('backoff', () => {
  const { initialMs, maxMs, factor, jitter } = DEFAULTS.reconnect;

  test('documented constants', () => {
    assert.deepEqual({ ...DEFAULTS.reconnect }, { initialMs: 500, maxMs: 30_000, factor: 2, jitter: 0.5 });
  });

  test('every delay lies within [(1 - jitter) * cap(n), cap(n)], cap(n) = min(maxMs, initialMs * factor^n)', () => {
    for (let attempt = 0; attempt < 40; attempt++) {
      const cap = Math.min(maxMs, initialMs * factor ** attempt);
      for (let i = 0; i < 500; i++) {
        const d = backoffDelay(attempt);
        assert.ok(d >= (1 - jitter) * cap && d <= cap && d <= maxMs, `attempt ${attempt}: ${d} outside [${(1 - jitter) * cap}, ${cap}]`);
      }
      assert.equal(backoffDelay(attempt, DEFAULTS.reconnect, () => 0), cap, 'random 0 gives the cap');
      assert.ok(backoffDelay(attempt, DEFAULTS.reconnect, () => 0.999999) <= Math.ceil((1 - jitter * 0.999999) * cap));
    }
  });

  test('grows exponentially, then stays at the maximum', () => {
    const caps = [0, 1, 2, 3, 4, 5, 6, 7, 8].map(n => backoffDelay(n, DEFAULTS.reconnect, () => 0));
    assert.deepEqual(caps, [500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
    assert.equal(backoffDelay(1e9, DEFAULTS.reconnect, () => 0), 30000, 'huge attempt counts do not overflow');
  });

  test('jitter spreads clients: delays of one attempt are not all equal', () => {
    const seen = new Set(Array.from({ length: 50 }, () => backoffDelay(5)));
    assert.ok(seen.size > 10, 'only ' + seen.size + ' distinct delays');
  });

  test('custom constants are honoured', () => {
    const options = { initialMs: 100, maxMs: 1000, factor: 3, jitter: 0 };
    assert.deepEqual([0, 1, 2, 3].map(n => backoffDelay(n, options)), [100, 300, 900, 1000]);
  });
});

describe('frames', () => {
  test('a batched text frame is split on newlines into its objects, in order', () => {
    const { objects, bad } = splitFrames('{"type":"message","seq":1}\n{"type":"message","seq":2}\n\n{"type":"typing"}\n');
    assert.deepEqual(objects.map(o => o.seq ?? o.type), [1, 2, 'typing']);
    assert.deepEqual(bad, []);
  });

  test('a line that is not a JSON object is reported, the others still parsed', () => {
    const { objects, bad } = splitFrames('{"a":1}\nnot json\n[1,2]\n{"b":2}');
    assert.deepEqual(objects, [{ a: 1 }, { b: 2 }]);
    assert.deepEqual(bad, ['not json', '[1,2]']);
  });

  test('SSE parser: events split across chunks, CRLF, comments, ids', () => {
    const events = [];
    const parser = new SseParser(e => events.push(e));
    parser.push('retry: 3000\n\n: ping\n\nid: c1\nevent: mes');
    parser.push('sage\ndata: {"seq":1}\r');
    parser.push('\n\r\nevent: typing\ndata: {"a":\ndata: 1}\n\n');
    assert.deepEqual(events, [
      { event: 'message', data: '{"seq":1}', id: 'c1' },
      { event: 'typing', data: '{"a":\n1}', id: null },
    ]);
  });
});

describe('sequencer', () => {
  test('delivers in seq order exactly once: duplicates dropped, early ones held until the gap fills', () => {
    const out = [];
    const s = new Sequencer(e => out.push(e.seq));
    s.reset(2, 'e1');
    for (const seq of [1, 2, 3, 5, 3, 6, 4, 4, 7]) s.accept({ seq });
    assert.deepEqual(out, [3, 4, 5, 6, 7]);
    assert.equal(s.held.size, 0);
  });

  test('without a baseline the first event is taken; skipGap gives up on a hole', () => {
    const out = [];
    const s = new Sequencer(e => out.push(e.seq));
    s.accept({ seq: 10 });
    s.accept({ seq: 13 });
    s.accept({ seq: 12 });
    assert.deepEqual(out, [10]);
    s.skipGap();
    assert.deepEqual(out, [10, 12, 13]);
    s.reset(null);
    s.accept({ seq: 2 }); // a new stream (e.g. after recovered:false) starts wherever it is
    assert.deepEqual(out, [10, 12, 13, 2]);
  });
});

// ---- a scripted server -------------------------------------------------------------------------

/** Timers that run only when the test says so; records every delay asked for. */
function manualClock() {
  let next = 1;
  const timers = new Map();
  return {
    timers,
    setTimeout: (fn, ms) => { timers.set(next, { fn, ms }); return next++; },
    clearTimeout: id => timers.delete(id),
    setInterval: () => next++,
    clearInterval: () => {},
    /** Runs the pending timer of exactly `ms` (e.g. a reconnect delay). */
    run(ms) {
      for (const [id, t] of timers) {
        if (t.ms === ms) {
          timers.delete(id);
          t.fn();
          return true;
        }
      }
      assert.fail('no timer of ' + ms + ' ms pending; pending: ' + [...timers.values()].map(t => t.ms));
    },
  };
}

/** A fake WebSocket class whose instances the test plays the server for. */
function fakeWebSockets() {
  const sockets = [];
  class FakeWebSocket {
    constructor(url) {
      this.url = url;
      this.readyState = 1;
      this.sent = [];
      sockets.push(this);
    }
    send(text) { this.sent.push(JSON.parse(text)); }
    close() { this.readyState = 3; }
    /** The server writes a text frame: one object, several (batched with newlines) or raw text. */
    push(...objects) { this.onmessage({ data: objects.map(o => typeof o === 'string' ? o : JSON.stringify(o)).join('\n') }); }
    drop(code = 1006, reason = '') { this.readyState = 3; this.onclose({ code, reason }); }
    frames(type) { return this.sent.filter(f => f.type === type); }
  }
  return { FakeWebSocket, sockets };
}

function jsonResponse(status, body) {
  return new Response(body === undefined ? null : JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

/** A fake fetch: tickets always work; other paths answer with `routes[path]` or fail like a dead network. */
function fakeFetch(routes = {}) {
  const calls = [];
  const f = async (url, init = {}) => {
    const path = new URL(url).pathname;
    calls.push({ path, method: init.method || 'GET', body: init.body ? JSON.parse(init.body) : undefined, url });
    if (path === '/realtime/ticket') return jsonResponse(200, { ticket: 'tk' + calls.length, expiresAt: 0 });
    const route = routes[path];
    if (route) return route(init, url);
    throw new TypeError('fetch failed (no route ' + path + ')');
  };
  f.calls = calls;
  return f;
}

function fakeClient(extra = {}) {
  const clock = manualClock();
  const { FakeWebSocket, sockets } = fakeWebSockets();
  const fetch = extra.fetch || fakeFetch();
  const states = [];
  const client = createClient({
    url: 'http://rt.test', token: 'jwt', WebSocket: FakeWebSocket, fetch, random: () => 0.5,
    setTimeout: clock.setTimeout, clearTimeout: clock.clearTimeout, setInterval: clock.setInterval, clearInterval: clock.clearInterval,
    ...extra.options,
  });
  client.on('state', s => states.push(s));
  return { client, clock, sockets, fetch, states };
}

const hello = { type: 'connected', connectionId: 'c-1', userId: 'alice', node: 'n1', heartbeatMs: 25000, limits: { maxFrameBytes: 65536, messagesPerMinute: 100 } };

describe('client over a scripted WebSocket', () => {
  test('batched frames reach the handler split, in order; resubscribe uses since + epoch; no duplicates', async () => {
    const { client, clock, sockets, states } = fakeClient();
    const got = [];
    client.subscribe('chat:a', m => got.push(m.seq));
    client.connect().catch(() => {}); // settled by close() at the end
    await until(() => sockets.length === 1, 3000, 'a socket');
    const ws = sockets[0];
    assert.match(ws.url, /^ws:\/\/rt\.test\/realtime\/ws\?ticket=tk/, 'the token is not in the URL: a one-time ticket is');
    ws.push(hello, { type: 'unread_count', count: 0 });
    const sub = ws.frames('subscribe')[0];
    assert.deepEqual({ ...sub, ref: undefined }, { type: 'subscribe', channel: 'chat:a', ref: undefined });
    ws.push({ type: 'subscribed', channel: 'chat:a', seq: 0, epoch: 'E1', recovered: false, ref: sub.ref });
    ws.push({ type: 'message', channel: 'chat:a', seq: 1, data: 'x' }, { type: 'message', channel: 'chat:a', seq: 2, data: 'y' });
    assert.deepEqual(got, [1, 2]);

    ws.drop(1006);
    const reconnecting = states.at(-1);
    assert.equal(reconnecting.state, 'reconnecting');
    clock.run(reconnecting.delayMs);
    await until(() => sockets.length === 2, 3000, 'a second socket');
    const ws2 = sockets[1];
    ws2.push(hello);
    const again = ws2.frames('subscribe')[0];
    assert.equal(again.since, 2);
    assert.equal(again.epoch, 'E1');
    ws2.push({ type: 'subscribed', channel: 'chat:a', seq: 4, epoch: 'E1', recovered: true, ref: again.ref },
      { type: 'message', channel: 'chat:a', seq: 2, data: 'y' }, // an overlap must not show twice
      { type: 'message', channel: 'chat:a', seq: 3, data: 'z' },
      { type: 'message', channel: 'chat:a', seq: 4, data: 'w' });
    assert.deepEqual(got, [1, 2, 3, 4]);
    client.close();
  });

  test('typing: starts are refreshed at most every typingRefreshMs; a restart inside the server window waits for it; one stop per start', async () => {
    const { client, clock, sockets } = fakeClient();
    client.connect().catch(() => {});
    await until(() => sockets.length === 1, 3000, 'a socket');
    const ws = sockets[0];
    ws.push(hello, { type: 'unread_count', count: 0 });
    await client.typing('chat:a', true);
    await client.typing('chat:a', true); // a keystroke: already shown
    await client.typing('chat:a', false);
    await client.typing('chat:a', false); // nothing to stop
    await client.typing('chat:a', true); // inside the window: the server would drop it now
    const typing = () => ws.frames('typing').map(f => f.active);
    assert.deepEqual(typing(), [true, false]);
    const deferred = [...clock.timers.values()].find(t => t.ms > 0 && t.ms <= DEFAULTS.typingWindowMs);
    assert.ok(deferred, 'the restart waits for the window');
    clock.run(deferred.ms);
    assert.deepEqual(typing(), [true, false, true], 'sent when the window opened');
    await client.typing('chat:a', false);
    await client.typing('chat:a', true);
    await client.typing('chat:a', false); // stopped again before the window: the deferred start is dropped
    assert.ok(![...clock.timers.values()].some(t => t.ms > 0 && t.ms <= DEFAULTS.typingWindowMs), 'no start left waiting');
    assert.deepEqual(typing(), [true, false, true, false]);
    client.close();
  });

  test('recovered:false is told to the app, and the stream continues from the new position', async () => {
    const { client, clock, sockets, states } = fakeClient();
    const got = [];
    const recovered = [];
    client.on('recovered', r => recovered.push(r));
    client.subscribe('chat:a', m => got.push(m.seq));
    client.connect().catch(() => {}); // settled by close() at the end
    await until(() => sockets.length === 1);
    sockets[0].push(hello);
    sockets[0].push({ type: 'subscribed', channel: 'chat:a', seq: 5, epoch: 'E1', recovered: false, ref: sockets[0].frames('subscribe')[0].ref });
    assert.deepEqual(recovered, [], 'a first subscribe has nothing to recover: no alarm');
    sockets[0].drop(1001);
    clock.run(states.at(-1).delayMs);
    await until(() => sockets.length === 2);
    sockets[1].push(hello);
    const sub = sockets[1].frames('subscribe')[0];
    assert.equal(sub.since, 5);
    sockets[1].push({ type: 'subscribed', channel: 'chat:a', seq: 2, epoch: 'E2', recovered: false, ref: sub.ref },
      { type: 'message', channel: 'chat:a', seq: 3, data: 'new epoch' });
    assert.equal(recovered.length, 1);
    assert.equal(recovered[0].channel, 'chat:a');
    assert.equal(recovered[0].recovered, false);
    assert.deepEqual(got, [3]);
    client.close();
  });

  test('messages queued while disconnected go out in order after connecting, each with its own idem; a lost ack is retried with the same idem', async () => {
    const { client, clock, sockets, states } = fakeClient();
    const acks = [client.publish('chat:a', 'one'), client.publish('chat:a', 'two'), client.publish('chat:a', 'three')];
    assert.equal(client.queued, 3);
    client.connect().catch(() => {}); // settled by close() at the end
    await until(() => sockets.length === 1);
    sockets[0].push(hello);
    const sent = sockets[0].frames('message');
    assert.deepEqual(sent.map(m => m.data), ['one', 'two', 'three']);
    const idems = sent.map(m => m.idem);
    assert.equal(new Set(idems).size, 3, 'distinct idem keys');
    idems.forEach(idem => assert.ok(typeof idem === 'string' && idem.length >= 16 && idem.length <= 64, idem));
    sockets[0].push({ type: 'ack', ref: sent[0].ref, channel: 'chat:a', seq: 1, id: 'm-1', ts: 1 });
    assert.deepEqual(await acks[0], { channel: 'chat:a', seq: 1, id: 'm-1', ts: 1 });

    sockets[0].drop(1006); // the acks of two and three are lost with the connection
    clock.run(states.at(-1).delayMs);
    await until(() => sockets.length === 2);
    sockets[1].push(hello);
    const resent = sockets[1].frames('message');
    assert.deepEqual(resent.map(m => m.data), ['two', 'three']);
    assert.deepEqual(resent.map(m => m.idem), idems.slice(1), 'the same idem keys: the server stores each once');
    sockets[1].push({ type: 'ack', ref: resent[0].ref, channel: 'chat:a', seq: 2, id: 'm-2', ts: 2 },
      { type: 'ack', ref: resent[1].ref, channel: 'chat:a', seq: 3, id: 'm-3', ts: 3 });
    assert.equal((await acks[1]).seq, 2);
    assert.equal((await acks[2]).seq, 3);
    assert.equal(client.queued, 0);
    client.close();
  });

  test('the outgoing queue is bounded: past queueLimit publish rejects with queue_full; close() rejects what waits', async () => {
    const { client } = fakeClient({ options: { queueLimit: 3 } });
    const waiting = [1, 2, 3].map(i => client.publish('chat:a', i));
    await assert.rejects(client.publish('chat:a', 4), e => e instanceof RealtimeError && e.code === 'queue_full' && /queue is full/.test(e.message));
    assert.equal(client.queued, 3);
    client.close();
    for (const p of waiting) await assert.rejects(p, e => e.code === 'closed');
    assert.equal(DEFAULTS.queueLimit, 100);
  });

  test('a server error on a message rejects its promise with the code; too-large messages are refused before sending', async () => {
    const { client, sockets } = fakeClient();
    client.connect().catch(() => {}); // settled by close() at the end
    await until(() => sockets.length === 1);
    sockets[0].push(hello);
    const denied = client.publish('user:bob', 'hi');
    const frame = sockets[0].frames('message')[0];
    sockets[0].push({ type: 'error', code: 'forbidden', message: 'no', ref: frame.ref });
    await assert.rejects(denied, e => e.code === 'forbidden' && e.channel === 'user:bob');
    await assert.rejects(client.publish('chat:a', 'x'.repeat(70_000)), e => e.code === 'too_large');
    assert.equal(sockets[0].frames('message').length, 1);
    client.close();
  });

  test('reconnect {afterMs} is honoured: the next attempt waits afterMs (plus at most 10%, 1 s)', async () => {
    const { client, sockets, states } = fakeClient();
    client.connect().catch(() => {}); // settled by close() at the end
    await until(() => sockets.length === 1);
    sockets[0].push(hello);
    sockets[0].push({ type: 'reconnect', afterMs: 4000 });
    const s = states.at(-1);
    assert.equal(s.state, 'reconnecting');
    assert.ok(s.delayMs >= 4000 && s.delayMs <= 4400, 'delay ' + s.delayMs);
    client.close();
  });

  test('backoff grows over failed attempts and the token hook is called on every attempt', async () => {
    let tokens = 0;
    const { client, clock, sockets, states } = fakeClient({ options: { token: undefined, getToken: async () => 'jwt' + (++tokens), transports: ['websocket'] } });
    client.connect().catch(() => {}); // rejected by close() at the end
    const delays = [];
    for (let i = 0; i < 4; i++) {
      await until(() => sockets.length === i + 1);
      sockets[i].drop(1006); // refused before `connected`
      await until(() => states.at(-1).state === 'reconnecting');
      delays.push(states.at(-1).delayMs);
      clock.run(states.at(-1).delayMs);
    }
    assert.deepEqual(delays, [375, 750, 1500, 3000], 'cap(n) * (1 - 0.5 * 0.5) with random fixed at 0.5');
    assert.ok(tokens >= 4, 'getToken called on each attempt: ' + tokens);
    client.close();
  });

  test('a 1008 unauthorized close is not a transport failure: no fallback; a fixed token stops, getToken retries', async () => {
    const { client, sockets, states } = fakeClient();
    const errors = [];
    // (with getToken the client would back off and ask for a new token instead)
    client.on('error', e => errors.push(e.code));
    const connecting = client.connect();
    await until(() => sockets.length === 1);
    sockets[0].drop(1008, 'unauthorized');
    await assert.rejects(connecting);
    assert.equal(states.at(-1).state, 'closed');
    assert.ok(errors.includes('unauthorized'));
  });

  test('notifications and broadcast resume with since; their events wait for the answer so none is lost or doubled', async () => {
    const { client, clock, sockets, states } = fakeClient();
    const seen = [];
    client.on('notification', n => seen.push(n.seq));
    client.connect().catch(() => {}); // settled by close() at the end
    await until(() => sockets.length === 1);
    sockets[0].push(hello, { type: 'notification', seq: 1 }, { type: 'notification', seq: 2 });
    sockets[0].drop();
    clock.run(states.at(-1).delayMs);
    await until(() => sockets.length === 2);
    // another tab took 3 and 4 meanwhile; this connection's offline queue starts at 5
    sockets[1].push(hello, { type: 'notification', seq: 5 });
    const sub = sockets[1].frames('subscribe').find(f => f.channel === 'notifications');
    assert.equal(sub.since, 2);
    sockets[1].push({ type: 'subscribed', channel: 'notifications', seq: 5, epoch: 'N', recovered: true, ref: sub.ref },
      { type: 'notification', seq: 3 }, { type: 'notification', seq: 4 }, { type: 'notification', seq: 5 });
    assert.deepEqual(seen, [1, 2, 3, 4, 5]);
    client.close();
  });
});

describe('transport fallback with scripted transports', () => {
  /** An SSE response whose body the test writes. */
  function sseStream() {
    let controller;
    const body = new ReadableStream({ start(c) { controller = c; } });
    const encoder = new TextEncoder();
    return {
      response: new Response(body, { status: 200, headers: { 'Content-Type': 'text/event-stream' } }),
      write: text => controller.enqueue(encoder.encode(text)),
      end: () => controller.close(),
    };
  }

  test('a refused WebSocket falls back to SSE + REST: same API, publishing over POST /realtime/messages', async () => {
    const streams = [];
    const fetch = fakeFetch({
      '/realtime/history/chat:a': () => jsonResponse(200, { channel: 'chat:a', seq: 7, epoch: 'E', messages: [] }),
      '/realtime/events': () => { const s = sseStream(); streams.push(s); return s.response; },
      '/realtime/messages': (init) => jsonResponse(200, { type: 'ack', channel: 'chat:a', seq: 8, id: 'm-8', ts: 8, idem: JSON.parse(init.body).idem }),
    });
    const { client, sockets } = fakeClient({ fetch });
    const got = [];
    client.subscribe('chat:a', m => got.push(m.seq));
    const connected = client.connect();
    await until(() => sockets.length === 1);
    sockets[0].drop(1006); // e.g. a proxy that strips Upgrade
    await until(() => streams.length === 1, 3000, 'an SSE request');
    const sseCall = fetch.calls.find(c => c.path === '/realtime/events');
    assert.match(sseCall.url, /channels=chat%3Aa/);
    streams[0].write('retry: 3000\n\nevent: connected\ndata: {"connectionId":"c-2","userId":"alice","node":"n1"}\n\n');
    await connected;
    assert.equal(client.transportName, 'sse');
    streams[0].write('id: cur1\nevent: message\ndata: {"type":"message","channel":"chat:a","seq":8,"data":"hi"}\n\n');
    await until(() => got.length === 1);
    const ack = await client.publish('chat:a', 'over rest');
    assert.equal(ack.seq, 8);
    const post = fetch.calls.find(c => c.path === '/realtime/messages');
    assert.equal(post.body.data, 'over rest');
    assert.ok(post.body.idem);
    assert.deepEqual(got, [8]);
    client.close();
  });
});

// ---- against a real server ---------------------------------------------------------------------

const BASE_URL = process.env.BASE_URL;
const SECRET = process.env.JWT_SECRET;

function mint(user, roles = []) {
  const b64 = o => Buffer.from(JSON.stringify(o)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const unsigned = b64({ alg: 'HS256', typ: 'JWT' }) + '.' + b64({ sub: user, iat: now, exp: now + 3600, roles });
  return unsigned + '.' + createHmac('sha256', SECRET).update(unsigned).digest('base64url');
}

const transports = ['websocket', 'sse', 'poll'].filter(t => t !== 'websocket' || typeof WebSocket === 'function');
let unique = 0;
const id = prefix => `${prefix}-${process.pid}-${++unique}`;

/** A client of the real server for user `user`, closed when the test ends (pass or fail). */
function client(t, user, transport) {
  const c = createClient({ url: BASE_URL, token: mint(user), transports: [transport] });
  t.after(() => c.close());
  return c;
}

describe('against a real server', { skip: !BASE_URL && 'BASE_URL/JWT_SECRET not set (ClientLibraryTest sets them)' }, () => {
  for (const transport of transports) {
    test(`${transport}: a burst of messages arrives exactly once, in order`, async t => {
      const channel = 'chat:' + id('burst-' + transport);
      const reader = client(t, id('reader'), transport);
      const writer = client(t, id('writer'), transport);
      const got = [];
      const ready = reader.subscribe(channel, m => got.push(m.data.n)).ready;
      await reader.connect();
      await ready;
      await writer.connect();
      const acks = await Promise.all(Array.from({ length: 30 }, (_, n) => writer.publish(channel, { n })));
      assert.deepEqual(acks.map(a => a.seq), Array.from({ length: 30 }, (_, n) => n + 1), 'acked in order');
      await until(() => got.length >= 30, 10000, '30 messages');
      await sleep(200);
      assert.deepEqual(got, Array.from({ length: 30 }, (_, n) => n));
    });

    test(`${transport}: after a disconnect the client resumes and gets exactly what it missed`, async t => {
      const channel = 'chat:' + id('resume-' + transport);
      const reader = client(t, id('reader'), transport);
      const writer = client(t, id('writer'), transport);
      const got = [];
      const lost = [];
      reader.on('recovered', r => lost.push(r));
      const ready = reader.subscribe(channel, m => got.push(m.data)).ready;
      await reader.connect();
      await ready;
      await writer.connect();
      for (const text of ['a', 'b']) await writer.publish(channel, text);
      await until(() => got.length === 2, 5000, 'a and b');
      reader.disconnect();
      for (const text of ['c', 'd', 'e']) await writer.publish(channel, text);
      await reader.connect();
      await until(() => got.length >= 5, 10000, 'the missed messages');
      await writer.publish(channel, 'f');
      await until(() => got.length >= 6, 5000, 'f');
      await sleep(200);
      assert.deepEqual(got, ['a', 'b', 'c', 'd', 'e', 'f']);
      assert.deepEqual(lost, []);
    });
  }

  test('a message retried with the same idem is stored once (same seq and id)', async t => {
    const c = client(t, id('idem'), transports[0]);
    await c.connect();
    const channel = 'chat:' + id('idem');
    const first = await c.publish(channel, 'once', { idem: 'k-1' });
    const again = await c.publish(channel, 'once', { idem: 'k-1' });
    assert.equal(again.seq, first.seq);
    assert.equal(again.id, first.id);
    const history = await c.history(channel);
    assert.equal(history.messages.length, 1);
  });

  for (const transport of transports) {
    test(`${transport}: notifications and exact unread counts reach the client; markRead updates the count`, async t => {
      const user = id('notified');
      const c = client(t, user, transport);
      const counts = [];
      const seen = [];
      c.on('unread_count', e => counts.push(e.count));
      c.on('notification', n => seen.push(n.seq));
      await c.connect();
      for (let i = 1; i <= 3; i++) {
        const r = await fetch(BASE_URL + '/realtime/send', {
          method: 'POST', headers: { Authorization: 'Bearer ' + mint('svc', ['service']), 'Content-Type': 'application/json' },
          body: JSON.stringify({ userId: user, kind: 'test', data: { i } }),
        });
        assert.equal(r.status, 202);
        await until(() => seen.length === i && counts.at(-1) === i, 5000, `notification ${i} and count ${i} (counts ${counts})`);
      }
      await c.markRead(2);
      await until(() => counts.at(-1) === 1, 5000, 'count 1 after marking 2 read');
      assert.deepEqual(seen, [1, 2, 3]);
    });
  }

  test('presence of a channel lists the subscribed user', async t => {
    const user = id('present');
    const c = client(t, user, transports.includes('websocket') ? 'websocket' : 'sse');
    const channel = 'chat:' + id('presence');
    const ready = c.subscribe(channel, () => {}).ready;
    await c.connect();
    await ready;
    let state;
    for (let i = 0; i < 50; i++) {
      state = await c.presence(channel);
      if (state.users.some(u => u.userId === user)) break;
      await sleep(50);
    }
    assert.ok(state.users.some(u => u.userId === user && u.status === 'online'), JSON.stringify(state));
  });
});
