package io.sobranie.realtime.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP proxy on 127.0.0.1 in front of a server, for what a network can do to a browser: pass
 * everything, refuse WebSocket upgrades (like a proxy that strips {@code Upgrade}), or refuse
 * every new connection (the server unreachable). The mode applies to new connections; the
 * target port can change (a restarted server).
 */
public final class TcpProxy implements AutoCloseable {
  public enum Mode { FORWARD, BLOCK_WEBSOCKET, REFUSE }

  private final ServerSocket listener;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private volatile Mode mode = Mode.FORWARD;
  private volatile int target;

  public TcpProxy(int target) throws IOException {
    this.target = target;
    listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread accept = new Thread(this::acceptLoop, "tcp-proxy-accept");
    accept.setDaemon(true);
    accept.start();
  }

  public int port() {
    return listener.getLocalPort();
  }

  public void mode(Mode mode) {
    this.mode = mode;
  }

  public void target(int port) {
    this.target = port;
  }

  private void acceptLoop() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        Thread t = new Thread(() -> serve(client), "tcp-proxy-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException closed) {
        return;
      }
    }
  }

  private void serve(Socket client) {
    open.add(client);
    Socket server = null;
    try {
      if (mode == Mode.REFUSE) {
        client.setSoLinger(true, 0); // a reset, like a port nobody listens on
        return;
      }
      InputStream in = client.getInputStream();
      byte[] head = readHead(in);
      String text = new String(head, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
      if (mode == Mode.BLOCK_WEBSOCKET && text.contains("\nupgrade: websocket")) {
        client.getOutputStream().write(("HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: 28\r\n"
            + "Connection: close\r\n\r\nWebSocket blocked by a proxy").getBytes(StandardCharsets.ISO_8859_1));
        client.getOutputStream().flush();
        return;
      }
      server = new Socket(InetAddress.getLoopbackAddress(), target);
      open.add(server);
      server.getOutputStream().write(head);
      Socket upstream = server;
      Thread back = new Thread(() -> pipe(upstream, client), "tcp-proxy-back");
      back.setDaemon(true);
      back.start();
      pipe(client, server);
      back.join();
    } catch (IOException | InterruptedException e) {
      // the connection ends
    } finally {
      close(client);
      close(server);
    }
  }

  /** Reads an HTTP request head (up to the blank line); whatever comes first for non-HTTP. */
  private static byte[] readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    byte[] end = {'\r', '\n', '\r', '\n'};
    while (head.size() < 65_536) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.write(b);
      matched = b == end[matched] ? matched + 1 : b == '\r' ? 1 : 0;
      if (matched == 4) {
        break;
      }
    }
    return head.toByteArray();
  }

  private void pipe(Socket from, Socket to) {
    byte[] buffer = new byte[16_384];
    try {
      InputStream in = from.getInputStream();
      OutputStream out = to.getOutputStream();
      for (int n; (n = in.read(buffer)) >= 0; ) {
        out.write(buffer, 0, n);
        out.flush();
      }
      to.shutdownOutput();
    } catch (IOException e) {
      close(from);
      close(to);
    }
  }

  private void close(Socket socket) {
    if (socket != null) {
      open.remove(socket);
      try {
        socket.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }

  /** Cuts every connection in progress (the browser sees them drop). */
  public void cutAll() {
    open.forEach(this::close);
  }

  @Override
  public void close() throws IOException {
    listener.close();
    cutAll();
  }
}
