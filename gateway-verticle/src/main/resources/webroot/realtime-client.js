/**
 * Sobranie Realtime browser client — one dependency-free ES module, served by every gateway at
 * GET /realtime/client.js. It speaks the client contract (docs/protocol.md) over WebSocket, or
 * over Server-Sent Events + REST, or over long-polling + REST, with the same API whatever the
 * transport.
 *
 *   import { createClient } from '/realtime/client.js';         // as an ES module, or
 *   <script type="module" src="/realtime/client.js"></script>   // then window.SobranieRealtime
 *
 *   const client = createClient({ getToken: async () => myJwt() });
 *   client.on('state', s => console.log(s.state, s.transport));
 *   const leave = client.subscribe('chat:lobby', m => console.log(m.from, m.data));
 *   await client.connect();
 *   const ack = await client.publish('chat:lobby', { text: 'hi' });
 *
 * Guarantees the client adds on top of the server's:
 * - every sequenced event (channel messages, broadcast, notifications) reaches the app exactly
 *   once and in seq order, across reconnects and transport switches: duplicates are dropped by
 *   seq, early events are held until the gap is filled (by the server's replay or, failing that,
 *   from REST history); when that is impossible the app hears `recovered` {recovered:false};
 * - reconnects back off exponentially with jitter (constants in DEFAULTS.reconnect):
 *   delay(n) = min(maxMs, initialMs * factor^n) * (1 - jitter * r), r uniform in [0, 1), so
 *   (1 - jitter) * cap(n) <= delay(n) <= cap(n) <= maxMs; a server `reconnect {afterMs}` waits
 *   afterMs plus up to 10% (at most 1 s) instead;
 * - messages published while disconnected wait in a bounded queue (DEFAULTS.queueLimit, counting
 *   every message not yet acked) and go out in order after reconnecting; each carries its own
 *   `idem` key, so a message resent after a lost ack is stored once. A full queue rejects with
 *   RealtimeError code `queue_full`;
 * - when a transport fails to open (refused, 503, a proxy stripping Upgrade, a timeout), the next
 *   one is tried at once (WebSocket → SSE → long-poll); while on a fallback, the better
 *   transports are probed again after DEFAULTS.upgradeAfterMs (doubling to upgradeMaxMs).
 *   Over SSE and long-polling, actions go through REST (POST /realtime/messages, /typing,
 *   /signal, /notifications/read; GET /realtime/presence), streams resume from their cursor,
 *   a new subscription is checked first with GET /realtime/history (the same right; a refused
 *   channel would refuse the whole stream) and the server takes at most 50 channels per stream.
 * - a message the server refuses (forbidden, rate_limited, …) rejects its publish() promise;
 *   it is not retried. Over WebSocket, signal() resolves once sent and a `not_found` comes as an
 *   `error` event with its ref; over REST it rejects.
 * - a service's disconnect (WebSocket close 4000, or SSE `reconnect` carrying a `reason`) ends in
 *   state 'closed' without reconnecting; so does a refused fixed token (with getToken the
 *   client backs off and asks for a new one). Over long-polling, where a pushed unread_count
 *   can fall between two polls, the count is read over REST after each new notification.
 *
 * Events (client.on(name, fn) returns an "off" function):
 *   state         {state: 'connecting'|'connected'|'reconnecting'|'closed', transport, attempt, delayMs?, reason?}
 *   message       a channel message {channel, id, seq, from, data, ts, kind?} (also given to subscribe handlers)
 *   typing        {channel, from, active}
 *   presence      {userId, status, ts, channel}
 *   notification  {id, seq, kind, data, ts, read}
 *   unread_count  {count}
 *   signal        {from, signal, payload}
 *   recovered     {channel, recovered: false, reason} — missed events of `channel` could not be recovered
 *   error         RealtimeError {code, message, ref?, channel?, retryAfterMs?}
 *   connected     {transport, connectionId?, userId?, node?}
 */

/** Default options; every one can be overridden in createClient(options). */
export const DEFAULTS = Object.freeze({
  /** Transports in order of preference. */
  transports: Object.freeze(['websocket', 'sse', 'poll']),
  /** Reconnect backoff: delay(n) = min(maxMs, initialMs * factor^n) * (1 - jitter * random). */
  reconnect: Object.freeze({ initialMs: 500, maxMs: 30_000, factor: 2, jitter: 0.5 }),
  /** Most messages waiting for their ack (queued while disconnected, or sent and not yet acked). */
  queueLimit: 100,
  /** A transport that has not said `connected` within this time counts as failed to open. */
  openTimeoutMs: 10_000,
  /** While on a fallback transport, try the better ones again after this long (doubling on failure)... */
  upgradeAfterMs: 60_000,
  /** ...up to this interval. */
  upgradeMaxMs: 15 * 60_000,
  /** Long-poll hold time asked of the server (it clamps to 60 s). */
  pollTimeoutMs: 25_000,
  /** An SSE stream silent for this long (the server pings every 15 s) is considered dead. */
  sseIdleMs: 45_000,
  /** An event that arrives ahead of its seq waits this long for the gap to fill before REST history is asked. */
  gapWaitMs: 1_500,
  /** A WebSocket request with a reply (presence) fails after this long without one. */
  requestTimeoutMs: 10_000,
  /** While typing, `typing(channel, true)` is re-sent at most this often (the server relays one per 2 s). */
  typingRefreshMs: 2_500,
  /**
   * The server relays one start per user and channel per 2 s; a restart inside that window waits
   * this long after the last start (the window plus a margin for the two starts' transit times).
   */
  typingWindowMs: 2_300,
  /** Get a one-time ticket (POST /realtime/ticket) for the WebSocket URL instead of putting the token there. */
  useTickets: true,
  /** In browsers: reconnect at once when the `online` event fires instead of waiting out the backoff. */
  watchNetwork: true,
});

const TRANSPORTS = ['websocket', 'sse', 'poll'];
const IMPLICIT = ['notifications', 'broadcast'];
const CLOSE_UNAUTHORIZED = 1008;
const CLOSE_DISCONNECTED = 4000;

/** An error with the contract's error `code` (or a client one: queue_full, closed, timeout, network, disconnected). */
export class RealtimeError extends Error {
  constructor(code, message, extra = {}) {
    super(message || code);
    this.name = 'RealtimeError';
    this.code = code;
    Object.assign(this, extra);
  }
}

/** The reconnect delay before attempt `attempt` (0-based); see DEFAULTS.reconnect for the bounds. */
export function backoffDelay(attempt, reconnect = DEFAULTS.reconnect, random = Math.random) {
  const { initialMs, maxMs, factor, jitter } = { ...DEFAULTS.reconnect, ...reconnect };
  const cap = Math.min(maxMs, initialMs * Math.pow(factor, Math.max(0, Math.min(attempt, 64))));
  return Math.round(cap * (1 - jitter * random()));
}

/**
 * Splits one server text frame into its JSON objects (the server may batch several, one per
 * line). Lines that are not JSON objects are returned in `bad`.
 */
export function splitFrames(text) {
  const objects = [];
  const bad = [];
  for (const line of String(text).split('\n')) {
    if (!line.trim()) continue;
    try {
      const value = JSON.parse(line);
      if (value && typeof value === 'object' && !Array.isArray(value)) objects.push(value);
      else bad.push(line);
    } catch {
      bad.push(line);
    }
  }
  return { objects, bad };
}

/**
 * Incremental Server-Sent Events parser (the WHATWG event-stream format): feed it text chunks,
 * it calls onEvent({event, data, id}) per dispatched event; comments are ignored.
 */
export class SseParser {
  constructor(onEvent) {
    this.onEvent = onEvent;
    this.buffer = '';
    this.reset();
  }

  reset() {
    this.event = '';
    this.data = [];
    this.id = null;
  }

  push(chunk) {
    this.buffer += chunk;
    let start = 0;
    for (;;) {
      const cr = this.buffer.indexOf('\r', start);
      const lf = this.buffer.indexOf('\n', start);
      let end = cr < 0 ? lf : lf < 0 ? cr : Math.min(cr, lf);
      if (end < 0) break;
      let next = end + 1;
      if (this.buffer[end] === '\r') {
        if (next >= this.buffer.length) break; // wait: maybe "\r\n" split across chunks
        if (this.buffer[next] === '\n') next++;
      }
      this.line(this.buffer.slice(start, end));
      start = next;
    }
    this.buffer = this.buffer.slice(start);
  }

  line(line) {
    if (line === '') {
      if (this.data.length) this.onEvent({ event: this.event || 'message', data: this.data.join('\n'), id: this.id });
      this.reset();
      return;
    }
    if (line[0] === ':') return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value[0] === ' ') value = value.slice(1);
    if (field === 'event') this.event = value;
    else if (field === 'data') this.data.push(value);
    else if (field === 'id' && !value.includes('\0')) this.id = value;
  }
}

/**
 * Orders one sequenced stream: delivers seq last+1, drops seq <= last, holds later ones until the
 * gap fills. `last` null means "no baseline yet": the next event is taken as it comes.
 */
export class Sequencer {
  constructor(deliver) {
    this.deliver = deliver;
    this.last = null;
    this.epoch = null;
    this.held = new Map();
  }

  /** Returns 'delivered', 'duplicate' or 'held'. */
  accept(event) {
    const seq = event.seq;
    if (typeof seq !== 'number') {
      this.deliver(event);
      return 'delivered';
    }
    if (this.last !== null && seq <= this.last) return 'duplicate';
    if (this.last !== null && seq > this.last + 1) {
      if (!this.held.has(seq)) this.held.set(seq, event);
      return 'held';
    }
    this.last = seq;
    this.deliver(event);
    this.drain();
    return 'delivered';
  }

  drain() {
    while (this.last !== null && this.held.has(this.last + 1)) {
      const next = this.held.get(this.last + 1);
      this.held.delete(this.last + 1);
      this.last++;
      this.deliver(next);
    }
    for (const seq of this.held.keys()) {
      if (this.last !== null && seq <= this.last) this.held.delete(seq);
    }
  }

  /** The smallest held seq, or null. */
  firstHeld() {
    let min = null;
    for (const seq of this.held.keys()) if (min === null || seq < min) min = seq;
    return min;
  }

  /** A new baseline (null: take what comes next); held events beyond it are delivered in order. */
  reset(last, epoch) {
    this.last = last;
    if (epoch !== undefined) this.epoch = epoch;
    if (this.last === null && this.held.size) {
      const first = this.firstHeld();
      const event = this.held.get(first);
      this.held.delete(first);
      this.last = first;
      this.deliver(event);
    }
    this.drain();
  }

  /** Gives up on the gap: delivers what is held, in order, skipping the missing seqs. */
  skipGap() {
    while (this.held.size) {
      const first = this.firstHeld();
      const event = this.held.get(first);
      this.held.delete(first);
      this.last = first;
      this.deliver(event);
      this.drain();
    }
  }
}

function randomKey() {
  const bytes = new Uint8Array(16);
  const c = globalThis.crypto;
  if (c && c.getRandomValues) c.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
  return Array.from(bytes, b => b.toString(16).padStart(2, '0')).join('');
}

function defaultBaseUrl() {
  try {
    const here = new URL(import.meta.url);
    if (here.protocol === 'http:' || here.protocol === 'https:') return here.origin;
  } catch {
    // not loaded from a URL
  }
  if (typeof location !== 'undefined' && location.origin && location.origin !== 'null') return location.origin;
  throw new Error('createClient needs options.url (the server base URL, e.g. https://rt.example.com)');
}

/** Channel names are URL-safe by definition; anything else is escaped and refused by the server. */
function channelPath(channel) {
  return /^[A-Za-z0-9:_\-.@]+$/.test(channel) ? channel : encodeURIComponent(channel);
}

function utf8Length(text) {
  return typeof TextEncoder !== 'undefined' ? new TextEncoder().encode(text).length : text.length;
}

/** Reads a REST error body into a RealtimeError. */
async function restError(response) {
  let code = 'internal';
  let message = 'HTTP ' + response.status;
  try {
    const body = await response.json();
    if (body && body.error) {
      code = body.error.code || code;
      message = body.error.message || message;
    }
  } catch {
    code = response.status === 404 ? 'not_found' : response.status === 503 ? 'unavailable' : code;
  }
  const retryAfter = response.headers && response.headers.get && response.headers.get('Retry-After');
  const extra = { status: response.status };
  if (retryAfter && /^\d+$/.test(retryAfter)) extra.retryAfterMs = Number(retryAfter) * 1000;
  return new RealtimeError(code, message, extra);
}

// ---- transports -------------------------------------------------------------------------------
//
// A transport opens, calls client._opened(this, info) once when it is live (synchronously, before
// handling any later event), hands every server object to client._event(this, object), and calls
// client._lost(this, reason) when it dies after opening. open() rejects with a RealtimeError whose
// `fault` is 'auth' (credentials refused: do not fall back) or 'transport' (try the next one).

class WebSocketTransport {
  constructor(client) {
    this.client = client;
    this.name = 'websocket';
    this.socket = null;
    this.closed = false;
    this.lastReceived = Date.now();
    this.heartbeatTimer = null;
    this.heartbeatMs = 25_000;
  }

  async open(token) {
    const c = this.client;
    let query;
    if (c.options.useTickets) {
      const response = await c._fetch('/realtime/ticket', { method: 'POST', token });
      if (response.status === 401) throw Object.assign(await restError(response), { fault: 'auth' });
      if (!response.ok) throw Object.assign(await restError(response), { fault: 'transport' });
      query = 'ticket=' + encodeURIComponent((await response.json()).ticket);
    } else {
      query = 'token=' + encodeURIComponent(token);
    }
    if (this.closed) throw new RealtimeError('closed', 'closed', { fault: 'closed' });
    const url = c.baseUrl.replace(/^http/, 'ws') + '/realtime/ws?' + query;
    const WS = c.options.WebSocket || globalThis.WebSocket;
    if (!WS) throw new RealtimeError('unavailable', 'no WebSocket in this environment', { fault: 'transport' });
    return new Promise((resolve, reject) => {
      let opened = false;
      const socket = new WS(url);
      this.socket = socket;
      const timer = c._setTimeout(() => {
        if (!opened) {
          this.close();
          reject(new RealtimeError('timeout', 'WebSocket did not open in time', { fault: 'transport' }));
        }
      }, c.options.openTimeoutMs);
      socket.onmessage = e => {
        if (this.closed) return;
        this.lastReceived = Date.now();
        if (typeof e.data !== 'string') return; // binary relays are not handled by this client
        const { objects, bad } = splitFrames(e.data);
        for (const line of bad) c._emit('error', new RealtimeError('bad_frame', 'unreadable server frame: ' + line.slice(0, 200)));
        for (const object of objects) {
          if (this.closed) return;
          if (!opened) {
            if (object.type !== 'connected') continue;
            opened = true;
            c._clearTimeout(timer);
            this.heartbeatMs = object.heartbeatMs || this.heartbeatMs;
            this.startHeartbeat();
            c._opened(this, object);
            resolve(this);
            continue;
          }
          c._event(this, object);
        }
      };
      socket.onclose = e => {
        if (this.closed) return;
        this.closed = true;
        this.stopHeartbeat();
        c._clearTimeout(timer);
        const info = { code: e.code, reason: e.reason };
        if (!opened) {
          const auth = e.code === CLOSE_UNAUTHORIZED && e.reason === 'unauthorized';
          reject(new RealtimeError(auth ? 'unauthorized' : 'unavailable',
            auth ? 'the server refused the credentials' : 'WebSocket failed to open (close ' + e.code + ')',
            { fault: auth ? 'auth' : 'transport', closeCode: e.code, closeReason: e.reason }));
        } else {
          c._lost(this, info);
        }
      };
      socket.onerror = () => {
        // onclose follows with the details
      };
    });
  }

  startHeartbeat() {
    // Browsers answer the server's pings invisibly; this sends a `ping` frame when the socket has
    // been quiet, and declares the connection dead when even that gets no answer.
    const every = Math.max(1000, Math.floor(this.heartbeatMs / 2));
    this.heartbeatTimer = this.client._setInterval(() => {
      const quiet = Date.now() - this.lastReceived;
      if (quiet > 2 * this.heartbeatMs + 5000) {
        this.fail({ code: 4408, reason: 'no answer from the server' });
      } else if (quiet >= this.heartbeatMs) {
        this.send({ type: 'ping' });
      }
    }, every);
  }

  stopHeartbeat() {
    if (this.heartbeatTimer !== null) this.client._clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }

  fail(info) {
    if (this.closed) return;
    this.close();
    this.client._lost(this, info);
  }

  get isOpen() {
    return !this.closed && this.socket && this.socket.readyState === 1;
  }

  send(object) {
    if (!this.isOpen) return false;
    this.socket.send(JSON.stringify(object));
    return true;
  }

  close() {
    if (this.closed && !this.socket) return;
    this.closed = true;
    this.stopHeartbeat();
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.onmessage = socket.onclose = socket.onerror = null;
      try {
        socket.close(1000, 'client closing');
      } catch {
        // already closed
      }
    }
  }
}

/** Server-Sent Events read with fetch (so the Authorization header can be used and HTTP statuses are seen). */
class SseTransport {
  constructor(client) {
    this.client = client;
    this.name = 'sse';
    this.abort = null;
    this.closed = false;
    this.channels = [];
    this.idleTimer = null;
  }

  async open(token) {
    const c = this.client;
    await c._validateChannels(token);
    if (this.closed) throw new RealtimeError('closed', 'closed', { fault: 'closed' });
    this.channels = c._streamChannels();
    const cursor = c._cursorFor('sse');
    const params = new URLSearchParams();
    if (this.channels.length) params.set('channels', this.channels.join(','));
    if (cursor) params.set('lastEventId', cursor.value);
    this.usedCursor = cursor;
    const controller = new AbortController();
    this.abort = controller;
    const timer = c._setTimeout(() => controller.abort(), c.options.openTimeoutMs);
    let response;
    try {
      response = await c._fetch('/realtime/events?' + params, {
        token, signal: controller.signal, headers: { Accept: 'text/event-stream' },
      });
    } catch (e) {
      c._clearTimeout(timer);
      throw new RealtimeError('network', 'SSE request failed: ' + (e && e.message), { fault: this.closed ? 'closed' : 'transport' });
    }
    if (!response.ok) {
      c._clearTimeout(timer);
      const error = await restError(response);
      error.fault = response.status === 401 ? 'auth' : response.status === 403 || response.status === 400 ? 'channels' : 'transport';
      throw error;
    }
    if (!response.body || !response.body.getReader) {
      c._clearTimeout(timer);
      throw new RealtimeError('unavailable', 'this environment cannot stream a fetch body', { fault: 'transport' });
    }
    return new Promise((resolve, reject) => {
      let opened = false;
      const parser = new SseParser(event => {
        if (this.closed) return;
        let object;
        try {
          object = JSON.parse(event.data);
        } catch {
          c._emit('error', new RealtimeError('bad_frame', 'unreadable SSE event: ' + event.data.slice(0, 200)));
          return;
        }
        if (object && typeof object === 'object' && !object.type) object.type = event.event;
        if (!opened) {
          if (event.event !== 'connected') return;
          opened = true;
          c._clearTimeout(timer);
          c._opened(this, object);
          resolve(this);
          return;
        }
        if (event.event === 'recovered') object = { type: 'recovered', recovered: object.recovered, channels: object.channels };
        c._event(this, object, event.id);
      });
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      const pump = () => reader.read().then(({ done, value }) => {
        if (this.closed) return;
        this.touch();
        if (done) {
          this.end(opened, reject, { reason: 'stream ended' });
          return;
        }
        parser.push(decoder.decode(value, { stream: true }));
        pump();
      }, error => {
        if (!this.closed) this.end(opened, reject, { reason: 'stream failed: ' + (error && error.message) });
      });
      this.touch();
      pump();
    });
  }

  touch() {
    const c = this.client;
    if (this.idleTimer !== null) c._clearTimeout(this.idleTimer);
    this.idleTimer = c._setTimeout(() => {
      if (!this.closed) {
        this.close();
        c._lost(this, { reason: 'SSE stream silent for too long' });
      }
    }, c.options.sseIdleMs);
  }

  end(opened, reject, info) {
    this.close();
    if (opened) this.client._lost(this, info);
    else reject(new RealtimeError('unavailable', 'SSE stream ended before connected', { fault: 'transport' }));
  }

  close() {
    this.closed = true;
    if (this.idleTimer !== null) this.client._clearTimeout(this.idleTimer);
    this.idleTimer = null;
    if (this.abort) this.abort.abort();
    this.abort = null;
  }
}

/** Long-polling: one held GET after another, resuming from the previous reply's cursor. */
class PollTransport {
  constructor(client) {
    this.client = client;
    this.name = 'poll';
    this.closed = false;
    this.abort = null;
    this.token = null;
    this.restart = false;
  }

  async open(token) {
    const c = this.client;
    this.token = token;
    await c._validateChannels(token);
    if (this.closed) throw new RealtimeError('closed', 'closed', { fault: 'closed' });
    const reply = await this.poll(true);
    if (this.closed) throw new RealtimeError('closed', 'closed', { fault: 'closed' });
    this.usedCursor = reply.usedCursor;
    c._opened(this, { type: 'connected' });
    this.handle(reply);
    if (reply.usedCursor) c._refreshUnread(); // only a first poll (no cursor) says unread_count
    this.loop();
    return this;
  }

  /** One poll; `first` answers at once (timeoutMs=0) so opening is quick. */
  async poll(first) {
    const c = this.client;
    const channels = c._streamChannels();
    const cursor = c._cursorFor('poll');
    const params = new URLSearchParams();
    if (channels.length) params.set('channels', channels.join(','));
    if (cursor) params.set('cursor', cursor.value);
    params.set('timeoutMs', String(first ? 0 : c.options.pollTimeoutMs));
    const controller = new AbortController();
    this.abort = controller;
    const timer = c._setTimeout(() => controller.abort(), (first ? c.options.openTimeoutMs : c.options.pollTimeoutMs + 15_000));
    let response;
    try {
      response = await c._fetch('/realtime/poll?' + params, { token: this.token, signal: controller.signal });
    } catch (e) {
      throw new RealtimeError('network', 'poll failed: ' + (e && e.message), { fault: 'transport', aborted: controller.signal.aborted });
    } finally {
      c._clearTimeout(timer);
    }
    if (!response.ok) {
      const error = await restError(response);
      error.fault = response.status === 401 ? 'auth' : response.status === 403 || response.status === 400 ? 'channels' : 'transport';
      throw error;
    }
    const body = await response.json();
    return { body, channels, usedCursor: cursor };
  }

  handle({ body, channels, usedCursor }) {
    const c = this.client;
    if (body.recovered === false) c._event(this, { type: 'recovered', recovered: false, channels: body.channels || [] });
    c._pollCovered(usedCursor, channels);
    let countStale = false;
    for (const event of body.events || []) {
      if (this.closed) return;
      c._event(this, event);
      if (event.type === 'notification') countStale = true;
      if (event.type === 'unread_count') countStale = false;
    }
    if (body.cursor) c._setCursor('poll', body.cursor, channels);
    // The server pushes unread_count to the connections open at that moment; a poll answered
    // with the notification just before its count (or a count pushed between two polls) is
    // missed, so the count is read over REST instead.
    if (countStale) c._refreshUnread();
  }

  async loop() {
    const c = this.client;
    while (!this.closed) {
      let reply;
      try {
        reply = await this.poll(false);
      } catch (error) {
        if (this.closed) return;
        if (this.restart) { // aborted on purpose: the channel list changed
          this.restart = false;
          continue;
        }
        if (error.fault === 'auth') {
          this.token = await c._token().catch(() => this.token);
        }
        this.close();
        c._lost(this, { reason: error.message, error });
        return;
      }
      if (this.closed) return;
      this.restart = false;
      this.handle(reply);
    }
  }

  /** The channel list changed: end the held poll and start one with the new list (same cursor). */
  refresh() {
    if (this.abort) {
      this.restart = true;
      this.abort.abort();
    }
  }

  close() {
    this.closed = true;
    if (this.abort) this.abort.abort();
    this.abort = null;
  }
}

// ---- the client -------------------------------------------------------------------------------

export class RealtimeClient {
  /**
   * @param {object} options
   * @param {string} [options.url] server base URL (default: where this module was loaded from)
   * @param {string} [options.token] a fixed JWT, or
   * @param {function(): (string|Promise<string>)} [options.getToken] called on every (re)connect
   * @param {string[]} [options.transports] subset/order of 'websocket', 'sse', 'poll'
   * @param {object} [options.reconnect] {initialMs, maxMs, factor, jitter}
   * Other options: see DEFAULTS. For tests: WebSocket, fetch, random, setTimeout, clearTimeout.
   */
  constructor(options = {}) {
    this.options = { ...DEFAULTS, ...options, reconnect: { ...DEFAULTS.reconnect, ...(options.reconnect || {}) } };
    if (!options.getToken && !options.token) throw new Error('createClient needs options.getToken or options.token');
    const transports = (this.options.transports || DEFAULTS.transports).filter(t => TRANSPORTS.includes(t));
    if (!transports.length) throw new Error('options.transports lists none of ' + TRANSPORTS.join(', '));
    this.transports = transports;
    this.baseUrl = (options.url || defaultBaseUrl()).replace(/\/+$/, '');
    this.state = 'idle';
    this.transport = null; // the live transport object
    this.level = 0; // index in this.transports of the transport to use
    this.attempt = 0;
    this.currentToken = options.token || null;
    this.limits = { maxFrameBytes: 65_536 };
    this.listeners = new Map();
    /** channel → {handlers:Set, seq:Sequencer, validated, wsReady, ref, readyWaiters} */
    this.channels = new Map();
    /** notifications and broadcast: always followed. */
    this.implicit = new Map(IMPLICIT.map(name => [name, this._newStream(name)]));
    this.outbox = [];
    this.pending = new Map(); // ref → {resolve, reject, timer, kind, entry?}
    this.refCounter = 0;
    this.cursors = {}; // transport name → {value, channels:Set}
    this.uncovered = new Set();
    this.fills = new Map(); // stream name → timer
    this.filling = new Set();
    this.typingState = new Map(); // channel → {lastStart, shown, deferred}
    this.reconnectTimer = null;
    this.upgradeTimer = null;
    this.upgradeDelay = this.options.upgradeAfterMs;
    this.probing = null;
    this.connecting = null;
    this.restSending = false;
    this.restRetryTimer = null;
    this.restartTimer = null;
    this.wanted = false;
    this.generation = 0;
    if (this.options.watchNetwork && typeof window !== 'undefined' && window.addEventListener) {
      // the browser says the network is back: no need to sit out the rest of a backoff
      window.addEventListener('online', () => { if (this.wanted && !this.transport) this.reconnect(); });
    }
  }

  // ---- public API --------------------------------------------------------------------------

  /** Starts (or resumes) connecting; resolves when connected. Reconnects on its own afterwards. */
  connect() {
    if (this.state === 'connected') return Promise.resolve(this);
    this.wanted = true;
    const ready = new Promise((resolve, reject) => {
      const off = this.on('state', s => {
        if (s.state === 'connected') {
          off();
          resolve(this);
        } else if (s.state === 'closed') {
          off();
          reject(s.error || new RealtimeError('closed', s.reason || 'closed'));
        }
      });
    });
    if (this.state === 'idle' || this.state === 'closed') {
      this.attempt = 0;
      this.level = 0;
      this._round(0);
    }
    return ready;
  }

  /** Closes the connection and stops reconnecting; queued messages are kept for a later connect(). */
  disconnect(reason = 'disconnect() called') {
    this.wanted = false;
    this.generation++;
    this._clearTimers();
    if (this.transport) {
      const t = this.transport;
      this.transport = null;
      t.close();
    }
    for (const t of [this.probing, this.connecting]) if (t) t.close();
    this.probing = this.connecting = null;
    this._requeue();
    this._setState('closed', { reason });
  }

  /** disconnect(), and every message still waiting is rejected with code `closed`. */
  close() {
    this.disconnect('close() called');
    const waiting = this.outbox.splice(0);
    for (const entry of waiting) entry.reject(new RealtimeError('closed', 'the client was closed before the message was acked'));
  }

  /** Drops the current connection (or cuts a backoff wait short) and reconnects at once, e.g. after the network changed. */
  reconnect() {
    if (!this.wanted) return this.connect();
    if (this.transport) {
      const t = this.transport;
      t.close();
      this._lost(t, { reason: 'reconnect() called' }, 0);
    } else if (this.reconnectTimer !== null) {
      this._clearTimeout(this.reconnectTimer);
      this.reconnectTimer = null;
      this._round(this.level);
    }
    return Promise.resolve(this);
  }

  /**
   * Follows a channel; handler(event) gets its messages (and typing/presence events) in seq
   * order, exactly once. Returns the unsubscribe function, with `.ready`, a Promise settled when
   * the server accepted or refused the subscription. options {since, epoch} resume from a known point.
   */
  subscribe(channel, handler, options = {}) {
    if (typeof channel !== 'string' || !channel) throw new TypeError('subscribe needs a channel name');
    if (IMPLICIT.includes(channel)) { // always followed: only the handler is added
      const stream = this.implicit.get(channel);
      if (handler) stream.handlers.add(handler);
      const remove = () => { if (handler) stream.handlers.delete(handler); };
      remove.ready = Promise.resolve(channel);
      return remove;
    }
    let sub = this.channels.get(channel);
    const fresh = !sub;
    if (fresh) {
      sub = this._newStream(channel);
      if (typeof options.since === 'number') sub.seq.reset(options.since, options.epoch || null);
      this.channels.set(channel, sub);
    }
    if (handler) sub.handlers.add(handler);
    const ready = new Promise((resolve, reject) => {
      if (sub.wsReady || sub.validated) resolve(channel);
      else sub.readyWaiters.push({ resolve, reject });
    });
    ready.catch(() => {});
    if (fresh && this.transport) this._follow(sub);
    const unsubscribe = () => this._unsubscribe(channel, handler);
    unsubscribe.ready = ready;
    return unsubscribe;
  }

  /** Publishes on a channel; resolves with the ack {channel, seq, id, ts}. Queued while disconnected. */
  publish(channel, data, options = {}) {
    if (data === undefined || data === null) return Promise.reject(new RealtimeError('bad_request', 'data is required'));
    const idem = options.idem || randomKey();
    const size = utf8Length(JSON.stringify({ type: 'message', channel, data, idem, ref: 'r0000000000' }));
    if (size > this.limits.maxFrameBytes) {
      return Promise.reject(new RealtimeError('too_large', 'the message is ' + size + ' bytes; the server takes at most ' + this.limits.maxFrameBytes));
    }
    if (this.outbox.length >= this.options.queueLimit) {
      return Promise.reject(new RealtimeError('queue_full', 'the outgoing queue is full (' + this.options.queueLimit
        + ' messages waiting for the server); retry when connected', { queueLimit: this.options.queueLimit }));
    }
    return new Promise((resolve, reject) => {
      this.outbox.push({ channel, data, idem, resolve, reject, sent: false, ref: null });
      this._pump();
    });
  }

  /**
   * Says whether the user is typing on `channel`. active:true is re-sent at most every
   * typingRefreshMs while it lasts; a start right after a stop, which the server would drop
   * (one start per typingWindowMs), is sent when the window opens, if still typing then; a stop
   * is sent once after a start that went out.
   */
  typing(channel, active) {
    const now = Date.now();
    let state = this.typingState.get(channel);
    if (!state) {
      state = { lastStart: 0, shown: false, deferred: null };
      this.typingState.set(channel, state);
    }
    if (!active) {
      if (state.deferred !== null) this._clearTimeout(state.deferred);
      state.deferred = null;
      if (!state.shown) return Promise.resolve(false);
      state.shown = false;
      return this._sendTyping(channel, false);
    }
    if (state.shown && now - state.lastStart < this.options.typingRefreshMs) return Promise.resolve(false);
    const wait = state.lastStart + this.options.typingWindowMs - now;
    if (!state.shown && wait > 0) {
      if (state.deferred === null) {
        state.deferred = this._setTimeout(() => {
          state.deferred = null;
          state.lastStart = Date.now();
          state.shown = true;
          this._sendTyping(channel, true);
        }, wait);
      }
      return Promise.resolve(false);
    }
    state.lastStart = now;
    state.shown = true;
    return this._sendTyping(channel, true);
  }

  _sendTyping(channel, active) {
    const t = this.transport;
    if (!t) return Promise.resolve(false);
    if (t.name === 'websocket') return Promise.resolve(t.send({ type: 'typing', channel, active }));
    return this._rest('POST', '/realtime/typing', { channel, active }).then(() => true, error => {
      this._emit('error', error);
      return false;
    });
  }

  /**
   * Who is online: presence('chat:room') → {channel, users:[{userId, status, lastSeen}]} (the
   * users subscribed to it now), or presence(['alice','bob']) → {users:[…]}.
   */
  presence(target) {
    const query = Array.isArray(target) ? { users: target } : typeof target === 'string' ? { channel: target } : target;
    const t = this.transport;
    if (t && t.name === 'websocket') return this._request({ type: 'presence', ...query }, 'presence_state');
    if (query.channel) return this._rest('GET', '/realtime/presence/' + channelPath(query.channel));
    return this._rest('GET', '/realtime/presence?users=' + encodeURIComponent(query.users.join(',')));
  }

  /** Relays a WebRTC signal ('offer', 'answer', 'ice', 'hangup') to every connection of user `to`. */
  signal(to, kind, payload) {
    const t = this.transport;
    if (t && t.name === 'websocket') {
      const ref = this._ref();
      return t.send({ type: 'signal', to, signal: kind, payload, ref }) ? Promise.resolve()
        : Promise.reject(new RealtimeError('disconnected', 'not connected'));
    }
    return this._rest('POST', '/realtime/signal', { to, signal: kind, payload }).then(() => undefined);
  }

  /** Marks notifications up to seq `upTo` as read; every connection of the user gets the new unread_count. */
  markRead(upTo) {
    const t = this.transport;
    if (t && t.name === 'websocket' && t.send({ type: 'read', upTo })) return Promise.resolve();
    return this._rest('POST', '/realtime/notifications/read', { upTo }).then(body => {
      // a poll between two requests misses the pushed count: the reply has it
      if (t && t.name === 'poll' && body && typeof body.unread === 'number') this._emit('unread_count', { type: 'unread_count', count: body.unread });
    });
  }

  /** REST history of a channel: {channel, seq, epoch, messages} (oldest first). */
  history(channel, { since, limit } = {}) {
    const params = new URLSearchParams();
    if (since !== undefined && since !== null) params.set('since', String(since));
    if (limit) params.set('limit', String(limit));
    return this._rest('GET', '/realtime/history/' + channelPath(channel) + (params.toString() ? '?' + params : ''));
  }

  /** REST list of notifications, newest first: {unread, notifications}. */
  notifications({ before, limit } = {}) {
    const params = new URLSearchParams();
    if (before !== undefined && before !== null) params.set('before', String(before));
    if (limit) params.set('limit', String(limit));
    return this._rest('GET', '/realtime/notifications' + (params.toString() ? '?' + params : ''));
  }

  /** Listens to an event (see the top of this file); returns a function that stops listening. */
  on(name, fn) {
    if (!this.listeners.has(name)) this.listeners.set(name, new Set());
    this.listeners.get(name).add(fn);
    return () => this.off(name, fn);
  }

  off(name, fn) {
    const set = this.listeners.get(name);
    if (set) set.delete(fn);
  }

  /** The transport in use ('websocket', 'sse', 'poll') or null. */
  get transportName() {
    return this.transport ? this.transport.name : null;
  }

  /** How many messages wait for their ack. */
  get queued() {
    return this.outbox.length;
  }

  // ---- connecting --------------------------------------------------------------------------

  async _token() {
    if (this.options.getToken) {
      const token = await this.options.getToken();
      if (!token) throw new RealtimeError('unauthorized', 'getToken() gave no token');
      this.currentToken = token;
    }
    return this.currentToken;
  }

  /** Tries the transports from `level` down the list; backs off when none opens. */
  async _round(level) {
    const generation = this.generation;
    if (!this.wanted) return;
    this._setState('connecting', { transport: this.transports[level] });
    let channelRetries = 0;
    for (let i = level; i < this.transports.length; i++) {
      if (generation !== this.generation || !this.wanted) return;
      let token;
      try {
        token = await this._token();
      } catch (error) {
        this._emit('error', error instanceof RealtimeError ? error : new RealtimeError('unauthorized', String(error && error.message)));
        this._backoff(level, 'getToken failed');
        return;
      }
      const t = this._create(this.transports[i]);
      this.connecting = t;
      try {
        await t.open(token);
        return; // _opened made it the live transport
      } catch (error) {
        if (this.connecting === t) this.connecting = null;
        t.close();
        if (generation !== this.generation || !this.wanted || error.fault === 'closed') return;
        if (error.fault === 'auth') {
          this._emit('error', error);
          if (!this.options.getToken) {
            this.wanted = false;
            this._setState('closed', { reason: 'unauthorized', error });
            return;
          }
          this._backoff(i, 'unauthorized');
          return;
        }
        if (error.fault === 'channels') {
          // A followed channel is refused (e.g. rights changed): validate them one by one and retry once.
          for (const sub of this.channels.values()) sub.validated = false;
          if (channelRetries++ === 0) i--; // same transport once more; then the next one
          continue;
        }
        this._emit('error', Object.assign(new RealtimeError(error.code || 'unavailable',
          this.transports[i] + ' failed to open: ' + error.message), { transport: this.transports[i] }));
      }
    }
    this._backoff(0, 'no transport could open');
  }

  _create(name) {
    return name === 'websocket' ? new WebSocketTransport(this) : name === 'sse' ? new SseTransport(this) : new PollTransport(this);
  }

  _backoff(level, reason, delayMs) {
    if (!this.wanted) return;
    const delay = delayMs !== undefined ? delayMs : backoffDelay(this.attempt, this.options.reconnect, this.options.random || Math.random);
    this.attempt++;
    this._setState('reconnecting', { delayMs: delay, reason, transport: null });
    this._clearTimeout(this.reconnectTimer);
    const generation = this.generation;
    this.reconnectTimer = this._setTimeout(() => {
      this.reconnectTimer = null;
      if (generation === this.generation) this._round(level);
    }, delay);
  }

  /** A transport said `connected` (its first event); it becomes the live one. */
  _opened(t, hello) {
    if (this.connecting === t) this.connecting = null;
    if (this.probing === t) this.probing = null;
    if (!this.wanted) { // disconnect() came while it was opening
      t.close();
      return;
    }
    const previous = this.transport;
    if (previous && previous !== t) {
      this.transport = null;
      previous.close();
    }
    if (previous && previous.name !== t.name) this.cursors = {};
    this.transport = t;
    this.level = this.transports.indexOf(t.name);
    this.attempt = 0;
    this.uncovered.clear();
    if (hello && hello.limits && hello.limits.maxFrameBytes) this.limits = { ...hello.limits };
    this._setState('connected', { transport: t.name });
    this._emit('connected', { transport: t.name, connectionId: hello.connectionId, userId: hello.userId, node: hello.node });
    this._requeue();
    if (t.name === 'websocket') {
      for (const sub of this.channels.values()) this._wsSubscribe(sub);
      for (const stream of this.implicit.values()) {
        if (stream.seq.last !== null) this._wsSubscribe(stream); // recover what arrived meanwhile
      }
    } else {
      this._markUncovered(t);
      this._fillUncovered();
    }
    this._scheduleUpgrade();
    this._pump();
  }

  /** The live transport died after opening. */
  _lost(t, info, delayMs) {
    if (t !== this.transport) return;
    this.transport = null;
    this._requeue();
    for (const [ref, request] of this.pending) {
      this._clearTimeout(request.timer);
      this.pending.delete(ref);
      request.reject(new RealtimeError('disconnected', 'the connection was lost before the reply'));
    }
    for (const sub of this.channels.values()) sub.wsReady = false;
    for (const stream of this.implicit.values()) stream.gate = null;
    this._clearTimeout(this.upgradeTimer);
    this.upgradeTimer = null;
    if (info && info.code === CLOSE_DISCONNECTED) {
      this.wanted = false;
      this._setState('closed', { reason: 'disconnected by the server: ' + (info.reason || ''), transport: t.name });
      return;
    }
    if (info && info.code === CLOSE_UNAUTHORIZED && info.reason === 'unauthorized' && !this.options.getToken) {
      this.wanted = false;
      this._setState('closed', { reason: 'unauthorized', transport: t.name });
      return;
    }
    if (!this.wanted) return;
    if (info && info.afterMs !== undefined) {
      const extra = Math.min(1000, info.afterMs * 0.1) * (this.options.random || Math.random)();
      this._backoff(this.level, 'the server asked to reconnect', Math.round(info.afterMs + extra));
    } else {
      this._backoff(this.level, (info && info.reason) || 'connection lost', delayMs);
    }
  }

  /** While on a fallback, periodically try the better transports without dropping the current one. */
  _scheduleUpgrade() {
    this._clearTimeout(this.upgradeTimer);
    this.upgradeTimer = null;
    if (this.level === 0 || !this.transport) {
      this.upgradeDelay = this.options.upgradeAfterMs;
      return;
    }
    const generation = this.generation;
    this.upgradeTimer = this._setTimeout(async () => {
      this.upgradeTimer = null;
      if (generation !== this.generation || !this.transport || this.level === 0) return;
      const current = this.transport;
      for (let i = 0; i < this.level; i++) {
        let token;
        try {
          token = await this._token();
        } catch {
          break;
        }
        if (this.transport !== current) return;
        const probe = this._create(this.transports[i]);
        this.probing = probe;
        try {
          await probe.open(token);
          this.upgradeDelay = this.options.upgradeAfterMs;
          return; // _opened switched to it
        } catch {
          probe.close();
          if (this.probing === probe) this.probing = null;
          if (this.transport !== current) return;
        }
      }
      this.upgradeDelay = Math.min(this.options.upgradeMaxMs, this.upgradeDelay * 2);
      this._scheduleUpgrade();
    }, this.upgradeDelay);
  }

  // ---- channels and streams ----------------------------------------------------------------

  _newStream(name) {
    const stream = {
      name, handlers: new Set(), validated: false, wsReady: false, ref: null, readyWaiters: [], gate: null, everFollowed: false,
    };
    stream.seq = new Sequencer(event => this._deliver(stream, event));
    return stream;
  }

  _stream(name) {
    return this.implicit.get(name) || this.channels.get(name);
  }

  /** A new subscription while live. */
  _follow(sub) {
    const t = this.transport;
    if (!t) return;
    if (t.name === 'websocket') {
      this._wsSubscribe(sub);
    } else {
      this._validate(sub, this.currentToken).then(ok => {
        if (ok) this._restartStream();
      });
    }
  }

  _wsSubscribe(stream) {
    const ref = this._ref();
    stream.ref = ref;
    const frame = { type: 'subscribe', channel: stream.name, ref };
    if (stream.seq.last !== null) {
      frame.since = stream.seq.last;
      if (stream.seq.epoch) frame.epoch = stream.seq.epoch;
      stream.askedSince = true;
      if (IMPLICIT.includes(stream.name)) stream.gate = [];
    } else {
      stream.askedSince = false;
    }
    this.transport.send(frame);
  }

  _unsubscribe(channel, handler) {
    const sub = this.channels.get(channel);
    if (!sub) return;
    if (handler) sub.handlers.delete(handler);
    if (sub.handlers.size && handler) return;
    this.channels.delete(channel);
    for (const waiter of sub.readyWaiters) waiter.reject(new RealtimeError('not_subscribed', 'unsubscribed before the server answered'));
    const t = this.transport;
    if (t && t.name === 'websocket') t.send({ type: 'unsubscribe', channel, ref: this._ref() });
    else if (t) this._restartStream();
  }

  /** The channels an SSE stream or poll asks for. */
  _streamChannels() {
    return [...this.channels.values()].filter(s => s.validated).map(s => s.name);
  }

  /**
   * SSE/poll streams are refused whole when one channel is not allowed, so each channel is
   * checked first with REST history (the same right), which also gives its seq and epoch.
   */
  async _validateChannels(token) {
    const todo = [...this.channels.values()].filter(s => !s.validated);
    await Promise.all(todo.map(sub => this._validate(sub, token)));
  }

  async _validate(sub, token) {
    try {
      const page = await this._rest('GET', '/realtime/history/' + channelPath(sub.name) + '?limit=1', undefined, token);
      if (this.channels.get(sub.name) !== sub) return false;
      if (sub.seq.last === null) {
        sub.seq.reset(page.seq, page.epoch);
      } else if (sub.seq.epoch && page.epoch !== sub.seq.epoch) {
        this._notRecovered(sub, 'the channel\'s history was reset (new epoch)');
        sub.seq.reset(page.seq, page.epoch);
      }
      if (!sub.seq.epoch) sub.seq.epoch = page.epoch;
      sub.validated = true;
      this._ready(sub);
      return true;
    } catch (error) {
      if (error.code === 'forbidden' || error.code === 'bad_request' || error.code === 'not_found') {
        this._refused(sub, error);
        return false;
      }
      throw Object.assign(error, { fault: error.code === 'unauthorized' ? 'auth' : 'transport' });
    }
  }

  _ready(sub) {
    const waiters = sub.readyWaiters.splice(0);
    for (const waiter of waiters) waiter.resolve(sub.name);
  }

  _refused(sub, error) {
    if (this.channels.get(sub.name) === sub) this.channels.delete(sub.name);
    const refusal = new RealtimeError(error.code, error.message, { channel: sub.name });
    for (const waiter of sub.readyWaiters.splice(0)) waiter.reject(refusal);
    this._emit('error', refusal);
  }

  /** Re-opens the SSE stream / re-issues the poll with the current channel list (debounced). */
  _restartStream() {
    if (this.restartTimer !== null) return;
    this.restartTimer = this._setTimeout(() => {
      this.restartTimer = null;
      const t = this.transport;
      if (!t) return;
      if (t.name === 'poll') {
        t.refresh();
      } else if (t.name === 'sse') {
        // open the new stream before closing the old one, so nothing is missed in between
        const next = new SseTransport(this);
        this.probing = next;
        this._currentToken().then(token => next.open(token)).catch(() => {
          if (this.probing === next) this.probing = null;
          next.close();
          if (this.transport === t) {
            t.close();
            this._lost(t, { reason: 'could not reopen the stream' });
          }
        });
      }
    }, 30);
  }

  async _currentToken() {
    return this.currentToken || this._token();
  }

  _cursorFor(transport) {
    return this.cursors[transport] || null;
  }

  _setCursor(transport, value, channels) {
    this.cursors[transport] = { value, channels: new Set([...IMPLICIT, ...channels]) };
  }

  /** After an SSE/poll open: which streams did the cursor not cover (they start "now")? */
  _markUncovered(t) {
    const cursor = t.usedCursor !== undefined ? t.usedCursor : this._cursorFor(t.name);
    for (const stream of [...this.implicit.values(), ...this.channels.values()]) {
      if (!cursor || !cursor.channels.has(stream.name)) this.uncovered.add(stream.name);
    }
  }

  _pollCovered(usedCursor, channels) {
    // for a poll after a channel list change, channels new to the cursor start "now": fill them
    if (!usedCursor) return;
    for (const name of channels) {
      if (!usedCursor.channels.has(name) && !this.uncovered.has(name)) {
        this.uncovered.add(name);
        this._fill(name);
      }
    }
  }

  _fillUncovered() {
    for (const name of this.uncovered) this._fill(name);
  }

  /** Fills a stream's gap from REST (history or the notification list); gives up with recovered:false. */
  async _fill(name) {
    const stream = this._stream(name);
    if (!stream || stream.seq.last === null || this.filling.has(name)) return;
    this.filling.add(name);
    try {
      if (name === 'notifications') await this._fillNotifications(stream);
      else await this._fillChannel(stream);
    } catch (error) {
      if (error.code === 'forbidden' || error.code === 'bad_request') {
        this._notRecovered(stream, 'history not available: ' + error.message);
        stream.seq.skipGap();
      } else if (stream.seq.held.size) {
        this._scheduleGapFill(stream); // try again later
      }
    } finally {
      this.filling.delete(name);
      this.uncovered.delete(name);
    }
  }

  async _fillChannel(stream) {
    for (let page = 0; page < 10; page++) {
      const since = stream.seq.last;
      const body = await this._rest('GET', '/realtime/history/' + channelPath(stream.name) + '?since=' + since + '&limit=1000');
      if (this._stream(stream.name) !== stream || stream.seq.last === null) return;
      if (stream.seq.epoch && body.epoch && body.epoch !== stream.seq.epoch) {
        this._notRecovered(stream, 'the channel\'s history was reset (new epoch)');
        stream.seq.epoch = body.epoch;
        stream.seq.reset(null);
        return;
      }
      if (body.epoch) stream.seq.epoch = body.epoch;
      const messages = body.messages || [];
      if (messages.length && messages[0].seq > stream.seq.last + 1) {
        this._notRecovered(stream, 'history no longer reaches back that far');
        stream.seq.reset(messages[0].seq - 1);
      }
      for (const message of messages) stream.seq.accept({ type: 'message', channel: stream.name, ...message });
      if (!messages.length || stream.seq.last >= body.seq) break;
    }
    if (stream.seq.held.size) {
      this._notRecovered(stream, 'a gap could not be filled');
      stream.seq.skipGap();
    }
  }

  async _fillNotifications(stream) {
    const last = stream.seq.last;
    const body = await this._rest('GET', '/realtime/notifications?limit=1000');
    const items = (body.notifications || []).filter(n => n.seq > last).sort((a, b) => a.seq - b.seq);
    if (items.length && items[0].seq > last + 1) {
      this._notRecovered(stream, 'older notifications are no longer kept');
      stream.seq.reset(items[0].seq - 1);
    }
    for (const item of items) stream.seq.accept({ type: 'notification', ...item });
    if (stream.seq.held.size) stream.seq.skipGap();
  }

  /** Reads the unread count over REST (for long-polling, which can miss the pushed one). */
  _refreshUnread() {
    if (this.unreadRefresh) {
      this.unreadRefreshAgain = true;
      return;
    }
    this.unreadRefresh = this._rest('GET', '/realtime/notifications?limit=1').then(body => {
      if (body && typeof body.unread === 'number') this._emit('unread_count', { type: 'unread_count', count: body.unread });
    }, error => this._emit('error', error)).finally(() => {
      this.unreadRefresh = null;
      if (this.unreadRefreshAgain) {
        this.unreadRefreshAgain = false;
        this._refreshUnread();
      }
    });
  }

  _scheduleGapFill(stream) {
    if (this.fills.has(stream.name)) return;
    this.fills.set(stream.name, this._setTimeout(() => {
      this.fills.delete(stream.name);
      if (stream.seq.held.size && this.transport) this._fill(stream.name);
    }, this.options.gapWaitMs));
  }

  _notRecovered(stream, reason) {
    this._emit('recovered', { channel: stream.name, recovered: false, reason });
  }

  // ---- incoming events ---------------------------------------------------------------------

  _event(t, object, sseId) {
    if (t !== this.transport) return;
    switch (object.type) {
      case 'message': {
        const stream = this._stream(object.channel);
        if (!stream) return; // after unsubscribe
        this._sequenced(stream, object);
        break;
      }
      case 'notification':
        this._sequenced(this.implicit.get('notifications'), object);
        break;
      case 'typing':
      case 'presence': {
        const sub = object.channel && this.channels.get(object.channel);
        this._emit(object.type, object);
        if (sub) for (const handler of sub.handlers) this._call(handler, object);
        break;
      }
      case 'subscribed':
        this._subscribed(object);
        break;
      case 'unsubscribed':
        break;
      case 'ack':
      case 'presence_state':
        this._reply(object);
        break;
      case 'error':
        this._error(object);
        break;
      case 'recovered':
        for (const name of object.channels || []) {
          const stream = this._stream(name);
          if (!stream) continue;
          this.uncovered.delete(name);
          this._notRecovered(stream, 'the server\'s history no longer reaches back that far (or was reset)');
          stream.seq.reset(null, null);
        }
        break;
      case 'reconnect':
        t.close();
        if (object.reason !== undefined) {
          this._lost(t, { code: CLOSE_DISCONNECTED, reason: typeof object.reason === 'string' ? object.reason : 'disconnected' });
        } else {
          this._lost(t, { afterMs: Number(object.afterMs) || 0, reason: 'the server asked to reconnect' });
        }
        return;
      case 'unread_count':
      case 'signal':
        this._emit(object.type, object);
        break;
      case 'pong':
      case 'connected':
        break;
      default:
        this._emit('unknown', object);
    }
    if (sseId && t.name === 'sse') this._setCursor('sse', sseId, t.channels);
  }

  _sequenced(stream, event) {
    if (stream.gate) { // waiting for the answer to a resubscribe of notifications/broadcast
      stream.gate.push(event);
      return;
    }
    if (stream.seq.accept(event) === 'held') this._scheduleGapFill(stream);
  }

  _deliver(stream, event) {
    if (event.type === 'notification') {
      this._emit('notification', event);
    } else {
      this._emit('message', event);
    }
    for (const handler of stream.handlers) this._call(handler, event);
  }

  _subscribed(frame) {
    const stream = this._stream(frame.channel);
    if (!stream || (frame.ref && stream.ref && frame.ref !== stream.ref)) return;
    stream.wsReady = true;
    stream.validated = true;
    if (stream.askedSince && !frame.recovered) {
      this._notRecovered(stream, frame.epoch !== stream.seq.epoch && stream.seq.epoch
        ? 'the channel\'s history was reset (new epoch)' : 'history no longer reaches back that far');
    }
    if (IMPLICIT.includes(stream.name)) {
      const gated = stream.gate || [];
      stream.gate = null;
      if (!frame.recovered) stream.seq.reset(null, frame.epoch);
      else stream.seq.epoch = frame.epoch;
      for (const event of gated) this._sequenced(stream, event);
    } else if (!stream.askedSince || !frame.recovered) {
      stream.seq.reset(frame.seq, frame.epoch);
    } else {
      stream.seq.epoch = frame.epoch;
    }
    stream.askedSince = false;
    this._ready(stream);
  }

  _error(frame) {
    const error = new RealtimeError(frame.code, frame.message, { ref: frame.ref, retryAfterMs: frame.retryAfterMs });
    if (frame.ref) {
      const request = this.pending.get(frame.ref);
      if (request) {
        this.pending.delete(frame.ref);
        this._clearTimeout(request.timer);
        if (request.entry) {
          this._settle(request.entry);
          error.channel = request.entry.channel;
        }
        request.reject(error);
        return;
      }
      for (const stream of [...this.channels.values(), ...this.implicit.values()]) {
        if (stream.ref === frame.ref) {
          error.channel = stream.name;
          if (!IMPLICIT.includes(stream.name)) {
            this._refused(stream, error);
            return;
          }
          if (stream.gate) this._subscribed({ channel: stream.name, recovered: false, ref: frame.ref });
        }
      }
    }
    this._emit('error', error);
  }

  _reply(frame) {
    const request = frame.ref && this.pending.get(frame.ref);
    if (!request) return;
    this.pending.delete(frame.ref);
    this._clearTimeout(request.timer);
    if (request.entry) this._settle(request.entry);
    const { type, ref, ...rest } = frame;
    request.resolve(rest);
  }

  /** A request over the WebSocket answered by a frame with the same ref. */
  _request(frame, replyType) {
    return new Promise((resolve, reject) => {
      const ref = this._ref();
      const timer = this._setTimeout(() => {
        this.pending.delete(ref);
        reject(new RealtimeError('timeout', 'no ' + replyType + ' from the server in time'));
      }, this.options.requestTimeoutMs);
      this.pending.set(ref, { resolve, reject, timer, kind: replyType });
      if (!this.transport || !this.transport.send({ ...frame, ref })) {
        this.pending.delete(ref);
        this._clearTimeout(timer);
        reject(new RealtimeError('disconnected', 'not connected'));
      }
    });
  }

  // ---- outgoing messages -------------------------------------------------------------------

  /** Sends what the outbox holds, in order: all at once over WebSocket, one by one over REST. */
  _pump() {
    const t = this.transport;
    if (!t || this.restSending) return;
    if (t.name === 'websocket') {
      for (const entry of this.outbox) {
        if (entry.sent) continue;
        const ref = this._ref();
        entry.ref = ref;
        entry.sent = true;
        this.pending.set(ref, { resolve: entry.resolve, reject: entry.reject, timer: null, kind: 'ack', entry });
        if (!t.send({ type: 'message', channel: entry.channel, data: entry.data, idem: entry.idem, ref })) {
          this.pending.delete(ref);
          entry.sent = false;
          return;
        }
      }
      return;
    }
    const entry = this.outbox.find(e => !e.sent);
    if (!entry) return;
    entry.sent = true;
    this.restSending = true;
    this._rest('POST', '/realtime/messages', { channel: entry.channel, data: entry.data, idem: entry.idem }).then(ack => {
      this.restSending = false;
      this._settle(entry);
      const { type, ref, ...rest } = ack || {};
      entry.resolve(rest);
      this._pump();
    }, error => {
      this.restSending = false;
      const transient = error.code === 'network' || error.code === 'unavailable' || error.code === 'internal' || error.code === 'unauthorized';
      if (transient) {
        entry.sent = false; // same idem next time: stored once whatever happened to this attempt
        this._clearTimeout(this.restRetryTimer);
        this.restRetryTimer = this._setTimeout(() => {
          this.restRetryTimer = null;
          this._pump();
        }, backoffDelay(0, this.options.reconnect, this.options.random || Math.random));
        return;
      }
      this._settle(entry);
      entry.reject(Object.assign(error, { channel: entry.channel }));
      this._pump();
    });
  }

  _settle(entry) {
    const index = this.outbox.indexOf(entry);
    if (index >= 0) this.outbox.splice(index, 1);
  }

  /** Messages sent on a lost connection go back to the queue, in order, keeping their idem. */
  _requeue() {
    for (const entry of this.outbox) {
      if (entry.ref) this.pending.delete(entry.ref);
      if (!this.restSending) entry.sent = false;
      entry.ref = null;
    }
  }

  // ---- plumbing ----------------------------------------------------------------------------

  _fetch(path, { method = 'GET', token, body, signal, headers = {} } = {}) {
    const f = this.options.fetch || globalThis.fetch.bind(globalThis);
    const h = { ...headers };
    if (token) h.Authorization = 'Bearer ' + token;
    if (body !== undefined) h['Content-Type'] = 'application/json';
    return f(this.baseUrl + path, { method, headers: h, body: body === undefined ? undefined : JSON.stringify(body), signal, cache: 'no-store' });
  }

  /** A REST call with the current token; a 401 gets a fresh token from getToken() and one retry. */
  async _rest(method, path, body, token) {
    let useToken = token || this.currentToken || await this._token();
    for (let attempt = 0; ; attempt++) {
      let response;
      try {
        response = await this._fetch(path, { method, token: useToken, body });
      } catch (e) {
        throw new RealtimeError('network', method + ' ' + path.split('?')[0] + ' failed: ' + (e && e.message));
      }
      if (response.status === 401 && attempt === 0 && this.options.getToken) {
        useToken = await this._token();
        continue;
      }
      if (!response.ok) throw await restError(response);
      if (response.status === 204) return null;
      const text = await response.text();
      return text ? JSON.parse(text) : null;
    }
  }

  _ref() {
    return 'r' + (++this.refCounter);
  }

  _setState(state, extra = {}) {
    this.state = state;
    this._emit('state', { state, transport: this.transport ? this.transport.name : null, attempt: this.attempt, ...extra });
  }

  _emit(name, value) {
    const set = this.listeners.get(name);
    if (!set) return;
    for (const fn of [...set]) this._call(fn, value);
  }

  _call(fn, value) {
    try {
      fn(value);
    } catch (e) {
      if (typeof console !== 'undefined') console.error('realtime-client: a handler threw', e);
    }
  }

  _clearTimers() {
    this._clearTimeout(this.reconnectTimer);
    this._clearTimeout(this.upgradeTimer);
    this._clearTimeout(this.restartTimer);
    this._clearTimeout(this.restRetryTimer);
    for (const timer of this.fills.values()) this._clearTimeout(timer);
    this.fills.clear();
    this.reconnectTimer = this.upgradeTimer = this.restartTimer = this.restRetryTimer = null;
  }

  _setTimeout(fn, ms) {
    return (this.options.setTimeout || globalThis.setTimeout)(fn, ms);
  }

  _clearTimeout(id) {
    if (id !== null && id !== undefined) (this.options.clearTimeout || globalThis.clearTimeout)(id);
  }

  _setInterval(fn, ms) {
    return (this.options.setInterval || globalThis.setInterval)(fn, ms);
  }

  _clearInterval(id) {
    (this.options.clearInterval || globalThis.clearInterval)(id);
  }
}

/** Creates a client (not yet connected: call connect()). */
export function createClient(options) {
  return new RealtimeClient(options);
}

const api = { createClient, RealtimeClient, RealtimeError, DEFAULTS, backoffDelay, splitFrames, SseParser, Sequencer };
if (typeof window !== 'undefined') window.SobranieRealtime = api;
export default api;
